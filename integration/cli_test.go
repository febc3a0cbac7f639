package integration

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/report"
)

func TestScanExitCodes(t *testing.T) {
	requirePodman(t)
	if _, err := os.Stat("/sys/fs/selinux/enforce"); err == nil {
		t.Skip("this host has SELinux; the thresholds below assume HOST-001 fires")
	}
	tests := []struct {
		failOn string
		want   int
	}{
		{"none", 0},
		{"critical", 1},
		{"high", 1},
		{"info", 1},
	}
	for _, tt := range tests {
		t.Run(tt.failOn, func(t *testing.T) {
			res := mcsaudit(t, "scan", "--url", env.url, "--format", "json", "--fail-on", tt.failOn)
			if res.code != tt.want {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", res.code, tt.want, res.stderr)
			}
			// The report is written whatever the threshold decides.
			if !json.Valid(res.stdout) {
				t.Errorf("stdout is not a JSON report: %.200s", res.stdout)
			}
		})
	}
}

func TestScanTableIsDefault(t *testing.T) {
	requirePodman(t)
	res := mcsaudit(t, "scan", "--url", env.url)
	if res.code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", res.code, res.stderr)
	}
	out := string(res.stdout)
	for _, want := range []string{"SELinux:", "Engine:    podman", "CONTAINERS", "mcsaudit-plain", "mcsaudit-pod-a"} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}
}

func TestScanOutputFile(t *testing.T) {
	requirePodman(t)
	path := filepath.Join(t.TempDir(), "report.json")
	res := mcsaudit(t, "scan", "--url", env.url, "--format", "json", "-o", path)
	if res.code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", res.code, res.stderr)
	}
	if len(res.stdout) != 0 {
		t.Errorf("stdout = %.200q, want nothing when -o is given", res.stdout)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Errorf("%s is not valid JSON", path)
	}
}

// fileState is what a scan must leave unchanged on a bind mount source.
type fileState struct {
	mtime  time.Time
	ctime  syscall.Timespec
	xattrs string
}

func readFileState(t *testing.T, path string) fileState {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(path, buf)
	if err != nil {
		t.Fatalf("listing xattrs of %s: %v", path, err)
	}
	names := strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00")
	var b strings.Builder
	for _, name := range names {
		if name == "" {
			continue
		}
		val := make([]byte, 4096)
		vn, err := unix.Lgetxattr(path, name, val)
		if err != nil {
			t.Fatalf("reading xattr %s of %s: %v", name, path, err)
		}
		b.WriteString(name + "=" + string(val[:vn]) + "\n")
	}
	return fileState{mtime: info.ModTime(), ctime: st.Ctim, xattrs: b.String()}
}

// A scan only reads: no container changes state, no Podman event is
// emitted, and no file or label on a mount source changes.
func TestScanChangesNothing(t *testing.T) {
	requirePodman(t)
	names := append([]string{"inspect"}, scenarioNames...)
	before := podmanRemote(t, names...)
	bindDir := filepath.Join(env.stateDir, "binds", "rw")
	filesBefore := readFileState(t, bindDir)
	// podman events --since has one-second resolution: start the window
	// at the next whole second, so the setup's own events fall before it.
	start := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(start))
	since := start.Format(time.RFC3339)

	for _, format := range []string{"json", "table"} {
		if res := mcsaudit(t, "scan", "--url", env.url, "--format", format); res.code != 0 {
			t.Fatalf("scan exit code = %d; stderr:\n%s", res.code, res.stderr)
		}
	}

	after := podmanRemote(t, names...)
	if !bytes.Equal(before, after) {
		t.Errorf("podman inspect of the scenario containers changed during the scan")
	}
	if got := readFileState(t, bindDir); got != filesBefore {
		t.Errorf("bind source %s changed during the scan: before %+v, after %+v", bindDir, filesBefore, got)
	}
	events := podmanRemote(t, "events", "--since", since, "--stream=false", "--format", "{{.Type}} {{.Status}} {{.Name}}")
	if s := strings.TrimSpace(string(events)); s != "" {
		t.Errorf("Podman recorded events during the scan:\n%s", s)
	}
	// The same query over the whole run must see the scenario containers
	// being created, or an empty result above would prove nothing.
	all := podmanRemote(t, "events", "--since", "24h", "--stream=false", "--format", "{{.Status}} {{.Name}}")
	if !strings.Contains(string(all), "create mcsaudit-plain") {
		t.Errorf("the Podman event log shows no creation of mcsaudit-plain, so it cannot prove the scan emitted none:\n%s", all)
	}
}

// A snapshot recorded by "collect" and audited later with "scan
// --snapshot" gives the same findings as a live scan.
func TestCollectThenScanSnapshot(t *testing.T) {
	requirePodman(t)
	path := filepath.Join(t.TempDir(), "host.snapshot.json")
	if res := mcsaudit(t, "collect", "--url", env.url, "-o", path); res.code != 0 {
		t.Fatalf("collect exit code = %d; stderr:\n%s", res.code, res.stderr)
	}

	offline, _ := scanJSON(t, "--snapshot", path)
	live, _ := scanJSON(t)
	if len(ours(offline)) != len(ours(live)) {
		t.Errorf("snapshot scan saw %d containers, live scan %d", len(ours(offline)), len(ours(live)))
	}
	key := func(doc *report.Document) string {
		var parts []string
		for _, f := range doc.Findings {
			parts = append(parts, f.CheckID+" "+f.Subjects[0].Name)
		}
		return strings.Join(parts, "\n")
	}
	if key(offline) != key(live) {
		t.Errorf("snapshot findings:\n%s\nlive findings:\n%s", key(offline), key(live))
	}
}
