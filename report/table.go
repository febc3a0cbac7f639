package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// TableWriter writes the report as text tables for a person at a terminal:
// host state, findings grouped by severity, waived findings, the containers
// audited, and coverage gaps.
type TableWriter struct {
	// Color adds ANSI colours to the headings.
	Color bool
}

var (
	_ Writer     = TableWriter{}
	_ DiffWriter = TableWriter{}
)

const (
	// maxCellWidth wraps long messages so a table fits a terminal.
	maxCellWidth = 60
	// labelWidth is where SELinux labels, which have no spaces to wrap
	// at, are broken; it fits "container_file_t:s0:c123,c456".
	labelWidth = 28
)

// Write writes the report as text.
func (t TableWriter) Write(out io.Writer, doc *Document) error {
	w := &errWriter{w: out}
	p := palette{on: t.Color}

	writeHeader(w, doc)
	writeWaiverWarnings(w, p, doc)
	if err := writeFindings(w, p, doc); err != nil {
		return err
	}
	if err := writeProjects(w, doc); err != nil {
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
	// A report rendered from a snapshot says when the evidence was read.
	if !doc.CollectedAt.IsZero() && doc.GeneratedAt.Sub(doc.CollectedAt) > time.Minute {
		w.printf("Collected: %s (this report was generated later from a snapshot)\n", doc.CollectedAt.UTC().Format(time.RFC3339))
	}
	w.printf("SELinux:   %s", se.State)
	if se.PolicyType != "" {
		w.printf(", SELINUXTYPE=%s", se.PolicyType)
	}
	if se.StateReason != "" {
		w.printf("; %s", se.StateReason)
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
	w.printf("Audited:   %d %s", s.Containers, plural(s.Containers, "container"))
	if n := procfsOnly(doc.Containers); n > 0 {
		w.printf(" (%d seen in /proc only)", n)
	}
	w.printf("; %d %s (critical %d, high %d, medium %d, low %d, info %d",
		s.Findings, plural(s.Findings, "finding"), s.Critical, s.High, s.Medium, s.Low, s.Info)
	if s.Waived > 0 {
		w.printf(", waived %d", s.Waived)
	}
	w.printf(")\n")
	// Missing evidence is stated next to the counts: a scan that could not
	// read the host must not look like a clean one.
	if s.Gaps > 0 || s.NotEvaluated > 0 {
		w.printf("Missing:   %d coverage %s, %d %s not evaluated; see COVERAGE GAPS below\n",
			s.Gaps, plural(s.Gaps, "gap"), s.NotEvaluated, plural(s.NotEvaluated, "check"))
	}
	w.printf("\n")
}

func writeWaiverWarnings(w *errWriter, p palette, doc *Document) {
	expired := doc.ExpiredWaivers()
	for _, e := range expired {
		w.printf("%s %s\n", p.paint(colorWarning, "WARNING:"), expiredWaiverMessage(doc.Waivers.File, e))
	}
	if len(expired) > 0 {
		w.printf("\n")
	}
}

func writeFindings(w *errWriter, p palette, doc *Document) error {
	if len(doc.Findings) == 0 {
		w.printf("No findings.\n\n")
		return nil
	}
	groups, waived := groupBySeverity(doc.Findings)
	for _, g := range groups {
		heading := fmt.Sprintf("%s: %d %s", strings.ToUpper(g.Severity.String()), len(g.Findings), plural(len(g.Findings), "finding"))
		w.printf("%s\n", p.paint(severityColor(g.Severity), heading))
		t := newTable(w)
		t.Header("Check", "Subject", "Finding")
		for _, f := range g.Findings {
			if err := t.Append(f.CheckID, subjectNames(f.Subjects), findingCell(f)); err != nil {
				return fmt.Errorf("writing findings table: %w", err)
			}
		}
		if err := t.Render(); err != nil {
			return fmt.Errorf("writing findings table: %w", err)
		}
		w.printf("\n")
	}
	if len(waived) > 0 {
		heading := fmt.Sprintf("WAIVED: %d %s (listed, not counted toward --fail-on)", len(waived), plural(len(waived), "finding"))
		w.printf("%s\n", p.paint(colorWaived, heading))
		t := newTable(w)
		t.Header("Severity", "Check", "Subject", "Reason", "Expires")
		for _, f := range waived {
			row := []string{f.Severity.String(), f.CheckID, subjectNames(f.Subjects), f.Waiver.Reason, orDash(f.Waiver.Expires)}
			if err := t.Append(row); err != nil {
				return fmt.Errorf("writing waived findings table: %w", err)
			}
		}
		if err := t.Render(); err != nil {
			return fmt.Errorf("writing waived findings table: %w", err)
		}
		w.printf("\n")
	}
	w.printf("Run \"mcsaudit explain CHECK\" for the rationale and remediation of a check.\n\n")
	return nil
}

func writeProjects(w *errWriter, doc *Document) error {
	projects := doc.Summary.ComposeProjects
	if len(projects) == 0 {
		return nil
	}
	w.printf("BY COMPOSE PROJECT\n")
	t := newTable(w)
	t.Header("Project", "Containers", "Open findings", "Waived", "By check")
	for _, p := range projects {
		row := []string{p.Project, fmt.Sprint(p.Containers), fmt.Sprint(p.Findings), fmt.Sprint(p.Waived), formatByCheck(p.ByCheck)}
		if err := t.Append(row); err != nil {
			return fmt.Errorf("writing compose project table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("writing compose project table: %w", err)
	}
	w.printf("\n")
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
		row := []string{c.Name, containerEngine(c), c.PodName,
			wrapLabel(labelCell(c.ProcessLabel), labelWidth), wrapLabel(labelCell(c.MountLabel), labelWidth), settings(c)}
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
	w.printf("COVERAGE GAPS (not evaluated, never counted as passed; waivers do not apply)\n")
	for _, g := range doc.Coverage.Gaps {
		w.printf("  - %s %s: %s\n", g.Source, g.Subject, g.Reason)
	}
	for _, n := range doc.NotEvaluated {
		w.printf("  - %s not evaluated for %s: %s\n", n.CheckID, subjectName(n.Subject), n.Reason)
	}
}

// WriteDiff writes the comparison of two reports as text.
func (t TableWriter) WriteDiff(out io.Writer, d *Diff) error {
	w := &errWriter{w: out}
	p := palette{on: t.Color}

	w.printf("Old:       %s (host %s, %s)\n", d.Old.File, d.Old.Hostname, d.Old.GeneratedAt.Format(timeLayout))
	w.printf("New:       %s (host %s, %s)\n", d.New.File, d.New.Hostname, d.New.GeneratedAt.Format(timeLayout))
	s := d.Summary
	w.printf("Changes:   %d new, %d resolved, %d unverified, %d unchanged\n", s.New, s.Resolved, s.Unverified, s.Unchanged)
	if d.New.Gaps > 0 || d.New.NotEvaluated > 0 {
		w.printf("Coverage:  the new report has %d coverage %s and %d %s not evaluated\n",
			d.New.Gaps, plural(d.New.Gaps, "gap"), d.New.NotEvaluated, plural(d.New.NotEvaluated, "check"))
	}
	w.printf("\n")

	sections := []struct {
		title    string
		color    string
		findings []Finding
	}{
		{"NEW FINDINGS", colorHigh, d.NewFindings},
		{"RESOLVED FINDINGS", colorResolved, d.ResolvedFindings},
		{"UNVERIFIED (the new report could not evaluate these, or their container no longer runs; they may still be present)", colorWarning, d.UnverifiedFindings},
		{"UNCHANGED FINDINGS", colorWaived, d.UnchangedFindings},
	}
	for _, sec := range sections {
		if len(sec.findings) == 0 {
			continue
		}
		w.printf("%s\n", p.paint(sec.color, fmt.Sprintf("%s: %d", sec.title, len(sec.findings))))
		if err := writeFindingRows(w, sec.findings); err != nil {
			return err
		}
		w.printf("\n")
	}
	if s.New+s.Resolved+s.Unverified+s.Unchanged == 0 {
		w.printf("Neither report has findings.\n")
	}
	return w.err
}

func writeFindingRows(w *errWriter, findings []Finding) error {
	t := newTable(w)
	t.Header("Severity", "Check", "Subject", "Finding")
	for _, f := range findings {
		sev := f.Severity.String()
		if !f.Open() {
			sev += " (waived)"
		}
		if err := t.Append(sev, f.CheckID, subjectNames(f.Subjects), f.Message); err != nil {
			return fmt.Errorf("writing findings table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("writing findings table: %w", err)
	}
	return nil
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

// wrapLabel breaks an SELinux label into lines of at most width bytes,
// after the user, role or type. The MCS level stays whole unless it alone
// is longer than width, and then it breaks after a ','. A part without a
// break point that is longer than width stays whole.
func wrapLabel(label string, width int) string {
	if len(label) <= width {
		return label
	}
	var parts []string
	for _, field := range strings.SplitAfterN(label, ":", 4) {
		if len(field) > width {
			parts = append(parts, strings.SplitAfter(field, ",")...)
		} else {
			parts = append(parts, field)
		}
	}

	var lines []string
	line := ""
	for _, part := range parts {
		if line != "" && len(line)+len(part) > width {
			lines = append(lines, line)
			line = ""
		}
		line += part
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n")
}

// maxSubjectNames caps the subjects a table cell lists: a range level that
// dominates every other level names every container on the host. The JSON
// and other machine formats keep every subject.
const maxSubjectNames = 8

func subjectNames(subjects []checks.Subject) string {
	shown := subjects
	if len(shown) > maxSubjectNames {
		shown = shown[:maxSubjectNames]
	}
	names := make([]string, 0, len(shown)+1)
	for _, s := range shown {
		names = append(names, subjectName(s))
	}
	if rest := len(subjects) - len(shown); rest > 0 {
		names = append(names, fmt.Sprintf("and %d more (see --format json)", rest))
	}
	return strings.Join(names, ", ")
}

func subjectName(s checks.Subject) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Path != "":
		return s.Path
	default:
		return s.ID
	}
}

// findingCell is a finding's message, marked when the kernel's access
// decisions answered every access it asserts; an unmarked finding rests
// on the label model.
func findingCell(f Finding) string {
	if f.Basis == checks.BasisKernel {
		return f.Message + " (basis: kernel decision)"
	}
	return f.Message
}

// containerEngine names a container's engine, marking one that no queried
// API reported, so it is not mistaken for a second copy of an API's one.
func containerEngine(c inventory.Container) string {
	name := engineName(c.Engine)
	if c.DiscoveredBy == inventory.DiscoveredByProcfs {
		name += " (seen in /proc only)"
	}
	return name
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

// procfsOnly counts the containers that no queried engine API reported.
func procfsOnly(containers []inventory.Container) int {
	n := 0
	for _, c := range containers {
		if c.DiscoveredBy == inventory.DiscoveredByProcfs {
			n++
		}
	}
	return n
}
