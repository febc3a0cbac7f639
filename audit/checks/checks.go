// Package checks holds the check catalog and runs it over a Snapshot.
//
// A Check is static data plus one pure function: it reads the Snapshot and
// returns findings, and it never does I/O, so every check is tested from
// snapshots alone. IDs are stable: reports, waivers and users' tooling key
// on them, so an ID is never renumbered or reused.
//
// Containers that share an MCS level by design (one pod, an IPC or PID
// namespace join, one CRI pod sandbox, one OpenShift namespace) form one
// isolation domain, and the MCS checks compare domains, never the members
// of one domain.
//
//	res := checks.Run(snap, checks.Catalog())
//	for _, f := range res.Findings {
//		fmt.Println(f.CheckID, f.Severity, f.Message)
//	}
package checks

import (
	"slices"
	"sort"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Check is one entry of the catalog.
type Check struct {
	ID       string
	Title    string
	Severity Severity
	// SeverityNote describes when a finding gets a severity other than
	// Severity, such as a writable mount of /etc raised to critical. It is
	// empty when every finding has Severity.
	SeverityNote string
	// Rationale is the kernel rule or engine behaviour the check relies on.
	Rationale   string
	Remediation string
	References  []string
	// Needs lists the evidence sources the check reads.
	Needs []inventory.Source

	// withoutSELinux marks the checks that still run when SELinux is
	// disabled on the host. The others have no labels to judge there and
	// stay silent, because HOST-001 already reports the cause.
	withoutSELinux bool
	evaluate       func(*evaluation) Outcome
}

// RunsWithoutSELinux reports whether the check runs on a host where
// SELinux is disabled.
func (c Check) RunsWithoutSELinux() bool {
	return c.withoutSELinux
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
	CheckID string `json:"checkId"`
	// Severity is the check's severity unless the check documents a
	// condition that raises or lowers it (Check.SeverityNote), or the
	// configuration overrides it.
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	// Basis is BasisKernel when the kernel's access decisions answered
	// every access the finding asserts, and BasisLabelModel otherwise.
	Basis       string     `json:"basis,omitempty"`
	Subjects    []Subject  `json:"subjects"`
	Evidence    []Evidence `json:"evidence"`
	Remediation string     `json:"remediation"`
}

// Finding bases: what a finding rests on.
const (
	// BasisKernel means that the live kernel of the audited host answered
	// every access the finding asserts (see inventory.AccessDecision).
	BasisKernel = "kernel decision"
	// BasisLabelModel means that the finding rests, at least in part, on
	// mcsaudit's reading of labels and settings: types, MCS dominance and
	// engine options, without the loaded policy's verdict.
	BasisLabelModel = "label model"
)

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

// Subject kinds.
const (
	KindHost      = "host"
	KindContainer = "container"
	KindPath      = "path"
)

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

// Run evaluates every check of catalog over snap with the built-in
// settings. Findings are sorted by severity (most serious first), then
// check ID, then first subject.
func Run(snap *inventory.Snapshot, catalog []Check) Result {
	return RunWithConfig(snap, catalog, nil)
}

// RunWithConfig evaluates catalog over snap with the settings of cfg: its
// extra type, boolean and path lists, and its disabled checks and severity
// overrides. A nil cfg means the built-in settings. cfg must have passed
// Config.Validate, which ParseConfig and LoadConfig do: an invalid path
// pattern panics.
func RunWithConfig(snap *inventory.Snapshot, catalog []Check, cfg *Config) Result {
	if cfg == nil {
		cfg = &Config{}
	}
	e := newEvaluation(snap, cfg.settings())
	selinuxOff := snap.Host.SELinux.State == inventory.SELinuxDisabled

	res := Result{Findings: []Finding{}, NotEvaluated: []NotEvaluated{}}
	enabled := cfg.Apply(catalog)
	// A check the configuration disables is listed as not evaluated, so a
	// report never reads as if it ran and found nothing, and a comparison
	// never counts its findings as resolved.
	for _, c := range catalog {
		if !slices.ContainsFunc(enabled, func(e Check) bool { return e.ID == c.ID }) {
			res.NotEvaluated = append(res.NotEvaluated, NotEvaluated{
				CheckID: c.ID, Subject: HostSubject(snap),
				Reason: "disabled by the check configuration (disabledChecks)",
			})
		}
	}
	for _, c := range enabled {
		if selinuxOff && !c.withoutSELinux {
			continue
		}
		out := c.evaluate(e)
		for _, f := range out.Findings {
			f.CheckID, f.Title = c.ID, c.Title
			if f.Severity == SeverityNone {
				f.Severity = c.Severity
			}
			if sev, ok := cfg.Severity[c.ID]; ok {
				f.Severity = sev
			}
			if f.Remediation == "" {
				f.Remediation = c.Remediation
			}
			if f.Basis == "" {
				f.Basis = BasisLabelModel
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

// ContainerSubject describes a container as a finding's subject. A
// container without a name, such as one seen only through procfs, is
// named by the first 12 characters of its ID.
func ContainerSubject(c inventory.Container) Subject {
	pod := c.PodName
	if pod == "" {
		pod = c.Pod
	}
	return Subject{
		Kind: KindContainer, ID: c.ID, Name: containerName(c),
		Engine: c.Engine.Name, Rootless: c.Engine.Rootless, UID: c.Engine.UID, Pod: pod,
	}
}

// HostSubject describes the audited host as a finding's subject.
func HostSubject(snap *inventory.Snapshot) Subject {
	return Subject{Kind: KindHost, Name: snap.Host.Hostname}
}

// PathSubject describes a host path as a finding's subject.
func PathSubject(path string) Subject {
	return Subject{Kind: KindPath, Path: path}
}

func containerName(c inventory.Container) string {
	if c.Name != "" {
		return c.Name
	}
	return shortID(c.ID)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
