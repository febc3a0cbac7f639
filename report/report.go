// Package report writes an audit Result in the formats mcsaudit offers,
// and compares two reports. Each format is one Writer; New picks it by
// name. Formats that can also show a comparison of two reports implement
// DiffWriter; NewDiff picks those. The package imports no flag or
// command packages.
//
//	w, err := report.New("json", report.Options{})
//	if err != nil {
//		return err
//	}
//	err = w.Write(os.Stdout, report.NewDocument(res, "1.0.0", time.Now()))
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// SchemaVersion is the version of the JSON report layout. Later releases
// add fields without changing it; removing or retyping a field bumps it.
const SchemaVersion = "1"

// Writer writes one report format.
type Writer interface {
	Write(w io.Writer, doc *Document) error
}

// DiffWriter writes the comparison of two reports in one format.
type DiffWriter interface {
	WriteDiff(w io.Writer, d *Diff) error
}

// Options tune the writers that have choices.
type Options struct {
	// Color adds ANSI colours to the table format. Callers set it only
	// when the output is a terminal and NO_COLOR is unset.
	Color bool
	// Catalog is the list of checks that the SARIF, JUnit and Prometheus
	// formats list even when they found nothing. Nil means
	// checks.Catalog().
	Catalog []checks.Check
}

// Formats lists the format names New accepts.
func Formats() []string {
	return []string{"table", "json", "sarif", "junit", "markdown", "prometheus"}
}

// DiffFormats lists the format names NewDiff accepts. JUnit and Prometheus
// describe one run's state, which a comparison of two runs does not have.
func DiffFormats() []string {
	return []string{"table", "json", "sarif", "markdown"}
}

// New returns the writer for a format name.
func New(format string, opts Options) (Writer, error) {
	switch format {
	case "table":
		return TableWriter{Color: opts.Color}, nil
	case "json":
		return JSONWriter{}, nil
	case "sarif":
		return SARIFWriter{Catalog: opts.Catalog}, nil
	case "junit":
		return JUnitWriter{Catalog: opts.Catalog}, nil
	case "markdown":
		return MarkdownWriter{}, nil
	case "prometheus":
		return PrometheusWriter{Catalog: opts.Catalog}, nil
	default:
		return nil, fmt.Errorf("invalid format %q: want one of %s", format, strings.Join(Formats(), ", "))
	}
}

// NewDiff returns the comparison writer for a format name.
func NewDiff(format string, opts Options) (DiffWriter, error) {
	switch format {
	case "table":
		return TableWriter{Color: opts.Color}, nil
	case "json":
		return JSONWriter{}, nil
	case "sarif":
		return SARIFWriter{Catalog: opts.Catalog}, nil
	case "markdown":
		return MarkdownWriter{}, nil
	default:
		return nil, fmt.Errorf("invalid format %q for a comparison: want one of %s", format, strings.Join(DiffFormats(), ", "))
	}
}
