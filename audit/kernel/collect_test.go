package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

func kernelSource(snap *inventory.Snapshot) (inventory.SourceStatus, bool) {
	for _, s := range snap.Coverage.Sources {
		if s.Source == inventory.SourceKernelAccess {
			return s, true
		}
	}
	return inventory.SourceStatus{}, false
}

func kernelGaps(snap *inventory.Snapshot) []inventory.Gap {
	var out []inventory.Gap
	for _, g := range snap.Coverage.Gaps {
		if g.Source == inventory.SourceKernelAccess {
			out = append(out, g)
		}
	}
	return out
}

// hostTypeSnapshot is one default container that mounts four host
// directories writable, each with the host type it kept.
func hostTypeSnapshot() *inventory.Snapshot {
	snap := enforcingHost(confinedAt("app", "s0:c1,c2", withMounts(
		bindRW("/etc/app", "/etc/app"),
		bindRW("/var/lib/app", "/data"),
		bindRW("/home/alice/data", "/home"),
		bindRW("/tmp/scratch", "/scratch"),
	)))
	snap.Files = []inventory.FileLabel{
		mountSource("/etc/app", "dir", etcT),
		mountSource("/home/alice/data", "dir", userHomeT),
		mountSource("/tmp/scratch", "dir", tmpT),
		mountSource("/var/lib/app", "dir", varT),
	}
	return snap
}

// hostTypeAnswers completes the recorded answers for hostTypeSnapshot:
// the recorded kernel answered the file class for all four types and the
// dir class only for user_home_t.
func hostTypeAnswers() map[string]string {
	proc := containerT + "s0:c1,c2"
	return map[string]string{
		answerKey(proc, fileT+"s0:c1,c2", fileIndex): sameLevel,
		answerKey(proc, etcT, dirIndex):              readDir,
		answerKey(proc, varT, dirIndex):              searchOnly,
		answerKey(proc, tmpT, dirIndex):              searchOnly,
	}
}

func collectWith(t *testing.T, snap *inventory.Snapshot, q Querier) {
	t.Helper()
	Collect(context.Background(), Options{HostRoot: writeSelinuxfs(t), Querier: q}, snap)
}

// A host without SELinux has no policy to ask: nothing is recorded.
func TestCollectSkipsHostWithoutSELinux(t *testing.T) {
	for _, state := range []inventory.SELinuxState{inventory.SELinuxDisabled, inventory.SELinuxUnknown} {
		snap := hostTypeSnapshot()
		snap.Host.SELinux.State = state
		q := newFixtureQuerier(t, nil)
		collectWith(t, snap, q)
		if len(snap.Decisions) != 0 || q.asked != 0 {
			t.Errorf("%s: %d decisions, %d questions; want none", state, len(snap.Decisions), q.asked)
		}
		if st, ok := kernelSource(snap); ok {
			t.Errorf("%s: coverage %+v, want no kernel source", state, st)
		}
		if gaps := kernelGaps(snap); len(gaps) != 0 {
			t.Errorf("%s: gaps %v, want none", state, gaps)
		}
	}
}

func TestCollectUnavailable(t *testing.T) {
	permission := fmt.Errorf("%w: %w", ErrUnavailable, &fs.PathError{Op: "open", Path: "/sys/fs/selinux/access", Err: syscall.EACCES})
	tests := []struct {
		name    string
		root    func(testing.TB) string
		querier Querier
		reason  string
	}{
		{"no class directory", func(t testing.TB) string { return t.TempDir() }, fastQuerier{}, "must be mounted at sys/fs/selinux"},
		{"no access file", writeSelinuxfs, nil, "must be mounted at sys/fs/selinux"},
		{"permission denied", writeSelinuxfs, failingQuerier{permission}, "run mcsaudit as root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := hostTypeSnapshot()
			Collect(context.Background(), Options{HostRoot: tt.root(t), Querier: tt.querier}, snap)
			st, ok := kernelSource(snap)
			if !ok || st.Status != inventory.StatusUnavailable || !strings.Contains(st.Detail, tt.reason) {
				t.Errorf("coverage = %+v, want unavailable naming %q", st, tt.reason)
			}
			if gaps := kernelGaps(snap); len(gaps) != 1 || !strings.Contains(gaps[0].Reason, tt.reason) {
				t.Errorf("gaps = %v, want one naming %q", gaps, tt.reason)
			}
			if len(snap.Decisions) != 0 {
				t.Errorf("decisions = %v, want none", snap.Decisions)
			}
		})
	}
}

