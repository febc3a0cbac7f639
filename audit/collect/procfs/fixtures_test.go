package procfs

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

const fixturesDir = "../../../fixtures/procfs"

// fixtureContainer is one row of a fixture's containers.tsv.
type fixtureContainer struct {
	name, id, cgroup, label string
	pid, conmonPID          int
	// engineUID is -1 when the table has no engineUid column.
	engineUID int
}

// readFixture returns the host root of a fixture and its containers.tsv.
func readFixture(t *testing.T, name string) (string, []fixtureContainer) {
	t.Helper()
	root := filepath.Join(fixturesDir, name)
	f, err := os.Open(filepath.Join(root, "containers.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		t.Fatal("containers.tsv is empty")
	}
	column := map[string]int{}
	for i, h := range strings.Split(sc.Text(), "\t") {
		column[h] = i
	}
	field := func(row []string, name string) string {
		if i, ok := column[name]; ok {
			return row[i]
		}
		return ""
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("containers.tsv: invalid number %q", s)
		}
		return n
	}

	var out []fixtureContainer
	for sc.Scan() {
		row := strings.Split(sc.Text(), "\t")
		c := fixtureContainer{
			name: field(row, "name"), id: field(row, "id"), cgroup: field(row, "cgroup"), label: field(row, "label"),
			pid: atoi(field(row, "pid")), conmonPID: atoi(field(row, "conmonPid")), engineUID: -1,
		}
		if c.cgroup == "" {
			c.cgroup = field(row, "cgroupPath")
		}
		if uid := field(row, "engineUid"); uid != "" {
			c.engineUID = atoi(uid)
		}
		out = append(out, c)
	}
	return root, out
}

// apiContainers returns the fixture's containers as a local Podman API
// would report them.
func apiContainers(rows []fixtureContainer) []inventory.Container {
	var out []inventory.Container
	for _, r := range rows {
		out = append(out, inventory.Container{
			ID: r.id, Name: r.name, State: "running", PID: r.pid, DiscoveredBy: inventory.DiscoveredByAPI,
			Engine: inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"},
		})
	}
	return out
}

func TestFixtureEnforcingSPC(t *testing.T) {
	root, rows := readFixture(t, "debian12-enforcing-spc")
	ctr := rows[0]
	snap := collect(t, root, inventory.SELinuxEnforcing, apiContainers(rows)...)

	if len(snap.Processes) != 1 {
		t.Fatalf("got %d processes, want the container's 1 (conmon and init are not container processes): %+v", len(snap.Processes), snap.Processes)
	}
	p := snap.Processes[0]
	want := inventory.Process{
		PID: 1180, PPID: 1178, Comm: "sleep",
		Label:       inventory.Label{State: inventory.Labeled, Value: "system_u:system_r:spc_t:s0"},
		Cgroup:      "/machine.slice/libpod-" + ctr.id + ".scope/container",
		ContainerID: ctr.id, Engine: "podman", TiedBy: inventory.TiedByCgroup,
	}
	if p.UID == nil || *p.UID != 0 {
		t.Errorf("UID = %v, want 0", p.UID)
	}
	p.UID = nil
	if p != want {
		t.Errorf("process = %+v\nwant %+v", p, want)
	}
	if len(snap.Containers) != 1 || len(snap.Coverage.Gaps) != 0 {
		t.Errorf("containers = %d, gaps = %+v; want the API's one container and no gaps", len(snap.Containers), snap.Coverage.Gaps)
	}
	st := procStatus(t, snap)
	if st.Status != inventory.StatusComplete || st.Detail != "3 processes read, 1 tied to 1 containers (0 found only through procfs)" {
		t.Errorf("status = %+v", st)
	}
}

