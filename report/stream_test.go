package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The streamed JSON must be the bytes json.Encoder with two-space
// indentation writes, so that readers and golden files see no change.
func TestStreamJSONMatchesEncoder(t *testing.T) {
	empty := disabledHostDocument()
	empty.Containers = nil
	empty.Findings = []Finding{}
	docs := map[string]any{
		"real SELinux host": fixtureDocument(t),
		"disabled host":     disabledHostDocument(),
		"nil and empty":     empty,
		"small struct":      struct{ A, B []int }{A: []int{1, 2}},
		"no fields":         struct{}{},
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(doc); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := streamJSON(&got, doc); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed JSON differs from json.Encoder's:\ngot  %.300q\nwant %.300q", got.String(), want.String())
			}
		})
	}
}

func TestStreamJSONRejectsNonStruct(t *testing.T) {
	if err := streamJSON(&bytes.Buffer{}, []int{1}); err == nil {
		t.Error("streamJSON accepted a slice at the top level")
	}
}
