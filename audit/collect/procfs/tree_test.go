package procfs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// procSpec describes one process of a generated proc tree.
type procSpec struct {
	pid, ppid int
	comm      string
	// state defaults to 'S'.
	state byte
	uid   int
	// attr is written to attr/current as is. noAttr leaves the file out.
	attr   string
	noAttr bool
	// cgroup is the whole cgroup file.
	cgroup  string
	cmdline []string
	// start is the starttime field, or 0 for pid*10.
	start uint64
}

// writeProc writes the files of one process under root/proc/<pid>.
func writeProc(tb testing.TB, root string, p procSpec) {
	tb.Helper()
	dir := filepath.Join(root, "proc", strconv.Itoa(p.pid))
	if err := os.MkdirAll(filepath.Join(dir, "attr"), 0o755); err != nil {
		tb.Fatal(err)
	}

	state := p.state
	if state == 0 {
		state = 'S'
	}
	start := p.start
	if start == 0 {
		start = uint64(p.pid) * 10
	}

	stat := fmt.Sprintf("%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 2322432 324 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		p.pid, p.comm, state, p.ppid, p.pid, p.pid, start)
	status := fmt.Sprintf("Name:\t%s\nState:\t%c\nPid:\t%d\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n", p.comm, state, p.pid, p.ppid, p.uid, p.uid, p.uid, p.uid)
	// comm is left out: the collector takes the name from stat.
	files := map[string]string{
		"stat":   stat,
		"status": status,
		"cgroup": p.cgroup,
	}
	if len(p.cmdline) > 0 {
		files["cmdline"] = strings.Join(p.cmdline, "\x00") + "\x00"
	}
	if !p.noAttr {
		files["attr/current"] = p.attr
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// writeTree writes a proc tree of the given processes into a new
// temporary host root and returns the root.
func writeTree(tb testing.TB, procs ...procSpec) string {
	tb.Helper()
	root := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "proc"), 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, p := range procs {
		writeProc(tb, root, p)
	}
	return root
}

// memoryTempDir returns a new directory in /dev/shm when that tmpfs is
// writable, else in the default temporary directory. A generated host of
// 1,000 containers has about 24,000 files and directories. Writing them
// took 1 s on a tmpfs and 22 s on the disk-backed /tmp of a loaded 2-core
// VM. A tree in memory, like /proc, also keeps disk time out of the
// benchmark.
func memoryTempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "mcsaudit-procfs-")
	if err != nil {
		return tb.TempDir()
	}
	tb.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			tb.Errorf("removing %s: %v", dir, err)
		}
	})
	return dir
}

// testID returns a distinct 64-hex container ID for n.
func testID(n int) string {
	return fmt.Sprintf("%064x", 0xc0ffee00000+n)
}

// conmonSpec is a rootful Podman conmon for container id.
func conmonSpec(pid int, id, name, cgroup string) procSpec {
	return procSpec{
		pid: pid, ppid: 1, comm: "conmon",
		attr:   "system_u:system_r:podman_conmon_t:s0\x00",
		cgroup: cgroup,
		cmdline: []string{"/usr/bin/conmon", "--api-version", "1", "-c", id, "-u", id, "-r", "/usr/bin/crun",
			"-n", name, "--exit-command", "/usr/bin/podman", "--exit-command-arg", "container"},
	}
}

// generateHost writes a host with n rootful Podman containers on cgroup
// v2, each with a conmon and perContainer processes (the init process and
// its children), plus pid 1 and a few unrelated processes. It returns the
// root and the API view of the containers.
func generateHost(tb testing.TB, n, perContainer int) (string, []inventory.Container) {
	tb.Helper()
	root := memoryTempDir(tb)
	writeProc(tb, root, procSpec{pid: 1, comm: "systemd", attr: "system_u:system_r:init_t:s0\x00", cgroup: "0::/init.scope\n"})
	writeProc(tb, root, procSpec{pid: 2, comm: "kthreadd", attr: "system_u:system_r:kernel_t:s0\x00", cgroup: "0::/\n"})
	writeProc(tb, root, procSpec{pid: 300, ppid: 1, comm: "podman", attr: "system_u:system_r:podman_t:s0\x00", cgroup: "0::/system.slice/podman.service\n"})

	containers := make([]inventory.Container, 0, n)
	pid := 1000
	for i := 0; i < n; i++ {
		id := testID(i)
		label := fmt.Sprintf("system_u:system_r:container_t:s0:c%d,c%d", i%1000, 1000+i%24)
		conmonPID := pid
		writeProc(tb, root, conmonSpec(conmonPID, id, fmt.Sprintf("ctr-%d", i), "0::/machine.slice/libpod-conmon-"+id+".scope\n"))
		initPID := pid + 1
		for j := 0; j < perContainer; j++ {
			ppid := initPID
			if j == 0 {
				ppid = conmonPID
			}
			writeProc(tb, root, procSpec{
				pid: initPID + j, ppid: ppid, comm: "sleep",
				attr:   label + "\x00",
				cgroup: "0::/machine.slice/libpod-" + id + ".scope/container\n",
			})
		}
		containers = append(containers, inventory.Container{
			ID:           id,
			Name:         fmt.Sprintf("ctr-%d", i),
			Engine:       inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"},
			State:        "running",
			PID:          initPID,
			ProcessLabel: inventory.Label{State: inventory.Labeled, Value: label},
			DiscoveredBy: inventory.DiscoveredByAPI,
		})
		pid += perContainer + 1
	}
	return root, containers
}

// collect runs Collect over root with the given API containers and host
// SELinux state.
func collect(tb testing.TB, root string, state inventory.SELinuxState, api ...inventory.Container) *inventory.Snapshot {
	tb.Helper()
	snap := inventory.New("test", testTime)
	snap.Host.SELinux.State = state
	snap.Containers = append(snap.Containers, api...)
	Collect(context.Background(), Options{HostRoot: root}, snap)
	return snap
}

// procStatus returns the procfs SourceStatus of snap.
func procStatus(tb testing.TB, snap *inventory.Snapshot) inventory.SourceStatus {
	tb.Helper()
	for _, s := range snap.Coverage.Sources {
		if s.Source == inventory.SourceProcfs {
			return s
		}
	}
	tb.Fatalf("no procfs source in coverage %+v", snap.Coverage.Sources)
	return inventory.SourceStatus{}
}

// processesOf returns the snapshot's processes tied to container id.
func processesOf(snap *inventory.Snapshot, id string) []inventory.Process {
	var out []inventory.Process
	for _, p := range snap.Processes {
		if p.ContainerID == id {
			out = append(out, p)
		}
	}
	return out
}

// containerByID returns the snapshot's container with the given ID.
func containerByID(tb testing.TB, snap *inventory.Snapshot, id string) inventory.Container {
	tb.Helper()
	for _, c := range snap.Containers {
		if c.ID == id {
			return c
		}
	}
	tb.Fatalf("no container %s in snapshot", id)
	return inventory.Container{}
}

// gapsFor returns the reasons of the procfs gaps about subject.
func gapsFor(snap *inventory.Snapshot, subject string) []string {
	var out []string
	for _, g := range snap.Coverage.Gaps {
		if g.Source == inventory.SourceProcfs && g.Subject == subject {
			out = append(out, g.Reason)
		}
	}
	return out
}