func TestFixtureEnforcingSPCWithoutAPI(t *testing.T) {
	root, rows := readFixture(t, "debian12-enforcing-spc")
	snap := collect(t, root, inventory.SELinuxEnforcing)

	ctr := containerByID(t, snap, rows[0].id)
	if ctr.Name != "b-priv" {
		t.Errorf("Name = %q, want b-priv from conmon's -n", ctr.Name)
	}
	if ctr.Engine.Name != "podman" || ctr.Engine.Rootless || ctr.Engine.UID == nil || *ctr.Engine.UID != 0 {
		t.Errorf("Engine = %+v, want rootful podman", ctr.Engine)
	}
	if ctr.PID != 1180 || ctr.ProcessLabel.Value != "system_u:system_r:spc_t:s0" {
		t.Errorf("PID = %d, ProcessLabel = %+v; want 1180 running spc_t:s0", ctr.PID, ctr.ProcessLabel)
	}
}

func TestFixtureSELinuxCLIScenarios(t *testing.T) {
	root, rows := readFixture(t, "debian12-selinux-cli")
	snap := collect(t, root, inventory.SELinuxEnforcing)

	if len(snap.Processes) != len(rows) {
		t.Errorf("got %d processes, want one per container (%d)", len(snap.Processes), len(rows))
	}
	if len(snap.Containers) != len(rows) {
		t.Errorf("got %d containers, want %d all found through procfs", len(snap.Containers), len(rows))
	}
	for _, row := range rows {
		procs := processesOf(snap, row.id)
		if len(procs) != 1 || procs[0].PID != row.pid {
			t.Errorf("%s: processes = %+v, want pid %d", row.name, procs, row.pid)
			continue
		}
		if procs[0].Label != (inventory.Label{State: inventory.Labeled, Value: row.label}) {
			t.Errorf("%s: Label = %+v, want %s", row.name, procs[0].Label, row.label)
		}
		ctr := containerByID(t, snap, row.id)
		if ctr.Name != row.name {
			t.Errorf("%s: Name = %q", row.name, ctr.Name)
		}
		if ctr.Engine.UID == nil || *ctr.Engine.UID != row.engineUID || ctr.Engine.Rootless != (row.engineUID != 0) {
			t.Errorf("%s: Engine = %+v (uid %v), want uid %d", row.name, ctr.Engine, ctr.Engine.UID, row.engineUID)
		}
		wantTie := inventory.TiedByCgroup
		if strings.HasPrefix(row.name, "h") {
			// Rootless without a systemd user session: the container
			// shares root's session scope, so only conmon names it.
			wantTie = inventory.TiedByConmon
		}
		if procs[0].TiedBy != wantTie {
			t.Errorf("%s: TiedBy = %q, want %q", row.name, procs[0].TiedBy, wantTie)
		}
	}

	conmons := map[int]string{}
	for _, row := range rows {
		conmons[row.conmonPID] = row.name
	}
	for _, p := range snap.Processes {
		if name, ok := conmons[p.PID]; ok {
			t.Errorf("pid %d, the conmon of %s, is recorded as a container process", p.PID, name)
		}
	}

	pod := "1800203ac75969b4d68cefd6e0d8114dfde17c0d3194fcdd14f1bdffb6046d11"
	for _, row := range rows {
		if row.name == "p1-a" || row.name == "p1-b" || row.name == "1800203ac759-infra" {
			if got := containerByID(t, snap, row.id).Pod; got != pod {
				t.Errorf("%s: Pod = %q, want %s", row.name, got, pod)
			}
		}
	}
	if g := snap.Coverage.Gaps; len(g) != 0 {
		t.Errorf("gaps = %+v, want none", g)
	}
}

