package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// scanToFile writes a JSON report of a snapshot and returns its path.
func scanToFile(t *testing.T, dir, name, snapshot string, extra ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	args := append([]string{"scan", "--snapshot", snapshot, "--format", "json", "-o", out}, extra...)
	if code, _, stderr := runCLI(t, args...); code != exitOK {
		t.Fatalf("scan: exit code %d; %s", code, stderr)
	}
	return out
}

// diffReports returns an old report with the toolbox finding only, and a
// new one that adds a privileged "build" container.
func diffReports(t *testing.T, newExtra ...string) (oldReport, newReport string) {
	t.Helper()
	dir := t.TempDir()
	oldReport = scanToFile(t, dir, "old.json", writeSnapshot(t, t.TempDir()))

	build := inventory.Container{
		ID: "cc33", Name: "build", Engine: inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"},
		State: "running", DiscoveredBy: inventory.DiscoveredByAPI, Privileged: true,
		ProcessLabel: inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"},
		MountLabel:   inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:s0:c1022,c1023"},
		SecurityOpt:  []string{}, Mounts: []inventory.Mount{},
	}
	newReport = scanToFile(t, dir, "new.json", writeSnapshot(t, t.TempDir(), build), newExtra...)
	return oldReport, newReport
}

func TestDiffExitCodes(t *testing.T) {
	oldReport, newReport := diffReports(t)
	dir := t.TempDir()
	ignore := writeFile(t, dir, "ignore.yaml", "waivers:\n  - check: TYPE-002\n    container: build\n    reason: build host, reviewed\n")
	_, waivedReport := diffReports(t, "--ignore-file", ignore)
	otherSchema := writeFile(t, dir, "v2.json", strings.Replace(readText(t, oldReport), `"schemaVersion": "1"`, `"schemaVersion": "2"`, 1))
	notJSON := writeFile(t, dir, "broken.json", "{\"schemaVersion\": ")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"new high finding", []string{oldReport, newReport, "--fail-on", "high"}, exitFindings, "1 new finding at or above severity high"},
		{"threshold above it", []string{oldReport, newReport, "--fail-on", "critical"}, exitOK, ""},
		{"default threshold", []string{oldReport, newReport}, exitOK, ""},
		{"unchanged findings only", []string{oldReport, oldReport, "--fail-on", "info"}, exitOK, ""},
		{"resolved findings only", []string{newReport, oldReport, "--fail-on", "info"}, exitOK, ""},
		{"new finding waived", []string{oldReport, waivedReport, "--fail-on", "high"}, exitOK, ""},
		{"missing file", []string{oldReport, filepath.Join(dir, "absent.json")}, exitError, "no such file"},
		{"not JSON", []string{oldReport, notJSON}, exitError, "broken.json"},
		{"other schemaVersion", []string{otherSchema, newReport}, exitError, `schemaVersion "2"`},
		{"snapshot instead of report", []string{oldReport, writeSnapshot(t, dir)}, exitError, "not an mcsaudit JSON report"},
		{"junit rejected", []string{oldReport, newReport, "--format", "junit"}, exitError, `invalid value "junit"`},
		{"prometheus rejected", []string{oldReport, newReport, "--format", "prometheus"}, exitError, "want one of table, json, sarif, markdown"},
		{"one argument", []string{oldReport}, exitError, "accepts 2 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"diff"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr)
			}
		})
	}
}

func TestDiffOutputFormats(t *testing.T) {
	oldReport, newReport := diffReports(t)

	code, stdout, stderr := runCLI(t, "diff", oldReport, newReport, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit code %d; %s", code, stderr)
	}
	var d struct {
		Summary struct {
			New, Resolved, Unchanged int
		} `json:"summary"`
		New struct {
			File string `json:"file"`
		} `json:"new"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Summary.New != 1 || d.Summary.Resolved != 0 || d.Summary.Unchanged != 1 || d.New.File != newReport {
		t.Errorf("comparison = %+v, want 1 new (build), 1 unchanged (toolbox-1), file %s", d, newReport)
	}

	out := filepath.Join(t.TempDir(), "changes.md")
	if code, _, stderr := runCLI(t, "diff", oldReport, newReport, "--format", "markdown", "-o", out); code != exitOK {
		t.Fatalf("markdown: exit code %d; %s", code, stderr)
	}
	text := readText(t, out)
	for _, want := range []string{"## New findings (1)", "| high | TYPE-002 | build |", "## Unchanged findings (1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("markdown comparison lacks %q:\n%s", want, text)
		}
	}

	code, stdout, _ = runCLI(t, "diff", oldReport, newReport)
	if code != exitOK || !strings.Contains(stdout, "NEW FINDINGS: 1") || strings.Contains(stdout, "\x1b[") {
		t.Errorf("table comparison (exit %d):\n%s", code, stdout)
	}
}

func TestDiffWarnsAboutOtherHost(t *testing.T) {
	oldReport, newReport := diffReports(t)
	renamed := filepath.Join(t.TempDir(), "renamed.json")
	text := strings.ReplaceAll(readText(t, newReport), `"hostname": "snap-host"`, `"hostname": "other-host"`)
	if err := os.WriteFile(renamed, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, stderr := runCLI(t, "diff", oldReport, renamed)
	if !strings.Contains(stderr, "different hosts") || !strings.Contains(stderr, "other-host") {
		t.Errorf("stderr lacks the different-host warning:\n%s", stderr)
	}
}
