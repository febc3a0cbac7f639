package inventory

import (
	"encoding/json"
	"fmt"
	"io"
)

// Write encodes the snapshot as indented JSON.
func (s *Snapshot) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	return nil
}

// Read decodes a snapshot written by Write. It rejects a document with
// another schemaVersion, whose fields may mean something else.
func Read(r io.Reader) (*Snapshot, error) {
	var doc struct {
		Snapshot
		// Tool and Findings appear in reports, never in snapshots.
		Tool     json.RawMessage `json:"tool"`
		Findings json.RawMessage `json:"findings"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid snapshot: %w", err)
	}
	if doc.Tool != nil || doc.Findings != nil {
		return nil, fmt.Errorf(`this is a report, not a snapshot: write a snapshot with "mcsaudit collect -o FILE"`)
	}
	s := doc.Snapshot
	if s.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("unsupported snapshot schemaVersion %q: this mcsaudit reads %q", s.SchemaVersion, SchemaVersion)
	}
	if s.Engines == nil {
		s.Engines = []Engine{}
	}
	if s.Containers == nil {
		s.Containers = []Container{}
	}
	if s.Processes == nil {
		s.Processes = []Process{}
	}
	if s.Files == nil {
		s.Files = []FileLabel{}
	}
	if s.Coverage.Sources == nil {
		s.Coverage.Sources = []SourceStatus{}
	}
	if s.Coverage.Gaps == nil {
		s.Coverage.Gaps = []Gap{}
	}
	return &s, nil
}