// failingQuerier fails every question with one error.
type failingQuerier struct{ err error }

func (q failingQuerier) Query(string, string, uint16) (Decision, error) { return Decision{}, q.err }

// A context the policy rejects is recorded as a decision with an error
// and as a coverage gap naming both contexts. The checks fall back to the
// label model for that access.
func TestCollectRejectedContext(t *testing.T) {
	proc := containerT + "s0:c1,c2"
	snap := enforcingHost(confinedAt("app", "s0:c1,c2", withMounts(bindRW("/srv/odd", "/odd"))))
	snap.Files = []inventory.FileLabel{mountSource("/srv/odd", "dir", nonexistentT)}
	q := newFixtureQuerier(t, map[string]string{
		answerKey(proc, fileT+"s0:c1,c2", fileIndex): sameLevel,
		answerKey(proc, nonexistentT, dirIndex):      rejected,
	})
	collectWith(t, snap, q)
	q.assertAllAnswered(t)

	st, _ := kernelSource(snap)
	if st.Status != inventory.StatusPartial || !strings.Contains(st.Detail, "2 rejected a context") {
		t.Errorf("coverage = %+v, want partial with 2 rejected", st)
	}
	gaps := kernelGaps(snap)
	if len(gaps) != 2 {
		t.Fatalf("gaps = %v, want one per rejected question", gaps)
	}
	for _, g := range gaps {
		if !strings.Contains(g.Subject, proc) || !strings.Contains(g.Subject, nonexistentT) {
			t.Errorf("gap subject %q does not name both contexts", g.Subject)
		}
	}

	res := checks.Run(snap, checks.Catalog())
	f := findingOn(t, res, "MOUNT-005", "/srv/odd")
	if f.Basis != checks.BasisLabelModel || f.Severity != checks.SeverityLow {
		t.Errorf("MOUNT-005 = %s, %s; want the label model's low", f.Basis, f.Severity)
	}
	if v, ok := evidenceNamed(f, "kernel decision (file) for app on /srv/odd"); !ok || !strings.Contains(v, "not valid in the loaded policy") {
		t.Errorf("evidence %q, want the rejection", v)
	}
}

// The host types of the recorded kernel, judged by its decisions: etc_t
// read but not written, var_t, user_home_t and tmp_t neither.
func TestHostTypeMountsJudgedByDecision(t *testing.T) {
	snap := hostTypeSnapshot()
	q := newFixtureQuerier(t, hostTypeAnswers())
	collectWith(t, snap, q)
	q.assertAllAnswered(t)
	if st, _ := kernelSource(snap); st.Status != inventory.StatusComplete {
		t.Errorf("coverage = %+v, want complete", st)
	}

	res := checks.Run(snap, checks.Catalog())
	tests := []struct {
		path     string
		severity checks.Severity
		message  string
	}{
		{"/etc/app", checks.SeverityLow, "the kernel lets it read there but denies every write"},
		{"/var/lib/app", checks.SeverityInfo, "denies it every read and write"},
		{"/home/alice/data", checks.SeverityInfo, "denies it every read and write"},
		{"/tmp/scratch", checks.SeverityInfo, "denies it every read and write"},
	}
	for _, tt := range tests {
		f := findingOn(t, res, "MOUNT-005", tt.path)
		if f.Severity != tt.severity || f.Basis != checks.BasisKernel || !strings.Contains(f.Message, tt.message) {
			t.Errorf("%s: %s, %s: %s\nwant %s, kernel decision, %q", tt.path, f.Severity, f.Basis, f.Message, tt.severity, tt.message)
		}
	}
	etc := findingOn(t, res, "MOUNT-005", "/etc/app")
	if v, _ := evidenceNamed(etc, "kernel decision (file) for app on /etc/app"); v != "allowed open, read; denied append, create, unlink, write" {
		t.Errorf("etc_t file decision evidence = %q", v)
	}
}