func TestFixtureSELinuxServiceWithAPI(t *testing.T) {
	root, rows := readFixture(t, "debian12-selinux-service")
	byName := map[string]fixtureContainer{}
	for _, r := range rows {
		byName[r.name] = r
	}
	// The API reports a1 correctly, b-priv with a2's pid (as after pid
	// reuse) and a container whose process is gone.
	a1, bpriv, a2 := byName["a1"], byName["b-priv"], byName["a2"]
	api := apiContainers([]fixtureContainer{a1, bpriv, {name: "gone", id: testID(99), pid: 99999}})
	api[1].PID = a2.pid
	snap := collect(t, root, inventory.SELinuxEnforcing, api...)

	if g := gapsFor(snap, a1.id); len(g) != 0 {
		t.Errorf("a1 gaps = %q, want none", g)
	}
	if g := gapsFor(snap, bpriv.id); len(g) != 1 || !strings.Contains(g[0], "belongs to container "+a2.id[:12]) {
		t.Errorf("b-priv gaps = %q, want the pid named as a2's", g)
	}
	if g := gapsFor(snap, testID(99)); len(g) != 1 {
		t.Errorf("gone container gaps = %q, want one", g)
	}
	if n := len(processesOf(snap, bpriv.id)); n != 1 {
		t.Errorf("b-priv has %d processes, want 1 tied by its cgroup", n)
	}
	if len(snap.Containers) != 3+len(rows)-2 {
		t.Errorf("got %d containers, want the API's 3 and %d found through procfs", len(snap.Containers), len(rows)-2)
	}
	for _, row := range rows {
		if procs := processesOf(snap, row.id); len(procs) != 1 || procs[0].Label.Value != row.label {
			t.Errorf("%s: processes = %+v, want one labeled %s", row.name, procs, row.label)
		}
	}
	infra := containerByID(t, snap, "b523ea8e36f34281d6835689c027fbb1edfb142767f8a7e3acc2eb3f2df5b448")
	if infra.Pod != "8080e274a3c7e6916b2617c2003839af205f50930abe84d56b335c0d8c455be2" {
		t.Errorf("infra Pod = %q", infra.Pod)
	}
}

func TestFixtureCgroupfsHybrid(t *testing.T) {
	root, rows := readFixture(t, "debian12-cgroupfs-hybrid")
	tests := []struct {
		host   inventory.SELinuxState
		want   inventory.LabelState
		reason string
	}{
		{inventory.SELinuxDisabled, inventory.NotLabeled, "SELinux is disabled"},
		{inventory.SELinuxUnknown, inventory.Unknown, "not read as disabled"},
	}
	for _, tt := range tests {
		t.Run(string(tt.host), func(t *testing.T) {
			snap := collect(t, root, tt.host, apiContainers(rows)...)
			if len(snap.Processes) != len(rows) {
				t.Errorf("got %d processes, want %d: conmons and the service are no container's", len(snap.Processes), len(rows))
			}
			for _, row := range rows {
				procs := processesOf(snap, row.id)
				if len(procs) != 1 || procs[0].PID != row.pid {
					t.Errorf("%s: processes = %+v, want pid %d", row.name, procs, row.pid)
					continue
				}
				p := procs[0]
				if p.TiedBy != inventory.TiedByCgroup || p.Cgroup != row.cgroup || p.Engine != "podman" {
					t.Errorf("%s: tied by %q through %q engine %q, want cgroup %q podman", row.name, p.TiedBy, p.Cgroup, p.Engine, row.cgroup)
				}
				if p.Label.State != tt.want || !strings.Contains(p.Label.Reason, tt.reason) {
					t.Errorf("%s: Label = %+v, want %s (%s)", row.name, p.Label, tt.want, tt.reason)
				}
			}
			if len(snap.Containers) != len(rows) || len(snap.Coverage.Gaps) != 0 {
				t.Errorf("containers = %d, gaps = %+v; want the API's %d and no gaps", len(snap.Containers), snap.Coverage.Gaps, len(rows))
			}
		})
	}
}

func TestFixtureCgroupfsHybridPodWithoutAPI(t *testing.T) {
	root, rows := readFixture(t, "debian12-cgroupfs-hybrid")
	snap := collect(t, root, inventory.SELinuxDisabled)

	const pod = "1791ce2685d10f85e02873f6038485c899a36b2f204108c2e7016fbeaf1bc061"
	for _, row := range rows {
		ctr := containerByID(t, snap, row.id)
		wantPod := ""
		if strings.Contains(row.cgroup, pod) {
			wantPod = pod
		}
		if ctr.Pod != wantPod || ctr.Name != row.name {
			t.Errorf("%s: Pod = %q, Name = %q; want pod %q", row.name, ctr.Pod, ctr.Name, wantPod)
		}
		if ctr.ProcessLabel.State != inventory.NotLabeled {
			t.Errorf("%s: ProcessLabel = %+v, want not labeled", row.name, ctr.ProcessLabel)
		}
	}
}
