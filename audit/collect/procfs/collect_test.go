package procfs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

var testTime = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

const containerLabel = "system_u:system_r:container_t:s0:c1,c2"

func TestCollectRecordsAllContainerProcesses(t *testing.T) {
	id := testID(1)
	cg := "0::/machine.slice/libpod-" + id + ".scope/container\n"
	root := writeTree(t,
		conmonSpec(100, id, "web", "0::/machine.slice/libpod-conmon-"+id+".scope\n"),
		procSpec{pid: 101, ppid: 100, comm: "sh", attr: containerLabel + "\x00", cgroup: cg},
		procSpec{pid: 102, ppid: 101, comm: "a) b (c", attr: containerLabel + "\x00", cgroup: cg},
		procSpec{pid: 103, ppid: 101, comm: "sleep", attr: containerLabel + "\x00", cgroup: cg},
		// podman container cleanup runs in conmon's scope and is not the container.
		procSpec{pid: 104, ppid: 100, comm: "podman", attr: "system_u:system_r:podman_t:s0\x00", cgroup: "0::/machine.slice/libpod-conmon-" + id + ".scope\n"},
	)
	snap := collect(t, root, inventory.SELinuxEnforcing)

	procs := processesOf(snap, id)
	if len(procs) != 3 {
		t.Fatalf("got %d processes of the container, want 3 (conmon and cleanup excluded): %+v", len(procs), snap.Processes)
	}
	if procs[1].Comm != "a) b (c" {
		t.Errorf("Comm = %q, want the name with spaces and parentheses", procs[1].Comm)
	}
	for _, p := range procs {
		if p.TiedBy != inventory.TiedByCgroup {
			t.Errorf("pid %d TiedBy = %q, want cgroup", p.PID, p.TiedBy)
		}
		if p.Label != (inventory.Label{State: inventory.Labeled, Value: containerLabel}) {
			t.Errorf("pid %d Label = %+v, want %s", p.PID, p.Label, containerLabel)
		}
		if p.Cgroup != "/machine.slice/libpod-"+id+".scope/container" {
			t.Errorf("pid %d Cgroup = %q", p.PID, p.Cgroup)
		}
		if p.Engine != "podman" {
			t.Errorf("pid %d Engine = %q, want podman", p.PID, p.Engine)
		}
		if p.UID == nil || *p.UID != 0 {
			t.Errorf("pid %d UID = %v, want 0", p.PID, p.UID)
		}
	}

	ctr := containerByID(t, snap, id)
	if ctr.PID != 101 {
		t.Errorf("discovered container PID = %d, want the init process 101", ctr.PID)
	}
	if ctr.Name != "web" {
		t.Errorf("Name = %q, want web from conmon's -n", ctr.Name)
	}
}

