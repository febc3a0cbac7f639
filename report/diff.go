package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// Diff is the comparison of two reports of the same host: which findings
// are new, which are gone, and which remain. Its JSON form is described by
// docs/diff.schema.json.
type Diff struct {
	SchemaVersion string      `json:"schemaVersion"`
	Tool          Tool        `json:"tool"`
	GeneratedAt   time.Time   `json:"generatedAt"`
	Old           ReportRef   `json:"old"`
	New           ReportRef   `json:"new"`
	Summary       DiffSummary `json:"summary"`
	// NewFindings are in the new report only, as the new report has them.
	NewFindings []Finding `json:"newFindings"`
	// ResolvedFindings are in the old report only, and the new report
	// judged every subject they name. They are shown as the old report
	// has them.
	ResolvedFindings []Finding `json:"resolvedFindings"`
	// UnverifiedFindings are in the old report only, but the new report
	// lists their check as not evaluated for a subject they name, or a
	// container they name is no longer running: they may still be there,
	// so they are not counted as resolved.
	UnverifiedFindings []Finding `json:"unverifiedFindings"`
	// UnchangedFindings are in both reports, as the new report has them.
	UnchangedFindings []Finding `json:"unchangedFindings"`
}

// ReportRef identifies one of the two compared reports.
type ReportRef struct {
	// File is the report's path as the caller gave it.
	File         string    `json:"file"`
	GeneratedAt  time.Time `json:"generatedAt"`
	Hostname     string    `json:"hostname"`
	ToolVersion  string    `json:"toolVersion"`
	Gaps         int       `json:"gaps"`
	NotEvaluated int       `json:"notEvaluated"`
}

// DiffSummary counts the comparison.
type DiffSummary struct {
	New        int `json:"new"`
	Resolved   int `json:"resolved"`
	Unverified int `json:"unverified"`
	Unchanged  int `json:"unchanged"`
	// NewWaived counts the new findings that a waiver in the new report
	// covers.
	NewWaived int `json:"newWaived"`
	// MaxNewSeverity is the most serious severity among the new findings
	// that no waiver covers, "none" when there is none.
	MaxNewSeverity checks.Severity `json:"maxNewSeverity"`
}

// Compare matches the findings of two reports by Key and returns what
// changed from oldDoc to newDoc. The caller fills in Old.File and
// New.File.
func Compare(oldDoc, newDoc *Document, version string, generatedAt time.Time) *Diff {
	d := &Diff{
		SchemaVersion:      SchemaVersion,
		Tool:               Tool{Name: "mcsaudit", Version: version},
		GeneratedAt:        generatedAt.UTC(),
		Old:                refOf(oldDoc),
		New:                refOf(newDoc),
		NewFindings:        []Finding{},
		ResolvedFindings:   []Finding{},
		UnverifiedFindings: []Finding{},
		UnchangedFindings:  []Finding{},
	}

	// Two findings can share a key (the same check twice on the same
	// subjects), so each key holds a queue and matches pair off in order.
	pending := map[string][]Finding{}
	for _, f := range sortedFindings(newDoc.Findings) {
		pending[f.Key()] = append(pending[f.Key()], f)
	}
	notEvaluated := map[string]bool{}
	for _, n := range newDoc.NotEvaluated {
		notEvaluated[n.CheckID+"\x00"+SubjectIdentity(n.Subject)] = true
	}
	// A container that is no longer running could not be judged again,
	// so its old findings are unverified, not resolved: it may come back.
	running := map[string]bool{}
	for _, c := range newDoc.Containers {
		running[SubjectIdentity(checks.ContainerSubject(c))] = true
	}

	for _, f := range sortedFindings(oldDoc.Findings) {
		key := f.Key()
		if queue := pending[key]; len(queue) > 0 {
			d.UnchangedFindings = append(d.UnchangedFindings, queue[0])
			pending[key] = queue[1:]
			continue
		}
		if unverified(f, notEvaluated, running) {
			d.UnverifiedFindings = append(d.UnverifiedFindings, f)
		} else {
			d.ResolvedFindings = append(d.ResolvedFindings, f)
		}
	}
	for _, f := range sortedFindings(newDoc.Findings) {
		key := f.Key()
		if queue := pending[key]; len(queue) > 0 {
			d.NewFindings = append(d.NewFindings, queue[0])
			pending[key] = queue[1:]
		}
	}

	d.Summary = DiffSummary{
		New: len(d.NewFindings), Resolved: len(d.ResolvedFindings),
		Unverified: len(d.UnverifiedFindings), Unchanged: len(d.UnchangedFindings),
	}
	for _, f := range d.NewFindings {
		if !f.Open() {
			d.Summary.NewWaived++
			continue
		}
		if f.Severity > d.Summary.MaxNewSeverity {
			d.Summary.MaxNewSeverity = f.Severity
		}
	}
	return d
}

func refOf(doc *Document) ReportRef {
	return ReportRef{
		GeneratedAt: doc.GeneratedAt, Hostname: doc.Host.Hostname, ToolVersion: doc.Tool.Version,
		Gaps: len(doc.Coverage.Gaps), NotEvaluated: len(doc.NotEvaluated),
	}
}

func unverified(f Finding, notEvaluated, running map[string]bool) bool {
	for _, s := range f.Subjects {
		if notEvaluated[f.CheckID+"\x00"+SubjectIdentity(s)] {
			return true
		}
		if s.Kind == "container" && !running[SubjectIdentity(s)] {
			return true
		}
	}
	return false
}

// sortedFindings returns a copy of findings sorted by severity (most
// serious first), then Key, so that diffs list them in a stable order.
func sortedFindings(findings []Finding) []Finding {
	out := append([]Finding(nil), findings...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].Key() < out[j].Key()
	})
	return out
}

// Key identifies a finding across runs: its check ID and the sorted
// identities of its subjects, but not its message or evidence, whose text
// may change between releases. For example:
//
//	TYPE-002 container:podman/toolbox-1
func (f Finding) Key() string {
	ids := make([]string, 0, len(f.Subjects))
	for _, s := range f.Subjects {
		ids = append(ids, SubjectIdentity(s))
	}
	sort.Strings(ids)
	return f.CheckID + " " + strings.Join(ids, " ")
}

// SubjectIdentity names a subject the same way in every run. A container
// is named by engine, owner and container name rather than by ID. A
// container recreated under the same name (a redeploy) gets a new ID, but
// it is the same workload. A container without a name falls back to its
// ID.
func SubjectIdentity(s checks.Subject) string {
	switch s.Kind {
	case "container":
		name := s.Name
		if name == "" {
			name = s.ID
		}
		owner := s.Engine
		if s.Rootless {
			owner += "-rootless"
			if s.UID != nil {
				owner += fmt.Sprintf("-uid%d", *s.UID)
			}
		}
		return "container:" + owner + "/" + name
	case "path":
		return "path:" + s.Path
	case "host":
		return "host:" + s.Name
	default:
		return s.Kind + ":" + s.Name + "/" + s.ID + "/" + s.Path
	}
}
