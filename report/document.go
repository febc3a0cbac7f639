package report

import (
	"sort"
	"time"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/waiver"
)

// Document is the report: the audited host, what was read and what was
// found. Its JSON form is described by docs/report.schema.json.
type Document struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	GeneratedAt   time.Time `json:"generatedAt"`
	// CollectedAt is when the evidence was read. It is earlier than
	// GeneratedAt when a snapshot is audited later ("scan --snapshot").
	CollectedAt time.Time             `json:"collectedAt"`
	Host        inventory.Host        `json:"host"`
	Engines     []inventory.Engine    `json:"engines"`
	Containers  []inventory.Container `json:"containers"`
	Processes   []inventory.Process   `json:"processes"`
	Files       []inventory.FileLabel `json:"files"`
	// Decisions are the kernel's access decisions asked on the audited
	// host, absent where none was asked.
	Decisions    []inventory.AccessDecision `json:"decisions,omitempty"`
	Coverage     inventory.Coverage         `json:"coverage"`
	Summary      Summary                    `json:"summary"`
	Findings     []Finding                  `json:"findings"`
	NotEvaluated []checks.NotEvaluated      `json:"notEvaluated"`
	// Waivers is the ignore file the report was checked against, absent
	// when the scan had none.
	Waivers *Waivers `json:"waivers,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Finding is a check's finding as the report carries it.
type Finding struct {
	checks.Finding
	// Waiver is set when an ignore-file entry waives the finding. A waived
	// finding stays in the report but counts neither toward --fail-on nor
	// in the summary's severity counts.
	Waiver *FindingWaiver `json:"waiver,omitempty"`
}

// Open reports whether no waiver covers the finding.
func (f Finding) Open() bool { return f.Waiver == nil }

// FindingWaiver is the ignore-file entry that waives a finding.
type FindingWaiver struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
}

// Waivers is the ignore file a report was checked against, with the effect
// of every entry.
type Waivers struct {
	File    string        `json:"file"`
	Entries []WaiverEntry `json:"entries"`
}

// Waiver entry statuses.
const (
	WaiverActive  = "active"
	WaiverExpired = "expired"
)

// WaiverEntry is one ignore-file entry and its effect.
type WaiverEntry struct {
	Line      int    `json:"line"`
	Check     string `json:"check"`
	Container string `json:"container,omitempty"`
	Label     string `json:"label,omitempty"`
	Path      string `json:"path,omitempty"`
	Reason    string `json:"reason"`
	Expires   string `json:"expires,omitempty"`
	// Status is WaiverActive or WaiverExpired. An expired entry waives
	// nothing and is reported as a warning.
	Status string `json:"status"`
	// Matches counts the findings the entry's check and selectors match,
	// waived or not.
	Matches int `json:"matches"`
}

// Summary counts what the report holds.
type Summary struct {
	Containers int `json:"containers"`
	// Findings counts every finding, waived or not.
	Findings int `json:"findings"`
	// Critical to Info count the findings that no waiver covers.
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
	// Waived counts the findings a waiver covers.
	Waived int `json:"waived"`
	// ExpiredWaivers counts ignore-file entries past their expiry date.
	ExpiredWaivers int `json:"expiredWaivers"`
	Gaps           int `json:"gaps"`
	NotEvaluated   int `json:"notEvaluated"`
	// ComposeProjects counts containers and findings per compose project,
	// so that tooling which disables labeling or relabels every volume of
	// a project shows as one line. Absent when no container carries a
	// compose project label.
	ComposeProjects []ProjectCount `json:"composeProjects,omitempty"`
	// MaxSeverity is the most serious severity among the findings that no
	// waiver covers, "none" when there is no such finding.
	MaxSeverity checks.Severity `json:"maxSeverity"`
}

// ComposeProjectLabels are the container labels that name a compose
// project: Docker Compose sets the first, podman-compose both.
var ComposeProjectLabels = []string{"com.docker.compose.project", "io.podman.compose.project"}

// ProjectCount counts the containers of one compose project and the
// findings that name at least one of them.
type ProjectCount struct {
	Project    string `json:"project"`
	Containers int    `json:"containers"`
	// Findings counts the open findings, Waived the waived ones.
	Findings int `json:"findings"`
	Waived   int `json:"waived"`
	// ByCheck counts the open findings per check ID.
	ByCheck map[string]int `json:"byCheck"`
}

// NewDocument builds the report for one audit result.
func NewDocument(res *audit.Result, version string, generatedAt time.Time) *Document {
	snap := res.Snapshot
	doc := &Document{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "mcsaudit", Version: version},
		GeneratedAt:   generatedAt.UTC(),
		CollectedAt:   snap.CollectedAt.UTC(),
		Host:          snap.Host,
		Engines:       snap.Engines,
		Containers:    snap.Containers,
		Processes:     snap.Processes,
		Files:         snap.Files,
		Decisions:     snap.Decisions,
		Coverage:      snap.Coverage,
		Findings:      make([]Finding, 0, len(res.Findings)),
		NotEvaluated:  res.NotEvaluated,
	}
	for _, f := range res.Findings {
		doc.Findings = append(doc.Findings, Finding{Finding: f})
	}
	doc.Summary = summarize(doc)
	return doc
}

// ApplyWaivers marks the findings that file waives at time now, records
// every entry's effect in doc.Waivers and recounts the summary. It returns
// the match result, whose Expired list callers log.
func (doc *Document) ApplyWaivers(file *waiver.File, now time.Time) waiver.Result {
	plain := make([]checks.Finding, len(doc.Findings))
	for i, f := range doc.Findings {
		plain[i] = f.Finding
	}
	res := file.Apply(plain, doc.Containers, now)

	for i := range doc.Findings {
		doc.Findings[i].Waiver = nil
		if w := res.ByFinding[i]; w != nil {
			doc.Findings[i].Waiver = &FindingWaiver{File: file.Name, Line: w.Line, Reason: w.Reason, Expires: w.Expires}
		}
	}
	doc.Waivers = &Waivers{File: file.Name, Entries: make([]WaiverEntry, 0, len(res.Statuses))}
	for _, s := range res.Statuses {
		w := s.Waiver
		status := WaiverActive
		if s.Expired {
			status = WaiverExpired
		}
		doc.Waivers.Entries = append(doc.Waivers.Entries, WaiverEntry{
			Line: w.Line, Check: w.Check, Container: w.Container, Label: w.Label, Path: w.Path,
			Reason: w.Reason, Expires: w.Expires, Status: status, Matches: s.Matches,
		})
	}
	doc.Summary = summarize(doc)
	return res
}

// ExpiredWaivers returns the ignore-file entries past their expiry date.
func (doc *Document) ExpiredWaivers() []WaiverEntry {
	if doc.Waivers == nil {
		return nil
	}
	var out []WaiverEntry
	for _, e := range doc.Waivers.Entries {
		if e.Status == WaiverExpired {
			out = append(out, e)
		}
	}
	return out
}

func summarize(doc *Document) Summary {
	s := Summary{
		Containers:     len(doc.Containers),
		Findings:       len(doc.Findings),
		ExpiredWaivers: len(doc.ExpiredWaivers()),
		Gaps:           len(doc.Coverage.Gaps),
		NotEvaluated:   len(doc.NotEvaluated),
	}
	for _, f := range doc.Findings {
		if !f.Open() {
			s.Waived++
			continue
		}
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
	s.ComposeProjects = countProjects(doc)
	return s
}

func countProjects(doc *Document) []ProjectCount {
	projectOf := map[string]string{} // container ID to project
	counts := map[string]*ProjectCount{}
	for _, c := range doc.Containers {
		project := composeProject(c.Labels)
		if project == "" {
			continue
		}
		projectOf[c.ID] = project
		if counts[project] == nil {
			counts[project] = &ProjectCount{Project: project, ByCheck: map[string]int{}}
		}
		counts[project].Containers++
	}
	for _, f := range doc.Findings {
		seen := map[string]bool{}
		for _, s := range f.Subjects {
			project := projectOf[s.ID]
			if s.Kind != "container" || project == "" || seen[project] {
				continue
			}
			seen[project] = true
			pc := counts[project]
			if f.Open() {
				pc.Findings++
				pc.ByCheck[f.CheckID]++
			} else {
				pc.Waived++
			}
		}
	}

	out := make([]ProjectCount, 0, len(counts))
	for _, pc := range counts {
		out = append(out, *pc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Project < out[j].Project })
	if len(out) == 0 {
		return nil
	}
	return out
}

func composeProject(labels map[string]string) string {
	for _, key := range ComposeProjectLabels {
		if v := labels[key]; v != "" {
			return v
		}
	}
	return ""
}

// reportChecks returns catalog (checks.Catalog() when nil) plus, sorted
// by ID, any check that findings name and the catalog lacks, such as a
// check of another release in a report read from a file.
func reportChecks(catalog []checks.Check, findings []Finding) []checks.Check {
	if catalog == nil {
		catalog = checks.Catalog()
	}
	list := append([]checks.Check(nil), catalog...)
	known := map[string]bool{}
	for _, c := range list {
		known[c.ID] = true
	}
	var extra []checks.Check
	for _, f := range findings {
		if !known[f.CheckID] {
			known[f.CheckID] = true
			extra = append(extra, checks.Check{ID: f.CheckID, Title: f.Title, Severity: f.Severity, Remediation: f.Remediation})
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].ID < extra[j].ID })
	return append(list, extra...)
}

// severityOrder lists the finding severities from most to least serious,
// the order in which writers group findings.
var severityOrder = []checks.Severity{
	checks.SeverityCritical, checks.SeverityHigh, checks.SeverityMedium, checks.SeverityLow, checks.SeverityInfo,
}

// groupBySeverity splits the open findings by severity, most serious
// first, and returns the waived findings apart. Empty groups are left out.
func groupBySeverity(findings []Finding) (groups []severityGroup, waived []Finding) {
	bySeverity := map[checks.Severity][]Finding{}
	for _, f := range findings {
		if !f.Open() {
			waived = append(waived, f)
			continue
		}
		bySeverity[f.Severity] = append(bySeverity[f.Severity], f)
	}
	for _, sev := range severityOrder {
		if len(bySeverity[sev]) > 0 {
			groups = append(groups, severityGroup{Severity: sev, Findings: bySeverity[sev]})
		}
	}
	return groups, waived
}

type severityGroup struct {
	Severity checks.Severity
	Findings []Finding
}
