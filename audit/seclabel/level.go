package seclabel

import (
	"fmt"
	"strconv"
)

// MaxSensitivity is the highest sensitivity, s15. Refpolicy builds MLS
// policies with 16 sensitivities (MLS_SENS in build.conf). MCS policies,
// Fedora's included, define only s0 (gen_sens(1) in policy/mcs).
const MaxSensitivity = 15

// Level is an MLS level: one sensitivity and a set of categories, such as
// "s0:c74,c276". The zero value is "s0" with no categories. Every Level
// value is valid, and == compares two levels.
type Level struct {
	sensitivity uint8
	categories  CategorySet
}

// NewLevel returns the level with the given sensitivity (0 to
// MaxSensitivity) and categories. The error wraps ErrInvalidLabel.
func NewLevel(sensitivity int, categories CategorySet) (Level, error) {
	if sensitivity < 0 || sensitivity > MaxSensitivity {
		return Level{}, fmt.Errorf("%w: sensitivity %d is outside s0 to s%d", ErrInvalidLabel, sensitivity, MaxSensitivity)
	}
	return Level{sensitivity: uint8(sensitivity), categories: categories}, nil
}

// Sensitivity returns the sensitivity number, 0 for "s0".
func (l Level) Sensitivity() int {
	return int(l.sensitivity)
}

// Categories returns a copy of the level's category set.
func (l Level) Categories() CategorySet {
	return l.categories
}

// String returns the canonical form, such as "s0" or "s0:c0.c3,c7". See
// CategorySet.String for how categories are folded.
func (l Level) String() string {
	var buf [64]byte
	return string(l.appendTo(buf[:0]))
}

func (l *Level) appendTo(b []byte) []byte {
	b = append(b, 's')
	b = strconv.AppendInt(b, int64(l.sensitivity), 10)
	if !l.categories.IsEmpty() {
		b = append(b, ':')
		b = l.categories.appendTo(b)
	}
	return b
}

// MarshalText returns the canonical form.
func (l Level) MarshalText() ([]byte, error) {
	return l.appendTo(nil), nil
}

// UnmarshalText parses text with ParseLevel.
func (l *Level) UnmarshalText(text []byte) error {
	parsed, err := ParseLevel(string(text))
	if err != nil {
		return err
	}
	*l = parsed
	return nil
}

// Dominates reports whether level a dominates level b: a's sensitivity is
// at least b's and a's categories include all of b's. This is the "dom"
// operator of SELinux constraints (mls_level_dom in the kernel).
func Dominates(a, b Level) bool {
	return dominates(&a, &b)
}

func dominates(a, b *Level) bool {
	return a.sensitivity >= b.sensitivity && isSubset(&b.categories, &a.categories)
}

// ParseLevel parses a single raw level, "sN" or "sN:categories", such as
// "s0:c74,c276". Categories are a comma list of "cN" and intervals "cN.cM"
// with N < M, in any order, each category at most once. It rejects ranges
// such as "s0-s0:c1", which ParseRange parses, sensitivities above s15,
// categories above c1023, empty or malformed tokens, whitespace, and
// mcstrans translations such as "SystemLow". The kernel accepts a repeated
// category but never prints one, so only hand-written levels are rejected
// for that. The error is a *ParseError that wraps ErrInvalidLabel.
func ParseLevel(s string) (Level, error) {
	p := parser{kind: "level", input: s}
	if perr := p.checkBytes(0, len(s)); perr != nil {
		return Level{}, perr
	}
	if dash := indexByteFrom(s, '-', 0, len(s)); dash != len(s) {
		return Level{}, p.fail(dash, "a level has no '-', so parse a range such as \"s0-s0:c0.c1023\" with ParseRange")
	}
	l, perr := p.level(0, len(s))
	if perr != nil {
		return Level{}, perr
	}
	return l, nil
}

// level parses p.input[start:end], which contains no '-'.
func (p *parser) level(start, end int) (Level, *ParseError) {
	if start == end {
		return Level{}, p.fail(start, "empty level")
	}

	colon := indexByteFrom(p.input, ':', start, end)
	sensitivity, perr := p.sensitivity(start, colon)
	if perr != nil {
		return Level{}, perr
	}
	l := Level{sensitivity: uint8(sensitivity)}
	if colon == end {
		return l, nil
	}

	if extra := indexByteFrom(p.input, ':', colon+1, end); extra != end {
		return Level{}, p.fail(extra, "unexpected ':' in the category list %q", p.input[colon+1:end])
	}
	if colon+1 == end {
		return Level{}, p.fail(colon+1, "empty category list after ':'")
	}
	l.categories, perr = p.categories(colon+1, end)
	if perr != nil {
		return Level{}, perr
	}
	return l, nil
}

// sensitivity parses one "sN" token in p.input[start:end].
func (p *parser) sensitivity(start, end int) (int, *ParseError) {
	token := p.input[start:end]
	if token == "" {
		return 0, p.fail(start, "empty sensitivity")
	}
	if token[0] != 's' || len(token) < 2 || !isDigit(token[1]) {
		if isTranslatedName(token, 's') {
			return 0, p.fail(start, "%q is a translated level name from mcstrans, not a raw sensitivity, so %s", token, rawLabelHint)
		}
		return 0, p.fail(start, "malformed sensitivity %q: expected s0 to s%d", token, MaxSensitivity)
	}

	n, ok := parseDecimal(token[1:])
	if !ok {
		return 0, p.fail(start, "malformed sensitivity %q: expected s0 to s%d", token, MaxSensitivity)
	}
	if token[1] == '0' && len(token) > 2 {
		return 0, p.fail(start, "malformed sensitivity %q: leading zero", token)
	}
	if n > MaxSensitivity {
		return 0, p.fail(start, "sensitivity %q is above the maximum s%d", token, MaxSensitivity)
	}
	return n, nil
}
