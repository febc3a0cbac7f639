package report

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// SARIFWriter writes the report as SARIF 2.1.0, the format of GitHub code
// scanning and other static-analysis dashboards. Every catalog check is a
// rule; every finding is a result, with waived findings carrying an
// external suppression. Checks not evaluated and coverage gaps become
// tool execution notifications, expired waivers configuration
// notifications.
type SARIFWriter struct {
	// Catalog lists the checks to write rules for; nil means
	// checks.Catalog().
	Catalog []checks.Check
}

var (
	_ Writer     = SARIFWriter{}
	_ DiffWriter = SARIFWriter{}
)

const (
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// sarifFingerprint names the partial fingerprint that carries
	// Finding.Key, so that dashboards track a finding across runs.
	sarifFingerprint = "mcsauditFindingKey/v1"
	// sarifHostRoot is the uriBaseId of host paths.
	sarifHostRoot = "HOSTROOT"
)

// Write writes the report as a SARIF log with one run.
func (s SARIFWriter) Write(w io.Writer, doc *Document) error {
	run := newSARIFRun(doc.Tool, reportChecks(s.Catalog, doc.Findings))
	inv := &run.Invocations[0]
	inv.EndTimeUTC = doc.GeneratedAt.UTC().Format(timeLayout)
	for _, n := range doc.NotEvaluated {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:          "warning",
			Message:        sarifText{Text: fmt.Sprintf("%s not evaluated for %s: %s", n.CheckID, subjectName(n.Subject), n.Reason)},
			AssociatedRule: &sarifReference{ID: n.CheckID},
		})
	}
	for _, g := range doc.Coverage.Gaps {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "warning",
			Message: sarifText{Text: fmt.Sprintf("coverage gap: %s %s: %s", g.Source, g.Subject, g.Reason)},
		})
	}
	for _, e := range doc.ExpiredWaivers() {
		inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, sarifNotification{
			Level:          "warning",
			Message:        sarifText{Text: expiredWaiverMessage(doc.Waivers.File, e)},
			AssociatedRule: &sarifReference{ID: e.Check},
		})
	}
	run.Properties = map[string]any{"hostname": doc.Host.Hostname, "selinuxState": doc.Host.SELinux.State}

	for _, f := range doc.Findings {
		run.Results = append(run.Results, run.result(f, ""))
	}
	return writeJSON(w, sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}, "writing SARIF report")
}

// WriteDiff writes the comparison as a SARIF log whose results carry a
// baselineState: "new", "unchanged", or "absent" for resolved findings.
// Unverified findings are not results, because SARIF has no state for "may
// still be present"; each becomes a warning notification instead.
func (s SARIFWriter) WriteDiff(w io.Writer, d *Diff) error {
	all := append(append(append([]Finding(nil), d.NewFindings...), d.UnchangedFindings...), d.ResolvedFindings...)
	run := newSARIFRun(d.Tool, reportChecks(s.Catalog, all))
	inv := &run.Invocations[0]
	inv.EndTimeUTC = d.GeneratedAt.UTC().Format(timeLayout)
	for _, f := range d.UnverifiedFindings {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:          "warning",
			Message:        sarifText{Text: fmt.Sprintf("%s on %s is not in the new report, which could not evaluate it: it may still be present", f.CheckID, subjectNames(f.Subjects))},
			AssociatedRule: &sarifReference{ID: f.CheckID},
		})
	}
	run.Properties = map[string]any{"oldReport": d.Old.File, "newReport": d.New.File, "hostname": d.New.Hostname}

	for _, f := range d.NewFindings {
		run.Results = append(run.Results, run.result(f, "new"))
	}
	for _, f := range d.UnchangedFindings {
		run.Results = append(run.Results, run.result(f, "unchanged"))
	}
	for _, f := range d.ResolvedFindings {
		run.Results = append(run.Results, run.result(f, "absent"))
	}
	return writeJSON(w, sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}, "writing SARIF comparison")
}

// newSARIFRun starts a run with one rule per check.
func newSARIFRun(tool Tool, rules []checks.Check) sarifRun {
	run := sarifRun{
		Tool:               sarifTool{Driver: sarifDriver{Name: tool.Name, Version: tool.Version, Rules: []sarifRule{}}},
		OriginalURIBaseIDs: map[string]sarifArtifact{sarifHostRoot: {URI: "file:///"}},
		Invocations:        []sarifInvocation{{ExecutionSuccessful: true}},
		Results:            []sarifResult{},
		ruleIndex:          map[string]int{},
	}
	for _, c := range rules {
		run.addRule(sarifRuleFor(c))
	}
	return run
}

func (r *sarifRun) addRule(rule sarifRule) {
	r.ruleIndex[rule.ID] = len(r.Tool.Driver.Rules)
	r.Tool.Driver.Rules = append(r.Tool.Driver.Rules, rule)
}

