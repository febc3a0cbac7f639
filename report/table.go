package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// TableWriter writes the report as text tables for a person at a terminal:
// host state, findings, the containers audited, and coverage gaps.
type TableWriter struct{}

var _ Writer = TableWriter{}

// maxCellWidth wraps long messages and labels so a table fits a terminal.
const maxCellWidth = 60

func (TableWriter) Write(out io.Writer, doc *Document) error {
	w := &errWriter{w: out}

	writeHeader(w, doc)
	if err := writeFindings(w, doc); err != nil {
		return err
	}
	if err := writeContainers(w, doc); err != nil {
		return err
	}
	writeCoverage(w, doc)
	return w.err
}

func writeHeader(w *errWriter, doc *Document) {
	se := doc.Host.SELinux
	w.printf("Host:      %s (host root %s)\n", doc.Host.Hostname, doc.Host.HostRoot)
	w.printf("SELinux:   %s", se.State)
	if se.PolicyType != "" {
		w.printf(", policy %s", se.PolicyType)
	}
	if se.StateReason != "" {
		w.printf(" (%s)", se.StateReason)
	}
	w.printf("\n")
	for _, e := range doc.Engines {
		status := "reachable"
		if !e.Reachable {
			status = "unreachable: " + e.Error
		}
		w.printf("Engine:    %s %s at %s, %s\n", e.Name, e.Version, e.URL, status)
	}
	s := doc.Summary
	w.printf("Audited:   %d containers; %d findings (critical %d, high %d, medium %d, low %d, info %d)\n\n",
		s.Containers, s.Findings, s.Critical, s.High, s.Medium, s.Low, s.Info)
}

func writeFindings(w *errWriter, doc *Document) error {
	if len(doc.Findings) == 0 {
		w.printf("No findings.\n\n")
		return nil
	}
	w.printf("FINDINGS\n")
	t := newTable(w)
	t.Header("Severity", "Check", "Subject", "Finding")
	for _, f := range doc.Findings {
		if err := t.Append(strings.ToUpper(f.Severity.String()), f.CheckID, subjectNames(f.Subjects), f.Message); err != nil {
			return fmt.Errorf("writing findings table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("writing findings table: %w", err)
	}
	w.printf("Run \"mcsaudit explain CHECK\" for the rationale and remediation of a check.\n\n")
	return nil
}

func writeContainers(w *errWriter, doc *Document) error {
	if len(doc.Containers) == 0 {
		w.printf("No running containers.\n\n")
		return nil
	}
	w.printf("CONTAINERS\n")
	t := newTable(w)
	t.Header("Name", "Engine", "Pod", "Process label", "Mount label", "Settings")
	for _, c := range doc.Containers {
		row := []string{c.Name, engineName(c.Engine), c.PodName, labelCell(c.ProcessLabel), labelCell(c.MountLabel), settings(c)}
		if err := t.Append(row); err != nil {
			return fmt.Errorf("writing containers table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("writing containers table: %w", err)
	}
	w.printf("\n")
	return nil
}

func writeCoverage(w *errWriter, doc *Document) {
	if len(doc.Coverage.Gaps) == 0 && len(doc.NotEvaluated) == 0 {
		w.printf("Coverage: every source was read.\n")
		return
	}
	w.printf("COVERAGE GAPS (not evaluated, never counted as passed)\n")
	for _, g := range doc.Coverage.Gaps {
		w.printf("  - %s %s: %s\n", g.Source, g.Subject, g.Reason)
	}
	for _, n := range doc.NotEvaluated {
		w.printf("  - %s not evaluated for %s: %s\n", n.CheckID, n.Subject.Name, n.Reason)
	}
}

func newTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(maxCellWidth),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
}

func subjectNames(subjects []checks.Subject) string {
	names := make([]string, 0, len(subjects))
	for _, s := range subjects {
		name := s.Name
		if name == "" {
			name = s.Path
		}
		if name == "" {
			name = s.ID
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

func engineName(e inventory.EngineRef) string {
	if e.Rootless && e.UID != nil {
		return fmt.Sprintf("%s (uid %d)", e.Name, *e.UID)
	}
	if e.Rootless {
		return e.Name + " (rootless)"
	}
	return e.Name
}

func labelCell(l inventory.Label) string {
	switch l.State {
	case inventory.Labeled:
		return l.Value
	case inventory.NotLabeled:
		return "(not labeled)"
	default:
		return "(unknown)"
	}
}

// settings lists the container settings that bear on its labeling.
func settings(c inventory.Container) string {
	var parts []string
	if c.Privileged {
		parts = append(parts, "privileged")
	}
	for _, opt := range c.SecurityOpt {
		if strings.HasPrefix(opt, "label") {
			parts = append(parts, opt)
		}
	}
	if c.PidMode == "host" || strings.HasPrefix(c.PidMode, "container:") {
		parts = append(parts, "pid="+shorten(c.PidMode))
	}
	if c.IpcMode == "host" || strings.HasPrefix(c.IpcMode, "container:") {
		parts = append(parts, "ipc="+shorten(c.IpcMode))
	}
	if c.InspectError != "" {
		parts = append(parts, "inspect failed")
	}
	return strings.Join(parts, ", ")
}

// shorten cuts a "container:<64 hex>" mode to a 12-character ID.
func shorten(mode string) string {
	if id, ok := strings.CutPrefix(mode, "container:"); ok && len(id) > 12 {
		return "container:" + id[:12]
	}
	return mode
}

// errWriter keeps the first write error, so a table written to a closed
// pipe or a full disk is reported instead of silently cut short.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("writing table report: %w", err)
	}
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}
