package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// JSONWriter writes the Document as indented JSON.
type JSONWriter struct{}

var _ Writer = JSONWriter{}

func (JSONWriter) Write(w io.Writer, doc *Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}
