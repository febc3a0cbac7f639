package verdict

import (
	"slices"
	"strings"
	"testing"
)

func TestRecordedRunDecisionsMatch(t *testing.T) {
	probes, rep, catalog := recorded(t)
	if len(rep.Decisions) == 0 {
		t.Fatal("the recorded report has no decisions")
	}
	s := Summarize(Compare(Scenarios(), probes, rep, catalog))
	if s.Decisions == 0 {
		t.Fatal("no probe was compared with a recorded decision")
	}
	if s.DecisionsMatch != s.Decisions {
		t.Errorf("%d/%d kernel decisions match, want all", s.DecisionsMatch, s.Decisions)
	}
}

// flipDecision moves the permissions of the recorded decision for probe
// p from allowed to denied or back, and returns the changed report.
func flipDecision(t *testing.T, rep *Report, p Probe) *Report {
	t.Helper()
	changed := *rep
	changed.Decisions = slices.Clone(rep.Decisions)
	for i, d := range changed.Decisions {
		if d.Source == p.SContext && d.Target == p.TContext && d.Class == p.Class {
			changed.Decisions[i].Allowed, changed.Decisions[i].Denied = d.Denied, d.Allowed
			return &changed
		}
	}
	t.Fatalf("no decision for probe %s", p.ID)
	return nil
}

func TestFlippedDecisionDisagrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	checks := CheckDecisions(probes, rep)
	var target Probe
	for _, c := range checks {
		if c.Recorded == string(Allowed) && c.Probe.Scenario == "bind-var-z" {
			target = c.Probe
			break
		}
	}
	if target.ID == "" {
		t.Fatal("no bind-var-z probe has a recorded decision that allows it")
	}

	changed := flipDecision(t, rep, target)
	results := Compare(Scenarios(), probes, changed, catalog)
	r := resultFor(t, results, "bind-var-z")
	if r.Status != StatusDisagree {
		t.Fatalf("bind-var-z: got %s, want %s", r.Status, StatusDisagree)
	}
	if !slices.ContainsFunc(r.Problems, func(p string) bool { return strings.Contains(p, "kernel decision mismatch") }) {
		t.Errorf("bind-var-z problems lack the mismatch: %v", r.Problems)
	}
	s := Summarize(results)
	if s.DecisionsMatch >= s.Decisions {
		t.Errorf("%d/%d kernel decisions match after the flip, want fewer", s.DecisionsMatch, s.Decisions)
	}
}

func TestRecordedOutcome(t *testing.T) {
	read := probePermissions["read/file"]
	tests := []struct {
		name    string
		d       Decision
		want    string
		covered bool
	}{
		{"all allowed", Decision{Allowed: []string{"open", "read", "write"}}, "allowed", true},
		{"one denied", Decision{Allowed: []string{"read"}, Denied: []string{"open"}}, "denied", true},
		{"permissive denial", Decision{Allowed: []string{"read"}, Denied: []string{"open"}, Permissive: true}, "allowed", true},
		{"part asked", Decision{Allowed: []string{"read"}}, "partial", true},
		{"none asked", Decision{Allowed: []string{"write"}}, "", false},
		{"kernel error", Decision{Error: "invalid argument"}, "error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, covered := recordedOutcome(tt.d, read)
			if got != tt.want {
				t.Errorf("outcome = %q, want %q", got, tt.want)
			}
			if covered != tt.covered {
				t.Errorf("covered = %v, want %v", covered, tt.covered)
			}
		})
	}
}

func TestCompareDecision(t *testing.T) {
	base := Probe{ID: "x:read", Op: "read", Class: "file", SContext: "s", TContext: "t"}
	needed := probePermissions["read/file"]
	tests := []struct {
		name             string
		kernel, observed string
		detail           string
		recorded         string
		want             bool
	}{
		{"all allowed", "allowed", "allowed", "", "allowed", true},
		{"all denied", "denied", "denied", "", "denied", true},
		{"kernel differs", "denied", "denied", "", "allowed", false},
		{"attempt differs", "allowed", "denied", "Permission denied", "allowed", false},
		{"read-only write", "allowed", "denied", "Read-only file system", "allowed", true},
		{"error on both", "error", "denied", "", "error", true},
		{"error for mcsaudit only", "denied", "denied", "", "error", false},
		{"partial", "denied", "denied", "", "partial", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Kernel, p.Observed, p.Detail = tt.kernel, tt.observed, tt.detail
			c := compareDecision(p, Decision{Source: "s", Target: "t", Class: "file", Error: "e"}, tt.recorded, needed)
			if c.Matches != tt.want {
				t.Errorf("Matches = %v, want %v (problem %q)", c.Matches, tt.want, c.Problem)
			}
			if !c.Matches && c.Problem == "" {
				t.Error("a mismatch has no problem text")
			}
		})
	}
}

