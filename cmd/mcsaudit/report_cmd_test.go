package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/report"
)

// writeSnapshot writes a snapshot of an enforcing host whose only problem
// is a privileged toolbox container (TYPE-002, high), plus any extra
// containers, and returns its path.
func writeSnapshot(t *testing.T, dir string, extra ...inventory.Container) string {
	t.Helper()
	snap := inventory.New("snap-host", time.Date(2026, 12, 4, 19, 0, 0, 0, time.UTC))
	snap.Host.HostRoot = "/"
	snap.Host.SELinux = inventory.SELinux{State: inventory.SELinuxEnforcing, StateReason: "test", ConfigMode: "enforcing", PolicyType: "targeted"}
	on := true
	snap.Engines = []inventory.Engine{{Name: "podman", URL: "unix:///run/podman/podman.sock", Version: "5.2.2", SELinuxEnabled: &on, Reachable: true}}
	ref := inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"}
	web := inventory.Container{
		ID: "aa11", Name: "web", Engine: ref, State: "running", DiscoveredBy: inventory.DiscoveredByAPI,
		ProcessLabel: inventory.Label{State: inventory.Labeled, Value: "system_u:system_r:container_t:s0:c12,c345"},
		MountLabel:   inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:s0:c12,c345"},
		SecurityOpt:  []string{}, Mounts: []inventory.Mount{},
	}
	toolbox := inventory.Container{
		ID: "bb22", Name: "toolbox-1", Engine: ref, State: "running", DiscoveredBy: inventory.DiscoveredByAPI,
		Privileged:   true,
		ProcessLabel: inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"},
		MountLabel:   inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:s0:c1022,c1023"},
		Labels:       map[string]string{"com.github.containers.toolbox": "true"},
		SecurityOpt:  []string{}, Mounts: []inventory.Mount{},
	}
	snap.Containers = append([]inventory.Container{web, toolbox}, extra...)
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceHostSELinux, Target: "/", Status: inventory.StatusComplete})
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourcePodman, Target: ref.URL, Status: inventory.StatusComplete})

	path := filepath.Join(dir, "snapshot.json")
	var buf bytes.Buffer
	if err := snap.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScanWaiversAndFailOn(t *testing.T) {
	tests := []struct {
		name       string
		ignore     string
		wantCode   int
		wantStderr string
	}{
		{"no ignore file", "", exitFindings, "1 finding at or above severity high"},
		{"waived by label", "waivers:\n  - check: TYPE-002\n    label: com.github.containers.toolbox=true\n    reason: toolbox by design\n", exitOK, ""},
		{"waived until a future day", "waivers:\n  - check: TYPE-002\n    container: toolbox-*\n    reason: r\n    expires: 2999-12-31\n", exitOK, ""},
		{"expired waiver", "waivers:\n  - check: TYPE-002\n    container: toolbox-*\n    reason: r\n    expires: 2001-01-31\n", exitFindings, "waiver expired"},
		{"waiver for another container", "waivers:\n  - check: TYPE-002\n    container: web\n    reason: r\n", exitFindings, "1 finding at or above"},
		{"unknown check", "waivers:\n  - check: TYPE-999\n    reason: r\n", exitError, `line 2, field "check": waiver 1: unknown check "TYPE-999"`},
		{"missing reason", "waivers:\n  - check: TYPE-002\n    container: toolbox-*\n", exitError, `field "reason"`},
		{"invalid expiry", "waivers:\n  - check: TYPE-002\n    reason: r\n    expires: 31.12.2027\n", exitError, `line 4, field "expires"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"scan", "--snapshot", writeSnapshot(t, dir), "--format", "json", "-o", filepath.Join(dir, "report.json"), "--fail-on", "high"}
			if tt.ignore != "" {
				args = append(args, "--ignore-file", writeFile(t, dir, "ignore.yaml", tt.ignore))
			}
			code, _, stderr := runCLI(t, args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr)
			}
			_, err := os.Stat(filepath.Join(dir, "report.json"))
			if tt.wantCode == exitError && err == nil {
				t.Error("a report was written although the ignore file is invalid")
			}
			if tt.wantCode != exitError && err != nil {
				t.Errorf("no report written: %v", err)
			}
		})
	}
}

func TestScanReportListsWaivedFindings(t *testing.T) {
	dir := t.TempDir()
	ignore := writeFile(t, dir, "ignore.yaml", "waivers:\n  - check: TYPE-002\n    container: toolbox-*\n    reason: toolbox by design\n    expires: 2999-12-31\n")
	code, stdout, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--format", "json", "--ignore-file", ignore)
	if code != exitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	doc, err := report.ReadDocument(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	var waived []report.Finding
	for _, f := range doc.Findings {
		if !f.Open() {
			waived = append(waived, f)
		}
	}
	if len(waived) != 1 || waived[0].Subjects[0].Name != "toolbox-1" || waived[0].Waiver.Reason != "toolbox by design" {
		t.Fatalf("waived findings = %+v, want the toolbox-1 TYPE-002 with its reason", waived)
	}
	if doc.Waivers == nil || doc.Waivers.File != ignore || doc.Waivers.Entries[0].Matches != 1 {
		t.Errorf("waivers section = %+v", doc.Waivers)
	}
	if doc.Summary.Waived != 1 {
		t.Errorf("summary.waived = %d, want 1", doc.Summary.Waived)
	}
}

func TestScanMetricsFile(t *testing.T) {
	dir := t.TempDir()
	metrics := filepath.Join(dir, "mcsaudit.prom")
	code, _, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--format", "json", "-o", filepath.Join(dir, "r.json"), "--metrics-file", metrics)
	if code != exitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	text := readText(t, metrics)
	for _, want := range []string{"mcsaudit_last_run_success 1", `mcsaudit_findings{check="TYPE-002",severity="high"} 1`, "mcsaudit_containers_audited 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}

// TestScanFailureRecordsMetrics runs scans that fail and checks that the
// metrics file records the failure instead of keeping the last good run's
// values.
func TestScanFailureRecordsMetrics(t *testing.T) {
	dir := t.TempDir()
	metrics := writeFile(t, dir, "mcsaudit.prom", "mcsaudit_last_run_success 1\n")
	badIgnore := writeFile(t, dir, "ignore.yaml", "waivers:\n  - check: TYPE-002\n")

	code, stdout, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--ignore-file", badIgnore, "--metrics-file", metrics)
	if code != exitError {
		t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitError, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing for a table report of a failed scan", stdout)
	}
	if text := readText(t, metrics); !strings.Contains(text, "mcsaudit_last_run_success 0") || strings.Contains(text, "mcsaudit_findings") {
		t.Errorf("metrics after a failed scan:\n%s", text)
	}

	// With --format prometheus the report itself records the failure.
	missing := filepath.Join(dir, "absent-snapshot.json")
	code, stdout, _ = runCLI(t, "scan", "--snapshot", missing, "--format", "prometheus")
	if code != exitError || !strings.Contains(stdout, "mcsaudit_last_run_success 0") {
		t.Errorf("exit code %d, stdout:\n%s\nwant exit 2 and failure metrics", code, stdout)
	}
}

func TestScanWritesEveryFormatToFile(t *testing.T) {
	dir := t.TempDir()
	snap := writeSnapshot(t, dir)
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report."+format)
			code, stdout, stderr := runCLI(t, "scan", "--snapshot", snap, "--format", format, "-o", out)
			if code != exitOK {
				t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing with -o", stdout)
			}
			if text := readText(t, out); len(text) == 0 || strings.Contains(text, "\x1b[") {
				t.Errorf("report file is empty or coloured:\n%s", text)
			}
			assertNoTempFiles(t, filepath.Dir(out))
		})
	}
}

// failAfter passes through the first n bytes, then fails every write, like
// a disk filling up mid-report.
type failAfter struct {
	w io.Writer
	n int
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("no space left on device")
	}
	if len(p) > f.n {
		n, _ := f.w.Write(p[:f.n])
		f.n = 0
		return n, errors.New("no space left on device")
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestWriteReportKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--format", "json")
	if code != exitOK {
		t.Fatalf("scan: exit code %d; %s", code, stderr)
	}
	doc, err := report.ReadDocument(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}

	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			outDir := t.TempDir()
			path := writeFile(t, outDir, "report", "previous report\n")
			writer, err := report.New(format, report.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = writeReport(io.Discard, path, func(w io.Writer) error {
				return writer.Write(&failAfter{w: w, n: 64}, doc)
			})
			if err == nil {
				t.Fatal("writeReport returned nil although the writer failed")
			}
			if got := readText(t, path); got != "previous report\n" {
				t.Errorf("a failed write changed the previous report to:\n%s", got)
			}
			assertNoTempFiles(t, outDir)
		})
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

func TestConvertReport(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "r.json")
	if code, _, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--format", "json", "-o", saved); code != exitOK {
		t.Fatalf("scan: %s", stderr)
	}
	sarif := filepath.Join(dir, "r.sarif")
	code, _, stderr := runCLI(t, "convert", saved, "--format", "sarif", "-o", sarif)
	if code != exitOK {
		t.Fatalf("convert: exit code %d; %s", code, stderr)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readText(t, sarif)), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Errorf("converted SARIF = %+v", log)
	}

	code, _, stderr = runCLI(t, "convert", writeFile(t, dir, "x.json", `{"schemaVersion": "9", "tool": {"name": "mcsaudit"}}`))
	if code != exitError || !strings.Contains(stderr, `schemaVersion "9"`) {
		t.Errorf("convert of another schemaVersion: exit code %d, stderr %s", code, stderr)
	}
}

func TestColorOutput(t *testing.T) {
	defer func(saved func(int) bool) { isTerminal = saved }(isTerminal)
	isTerminal = func(int) bool { return true }
	t.Setenv("TERM", "xterm-256color")

	tests := []struct {
		name    string
		stdout  io.Writer
		output  string
		noColor string
		want    bool
	}{
		{"terminal", os.Stdout, "", "", true},
		{"terminal with -o -", os.Stdout, "-", "", true},
		{"NO_COLOR set", os.Stdout, "", "1", false},
		{"report to a file", os.Stdout, "report.txt", "", false},
		{"not a file", &bytes.Buffer{}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			if got := colorOutput(tt.stdout, tt.output); got != tt.want {
				t.Errorf("colorOutput = %v, want %v", got, tt.want)
			}
		})
	}

	isTerminal = func(int) bool { return false }
	t.Setenv("NO_COLOR", "")
	if colorOutput(os.Stdout, "") {
		t.Error("colour on although stdout is not a terminal")
	}
}

func TestScanHelpDocumentsWaivers(t *testing.T) {
	_, stdout, _ := runCLI(t, "scan", "--help")
	for _, want := range []string{"--ignore-file", "--metrics-file", "no\n     waiver covers", "invalid --ignore-file"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("scan --help lacks %q", want)
		}
	}
}
