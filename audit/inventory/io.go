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
	var s Snapshot
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("invalid snapshot: %w", err)
	}
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