func TestCollectDiscoveredContainer(t *testing.T) {
	id := testID(2)
	root := writeTree(t,
		conmonSpec(100, id, "rootless-web", "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-"+id+".scope\n"),
		procSpec{pid: 101, ppid: 100, comm: "nginx", uid: 1000, attr: containerLabel + "\x00",
			cgroup: "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id + ".scope/container\n"},
	)
	snap := collect(t, root, inventory.SELinuxEnforcing)

	ctr := containerByID(t, snap, id)
	if ctr.DiscoveredBy != inventory.DiscoveredByProcfs {
		t.Errorf("DiscoveredBy = %q, want procfs", ctr.DiscoveredBy)
	}
	if ctr.Engine.Name != "podman" || !ctr.Engine.Rootless || ctr.Engine.UID == nil || *ctr.Engine.UID != 1000 {
		t.Errorf("Engine = %+v (uid %v), want rootless podman of uid 1000", ctr.Engine, ctr.Engine.UID)
	}
	if ctr.ProcessLabel != (inventory.Label{State: inventory.Labeled, Value: containerLabel}) {
		t.Errorf("ProcessLabel = %+v", ctr.ProcessLabel)
	}
	if ctr.MountLabel.State != inventory.Unknown || ctr.MountLabel.Reason != "seen only through procfs" {
		t.Errorf("MountLabel = %+v, want unknown, seen only through procfs", ctr.MountLabel)
	}
	if ctr.State != "running" {
		t.Errorf("State = %q", ctr.State)
	}
	if ctr.Mounts == nil || len(ctr.Mounts) != 0 || ctr.SecurityOpt == nil || len(ctr.SecurityOpt) != 0 {
		t.Errorf("Mounts = %#v, SecurityOpt = %#v, want empty non-nil slices", ctr.Mounts, ctr.SecurityOpt)
	}
}

func TestCollectEngineNames(t *testing.T) {
	kubePod := "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2a9c1e_0b6d_4c1a_9d7e_2b8f1a6c5d40.slice/"
	tests := []struct {
		cgroup, engine, pod string
	}{
		{"0::/system.slice/docker-" + testID(10) + ".scope\n", "docker", ""},
		{"0::" + kubePod + "crio-" + testID(11) + ".scope\n", "crio", "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40"},
		{"0::" + kubePod + "cri-containerd-" + testID(12) + ".scope\n", "containerd", "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40"},
		{"0::/kubepods/besteffort/pod3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40/" + testID(13) + "\n", "unknown", "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40"},
		{"12:pids:/docker/" + testID(14) + "\n1:name=systemd:/docker/" + testID(14) + "\n", "docker", ""},
	}
	var specs []procSpec
	for i, tt := range tests {
		specs = append(specs, procSpec{pid: 200 + i, ppid: 1, comm: "app", attr: containerLabel + "\x00", cgroup: tt.cgroup})
	}
	snap := collect(t, writeTree(t, specs...), inventory.SELinuxEnforcing)

	for i, tt := range tests {
		ctr := containerByID(t, snap, testID(10+i))
		if ctr.Engine.Name != tt.engine {
			t.Errorf("container from %q: Engine.Name = %q, want %q", tt.cgroup, ctr.Engine.Name, tt.engine)
		}
		if ctr.Pod != tt.pod {
			t.Errorf("container from %q: Pod = %q, want %q", tt.cgroup, ctr.Pod, tt.pod)
		}
		// A process running as host root can only come from a rootful engine.
		if ctr.Engine.Rootless || ctr.Engine.UID == nil || *ctr.Engine.UID != 0 {
			t.Errorf("container from %q: Engine = %+v, want rootful uid 0", tt.cgroup, ctr.Engine)
		}
	}
}

func TestCollectOwnerUnknownWithoutEvidence(t *testing.T) {
	// A rootful engine with a user namespace: the process runs as a
	// mapped uid, no conmon is seen, and the cgroup names no user.
	id := testID(3)
	root := writeTree(t, procSpec{pid: 10, ppid: 1, comm: "app", uid: 200000, attr: containerLabel + "\x00",
		cgroup: "0::/system.slice/docker-" + id + ".scope\n"})
	snap := collect(t, root, inventory.SELinuxEnforcing)

	if ctr := containerByID(t, snap, id); ctr.Engine.UID != nil {
		t.Errorf("Engine.UID = %d, want nil: nothing tells the engine's user", *ctr.Engine.UID)
	}
}

func TestCollectTiesByConmonChain(t *testing.T) {
	id := testID(4)
	session := "0::/user.slice/user-1000.slice/session-3.scope\n"
	conmon := conmonSpec(500, id, "", session)
	conmon.uid = 1000
	conmon.cmdline = []string{"/usr/bin/conmon", "--api-version", "1", "--cid=" + id, "--name=rl", "--exit-command", "/usr/bin/podman"}
	root := writeTree(t,
		procSpec{pid: 400, ppid: 1, comm: "bash", uid: 1000, attr: "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023\x00", cgroup: session},
		conmon,
		procSpec{pid: 501, ppid: 500, comm: "sleep", uid: 1000, attr: containerLabel + "\x00", cgroup: session},
		procSpec{pid: 502, ppid: 501, comm: "sh", uid: 1000, attr: containerLabel + "\x00", cgroup: session},
		// The runtime is conmon's child while it sets the container up.
		procSpec{pid: 503, ppid: 500, comm: "crun", uid: 1000, attr: "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023\x00", cgroup: session},
	)
	snap := collect(t, root, inventory.SELinuxEnforcing)

	procs := processesOf(snap, id)
	if len(procs) != 2 || procs[0].PID != 501 || procs[1].PID != 502 {
		t.Fatalf("processes of the container = %+v, want pids 501 and 502", procs)
	}
	for _, p := range procs {
		if p.TiedBy != inventory.TiedByConmon {
			t.Errorf("pid %d TiedBy = %q, want conmon", p.PID, p.TiedBy)
		}
		if p.Cgroup != "" {
			t.Errorf("pid %d Cgroup = %q, want empty: the session's cgroup did not tie it", p.PID, p.Cgroup)
		}
	}
	if len(snap.Processes) != 2 {
		t.Errorf("got %d processes, want 2: bash, conmon and crun belong to no container", len(snap.Processes))
	}
	ctr := containerByID(t, snap, id)
	if ctr.Name != "rl" || ctr.Engine.Name != "podman" || !ctr.Engine.Rootless || *ctr.Engine.UID != 1000 {
		t.Errorf("container = name %q engine %+v, want rl, rootless podman of uid 1000 from its conmon", ctr.Name, ctr.Engine)
	}
}

func TestCollectAPIContainerJoin(t *testing.T) {
	idOK, idReused, idGone, idOther, idRemote := testID(20), testID(21), testID(22), testID(23), testID(24)
	cg := func(id string) string { return "0::/machine.slice/libpod-" + id + ".scope/container\n" }
	root := writeTree(t,
		procSpec{pid: 10, ppid: 1, comm: "sleep", attr: containerLabel + "\x00", cgroup: cg(idOK)},
		procSpec{pid: 20, ppid: 1, comm: "sleep", attr: containerLabel + "\x00", cgroup: cg(idReused)},
		procSpec{pid: 30, ppid: 1, comm: "sleep", attr: containerLabel + "\x00", cgroup: cg(idOther)},
		procSpec{pid: 40, ppid: 1, comm: "bash", attr: "unconfined_u:unconfined_r:unconfined_t:s0\x00", cgroup: "0::/user.slice/user-0.slice/session-1.scope\n"},
	)
	api := func(id string, pid int, url string) inventory.Container {
		return inventory.Container{ID: id, State: "running", PID: pid, DiscoveredBy: inventory.DiscoveredByAPI,
			Engine: inventory.EngineRef{Name: "podman", URL: url}}
	}
	local := "unix:///run/podman/podman.sock"
	snap := collect(t, root, inventory.SELinuxEnforcing,
		api(idOK, 10, local),
		api(idReused, 30, local), // pid 30 belongs to idOther now
		api(idGone, 99, local),
		api(idRemote, 77, "ssh://core@10.0.0.1/run/podman/podman.sock"),
		inventory.Container{ID: testID(25), State: "running", PID: 40, Engine: inventory.EngineRef{URL: local}},
	)

	if g := gapsFor(snap, idOK); len(g) != 0 {
		t.Errorf("gaps for the matching container = %q, want none", g)
	}
	if g := gapsFor(snap, idReused); len(g) != 1 || !strings.Contains(g[0], "belongs to container "+idOther[:12]) {
		t.Errorf("gaps for the reused pid = %q, want one naming container %s", g, idOther[:12])
	}
	if g := gapsFor(snap, idGone); len(g) != 1 || !strings.Contains(g[0], "does not exist") {
		t.Errorf("gaps for the missing pid = %q, want one saying it does not exist", g)
	}
	if g := gapsFor(snap, idRemote); len(g) != 0 {
		t.Errorf("gaps for a remote engine's container = %q, want none", g)
	}
	if g := gapsFor(snap, testID(25)); len(g) != 1 || !strings.Contains(g[0], "belongs to no container") {
		t.Errorf("gaps for a pid in a session = %q, want one saying it belongs to no container", g)
	}
	if n := len(processesOf(snap, idReused)); n != 1 {
		t.Errorf("the reused-pid container has %d processes, want its own 1 tied by cgroup", n)
	}
	if len(snap.Containers) != 6 {
		t.Errorf("got %d containers, want the 5 from the API and idOther found by procfs", len(snap.Containers))
	}
	if got := containerByID(t, snap, idOther).DiscoveredBy; got != inventory.DiscoveredByProcfs {
		t.Errorf("idOther DiscoveredBy = %q, want procfs", got)
	}
	if st := procStatus(t, snap); st.Status != inventory.StatusPartial {
		t.Errorf("status = %+v, want partial: a running container has no process", st)
	}
}

func TestCollectLabelStates(t *testing.T) {
	tests := []struct {
		name   string
		spec   procSpec
		host   inventory.SELinuxState
		want   inventory.LabelState
		reason string
	}{
		{"selinux context", procSpec{attr: containerLabel + "\x00"}, inventory.SELinuxEnforcing, inventory.Labeled, ""},
		{"empty attr", procSpec{attr: ""}, inventory.SELinuxDisabled, inventory.NotLabeled, "is empty"},
		{"apparmor on a host without selinux", procSpec{attr: "docker-default (enforce)\n"}, inventory.SELinuxDisabled, inventory.NotLabeled, "another security module"},
		{"apparmor with selinux state unknown", procSpec{attr: "docker-default (enforce)\n"}, inventory.SELinuxUnknown, inventory.Unknown, "not an SELinux context"},
		{"no attr file, selinux disabled", procSpec{noAttr: true}, inventory.SELinuxDisabled, inventory.NotLabeled, "SELinux is disabled"},
		{"no attr file, state unread", procSpec{noAttr: true}, "", inventory.Unknown, "no security module provides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			spec.pid, spec.ppid, spec.comm = 10, 1, "sleep"
			spec.cgroup = "0::/machine.slice/libpod-" + idA + ".scope\n"
			snap := collect(t, writeTree(t, spec), tt.host)
			if len(snap.Processes) != 1 {
				t.Fatalf("got %d processes, want 1", len(snap.Processes))
			}
			got := snap.Processes[0].Label
			if got.State != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Label = %+v, want state %s with a reason containing %q", got, tt.want, tt.reason)
			}
			if g := gapsFor(snap, idA); len(g) != 0 {
				t.Errorf("gaps = %q, want none: the label was read", g)
			}
		})
	}
}

