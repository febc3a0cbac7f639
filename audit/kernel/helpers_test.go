package kernel

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Contexts used across the tests.
const (
	containerT   = "system_u:system_r:container_t:"
	fileT        = "system_u:object_r:container_file_t:"
	etcT         = "system_u:object_r:etc_t:s0"
	varT         = "system_u:object_r:var_t:s0"
	userHomeT    = "system_u:object_r:user_home_t:s0"
	tmpT         = "system_u:object_r:tmp_t:s0"
	nonexistentT = "bogus_u:object_r:nonexistent_t:s0"
)

// Class indexes of the recorded Debian 12 kernel, as writeSelinuxfs
// lays them out.
const (
	fileIndex    = 6
	dirIndex     = 7
	processIndex = 2
)

// Answers the recorded kernel did not give, built from the permission
// numbers of writeSelinuxfs for the tests that need them.
const (
	// sameLevel is what the kernel answered for container_t on
	// container_file_t at its own level; as a dir answer it grants read,
	// write, add_name and remove_name.
	sameLevel = "6147e7f ffffffff 0 ffffffef 2 0"
	// otherLevel is the recorded file answer for container_t on another
	// level: getattr, map and watch.
	otherLevel = "4100410 ffffffff 0 ffffffef 2 0"
	// searchOnly is the recorded dir answer for container_t on
	// user_home_t: getattr, open and search, no read or write.
	searchOnly = "10040010 ffffffff 0 effbffac 2 0"
	// readDir grants a directory's getattr, open, read and search.
	readDir = "10040012 ffffffff 0 ffffffef 2 0"
	// signalSameLevel grants fork, sigchld, sigkill, signull and signal,
	// but not ptrace, to a process at the same level.
	signalSameLevel = "600006d ffffffff 0 fffbffff 2 0"
	// crossLevelProcess is the recorded process answer for container_t
	// on another level: no signal, sigkill or ptrace.
	crossLevelProcess = "6000025 ffffffff 0 fffbffff 2 0"
	// rejected stands for a context the policy does not know: the
	// querier returns ErrInvalidContext.
	rejected = ""
)

// fixtureQuerier answers from the recorded kernel answers plus extra
// ones, counts the questions that reached it, and records each question
// it has no answer for.
type fixtureQuerier struct {
	answers map[string]string

	mu         sync.Mutex
	asked      int
	unanswered []string
}

func answerKey(scontext, tcontext string, class uint16) string {
	return scontext + " " + tcontext + " " + strconv.Itoa(int(class))
}

// newFixtureQuerier loads the recorded answers; extra adds or replaces
// answers, keyed by answerKey.
func newFixtureQuerier(t *testing.T, extra map[string]string) *fixtureQuerier {
	t.Helper()
	q := &fixtureQuerier{answers: map[string]string{}}
	for _, a := range readRecordedAnswers(t) {
		q.answers[answerKey(a.scontext, a.tcontext, a.class)] = a.answer
	}
	for k, v := range extra {
		q.answers[k] = v
	}
	return q
}

func (q *fixtureQuerier) Query(scontext, tcontext string, class uint16) (Decision, error) {
	key := answerKey(scontext, tcontext, class)
	q.mu.Lock()
	q.asked++
	answer, ok := q.answers[key]
	if !ok {
		q.unanswered = append(q.unanswered, key)
	}
	q.mu.Unlock()
	if !ok || answer == rejected {
		return Decision{}, fmt.Errorf("asking for %s -> %s: %w", scontext, tcontext, ErrInvalidContext)
	}
	return ParseDecision(answer)
}

// assertAllAnswered fails the test for each question the table lacked.
func (q *fixtureQuerier) assertAllAnswered(t *testing.T) {
	t.Helper()
	for _, key := range q.unanswered {
		t.Errorf("no answer in the test table for %q", key)
	}
}

// fastQuerier answers every question at once with one fixed decision.
type fastQuerier struct{}

func (fastQuerier) Query(string, string, uint16) (Decision, error) {
	return Decision{Allowed: 0x6147e7f, Decided: 0xffffffff, Seqno: 2}, nil
}

var podmanRoot = inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"}

func labeled(value string) inventory.Label {
	return inventory.Label{State: inventory.Labeled, Value: value}
}

// enforcingHost is an enforcing host whose engines and file labels were
// read.
func enforcingHost(containers ...inventory.Container) *inventory.Snapshot {
	snap := inventory.New("h", time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	snap.Host.SELinux = inventory.SELinux{State: inventory.SELinuxEnforcing, PolicyType: "targeted",
		Booleans: []inventory.Boolean{{Name: "virt_use_nfs"}}}
	snap.Containers = append(snap.Containers, containers...)
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourcePodman, Target: podmanRoot.URL, Status: inventory.StatusComplete})
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceFileLabels, Target: "/", Status: inventory.StatusComplete})
	return snap
}

// confinedAt returns a running container_t container at level, with its
// mount label at the same level.
func confinedAt(name, level string, edits ...func(*inventory.Container)) inventory.Container {
	c := inventory.Container{
		ID: name + "-id", Name: name, State: "running", Engine: podmanRoot,
		ProcessLabel: labeled(containerT + level), MountLabel: labeled(fileT + level),
		SecurityOpt: []string{}, Mounts: []inventory.Mount{}, DiscoveredBy: inventory.DiscoveredByAPI,
	}
	for _, edit := range edits {
		edit(&c)
	}
	return c
}

func withMounts(ms ...inventory.Mount) func(*inventory.Container) {
	return func(c *inventory.Container) { c.Mounts = append(c.Mounts, ms...) }
}

func onEngine(ref inventory.EngineRef) func(*inventory.Container) {
	return func(c *inventory.Container) { c.Engine = ref }
}

func bindRW(source, destination string) inventory.Mount {
	return inventory.Mount{Type: "bind", Source: source, Destination: destination, RW: true}
}

func mountSource(path, kind, label string) inventory.FileLabel {
	return inventory.FileLabel{Path: path, Roles: []string{inventory.RoleMountSource}, Kind: kind, Label: labeled(label)}
}

// findingsOf returns the findings of one check.
func findingsOf(res checks.Result, checkID string) []checks.Finding {
	var out []checks.Finding
	for _, f := range res.Findings {
		if f.CheckID == checkID {
			out = append(out, f)
		}
	}
	return out
}

// findingOn returns the finding of checkID whose subjects include path.
func findingOn(t *testing.T, res checks.Result, checkID, path string) checks.Finding {
	t.Helper()
	for _, f := range findingsOf(res, checkID) {
		if slices.ContainsFunc(f.Subjects, func(s checks.Subject) bool { return s.Path == path }) {
			return f
		}
	}
	t.Fatalf("no %s finding on %s", checkID, path)
	return checks.Finding{}
}

func evidenceNamed(f checks.Finding, name string) (string, bool) {
	for _, e := range f.Evidence {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// questionKeys returns "CLASS SOURCE -> TARGET" for each question.
func questionKeys(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Class + " " + q.Source + " -> " + q.Target
	}
	return out
}
