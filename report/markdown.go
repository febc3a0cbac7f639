package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// MarkdownWriter writes the report as a Markdown document a person can
// read and archive as a compliance record: the host, coverage and gaps, a
// summary, the findings grouped by severity with evidence and remediation,
// and the waivers.
type MarkdownWriter struct{}

var (
	_ Writer     = MarkdownWriter{}
	_ DiffWriter = MarkdownWriter{}
)

// Write writes the report as Markdown.
func (MarkdownWriter) Write(out io.Writer, doc *Document) error {
	w := &errWriter{w: out}

	w.printf("# SELinux container isolation audit: %s\n\n", mdText(doc.Host.Hostname))
	writeMarkdownHost(w, doc)
	writeMarkdownSummary(w, doc)
	writeMarkdownCoverage(w, doc)

	w.printf("## Findings\n\n")
	groups, waived := groupBySeverity(doc.Findings)
	if len(groups) == 0 {
		w.printf("No open findings.\n\n")
	}
	for _, g := range groups {
		w.printf("### %s (%d)\n\n", capitalize(g.Severity.String()), len(g.Findings))
		for _, f := range g.Findings {
			writeMarkdownFinding(w, f)
		}
	}
	writeMarkdownWaivers(w, doc, waived)
	return w.err
}

func writeMarkdownHost(w *errWriter, doc *Document) {
	se := doc.Host.SELinux
	selinux := string(se.State)
	if se.PolicyType != "" {
		selinux += ", policy " + se.PolicyType
	}
	if se.StateReason != "" {
		selinux += " (" + se.StateReason + ")"
	}
	w.printf("| | |\n| --- | --- |\n")
	w.printf("| Host | %s |\n", mdText(doc.Host.Hostname))
	w.printf("| Host root | `%s` |\n", mdCode(doc.Host.HostRoot))
	w.printf("| Generated | %s by %s %s |\n", doc.GeneratedAt.UTC().Format(timeLayout), mdText(doc.Tool.Name), mdText(doc.Tool.Version))
	if !doc.CollectedAt.IsZero() {
		w.printf("| Evidence collected | %s |\n", doc.CollectedAt.UTC().Format(timeLayout))
	}
	w.printf("| SELinux | %s |\n", mdText(selinux))
	for _, e := range doc.Engines {
		status := "reachable"
		if !e.Reachable {
			status = "unreachable: " + e.Error
		}
		w.printf("| Engine | %s %s at `%s`, %s |\n", mdText(e.Name), mdText(e.Version), mdCode(e.URL), mdText(status))
	}
	w.printf("| Containers audited | %d |\n\n", doc.Summary.Containers)
}

func writeMarkdownSummary(w *errWriter, doc *Document) {
	s := doc.Summary
	w.printf("## Summary\n\n")
	for _, e := range doc.ExpiredWaivers() {
		w.printf("> **Warning:** %s.\n\n", mdText(expiredWaiverMessage(doc.Waivers.File, e)))
	}
	w.printf("| Severity | Open findings |\n| --- | ---: |\n")
	w.printf("| critical | %d |\n| high | %d |\n| medium | %d |\n| low | %d |\n| info | %d |\n\n",
		s.Critical, s.High, s.Medium, s.Low, s.Info)
	w.printf("Most serious open finding: **%s**. Waived findings: %d. Coverage gaps: %d. Checks not evaluated: %d.\n\n",
		s.MaxSeverity, s.Waived, s.Gaps, s.NotEvaluated)

	if len(s.ComposeProjects) > 0 {
		w.printf("Findings per compose project:\n\n| Project | Containers | Open findings | Waived | By check |\n| --- | ---: | ---: | ---: | --- |\n")
		for _, p := range s.ComposeProjects {
			w.printf("| %s | %d | %d | %d | %s |\n", mdText(p.Project), p.Containers, p.Findings, p.Waived, mdText(formatByCheck(p.ByCheck)))
		}
		w.printf("\n")
	}
}

func writeMarkdownCoverage(w *errWriter, doc *Document) {
	w.printf("## Coverage and gaps\n\n")
	if len(doc.Coverage.Sources) > 0 {
		w.printf("| Source | Target | Status | Detail |\n| --- | --- | --- | --- |\n")
		for _, src := range doc.Coverage.Sources {
			w.printf("| %s | `%s` | %s | %s |\n", mdText(string(src.Source)), mdCode(src.Target), mdText(string(src.Status)), mdText(src.Detail))
		}
		w.printf("\n")
	}
	if len(doc.Coverage.Gaps) == 0 && len(doc.NotEvaluated) == 0 {
		w.printf("Every source was read and every check evaluated every subject.\n\n")
		return
	}
	w.printf("What follows was not evaluated. It is not counted as passed, and waivers do not apply to it.\n\n")
	for _, g := range doc.Coverage.Gaps {
		w.printf("- Gap in %s, %s: %s\n", mdText(string(g.Source)), mdText(g.Subject), mdText(g.Reason))
	}
	for _, n := range doc.NotEvaluated {
		w.printf("- %s not evaluated for %s: %s\n", n.CheckID, mdText(subjectName(n.Subject)), mdText(n.Reason))
	}
	w.printf("\n")
}