// A permissive domain gets what the policy denies: the kernel reports the
// flag, and the finding counts the write.
func TestPermissiveDomainDecision(t *testing.T) {
	proc := containerT + "s0:c1,c2"
	answers := hostTypeAnswers()
	answers[answerKey(proc, varT, fileIndex)] = "0 ffffffff 0 ffffffef 2 1"
	snap := hostTypeSnapshot()
	q := newFixtureQuerier(t, answers)
	collectWith(t, snap, q)
	q.assertAllAnswered(t)

	var found bool
	for _, d := range snap.Decisions {
		if d.Target == varT && d.Class == checks.ClassFile {
			found = true
			if !d.Permissive {
				t.Error("var_t decision not marked permissive")
			}
		}
	}
	if !found {
		t.Fatal("no var_t file decision recorded")
	}
	f := findingOn(t, checks.Run(snap, checks.Catalog()), "MOUNT-005", "/var/lib/app")
	if f.Severity != checks.SeverityMedium || !strings.Contains(f.Message, "permissive") {
		t.Errorf("MOUNT-005 = %s: %s; want medium, naming the permissive domain", f.Severity, f.Message)
	}
	if v, _ := evidenceNamed(f, "kernel decision (file) for app on /var/lib/app"); !strings.Contains(v, "the source domain is permissive") {
		t.Errorf("evidence = %q, want the permissive domain named", v)
	}
}

// mcsSnapshot holds c1 and c2 at one forced level in two engines
// (MCS-001), and d1 at a superset of it (MCS-002), which also mounts
// c1's private volume writable (MOUNT-002).
func mcsSnapshot() *inventory.Snapshot {
	docker := inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"}
	snap := enforcingHost(
		confinedAt("c1", "s0:c100,c200"),
		confinedAt("c2", "s0:c100,c200", onEngine(docker)),
		confinedAt("d1", "s0:c100,c200,c300", withMounts(bindRW("/srv/c1-data", "/data"))),
	)
	snap.Files = []inventory.FileLabel{mountSource("/srv/c1-data", "dir", fileT+"s0:c100,c200")}
	return snap
}

// mcsAnswers are the kernel's answers for mcsSnapshot: the recorded file
// answers, and for the rest what the same policy grants.
func mcsAnswers() map[string]string {
	low, high := containerT+"s0:c100,c200", containerT+"s0:c100,c200,c300"
	return map[string]string{
		answerKey(low, low, processIndex):                     signalSameLevel,
		answerKey(high, low, processIndex):                    signalSameLevel,
		answerKey(high, fileT+"s0:c100,c200", dirIndex):       sameLevel,
		answerKey(high, fileT+"s0:c100,c200,c300", fileIndex): sameLevel,
	}
}

// The recorded kernel allows what the label model predicts for a shared
// level and a superset: the findings say so and rest on its decisions.
func TestMCSFindingsConfirmed(t *testing.T) {
	snap := mcsSnapshot()
	q := newFixtureQuerier(t, mcsAnswers())
	collectWith(t, snap, q)
	q.assertAllAnswered(t)

	res := checks.Run(snap, checks.Catalog())
	for _, id := range []string{"MCS-001", "MCS-002"} {
		fs := findingsOf(res, id)
		if len(fs) != 1 {
			t.Fatalf("%s findings = %d, want 1", id, len(fs))
		}
		f := fs[0]
		if f.Basis != checks.BasisKernel || f.Severity != checks.SeverityHigh || !strings.Contains(f.Message, "confirm") {
			t.Errorf("%s = %s, %s: %s; want high, confirmed by the kernel", id, f.Severity, f.Basis, f.Message)
		}
		if v, _ := evidenceNamed(f, "kernel"); !strings.HasPrefix(v, "allowed all") {
			t.Errorf("%s kernel evidence = %q", id, v)
		}
	}
	f := findingOn(t, res, "MOUNT-002", "/srv/c1-data")
	if f.Basis != checks.BasisKernel || f.Severity != checks.SeverityHigh || !strings.Contains(f.Message, "lets it read and write") {
		t.Errorf("MOUNT-002 = %s, %s: %s; want high by the kernel's decision", f.Severity, f.Basis, f.Message)
	}
	// Findings that rest on no decision keep the label model as basis.
	for _, f := range res.Findings {
		if f.CheckID == "MCS-004" && f.Basis != checks.BasisLabelModel {
			t.Errorf("MCS-004 basis = %q, want the label model", f.Basis)
		}
	}
}