const nosuchContext = "system_u:object_r:mcsaudit_nosuch_t:s0"

// unknownContextCase is the unknown-context scenario's definition with a
// report and probes as the guest job records them when mcsaudit handles
// the rejected context correctly.
func unknownContextCase(t *testing.T) (Scenario, []Probe, *Report) {
	t.Helper()
	var scenario Scenario
	for _, s := range Scenarios() {
		if s.ID == "unknown-context" {
			scenario = s
		}
	}
	if scenario.RejectedContext != nosuchContext {
		t.Fatalf("unknown-context scenario rejects %q, want %q", scenario.RejectedContext, nosuchContext)
	}
	subject := "system_u:system_r:container_t:s0:c1,c2"
	path := "/srv/e2e/bind/nosuch"
	probes := []Probe{
		{Scenario: "unknown-context", ID: "m-nosuch:/m/nosuch:read", Subject: "m-nosuch", Relation: RelationHost, Path: path,
			Op: "read", Class: "file", SContext: subject, TContext: nosuchContext, Kernel: "error", Observed: "denied", Detail: "Permission denied"},
		{Scenario: "unknown-context", ID: "m-nosuch:/m/nosuch:write", Subject: "m-nosuch", Relation: RelationHost, Path: path,
			Op: "write", Class: "dir", SContext: subject, TContext: nosuchContext, Kernel: "error", Observed: "denied", Detail: "Permission denied"},
	}
	rep := &Report{
		Containers: []Container{{ID: "1", Name: "m-nosuch", Mounts: []Mount{{Source: path, Destination: "/m/nosuch", RW: true}}}},
		Findings: []Finding{{
			CheckID: "MOUNT-005", Basis: "label model",
			Subjects: []Subject{{Kind: "container", Name: "m-nosuch"}, {Kind: "path", Path: path}},
		}},
		Decisions: []Decision{
			{Source: subject, Target: nosuchContext, Class: "dir", Error: "invalid context"},
			{Source: subject, Target: nosuchContext, Class: "file", Error: "invalid context"},
		},
		Coverage: Coverage{Gaps: []Gap{{Source: "kernel-access", Subject: subject + " -> " + nosuchContext + " (file)", Reason: "rejected"}}},
	}
	return scenario, probes, rep
}

func TestUnknownContextAgrees(t *testing.T) {
	scenario, probes, rep := unknownContextCase(t)
	results := Compare([]Scenario{scenario}, probes, rep, map[string]bool{"MOUNT-005": true})
	r := resultFor(t, results, "unknown-context")
	if r.Status != StatusAgree {
		t.Fatalf("got %s, want agree: %v", r.Status, r.Problems)
	}
	s := Summarize(results)
	if s.Decisions != 2 || s.DecisionsMatch != 2 {
		t.Errorf("%d/%d kernel decisions match, want 2/2", s.DecisionsMatch, s.Decisions)
	}
}

func TestUnknownContextDisagrees(t *testing.T) {
	tests := map[string]func(*Report){
		"no error decision": func(r *Report) { r.Decisions = nil },
		"no gap":            func(r *Report) { r.Coverage.Gaps = nil },
		"kernel basis":      func(r *Report) { r.Findings[0].Basis = "kernel decision" },
		"no finding":        func(r *Report) { r.Findings = nil },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			scenario, probes, rep := unknownContextCase(t)
			change(rep)
			r := resultFor(t, Compare([]Scenario{scenario}, probes, rep, map[string]bool{"MOUNT-005": true}), "unknown-context")
			if r.Status != StatusDisagree {
				t.Errorf("got %s, want disagree: %v", r.Status, r.Problems)
			}
		})
	}
}

// A kernel error on a context other than the scenario's stays an error.
func TestKernelErrorOutsideRejectedContext(t *testing.T) {
	scenario, probes, rep := unknownContextCase(t)
	probes[0].TContext = "system_u:object_r:var_t:s0"
	r := resultFor(t, Compare([]Scenario{scenario}, probes, rep, map[string]bool{"MOUNT-005": true}), "unknown-context")
	if r.Status != StatusError {
		t.Errorf("got %s, want error: %v", r.Status, r.Problems)
	}
}
