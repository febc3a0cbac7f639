package seclabel

import (
	"errors"
	"fmt"
)

// ErrInvalidLabel is the sentinel for every rejected context, range, level or
// category set. Test for it with errors.Is. Parse errors are *ParseError
// values, which unwrap to ErrInvalidLabel and carry the position.
var ErrInvalidLabel = errors.New("invalid SELinux label")

// ParseError describes why a context, range, level or category set was
// rejected.
type ParseError struct {
	// Kind is the form that was parsed: "context", "range", "level" or
	// "category set".
	Kind string
	// Input is the whole string passed to the parse function.
	Input string
	// Offset is the byte offset in Input where the rejected part starts.
	Offset int
	// Reason names the rejected token and the rule it breaks.
	Reason string
}

// Error returns the kind, the quoted input, the offset and the reason.
func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid SELinux %s %q at offset %d: %s", e.Kind, e.Input, e.Offset, e.Reason)
}

// Unwrap returns ErrInvalidLabel so that errors.Is matches every parse error.
func (e *ParseError) Unwrap() error {
	return ErrInvalidLabel
}

// parser holds the input of one parse call so that the helpers can report
// offsets relative to the whole input.
type parser struct {
	kind  string
	input string
}

func (p *parser) fail(offset int, format string, args ...any) *ParseError {
	return &ParseError{
		Kind:   p.kind,
		Input:  p.input,
		Offset: offset,
		Reason: fmt.Sprintf(format, args...),
	}
}