// When the kernel denies every access the label model predicts, the
// finding reports the kernel's verdict at low, with both answers. The
// denials here are synthetic: the recorded policy allowed the superset.
func TestMCSFindingContradicted(t *testing.T) {
	low, high := containerT+"s0:c100,c200", containerT+"s0:c100,c200,c300"
	answers := mcsAnswers()
	answers[answerKey(high, fileT+"s0:c100,c200", fileIndex)] = otherLevel
	answers[answerKey(high, fileT+"s0:c100,c200", dirIndex)] = searchOnly
	answers[answerKey(high, low, processIndex)] = crossLevelProcess
	snap := mcsSnapshot()
	q := newFixtureQuerier(t, answers)
	collectWith(t, snap, q)
	q.assertAllAnswered(t)

	res := checks.Run(snap, checks.Catalog())
	f := findingsOf(res, "MCS-002")[0]
	if f.Severity != checks.SeverityLow || f.Basis != checks.BasisKernel {
		t.Errorf("MCS-002 = %s, %s; want low, kernel decision", f.Severity, f.Basis)
	}
	if !strings.Contains(f.Message, "the label model predicts that it reads and writes") || !strings.Contains(f.Message, "the kernel denies all 2 such accesses") {
		t.Errorf("MCS-002 message = %q", f.Message)
	}
	if v, ok := evidenceNamed(f, "label model"); !ok || v == "" {
		t.Error("MCS-002 evidence lacks the label model's prediction")
	}
	if v, _ := evidenceNamed(f, "kernel"); v != "denied all 2 accesses asked" {
		t.Errorf("MCS-002 kernel evidence = %q", v)
	}

	m := findingOn(t, res, "MOUNT-002", "/srv/c1-data")
	if m.Severity != checks.SeverityLow || !strings.Contains(m.Message, "contrary to the label model's prediction") {
		t.Errorf("MOUNT-002 = %s: %s; want low, contrary to the label model", m.Severity, m.Message)
	}
	if v, _ := evidenceNamed(m, "label model"); !strings.Contains(v, "dominates") {
		t.Errorf("MOUNT-002 label model evidence = %q", v)
	}
}

