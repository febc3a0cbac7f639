package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

// Labels used across the tests.
const (
	containerT = "system_u:system_r:container_t:"
	spcT       = "system_u:system_r:spc_t:"
	fileT      = "system_u:object_r:container_file_t:"
)

var podmanRoot = inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"}

func hostSnapshot(state inventory.SELinuxState) *inventory.Snapshot {
	snap := inventory.New("h", fixturesnap.CollectedAt)
	snap.Host.SELinux = inventory.SELinux{State: state, StateReason: "test"}
	return snap
}

// enforcingSnapshot is an SELinux-enforcing host whose policy type and
// booleans were read, so that host checks have nothing to report.
func enforcingSnapshot(containers ...inventory.Container) *inventory.Snapshot {
	snap := hostSnapshot(inventory.SELinuxEnforcing)
	snap.Host.SELinux.PolicyType = "targeted"
	snap.Host.SELinux.Booleans = []inventory.Boolean{}
	snap.Containers = append(snap.Containers, containers...)
	return snap
}

// withFiles marks file labels as collected and adds them.
func withFiles(snap *inventory.Snapshot, files ...inventory.FileLabel) *inventory.Snapshot {
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceFileLabels, Target: "/", Status: inventory.StatusComplete})
	snap.Files = append(snap.Files, files...)
	return snap
}

// withProcesses marks procfs as collected and adds processes.
func withProcesses(snap *inventory.Snapshot, procs ...inventory.Process) *inventory.Snapshot {
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceProcfs, Target: "/proc", Status: inventory.StatusComplete})
	snap.Processes = append(snap.Processes, procs...)
	return snap
}

func container(name string, edit func(*inventory.Container)) inventory.Container {
	c := inventory.Container{
		ID: name + "-id", Name: name, State: "running", Engine: podmanRoot,
		ProcessLabel: inventory.Label{State: inventory.NotLabeled},
		MountLabel:   inventory.Label{State: inventory.NotLabeled},
		SecurityOpt:  []string{}, Mounts: []inventory.Mount{},
		DiscoveredBy: inventory.DiscoveredByAPI,
	}
	if edit != nil {
		edit(&c)
	}
	return c
}

// confined returns a container_t container at level, with its mount label
// at the same level.
func confined(name, level string, edits ...func(*inventory.Container)) inventory.Container {
	return container(name, func(c *inventory.Container) {
		c.ProcessLabel = labeled(containerT + level)
		c.MountLabel = labeled(fileT + level)
		for _, edit := range edits {
			edit(c)
		}
	})
}

// privileged returns a container whose labeling is disabled, as Podman
// reports it: no process label and the shared mount level s0:c1022,c1023.
func privileged(name string, edits ...func(*inventory.Container)) inventory.Container {
	return container(name, func(c *inventory.Container) {
		c.Privileged = true
		c.MountLabel = labeled(fileT + "s0:c1022,c1023")
		for _, edit := range edits {
			edit(c)
		}
	})
}

func labeled(value string) inventory.Label {
	return inventory.Label{State: inventory.Labeled, Value: value}
}

func process(containerID string, pid int, label string) inventory.Process {
	return inventory.Process{PID: pid, PPID: 1, ContainerID: containerID, Label: labeled(label), TiedBy: inventory.TiedByCgroup}
}

func fileLabel(path, label string, roles ...string) inventory.FileLabel {
	return inventory.FileLabel{Path: path, Roles: roles, Kind: "dir", Label: labeled(label)}
}

func bind(source, destination string, rw bool) inventory.Mount {
	return inventory.Mount{Type: "bind", Source: source, Destination: destination, RW: rw}
}

func inPod(podID string) func(*inventory.Container) {
	return func(c *inventory.Container) { c.Pod = podID }
}

func mounts(ms ...inventory.Mount) func(*inventory.Container) {
	return func(c *inventory.Container) { c.Mounts = append(c.Mounts, ms...) }
}

func engine(ref inventory.EngineRef) func(*inventory.Container) {
	return func(c *inventory.Container) { c.Engine = ref }
}

func findingIDs(res Result) []string {
	var ids []string
	for _, f := range res.Findings {
		ids = append(ids, f.CheckID)
	}
	return ids
}

// distinctIDs returns the sorted set of check IDs with findings.
func distinctIDs(res Result) []string {
	ids := findingIDs(res)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// findingsFor returns the first subject's name of each finding of checkID,
// sorted.
func findingsFor(res Result, checkID string) []string {
	var names []string
	for _, f := range res.Findings {
		if f.CheckID == checkID {
			names = append(names, subjectName(f.Subjects[0]))
		}
	}
	slices.Sort(names)
	return names
}

// subjectsOf returns the sorted names of every subject of every finding
// of checkID, each once.
func subjectsOf(res Result, checkID string) []string {
	var names []string
	for _, f := range res.Findings {
		if f.CheckID != checkID {
			continue
		}
		for _, s := range f.Subjects {
			names = append(names, subjectName(s))
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func subjectName(s Subject) string {
	if s.Kind == KindPath {
		return s.Path
	}
	return s.Name
}

func findingsOf(res Result, checkID string) []Finding {
	var out []Finding
	for _, f := range res.Findings {
		if f.CheckID == checkID {
			out = append(out, f)
		}
	}
	return out
}

func notEvaluatedFor(res Result, checkID string) []NotEvaluated {
	var out []NotEvaluated
	for _, n := range res.NotEvaluated {
		if n.CheckID == checkID {
			out = append(out, n)
		}
	}
	return out
}

func evidenceValue(f Finding, name string) string {
	for _, e := range f.Evidence {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func assertIDs(t *testing.T, res Result, want ...string) {
	t.Helper()
	got := distinctIDs(res)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("checks with findings = %v, want %v\n%s", got, want, describeFindings(res))
	}
}

func describeFindings(res Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString("  " + f.CheckID + " " + f.Severity.String() + ": " + f.Message + "\n")
	}
	return b.String()
}
