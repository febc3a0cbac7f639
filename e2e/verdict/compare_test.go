package verdict

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// recorded loads the result set of one real run of the guest job
// (testdata/debian12-run; see its README for how it was recorded).
func recorded(t *testing.T) ([]Probe, *Report, map[string]bool) {
	t.Helper()
	dir := filepath.Join("testdata", "debian12-run")
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	probes, err := ReadProbes(open("probes.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ReadReport(open("report.json"))
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := ReadCatalog(open("checks.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return probes, rep, catalog
}

func resultFor(t *testing.T, results []ScenarioResult, id string) ScenarioResult {
	t.Helper()
	for _, r := range results {
		if r.Scenario.ID == id {
			return r
		}
	}
	t.Fatalf("no result for scenario %s", id)
	return ScenarioResult{}
}

func TestRecordedRunAgrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	results := Compare(Scenarios(), probes, rep, catalog)
	if len(results) != len(Scenarios()) {
		t.Errorf("got %d results, want one per scenario (%d)", len(results), len(Scenarios()))
	}
	for _, r := range results {
		if r.Status != StatusAgree {
			t.Errorf("%s: %s: %v", r.Scenario.ID, r.Status, r.Problems)
		}
	}
}

// The recorded run is the kernel's ground truth: these are the verdicts
// it gave, whatever mcsaudit reported.
func TestRecordedKernelVerdicts(t *testing.T) {
	probes, _, _ := recorded(t)
	want := map[string]string{
		"a1:a2:read":           "denied",
		"c1:c2:write":          "allowed",
		"d-super:c1:read":      "allowed",
		"c1:d-super:read":      "denied",
		"c1:d-sub:write":       "allowed",
		"d-sub:c1:read":        "denied",
		"a1:d-s0:read":         "allowed",
		"d-full:a1:write":      "allowed",
		"a1:d-full:read":       "denied",
		"b-priv:a1:write":      "allowed",
		"g-pidhost:a1:signal":  "allowed",
		"p1-a:p1-b:write":      "allowed",
		"p2-a:p2-b:read":       "denied",
		"g-pid:a1:signal":      "allowed",
		"m-plain:/m/var:read":  "denied",
		"m-plain:/m/etc:read":  "allowed",
		"m-plain:/m/etc:write": "denied",
		"m-z:/m/home:write":    "allowed",
		"m-ro:/m/var:write":    "denied",
		"v1:v2:read":           "denied",
		"v2:/data:write":       "allowed",
		"r-a:r-b:read":         "denied",
		"a1:r-a:read":          "denied",
	}
	for _, p := range probes {
		w, ok := want[p.ID]
		if !ok {
			continue
		}
		delete(want, p.ID)
		if p.Observed != w {
			t.Errorf("%s observed %s, want %s", p.ID, p.Observed, w)
		}
		if p.Kernel != w && !strings.Contains(p.Detail, "Read-only file system") {
			t.Errorf("%s: /sys/fs/selinux/access returned %s, want %s", p.ID, p.Kernel, w)
		}
	}
	for id := range want {
		t.Errorf("probe %s missing from the recorded run", id)
	}
}

func TestMissingCheckIsNotCovered(t *testing.T) {
	probes, rep, catalog := recorded(t)
	delete(catalog, "MCS-002")
	r := resultFor(t, Compare(Scenarios(), probes, rep, catalog), "superset-level")
	if r.Status != StatusNotCovered {
		t.Errorf("status = %s, want %s", r.Status, StatusNotCovered)
	}
	if !slices.Equal(r.MissingChecks, []string{"MCS-002"}) {
		t.Errorf("missing checks = %v, want [MCS-002]", r.MissingChecks)
	}
}

func withoutFindings(rep *Report, drop func(Finding) bool) *Report {
	out := *rep
	out.Findings = slices.DeleteFunc(slices.Clone(rep.Findings), drop)
	return &out
}

func TestDroppedFindingDisagrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	rep = withoutFindings(rep, func(f Finding) bool { return f.CheckID == "MCS-001" && f.names("c1") })
	r := resultFor(t, Compare(Scenarios(), probes, rep, catalog), "forced-same-level")
	if r.Status != StatusDisagree {
		t.Fatalf("status = %s, want %s", r.Status, StatusDisagree)
	}
	joined := strings.Join(r.Problems, "\n")
	if !strings.Contains(joined, "c1:c2:read: the kernel allowed it, the findings imply denied") {
		t.Errorf("problems do not name the allowed read:\n%s", joined)
	}
	if !strings.Contains(joined, "expected MCS-001 on c1, c2") {
		t.Errorf("problems do not name the missing finding:\n%s", joined)
	}
}

func TestOverReportDisagrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	extra := *rep
	extra.Findings = append(slices.Clone(rep.Findings), containerFinding("MCS-001", "g-ipc", "a1"))
	r := resultFor(t, Compare(Scenarios(), probes, &extra, catalog), "ipc-join")
	if r.Status != StatusDisagree {
		t.Fatalf("status = %s, want %s", r.Status, StatusDisagree)
	}
	if !strings.Contains(strings.Join(r.Problems, "\n"), "over-report") {
		t.Errorf("problems do not name the over-report: %v", r.Problems)
	}
}

func TestForbiddenFindingDisagrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	extra := *rep
	extra.Findings = append(slices.Clone(rep.Findings), containerFinding("MCS-005", "p1-a", "p1-b"))
	r := resultFor(t, Compare(Scenarios(), probes, &extra, catalog), "pod-infra")
	if r.Status != StatusDisagree {
		t.Errorf("status = %s, want %s", r.Status, StatusDisagree)
	}
}