// A snapshot keeps the decisions: audited again after a JSON round trip,
// with no kernel to ask, it gives the same findings.
func TestDecisionsSurviveSnapshot(t *testing.T) {
	snap := mcsSnapshot()
	q := newFixtureQuerier(t, mcsAnswers())
	collectWith(t, snap, q)
	want := checks.Run(snap, checks.Catalog())

	var buf bytes.Buffer
	if err := snap.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"decisions"`) {
		t.Fatal("the snapshot JSON has no decisions")
	}
	read, err := inventory.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read.Decisions, snap.Decisions) {
		t.Errorf("decisions after the round trip differ:\n%+v\nwant\n%+v", read.Decisions, snap.Decisions)
	}
	got := checks.Run(read, checks.Catalog())
	if !reflect.DeepEqual(got.Findings, want.Findings) {
		t.Errorf("findings after the round trip differ:\n%+v\nwant\n%+v", got.Findings, want.Findings)
	}
	if !reflect.DeepEqual(got.NotEvaluated, want.NotEvaluated) {
		t.Errorf("not evaluated after the round trip:\n%+v\nwant\n%+v", got.NotEvaluated, want.NotEvaluated)
	}
	kernelBased := 0
	for _, f := range got.Findings {
		if f.Basis == checks.BasisKernel {
			kernelBased++
		}
	}
	if kernelBased == 0 {
		t.Error("no finding rests on a kernel decision after the round trip")
	}
}

// Decisions are sorted by source, target and class, and each key once.
func TestCollectDecisionsSorted(t *testing.T) {
	snap := mcsSnapshot()
	collectWith(t, snap, fastQuerier{})
	seen := map[string]bool{}
	for i, d := range snap.Decisions {
		key := d.Source + "\x00" + d.Target + "\x00" + d.Class
		if seen[key] {
			t.Errorf("decision %s asked twice", key)
		}
		seen[key] = true
		if i == 0 {
			continue
		}
		p := snap.Decisions[i-1]
		if p.Source+"\x00"+p.Target+"\x00"+p.Class > key {
			t.Errorf("decision %d (%s) sorts before %d", i, key, i-1)
		}
	}
}

// A cancelled scan stops asking and keeps what it read.
func TestCollectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	snap := mcsSnapshot()
	Collect(ctx, Options{HostRoot: writeSelinuxfs(t), Querier: fastQuerier{}}, snap)
	st, _ := kernelSource(snap)
	if st.Status != inventory.StatusUnavailable || !strings.Contains(st.Detail, "canceled") {
		t.Errorf("coverage = %+v, want unavailable after the cancel", st)
	}
}

// stoppingQuerier answers n questions, then fails every later one.
type stoppingQuerier struct {
	n   int
	err error
}

func (q *stoppingQuerier) Query(s, t string, class uint16) (Decision, error) {
	if q.n == 0 {
		return Decision{}, q.err
	}
	q.n--
	return fastQuerier{}.Query(s, t, class)
}

// An interface that fails part way keeps the answers it gave, and the
// coverage says where it stopped.
func TestCollectStopsOnFailure(t *testing.T) {
	snap := mcsSnapshot()
	Collect(context.Background(), Options{HostRoot: writeSelinuxfs(t), Querier: &stoppingQuerier{n: 2, err: errors.New("read failed: EIO")}}, snap)
	if len(snap.Decisions) != 2 {
		t.Errorf("decisions = %d, want the 2 answered before the failure", len(snap.Decisions))
	}
	st, _ := kernelSource(snap)
	if st.Status != inventory.StatusPartial {
		t.Errorf("coverage = %+v, want partial", st)
	}
	gaps := kernelGaps(snap)
	if len(gaps) != 1 || !strings.Contains(gaps[0].Reason, "asking stopped after 2 of") || !strings.Contains(gaps[0].Reason, "EIO") {
		t.Errorf("gaps = %v, want one naming where asking stopped and why", gaps)
	}
}

// Pairs left out by the bound make the coverage partial, with one gap
// that counts them.
func TestCollectPairBound(t *testing.T) {
	snap := rangeHost(200, 1)
	Collect(context.Background(), Options{HostRoot: writeSelinuxfs(t), Querier: fastQuerier{}, Limits: Limits{Pairs: 10}}, snap)
	st, _ := kernelSource(snap)
	if st.Status != inventory.StatusPartial || !strings.Contains(st.Detail, "left out by the bound of 10") {
		t.Errorf("coverage = %+v, want partial naming the bound", st)
	}
	gaps := kernelGaps(snap)
	if len(gaps) != 1 || gaps[0].Subject != "MCS reach pairs" {
		t.Errorf("gaps = %v, want one for the pairs left out", gaps)
	}
	res := checks.Run(snap, checks.Catalog())
	for _, f := range findingsOf(res, "MCS-002") {
		if f.Basis != checks.BasisLabelModel {
			t.Errorf("MCS-002 basis = %q, want the label model: most of its pairs were not asked", f.Basis)
		}
	}
}

// Skip leaves the kernel unasked and records the source as skipped.
func TestCollectSkippedByRequest(t *testing.T) {
	snap := hostTypeSnapshot()
	q := newFixtureQuerier(t, hostTypeAnswers())
	Collect(context.Background(), Options{HostRoot: writeSelinuxfs(t), Querier: q, Skip: true}, snap)
	if q.asked != 0 {
		t.Errorf("%d questions asked, want none", q.asked)
	}
	if len(snap.Decisions) != 0 {
		t.Errorf("decisions = %v, want none", snap.Decisions)
	}
	st, ok := kernelSource(snap)
	if !ok || st.Status != inventory.StatusUnavailable || st.Detail != SkippedDetail {
		t.Errorf("coverage = %+v, want unavailable with %q", st, SkippedDetail)
	}
	if gaps := kernelGaps(snap); len(gaps) != 0 {
		t.Errorf("gaps = %v, want none", gaps)
	}
}
