package seclabel

// rawLabelHint is the fix named in errors about translated names. The
// security.selinux xattr and /proc/<pid>/attr/current always contain the
// raw label, while tools such as ls -Z and ps -Z print mcstrans
// translations when mcstransd runs.
const rawLabelHint = "read the raw label from the security.selinux xattr or /proc/<pid>/attr/current"

// checkBytes rejects whitespace, control bytes and non-ASCII bytes in
// p.input[start:end]. Raw labels contain none of them.
func (p *parser) checkBytes(start, end int) *ParseError {
	for i := start; i < end; i++ {
		b := p.input[i]
		if b > ' ' && b < 0x7f {
			continue
		}
		switch b {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			return p.fail(i, "whitespace %q is not allowed", b)
		case 0:
			// The kernel ends labels read from /proc and from xattrs with
			// a NUL byte, so an unstripped label fails here.
			return p.fail(i, "NUL byte is not allowed, so strip the terminator that the kernel appends to labels")
		default:
			return p.fail(i, "byte 0x%02x is not allowed because labels are printable ASCII", b)
		}
	}
	return nil
}

// indexByteFrom returns the index of the first c in s[from:end], or end.
func indexByteFrom(s string, c byte, from, end int) int {
	for i := from; i < end; i++ {
		if s[i] == c {
			return i
		}
	}
	return end
}

func isDigit(b byte) bool {
	return b >= '0' && b <= '9'
}

func isLetter(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

// parseDecimal parses a string of ASCII digits. It returns false for an
// empty string or any other byte. Values above one million saturate there,
// which is enough to report them as above the maximum without overflow.
func parseDecimal(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	const limit = 1_000_000
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		if n < limit {
			n = n*10 + int(s[i]-'0')
		}
	}
	return min(n, limit), true
}

// isTranslatedName reports whether token looks like an mcstrans name
// ("SystemLow", "Payroll") in place of a raw token that starts with prefix
// ('s' for sensitivities, 'c' for categories): it starts with another
// letter and has no digit. Other malformed tokens, such as "x0", are
// reported as malformed.
func isTranslatedName(token string, prefix byte) bool {
	if token == "" || !isLetter(token[0]) || token[0] == prefix {
		return false
	}
	for i := 0; i < len(token); i++ {
		if isDigit(token[i]) {
			return false
		}
	}
	return true
}