func TestUnusableProbeIsError(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Probe)
	}{
		{"no result", func(p *Probe) { p.Observed = "missing" }},
		{"kernel not asked", func(p *Probe) { p.Kernel = "error" }},
		{"allowed against the kernel", func(p *Probe) { p.Kernel, p.Observed = "denied", "allowed" }},
		{"denied by something else", func(p *Probe) { p.Kernel, p.Observed, p.Detail = "allowed", "denied", "No such file or directory" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probes, rep, catalog := recorded(t)
			i := slices.IndexFunc(probes, func(p Probe) bool { return p.ID == "c1:c2:read" })
			tt.edit(&probes[i])
			r := resultFor(t, Compare(Scenarios(), probes, rep, catalog), "forced-same-level")
			if r.Status != StatusError {
				t.Errorf("status = %s, want %s", r.Status, StatusError)
			}
		})
	}
}

func TestUnlistedContainerDisagrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	out := *rep
	out.Containers = slices.DeleteFunc(slices.Clone(rep.Containers), func(c Container) bool { return c.Name == "r-b" })
	r := resultFor(t, Compare(Scenarios(), probes, &out, catalog), "rootless")
	if r.Status != StatusDisagree {
		t.Errorf("status = %s, want %s", r.Status, StatusDisagree)
	}
}

func TestUnknownScenarioIsError(t *testing.T) {
	probes := []Probe{{Scenario: "nonexistent", ID: "x", Observed: "denied", Kernel: "denied"}}
	results := Compare(nil, probes, &Report{}, map[string]bool{})
	if len(results) != 1 || results[0].Status != StatusError {
		t.Errorf("results = %+v, want one error", results)
	}
}

func TestScenarioWithoutProbesIsError(t *testing.T) {
	r := resultFor(t, Compare(Scenarios(), nil, &Report{}, map[string]bool{"MCS-001": true, "MCS-002": true}), "default-distinct")
	if r.Status != StatusError {
		t.Errorf("status = %s, want %s", r.Status, StatusError)
	}
}

func TestWriteTableCounts(t *testing.T) {
	probes, rep, catalog := recorded(t)
	delete(catalog, "MCS-005")
	var buf bytes.Buffer
	if err := WriteTable(&buf, Compare(Scenarios(), probes, rep, catalog)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	total := len(Scenarios())
	want := "verdicts agree (0 disagree, 2 not covered, 0 error)"
	if !strings.Contains(out, want) || !strings.Contains(out, "/"+strconv.Itoa(total)+" ") {
		t.Errorf("summary line missing %q for %d scenarios:\n%s", want, total, out)
	}
	if !strings.Contains(out, "pod-no-infra") || !strings.Contains(out, "needs MCS-005") {
		t.Errorf("table does not say which check pod-no-infra needs:\n%s", out)
	}
}

func TestRecordedHostTypeDecisions(t *testing.T) {
	probes, rep, _ := recorded(t)
	want := map[string]Outcome{
		"m-plain:/m/etc:read":   Allowed,
		"m-plain:/m/etc:write":  Denied,
		"m-plain:/m/var:read":   Denied,
		"m-plain:/m/home:write": Denied,
	}
	for _, p := range probes {
		w, ok := want[p.ID]
		if !ok {
			continue
		}
		delete(want, p.ID)
		got := Predict(p, rep)
		if got.Outcome != w {
			t.Errorf("%s: Predict = %s (%s), want %s", p.ID, got.Outcome, got.Basis, w)
		}
		if !strings.Contains(got.Basis, "kernel decision") {
			t.Errorf("%s: basis %q does not rest on MOUNT-005's kernel decision", p.ID, got.Basis)
		}
	}
	for id := range want {
		t.Errorf("probe %s missing from the recorded run", id)
	}
}

func TestWrongRecordedDecisionDisagrees(t *testing.T) {
	probes, rep, catalog := recorded(t)
	edited := *rep
	edited.Findings = slices.Clone(rep.Findings)
	const path = "/srv/e2e/bind/var-plain"
	for i, f := range edited.Findings {
		if f.CheckID != "MOUNT-005" || !f.namesPath(path) {
			continue
		}
		f.Evidence = slices.Clone(f.Evidence)
		for j, e := range f.Evidence {
			if e.Name == "kernel decision (dir) for m-plain on "+path {
				f.Evidence[j].Value = "allowed add_name, search, write; denied none"
			}
		}
		edited.Findings[i] = f
	}
	r := resultFor(t, Compare(Scenarios(), probes, &edited, catalog), "bind-var-plain")
	if r.Status != StatusDisagree {
		t.Errorf("status = %s, want %s", r.Status, StatusDisagree)
	}
}
