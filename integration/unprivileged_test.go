package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/report"
)

// chmodFor sets a mode for the rest of the test and restores the old one.
func chmodFor(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, info.Mode().Perm()) })
}

// Run as an ordinary user, a scan reports what it could read and lists
// what it could not, saying that root would provide it. The test opens
// the service's socket to the user, as membership in a group that may use
// it would, and keeps one bind source readable by root only.
func TestScanAsUnprivilegedUser(t *testing.T) {
	requirePodman(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is needed to run the scan as another user")
	}
	socket := strings.TrimPrefix(env.url, "unix://")
	chmodFor(t, filepath.Dir(env.stateDir), 0o711)
	chmodFor(t, socket, 0o666)
	hidden := filepath.Join(env.stateDir, "binds", "rw")
	chmodFor(t, hidden, 0o700)

	res := runAs(t, "nobody", 65534, 65534, "scan", "--url", env.url, "--format", "json")
	if res.code != 0 {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	var doc report.Document
	if err := json.Unmarshal(res.stdout, &doc); err != nil {
		t.Fatalf("decoding the report: %v", err)
	}

	if len(ours(&doc)) < len(scenarioNames) {
		t.Errorf("unprivileged scan saw %d of the service's containers, want at least %d", len(ours(&doc)), len(scenarioNames))
	}
	var gap *inventory.Gap
	for i, g := range doc.Coverage.Gaps {
		if strings.Contains(g.Subject, hidden) {
			gap = &doc.Coverage.Gaps[i]
		}
	}
	if gap == nil {
		t.Fatalf("no coverage gap names %s, which the user cannot list; gaps: %+v", hidden, doc.Coverage.Gaps)
	}
	if !strings.Contains(gap.Reason, "permission denied") || !strings.Contains(gap.Reason, "root") {
		t.Errorf("gap reason = %q, want the permission error and that root would provide it", gap.Reason)
	}
	for _, s := range doc.Coverage.Sources {
		if s.Source == inventory.SourceFileLabels && s.Status != inventory.StatusPartial {
			t.Errorf("file-labels coverage = %q, want partial", s.Status)
		}
	}
	for _, want := range []string{"TYPE-002 mcsaudit-privileged", "TYPE-002 mcsaudit-nolabel", "TYPE-002 mcsaudit-pidhost"} {
		found := false
		for _, f := range doc.Findings {
			if f.CheckID+" "+f.Subjects[0].Name == want {
				found = true
			}
		}
		if !found {
			t.Errorf("unprivileged scan lacks the finding %s", want)
		}
	}
}

// runAs runs the mcsaudit binary as another user through setpriv, from a
// copy the user may execute.
func runAs(t *testing.T, name string, uid, gid int, args ...string) result {
	t.Helper()
	dir, err := os.MkdirTemp("", "mcsaudit-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(env.binary)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "mcsaudit")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"--reuid=" + itoa(uid), "--regid=" + itoa(gid), "--clear-groups", bin}, args...)
	cmd := exec.CommandContext(ctx, "setpriv", full...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "USER=" + name}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("running mcsaudit as %s: %v", name, err)
	}
	return result{code: code, stdout: stdout.Bytes(), stderr: stderr.String()}
}

func itoa(n int) string { return strconv.Itoa(n) }