func TestCollectSkipsVanishedAndZombies(t *testing.T) {
	cg := "0::/machine.slice/libpod-" + idA + ".scope\n"
	root := writeTree(t,
		procSpec{pid: 10, ppid: 1, comm: "sleep", attr: containerLabel + "\x00", cgroup: cg},
		procSpec{pid: 11, ppid: 10, comm: "defunct", state: 'Z', attr: containerLabel + "\x00", cgroup: cg},
	)
	// A process that exited between listing and reading leaves an empty
	// directory behind in this tree. In a real /proc its files are gone.
	if err := os.MkdirAll(filepath.Join(root, "proc", "12"), 0o755); err != nil {
		t.Fatal(err)
	}
	snap := collect(t, root, inventory.SELinuxEnforcing)

	if len(snap.Processes) != 1 || snap.Processes[0].PID != 10 {
		t.Errorf("processes = %+v, want only pid 10", snap.Processes)
	}
	if len(snap.Coverage.Gaps) != 0 {
		t.Errorf("gaps = %+v, want none for a vanished pid", snap.Coverage.Gaps)
	}
	st := procStatus(t, snap)
	if st.Status != inventory.StatusComplete || st.Detail != "2 processes read, 1 tied to 1 containers (1 found only through procfs)" {
		t.Errorf("status = %+v", st)
	}
}

