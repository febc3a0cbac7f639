package procfs

import (
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// unprivilegedRootEnv passes the tree to the test binary that runs as
// user nobody.
const unprivilegedRootEnv = "MCSAUDIT_PROCFS_UNPRIVILEGED_ROOT"

// TestCollectUnprivilegedAttr runs the collector as user nobody over a
// tree whose attr/current of one process is root's and mode 0400, the way
// an unprivileged auditor meets a label it may not read.
func TestCollectUnprivilegedAttr(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a root-owned file and switch to user nobody")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) not found")
	}
	if _, err := user.Lookup("nobody"); err != nil {
		t.Skip("no user nobody on this host")
	}
	group := "nogroup"
	if _, err := user.LookupGroup(group); err != nil {
		group = "nobody"
	}

	root := writeTree(t,
		procSpec{pid: 10, ppid: 1, comm: "sleep", attr: containerLabel + "\x00", cgroup: "0::/machine.slice/libpod-" + idA + ".scope\n"},
		procSpec{pid: 11, ppid: 10, comm: "sh", attr: containerLabel + "\x00", cgroup: "0::/machine.slice/libpod-" + idA + ".scope\n"},
	)
	if err := os.Chmod(filepath.Join(root, "proc", "11", "attr", "current"), 0o400); err != nil {
		t.Fatal(err)
	}
	// t.TempDir makes its directories 0700, and user nobody must traverse
	// them.
	for dir := root; strings.HasPrefix(dir, os.TempDir()+"/"); dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(root, "procfs.test")
	copyExecutable(t, os.Args[0], bin)

	cmd := exec.Command(setpriv, "--reuid=nobody", "--regid="+group, "--clear-groups",
		bin, "-test.run", "^TestCollectUnprivilegedChild$", "-test.v")
	cmd.Env = append(os.Environ(), unprivilegedRootEnv+"="+root)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("test binary as nobody failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestCollectUnprivilegedChild") {
		t.Fatalf("the unprivileged test did not run:\n%s", out)
	}
}

// TestCollectUnprivilegedChild is the half of TestCollectUnprivilegedAttr
// that runs as user nobody.
func TestCollectUnprivilegedChild(t *testing.T) {
	root := os.Getenv(unprivilegedRootEnv)
	if root == "" {
		t.Skip("runs only under TestCollectUnprivilegedAttr")
	}
	if os.Geteuid() == 0 {
		t.Fatal("running as root, want nobody")
	}
	snap := collect(t, root, inventory.SELinuxEnforcing)

	procs := processesOf(snap, idA)
	if len(procs) != 2 {
		t.Fatalf("got %d processes, want 2: an unreadable label must not drop the process", len(procs))
	}
	if procs[0].Label.State != inventory.Labeled {
		t.Errorf("pid 10 Label = %+v, want labeled", procs[0].Label)
	}
	if procs[1].Label.State != inventory.Unknown || !strings.Contains(procs[1].Label.Reason, "permission denied") {
		t.Errorf("pid 11 Label = %+v, want unknown with permission denied", procs[1].Label)
	}
	gaps := gapsFor(snap, idA)
	if len(gaps) != 1 || !strings.Contains(gaps[0], "1 of 2 processes (pid 11)") || !strings.Contains(gaps[0], "run mcsaudit as root") {
		t.Errorf("gaps = %q, want one naming pid 11 and the fix", gaps)
	}
	if st := procStatus(t, snap); st.Status != inventory.StatusPartial {
		t.Errorf("status = %+v, want partial", st)
	}
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
