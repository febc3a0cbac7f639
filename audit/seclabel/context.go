package seclabel

// Context is a parsed SELinux security context "user:role:type:range", such
// as "system_u:system_r:container_t:s0:c74,c276". The zero Context is not a
// parsed context, and its String method returns "". == compares two
// contexts.
type Context struct {
	user, role, typ string
	mls             Range
	hasRange        bool
}

// User returns the SELinux user, such as "system_u".
func (c Context) User() string {
	return c.user
}

// Role returns the role, such as "system_r" or "object_r".
func (c Context) Role() string {
	return c.role
}

// Type returns the type, such as "container_t" or "container_file_t".
func (c Context) Type() string {
	return c.typ
}

// Range returns the MLS range and true, or the zero Range and false when
// the context has no range. Only policies without MLS or MCS produce such
// contexts, and the missing range is not s0.
func (c Context) Range() (Range, bool) {
	return c.mls, c.hasRange
}

// String returns the context with its range in canonical form. A context
// without a range prints as "user:role:type".
func (c Context) String() string {
	if c.user == "" {
		return ""
	}
	var buf [256]byte
	return string(c.appendTo(buf[:0]))
}

func (c *Context) appendTo(b []byte) []byte {
	b = append(b, c.user...)
	b = append(b, ':')
	b = append(b, c.role...)
	b = append(b, ':')
	b = append(b, c.typ...)
	if c.hasRange {
		b = append(b, ':')
		b = c.mls.appendTo(b)
	}
	return b
}

// MarshalText returns the same text as String.
func (c Context) MarshalText() ([]byte, error) {
	if c.user == "" {
		return []byte{}, nil
	}
	return c.appendTo(nil), nil
}

// UnmarshalText parses text with ParseContext.
func (c *Context) UnmarshalText(text []byte) error {
	parsed, err := ParseContext(string(text))
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}

// ParseContext parses a raw context "user:role:type:range" or
// "user:role:type".
//
// The range is everything after the third colon and follows ParseRange, so
// "u:r:t:s0:c1,c2" has five colon-separated parts and is valid, while a
// further colon ("u:r:t:s0:c1:c2") is rejected. A context with three parts
// is accepted without a range, because policies without MLS or MCS produce
// it; Context.Range then reports that the range is absent. User, role and
// type must be non-empty names of ASCII letters, digits, '_', '.' and '-'.
// The error is a *ParseError that wraps ErrInvalidLabel.
//
// Parsing a valid context does not allocate: the names are substrings of s.
func ParseContext(s string) (Context, error) {
	p := parser{kind: "context", input: s}
	if s == "" {
		return Context{}, p.fail(0, "empty context")
	}
	if perr := p.checkBytes(0, len(s)); perr != nil {
		return Context{}, perr
	}

	userEnd := indexByteFrom(s, ':', 0, len(s))
	if userEnd == len(s) {
		return Context{}, p.fail(len(s), "missing role and type: expected user:role:type:range")
	}
	roleEnd := indexByteFrom(s, ':', userEnd+1, len(s))
	if roleEnd == len(s) {
		return Context{}, p.fail(len(s), "missing type: expected user:role:type:range")
	}
	typeEnd := indexByteFrom(s, ':', roleEnd+1, len(s))

	var c Context
	var perr *ParseError
	if c.user, perr = p.name("user", 0, userEnd); perr != nil {
		return Context{}, perr
	}
	if c.role, perr = p.name("role", userEnd+1, roleEnd); perr != nil {
		return Context{}, perr
	}
	if c.typ, perr = p.name("type", roleEnd+1, typeEnd); perr != nil {
		return Context{}, perr
	}
	if typeEnd == len(s) {
		return c, nil
	}

	if typeEnd+1 == len(s) {
		return Context{}, p.fail(typeEnd+1, "empty range after the third ':'")
	}
	if c.mls, perr = p.mlsRange(typeEnd+1, len(s)); perr != nil {
		return Context{}, perr
	}
	c.hasRange = true
	return c, nil
}

// name checks the user, role or type in p.input[start:end].
func (p *parser) name(field string, start, end int) (string, *ParseError) {
	if start == end {
		return "", p.fail(start, "empty %s", field)
	}
	for i := start; i < end; i++ {
		b := p.input[i]
		if isLetter(b) || isDigit(b) || b == '_' || b == '.' || b == '-' {
			continue
		}
		return "", p.fail(i, "invalid character %q in the %s %q: names contain only letters, digits, '_', '.' and '-'", b, field, p.input[start:end])
	}
	return p.input[start:end], nil
}