func writeMarkdownFinding(w *errWriter, f Finding) {
	w.printf("#### %s: %s (%s)\n\n", f.CheckID, mdText(f.Title), mdText(subjectNames(f.Subjects)))
	w.printf("%s\n\n", mdText(f.Message))
	if f.Basis != "" {
		w.printf("**Basis:** %s\n\n", mdText(f.Basis))
	}
	if len(f.Evidence) > 0 {
		w.printf("| Evidence | Value |\n| --- | --- |\n")
		for _, e := range f.Evidence {
			w.printf("| %s | %s |\n", mdText(e.Name), mdText(e.Value))
		}
		w.printf("\n")
	}
	if f.Waiver != nil {
		w.printf("**Waived:** %s (%s line %d%s)\n\n", mdText(f.Waiver.Reason), mdText(f.Waiver.File), f.Waiver.Line, expiresSuffix(f.Waiver.Expires))
	}
	w.printf("**Remediation:** %s\n\n", mdText(f.Remediation))
}

func writeMarkdownWaivers(w *errWriter, doc *Document, waived []Finding) {
	w.printf("## Waivers\n\n")
	if doc.Waivers == nil {
		w.printf("The scan used no ignore file.\n")
		return
	}
	w.printf("Ignore file: `%s`\n\n", mdCode(doc.Waivers.File))
	if len(doc.Waivers.Entries) > 0 {
		w.printf("| Line | Waiver | Reason | Expires | Status | Matching findings |\n| ---: | --- | --- | --- | --- | ---: |\n")
		for _, e := range doc.Waivers.Entries {
			w.printf("| %d | %s | %s | %s | %s | %d |\n", e.Line, mdText(describeWaiver(e)), mdText(e.Reason), orDash(e.Expires), e.Status, e.Matches)
		}
		w.printf("\n")
	}
	if len(waived) == 0 {
		w.printf("No finding is waived.\n")
		return
	}
	w.printf("### Waived findings (%d)\n\n", len(waived))
	for _, f := range waived {
		writeMarkdownFinding(w, f)
	}
}

// WriteDiff writes the comparison as Markdown.
func (MarkdownWriter) WriteDiff(out io.Writer, d *Diff) error {
	w := &errWriter{w: out}
	s := d.Summary

	w.printf("# SELinux container isolation audit: changes on %s\n\n", mdText(d.New.Hostname))
	w.printf("| | Old | New |\n| --- | --- | --- |\n")
	w.printf("| Report | `%s` | `%s` |\n", mdCode(d.Old.File), mdCode(d.New.File))
	w.printf("| Host | %s | %s |\n", mdText(d.Old.Hostname), mdText(d.New.Hostname))
	w.printf("| Generated | %s | %s |\n", d.Old.GeneratedAt.UTC().Format(timeLayout), d.New.GeneratedAt.UTC().Format(timeLayout))
	w.printf("| mcsaudit | %s | %s |\n", mdText(d.Old.ToolVersion), mdText(d.New.ToolVersion))
	w.printf("| Coverage gaps | %d | %d |\n", d.Old.Gaps, d.New.Gaps)
	w.printf("| Checks not evaluated | %d | %d |\n\n", d.Old.NotEvaluated, d.New.NotEvaluated)
	w.printf("%d new (%d of them waived), %d resolved, %d unverified, %d unchanged. Most serious new open finding: **%s**.\n\n",
		s.New, s.NewWaived, s.Resolved, s.Unverified, s.Unchanged, s.MaxNewSeverity)

	sections := []struct {
		title, note string
		findings    []Finding
	}{
		{"New findings", "", d.NewFindings},
		{"Resolved findings", "", d.ResolvedFindings},
		{"Unverified findings", "The new report could not evaluate these, or their container no longer runs, so they may still be present.", d.UnverifiedFindings},
		{"Unchanged findings", "", d.UnchangedFindings},
	}
	for _, sec := range sections {
		w.printf("## %s (%d)\n\n", sec.title, len(sec.findings))
		if sec.note != "" {
			w.printf("%s\n\n", sec.note)
		}
		if len(sec.findings) == 0 {
			w.printf("None.\n\n")
			continue
		}
		w.printf("| Severity | Check | Subject | Finding |\n| --- | --- | --- | --- |\n")
		for _, f := range sec.findings {
			sev := f.Severity.String()
			if !f.Open() {
				sev += " (waived)"
			}
			w.printf("| %s | %s | %s | %s |\n", sev, f.CheckID, mdText(subjectNames(f.Subjects)), mdText(f.Message))
		}
		w.printf("\n")
	}
	return w.err
}

func formatByCheck(byCheck map[string]int) string {
	ids := make([]string, 0, len(byCheck))
	for id := range byCheck {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("%s: %d", id, byCheck[id]))
	}
	return orDash(strings.Join(parts, ", "))
}

// mdEscaper escapes the characters that Markdown would read as markup,
// and the pipe that would end a table cell. A line break becomes a space,
// so that text stays in its paragraph or cell.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "\n", " ",
)

// mdText escapes text for a Markdown paragraph, heading or table cell.
func mdText(s string) string { return mdEscaper.Replace(s) }

// mdCode prepares text for a code span in a table: a backtick cannot be
// escaped inside one, so it becomes a quote, and a pipe is escaped for the
// table.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`, "\n", " ").Replace(s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
