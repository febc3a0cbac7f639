package report

import (
	"fmt"
	"io"
)

// JSONWriter writes the Document as indented JSON, as described by
// docs/report.schema.json, and a Diff as described by
// docs/diff.schema.json.
type JSONWriter struct{}

var (
	_ Writer     = JSONWriter{}
	_ DiffWriter = JSONWriter{}
)

// Write writes the report as JSON.
func (JSONWriter) Write(w io.Writer, doc *Document) error {
	return writeJSON(w, doc, "writing JSON report")
}

// WriteDiff writes the comparison as JSON.
func (JSONWriter) WriteDiff(w io.Writer, d *Diff) error {
	return writeJSON(w, d, "writing JSON comparison")
}

func writeJSON(w io.Writer, v any, what string) error {
	if err := streamJSON(w, v); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
