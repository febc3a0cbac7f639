package seclabel

import "fmt"

// Range is an MLS range, a low level and a high level that dominates it,
// such as "s0-s0:c0.c1023". A single level such as "s0:c74,c276" is the
// range whose low and high are equal. The zero value is "s0". Every Range
// value is valid, and == compares two ranges.
type Range struct {
	low, high Level
}

// NewRange returns the range from low to high. The error wraps
// ErrInvalidLabel when high does not dominate low.
func NewRange(low, high Level) (Range, error) {
	if !dominates(&high, &low) {
		return Range{}, fmt.Errorf("%w: high level %s does not dominate low level %s", ErrInvalidLabel, high, low)
	}
	return Range{low: low, high: high}, nil
}

// Low returns the low level, which SELinux calls the effective level.
func (r Range) Low() Level {
	return r.low
}

// High returns the high level, which SELinux calls the clearance.
func (r Range) High() Level {
	return r.high
}

// String returns the canonical form: the single level when low equals high
// ("s0-s0" prints "s0"), and "low-high" otherwise. This matches
// mls_sid_to_context in the kernel and libsepol.
func (r Range) String() string {
	var buf [128]byte
	return string(r.appendTo(buf[:0]))
}

func (r *Range) appendTo(b []byte) []byte {
	b = r.low.appendTo(b)
	if r.low != r.high {
		b = append(b, '-')
		b = r.high.appendTo(b)
	}
	return b
}

// MarshalText returns the canonical form.
func (r Range) MarshalText() ([]byte, error) {
	return r.appendTo(nil), nil
}

// UnmarshalText parses text with ParseRange.
func (r *Range) UnmarshalText(text []byte) error {
	parsed, err := ParseRange(string(text))
	if err != nil {
		return err
	}
	*r = parsed
	return nil
}

// ParseRange parses a raw range "low-high" or a single level, which becomes
// a range with equal ends. Each level follows the rules of ParseLevel, and
// the high level must dominate the low one. The error is a *ParseError that
// wraps ErrInvalidLabel.
func ParseRange(s string) (Range, error) {
	p := parser{kind: "range", input: s}
	if perr := p.checkBytes(0, len(s)); perr != nil {
		return Range{}, perr
	}
	r, perr := p.mlsRange(0, len(s))
	if perr != nil {
		return Range{}, perr
	}
	return r, nil
}

// mlsRange parses p.input[start:end].
func (p *parser) mlsRange(start, end int) (Range, *ParseError) {
	if start == end {
		return Range{}, p.fail(start, "empty range")
	}

	dash := indexByteFrom(p.input, '-', start, end)
	if dash == start {
		return Range{}, p.fail(start, "empty low level before '-'")
	}
	low, perr := p.level(start, dash)
	if perr != nil {
		return Range{}, perr
	}
	if dash == end {
		return Range{low: low, high: low}, nil
	}

	if extra := indexByteFrom(p.input, '-', dash+1, end); extra != end {
		return Range{}, p.fail(extra, "unexpected second '-' in the range")
	}
	if dash+1 == end {
		return Range{}, p.fail(dash+1, "empty high level after '-'")
	}
	high, perr := p.level(dash+1, end)
	if perr != nil {
		return Range{}, perr
	}
	if !dominates(&high, &low) {
		return Range{}, p.fail(dash+1, "high level %q does not dominate low level %q", p.input[dash+1:end], p.input[start:dash])
	}
	return Range{low: low, high: high}, nil
}
