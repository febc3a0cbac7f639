// Package checks holds the check catalog and runs it over a Snapshot.
//
// A Check is static data plus one pure function: it reads the Snapshot and
// returns findings, and it never does I/O, so every check is tested from
// snapshots alone. IDs are stable: reports, waivers and users' tooling key
// on them, so an ID is never renumbered or reused.
//
//	res := checks.Run(snap, checks.Catalog())
//	for _, f := range res.Findings {
//		fmt.Println(f.CheckID, f.Severity, f.Message)
//	}
package checks

import (
	"sort"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Check is one entry of the catalog.
type Check struct {
	ID       string
	Title    string
	Severity Severity
	// Rationale is the kernel rule or engine behaviour the check relies on.
	Rationale   string
	Remediation string
	References  []string
	// Needs lists the evidence sources the check reads.
	Needs []inventory.Source

	evaluate func(*inventory.Snapshot) Outcome
}

// Outcome is what one check concluded about one snapshot.
type Outcome struct {
	Findings []Finding
	// NotEvaluated lists subjects the check could not judge, with the
	// missing evidence; they are neither passes nor findings.
	NotEvaluated []NotEvaluated
}

// Finding is one problem found in one run.
type Finding struct {
	CheckID     string     `json:"checkId"`
	Severity    Severity   `json:"severity"`
	Title       string     `json:"title"`
	Message     string     `json:"message"`
	Subjects    []Subject  `json:"subjects"`
	Evidence    []Evidence `json:"evidence"`
	Remediation string     `json:"remediation"`
}

// Subject is a host, container or path a finding is about.
type Subject struct {
	// Kind is "host", "container" or "path".
	Kind     string `json:"kind"`
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Engine   string `json:"engine,omitempty"`
	Rootless bool   `json:"rootless,omitempty"`
	UID      *int   `json:"uid,omitempty"`
	Pod      string `json:"pod,omitempty"`
	Path     string `json:"path,omitempty"`
}

// Evidence is one observed fact behind a finding, such as a label or a
// file's contents.
type Evidence struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// NotEvaluated records a check that could not judge a subject.
type NotEvaluated struct {
	CheckID string  `json:"checkId"`
	Subject Subject `json:"subject"`
	Reason  string  `json:"reason"`
}

// Result is the outcome of the whole catalog over one snapshot.
type Result struct {
	Findings     []Finding      `json:"findings"`
	NotEvaluated []NotEvaluated `json:"notEvaluated"`
}

// Run evaluates every check over snap. Findings are sorted by severity
// (most serious first), then check ID, then first subject.
func Run(snap *inventory.Snapshot, catalog []Check) Result {
	res := Result{Findings: []Finding{}, NotEvaluated: []NotEvaluated{}}
	for _, c := range catalog {
		out := c.evaluate(snap)
		for _, f := range out.Findings {
			f.CheckID, f.Severity, f.Title = c.ID, c.Severity, c.Title
			if f.Remediation == "" {
				f.Remediation = c.Remediation
			}
			if f.Evidence == nil {
				f.Evidence = []Evidence{}
			}
			res.Findings = append(res.Findings, f)
		}
		for _, n := range out.NotEvaluated {
			n.CheckID = c.ID
			res.NotEvaluated = append(res.NotEvaluated, n)
		}
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.CheckID != b.CheckID {
			return a.CheckID < b.CheckID
		}
		return subjectKey(a) < subjectKey(b)
	})
	return res
}

func subjectKey(f Finding) string {
	if len(f.Subjects) == 0 {
		return ""
	}
	s := f.Subjects[0]
	return s.Name + "\x00" + s.ID + "\x00" + s.Path
}

// ContainerSubject describes a container as a finding's subject.
func ContainerSubject(c inventory.Container) Subject {
	pod := c.PodName
	if pod == "" {
		pod = c.Pod
	}
	return Subject{
		Kind: "container", ID: c.ID, Name: c.Name,
		Engine: c.Engine.Name, Rootless: c.Engine.Rootless, UID: c.Engine.UID, Pod: pod,
	}
}

// HostSubject describes the audited host as a finding's subject.
func HostSubject(snap *inventory.Snapshot) Subject {
	return Subject{Kind: "host", Name: snap.Host.Hostname}
}