func TestCollectUnreadableProcess(t *testing.T) {
	root := writeTree(t, procSpec{pid: 10, ppid: 1, comm: "sleep", cgroup: "garbage\n"})
	snap := collect(t, root, inventory.SELinuxEnforcing)

	st := procStatus(t, snap)
	if st.Status != inventory.StatusPartial || !strings.Contains(st.Detail, "1 processes unreadable") {
		t.Errorf("status = %+v, want partial with 1 unreadable", st)
	}
	if g := gapsFor(snap, filepath.Join(root, "proc")); len(g) != 1 || !strings.Contains(g[0], "10/cgroup") {
		t.Errorf("gaps = %q, want one naming the cgroup file", g)
	}
}

func TestCollectWithoutProc(t *testing.T) {
	empty := t.TempDir()
	if err := os.Mkdir(filepath.Join(empty, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"no proc directory": t.TempDir(),
		"empty proc":        empty,
	}
	for name, root := range tests {
		t.Run(name, func(t *testing.T) {
			snap := collect(t, root, inventory.SELinuxEnforcing)
			st := procStatus(t, snap)
			if st.Status != inventory.StatusUnavailable {
				t.Errorf("status = %+v, want unavailable", st)
			}
			if !strings.Contains(st.Detail, "mount the host's /proc") {
				t.Errorf("detail %q names no fix", st.Detail)
			}
			if len(snap.Coverage.Gaps) != 1 {
				t.Errorf("gaps = %+v, want one", snap.Coverage.Gaps)
			}
		})
	}
}

func TestCollectCancelled(t *testing.T) {
	root, _ := generateHost(t, 5, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	snap := inventory.New("test", testTime)
	Collect(ctx, Options{HostRoot: root}, snap)

	if st := procStatus(t, snap); st.Status != inventory.StatusPartial || !strings.Contains(st.Detail, "context canceled") {
		t.Errorf("status = %+v, want partial naming the cancellation", st)
	}
	if len(snap.Processes) != 0 {
		t.Errorf("got %d processes after cancellation, want none", len(snap.Processes))
	}
}

func TestCollectSyntheticHost(t *testing.T) {
	const n, per = 1000, 3
	root, api := generateHost(t, n, per)
	// Half the containers come from the API, half are found by procfs.
	snap := collect(t, root, inventory.SELinuxEnforcing, api[:n/2]...)

	if len(snap.Processes) != n*per {
		t.Errorf("got %d processes, want %d", len(snap.Processes), n*per)
	}
	if len(snap.Containers) != n {
		t.Errorf("got %d containers, want %d", len(snap.Containers), n)
	}
	for i, ctr := range snap.Containers {
		want := inventory.DiscoveredByAPI
		if i >= n/2 {
			want = inventory.DiscoveredByProcfs
		}
		if ctr.DiscoveredBy != want {
			t.Fatalf("container %d DiscoveredBy = %q, want %q", i, ctr.DiscoveredBy, want)
		}
		if ctr.DiscoveredBy == inventory.DiscoveredByProcfs && ctr.ProcessLabel != api[i].ProcessLabel {
			t.Fatalf("container %d ProcessLabel = %+v, want %+v", i, ctr.ProcessLabel, api[i].ProcessLabel)
		}
		if ctr.DiscoveredBy == inventory.DiscoveredByProcfs && ctr.PID != api[i].PID {
			t.Fatalf("container %d PID = %d, want init pid %d", i, ctr.PID, api[i].PID)
		}
	}
	if len(snap.Coverage.Gaps) != 0 {
		t.Errorf("gaps = %+v, want none", snap.Coverage.Gaps)
	}
	want := "4003 processes read, 3000 tied to 1000 containers (500 found only through procfs)"
	if st := procStatus(t, snap); st.Status != inventory.StatusComplete || st.Detail != want {
		t.Errorf("status = %+v, want complete with %q", st, want)
	}
}

// BenchmarkCollect1000 measures Collect over 1,000 containers with three
// processes and a conmon each, all also reported by the API. Besides the
// wall time it reports cpu-ms/op, the user and system CPU time of the
// whole test process, which a busy machine inflates less than wall time.
func BenchmarkCollect1000(b *testing.B) {
	root, api := generateHost(b, 1000, 3)
	before := cpuTime(b)
	b.ResetTimer()
	defer func() {
		b.ReportMetric(float64((cpuTime(b)-before).Milliseconds())/float64(b.N), "cpu-ms/op")
	}()
	for range b.N {
		snap := inventory.New("bench", testTime)
		snap.Host.SELinux.State = inventory.SELinuxEnforcing
		snap.Containers = append(snap.Containers, api...)
		Collect(context.Background(), Options{HostRoot: root}, snap)
		if len(snap.Processes) != 3000 {
			b.Fatalf("got %d processes, want 3000", len(snap.Processes))
		}
	}
}

// cpuTime returns the user and system CPU time the test process used.
func cpuTime(tb testing.TB) time.Duration {
	var usage unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &usage); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
