package checks

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/containers/podman/v5/libpod/define"

	"github.com/mcsaudit/mcsaudit/audit/collect/host"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

// expectation is one row of testdata/debian12-selinux.tsv.
type expectation struct {
	container string
	listed    string
	inspect   []string
	kernel    []string
}

func readExpectations(t *testing.T) []expectation {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "debian12-selinux.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []expectation
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 5 {
			t.Fatalf("testdata row %q has %d columns, want 5", line, len(cols))
		}
		rows = append(rows, expectation{container: cols[0], listed: cols[1], inspect: idList(cols[2]), kernel: idList(cols[3])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func idList(s string) []string {
	if s == "-" {
		return nil
	}
	return strings.Split(s, ",")
}

// checksNaming maps each container name to the sorted IDs of the checks
// whose findings name it.
func checksNaming(res Result) map[string][]string {
	out := map[string][]string{}
	for _, f := range res.Findings {
		for _, s := range f.Subjects {
			if s.Kind == KindContainer && !slices.Contains(out[s.Name], f.CheckID) {
				out[s.Name] = append(out[s.Name], f.CheckID)
			}
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// recordedHost loads the 45 running scenario containers with the host's
// recorded booleans, which fixturesnap leaves out.
func recordedHost(t *testing.T) *inventory.Snapshot {
	t.Helper()
	snap, err := fixturesnap.Load("debian12-selinux", "debian12-enforcing")
	if err != nil {
		t.Fatal(err)
	}
	booleans, problems, err := host.ReadBooleans(filepath.Join(fixturesnap.Dir(), "hostroot", "debian12-enforcing"))
	if err != nil || len(problems) > 0 {
		t.Fatalf("reading the recorded booleans: %v %v", err, problems)
	}
	snap.Host.SELinux.Booleans = booleans
	return snap
}

// addRecordedProcesses adds each container's init process with the label
// /proc/PID/attr/current showed on the recorded host.
func addRecordedProcesses(t *testing.T, snap *inventory.Snapshot) {
	t.Helper()
	path := filepath.Join(fixturesnap.Dir(), "procfs", "debian12-selinux-cli", "containers.tsv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("recorded process labels not available: %v", err)
	}
	var procs []inventory.Process
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		cols := strings.Split(line, "\t")
		if i == 0 || len(cols) < 7 {
			continue // header: name id pid conmonPid engineUid cgroup label
		}
		pid, err := strconv.Atoi(cols[2])
		if err != nil {
			t.Fatalf("%s: bad pid in %q", path, line)
		}
		procs = append(procs, process(cols[1], pid, cols[6]))
	}
	withProcesses(snap, procs...)
}

func TestRecordedHostFindings(t *testing.T) {
	rows := readExpectations(t)
	for _, mode := range []string{"inspect", "kernel"} {
		t.Run(mode, func(t *testing.T) {
			snap := recordedHost(t)
			if mode == "kernel" {
				addRecordedProcesses(t, snap)
			}
			res := Run(snap, Catalog())
			got := checksNaming(res)

			seen := map[string]bool{}
			for _, row := range rows {
				if row.listed != "running" {
					continue
				}
				seen[row.container] = true
				want := row.inspect
				if mode == "kernel" {
					want = row.kernel
				}
				if !slices.Equal(got[row.container], want) {
					t.Errorf("%s: findings %v, want %v", row.container, got[row.container], want)
				}
			}
			for _, c := range snap.Containers {
				if !seen[c.Name] {
					t.Errorf("container %s of the fixture has no row in testdata/debian12-selinux.tsv", c.Name)
				}
			}
			for _, f := range res.Findings {
				if strings.HasPrefix(f.CheckID, "HOST-") || strings.HasPrefix(f.CheckID, "MOUNT-") {
					t.Errorf("unexpected %s on the recorded host: %s", f.CheckID, f.Message)
				}
			}
		})
	}
}

// The fixture records no file labels, so each mount check reports one
// host-wide "not evaluated" instead of passing the e-* containers.
func TestRecordedHostMountsNotEvaluated(t *testing.T) {
	res := Run(recordedHost(t), Catalog())
	for _, id := range []string{"MOUNT-001", "MOUNT-002", "MOUNT-005", "MOUNT-006"} {
		ne := notEvaluatedFor(res, id)
		if len(ne) != 1 || ne[0].Subject.Kind != KindHost || !strings.Contains(ne[0].Reason, "17 writable mount sources") {
			t.Errorf("%s not evaluated = %v, want one host-wide record for the 17 writable sources", id, ne)
		}
	}
	for _, id := range []string{"MOUNT-003", "MOUNT-008"} {
		if ne := notEvaluatedFor(res, id); len(ne) != 1 || ne[0].Subject.Kind != KindHost {
			t.Errorf("%s not evaluated = %v, want one host-wide record", id, ne)
		}
	}
	if ne := notEvaluatedFor(res, "HOST-004"); len(ne) != 0 {
		t.Errorf("HOST-004 not evaluated = %v, want none: the booleans were read", ne)
	}
}

// The containers that never ran or stopped are listed only with all=true;
// each is judged from its recorded inspect document alone.
func TestRecordedExitedContainers(t *testing.T) {
	dir := filepath.Join(fixturesnap.Dir(), "podman-api", "debian12-selinux")
	var listed []struct {
		ID    string   `json:"Id"`
		Names []string `json:"Names"`
	}
	readFixtureJSON(t, filepath.Join(dir, "containers-json-all.json"), &listed)
	ids := map[string]string{}
	for _, l := range listed {
		ids[l.Names[0]] = l.ID
	}

	for _, row := range readExpectations(t) {
		if row.listed != "exited" {
			continue
		}
		t.Run(row.container, func(t *testing.T) {
			var data define.InspectContainerData
			readFixtureJSON(t, filepath.Join(dir, "containers", ids[row.container]+".json"), &data)
			snap := recordedHost(t)
			snap.Containers = []inventory.Container{podman.FromInspect(&data, podmanRoot)}
			res := Run(snap, Catalog())
			got := checksNaming(res)[row.container]
			if !slices.Equal(got, row.inspect) {
				t.Errorf("findings %v, want %v", got, row.inspect)
			}
			if row.container == "i-bogus" {
				if ne := notEvaluatedFor(res, "TYPE-001"); len(ne) != 1 || !strings.Contains(ne[0].Reason, "no_such_t") {
					t.Errorf("TYPE-001 not evaluated = %v, want the unknown type named", ne)
				}
			}
		})
	}
}

func readFixtureJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}