func sarifRuleFor(c checks.Check) sarifRule {
	full := c.Rationale
	if full == "" {
		full = c.Title
	}
	help := fmt.Sprintf("%s\n\nRemediation: %s", full, c.Remediation)
	markdown := fmt.Sprintf("**%s** (severity %s)\n\n%s\n\n**Remediation:** %s", c.Title, c.Severity, full, c.Remediation)
	if len(c.References) > 0 {
		markdown += "\n\n**References:**\n"
		for _, ref := range c.References {
			markdown += "\n- " + ref
		}
	}
	rule := sarifRule{
		ID:                   c.ID,
		Name:                 ruleName(c.Title),
		ShortDescription:     sarifText{Text: c.Title},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifMessage{Text: help, Markdown: markdown},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(c.Severity)},
		Properties: sarifRuleProperties{
			Tags:             []string{"security", "selinux", "containers"},
			SecuritySeverity: securitySeverity(c.Severity),
			Severity:         c.Severity.String(),
		},
	}
	if len(c.References) > 0 {
		rule.HelpURI = c.References[0]
	}
	return rule
}

// result converts one finding; baseline is a SARIF baselineState or "".
func (r *sarifRun) result(f Finding, baseline string) sarifResult {
	res := sarifResult{
		RuleID:              f.CheckID,
		RuleIndex:           r.ruleIndex[f.CheckID],
		Level:               sarifLevel(f.Severity),
		Message:             sarifText{Text: f.Message},
		Locations:           make([]sarifLocation, 0, len(f.Subjects)),
		PartialFingerprints: map[string]string{sarifFingerprint: f.Key()},
		BaselineState:       baseline,
		Properties: sarifResultProperties{
			Severity: f.Severity.String(), Evidence: f.Evidence, Remediation: f.Remediation,
		},
	}
	for _, s := range f.Subjects {
		res.Locations = append(res.Locations, sarifLocationFor(s))
	}
	if f.Waiver != nil {
		res.Suppressions = []sarifSuppression{{
			Kind: "external", Status: "accepted",
			Justification: fmt.Sprintf("%s (%s line %d%s)", f.Waiver.Reason, f.Waiver.File, f.Waiver.Line, expiresSuffix(f.Waiver.Expires)),
		}}
	}
	return res
}

func expiresSuffix(expires string) string {
	if expires == "" {
		return ""
	}
	return ", expires " + expires
}

// sarifLocationFor places a subject. A host path is a physical location
// under the HOSTROOT base (file:///). A container or host has no file, so
// its location is logical.
//
// NOTE: GitHub code scanning rejects a whole upload when a location has no
// physicalLocation, so containers and hosts also get a stable pseudo-path,
// "containers/<engine>/<name>" or "hosts/<name>". It names no file;
// dashboards show it as the alert's path.
func sarifLocationFor(s checks.Subject) sarifLocation {
	if s.Kind == "path" {
		return sarifLocation{PhysicalLocation: &sarifPhysicalLocation{ArtifactLocation: sarifArtifact{
			URI: uriPath(strings.TrimPrefix(s.Path, "/")), URIBaseID: sarifHostRoot,
		}}}
	}
	identity := SubjectIdentity(s)
	kind, name, _ := strings.Cut(identity, ":")
	pseudo := kind + "s/" + name
	return sarifLocation{
		PhysicalLocation: &sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: uriPath(pseudo)}},
		LogicalLocations: []sarifLogicalLocation{{Name: subjectName(s), FullyQualifiedName: identity, Kind: "resource"}},
	}
}

func uriPath(p string) string {
	return (&url.URL{Path: p}).String()
}

// sarifLevel maps a severity to a SARIF level: critical and high are
// errors, medium warnings, low and info notes.
func sarifLevel(s checks.Severity) string {
	switch {
	case s >= checks.SeverityHigh:
		return "error"
	case s == checks.SeverityMedium:
		return "warning"
	default:
		return "note"
	}
}

// securitySeverity maps a severity to the CVSS-like score that GitHub code
// scanning reads from a rule's "security-severity" property. GitHub ranks
// scores of 9.0 and above as critical, 7.0 to 8.9 as high, 4.0 to 6.9 as
// medium and 0.1 to 3.9 as low. Info gets 0.0, below every rank.
func securitySeverity(s checks.Severity) string {
	switch s {
	case checks.SeverityCritical:
		return "9.5"
	case checks.SeverityHigh:
		return "8.0"
	case checks.SeverityMedium:
		return "5.5"
	case checks.SeverityLow:
		return "3.0"
	default:
		return "0.0"
	}
}

// ruleName turns a check title into the PascalCase identifier SARIF
// expects as a rule name: "SELinux disabled on the host" becomes
// "SELinuxDisabledOnTheHost".
func ruleName(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		runes := []rune(word)
		runes[0] = unicode.ToUpper(runes[0])
		b.WriteString(string(runes))
	}
	return b.String()
}
