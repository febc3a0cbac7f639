package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// ErrUnsupportedReport is the sentinel for input that is not a JSON report
// of a schemaVersion this package reads. Test for it with errors.Is.
var ErrUnsupportedReport = errors.New("unsupported report")

// ReadDocument decodes a JSON report written by JSONWriter. It rejects
// input without schemaVersion and tool name "mcsaudit", a schemaVersion
// other than SchemaVersion, and a report without a findings list. Fields
// it does not know are ignored, so reports of later releases with the
// same schemaVersion still read.
func ReadDocument(r io.Reader) (*Document, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading JSON report: %w", err)
	}
	var head struct {
		SchemaVersion *string `json:"schemaVersion"`
		Tool          struct {
			Name string `json:"name"`
		} `json:"tool"`
		Findings json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decoding JSON report: %w", err)
	}
	if head.SchemaVersion == nil || head.Tool.Name != "mcsaudit" {
		return nil, fmt.Errorf(`%w: not an mcsaudit JSON report (no schemaVersion, or tool.name is not "mcsaudit"): write one with "mcsaudit scan --format json"`,
			ErrUnsupportedReport)
	}
	if *head.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%w: schemaVersion %q, but this mcsaudit reads schemaVersion %q: compare reports written by the same major version",
			ErrUnsupportedReport, *head.SchemaVersion, SchemaVersion)
	}
	if len(head.Findings) == 0 || string(head.Findings) == "null" {
		return nil, fmt.Errorf("%w: the report has no findings list", ErrUnsupportedReport)
	}

	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: decoding JSON report: %w", ErrUnsupportedReport, err)
	}
	doc.fillNilLists()
	return &doc, nil
}

// fillNilLists replaces lists missing from a decoded report with empty
// ones, so that writing the report again gives [] where the schema
// requires an array.
func (doc *Document) fillNilLists() {
	if doc.Engines == nil {
		doc.Engines = []inventory.Engine{}
	}
	if doc.Containers == nil {
		doc.Containers = []inventory.Container{}
	}
	if doc.Processes == nil {
		doc.Processes = []inventory.Process{}
	}
	if doc.Files == nil {
		doc.Files = []inventory.FileLabel{}
	}
	if doc.Coverage.Sources == nil {
		doc.Coverage.Sources = []inventory.SourceStatus{}
	}
	if doc.Coverage.Gaps == nil {
		doc.Coverage.Gaps = []inventory.Gap{}
	}
	if doc.NotEvaluated == nil {
		doc.NotEvaluated = []checks.NotEvaluated{}
	}
}
