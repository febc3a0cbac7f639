// Package report writes an audit Result in the formats mcsaudit offers.
// Each format is one Writer; New picks it by name. The package knows
// nothing of flags or commands.
//
//	w, err := report.New("json")
//	if err != nil {
//		return err
//	}
//	err = w.Write(os.Stdout, report.NewDocument(res, "1.0.0", time.Now()))
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// SchemaVersion is the version of the JSON report layout. Later releases
// add fields without changing it; removing or retyping a field bumps it.
const SchemaVersion = "1"

// Writer writes one report format.
type Writer interface {
	Write(w io.Writer, doc *Document) error
}

// Formats lists the format names New accepts.
func Formats() []string { return []string{"table", "json"} }

// New returns the writer for a format name.
func New(format string) (Writer, error) {
	switch format {
	case "table":
		return TableWriter{}, nil
	case "json":
		return JSONWriter{}, nil
	default:
		return nil, fmt.Errorf("invalid format %q: want one of %s", format, strings.Join(Formats(), ", "))
	}
}

// Document is the report: the audited host, what was read and what was
// found. Its JSON form is described by docs/report.schema.json.
type Document struct {
	SchemaVersion string                `json:"schemaVersion"`
	Tool          Tool                  `json:"tool"`
	GeneratedAt   time.Time             `json:"generatedAt"`
	Host          inventory.Host        `json:"host"`
	Engines       []inventory.Engine    `json:"engines"`
	Containers    []inventory.Container `json:"containers"`
	Coverage      inventory.Coverage    `json:"coverage"`
	Summary       Summary               `json:"summary"`
	Findings      []checks.Finding      `json:"findings"`
	NotEvaluated  []checks.NotEvaluated `json:"notEvaluated"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts what the report holds.
type Summary struct {
	Containers   int `json:"containers"`
	Findings     int `json:"findings"`
	Critical     int `json:"critical"`
	High         int `json:"high"`
	Medium       int `json:"medium"`
	Low          int `json:"low"`
	Info         int `json:"info"`
	Gaps         int `json:"gaps"`
	NotEvaluated int `json:"notEvaluated"`
	// MaxSeverity is the most serious finding's severity, "none" when
	// there is no finding.
	MaxSeverity checks.Severity `json:"maxSeverity"`
}

// NewDocument builds the report for one audit result.
func NewDocument(res *audit.Result, version string, generatedAt time.Time) *Document {
	snap := res.Snapshot
	doc := &Document{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "mcsaudit", Version: version},
		GeneratedAt:   generatedAt.UTC(),
		Host:          snap.Host,
		Engines:       snap.Engines,
		Containers:    snap.Containers,
		Coverage:      snap.Coverage,
		Findings:      res.Findings,
		NotEvaluated:  res.NotEvaluated,
	}
	doc.Summary = summarize(doc)
	return doc
}

func summarize(doc *Document) Summary {
	s := Summary{
		Containers:   len(doc.Containers),
		Findings:     len(doc.Findings),
		Gaps:         len(doc.Coverage.Gaps),
		NotEvaluated: len(doc.NotEvaluated),
	}
	for _, f := range doc.Findings {
		switch f.Severity {
		case checks.SeverityCritical:
			s.Critical++
		case checks.SeverityHigh:
			s.High++
		case checks.SeverityMedium:
			s.Medium++
		case checks.SeverityLow:
			s.Low++
		case checks.SeverityInfo:
			s.Info++
		}
		if f.Severity > s.MaxSeverity {
			s.MaxSeverity = f.Severity
		}
	}
	return s
}
