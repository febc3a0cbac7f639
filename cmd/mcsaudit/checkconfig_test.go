package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestScanCheckConfig(t *testing.T) {
	tests := []struct {
		name       string
		config     string
		wantCode   int
		wantStderr string
	}{
		{"severity lowered", "severity:\n  TYPE-002: low\n", exitOK, ""},
		{"check disabled", "disabledChecks: [TYPE-002]\n", exitOK, ""},
		{"empty file", "", exitFindings, "1 finding at or above severity high"},
		{"unknown field", "disabledCheck: [TYPE-002]\n", exitError, "unknown field disabledCheck"},
		{"unknown check", "severity:\n  TYPE-999: low\n", exitError, "severity.TYPE-999"},
		{"invalid severity", "severity:\n  TYPE-002: urgent\n", exitError, `severity.TYPE-002: invalid severity "urgent"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			config := writeFile(t, dir, "mcsaudit.yaml", tt.config)
			code, _, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--format", "json",
				"-o", filepath.Join(dir, "report.json"), "--fail-on", "high", "--config", config)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if tt.wantStderr != "" && !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

func TestScanCheckConfigMissing(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "scan", "--snapshot", writeSnapshot(t, dir), "--config", filepath.Join(dir, "absent.yaml"))
	if code != exitError || stdout != "" {
		t.Errorf("exit code = %d, stdout %q; want %d and no report", code, stdout, exitError)
	}
	if !strings.Contains(stderr, "absent.yaml") {
		t.Errorf("stderr = %q, want the file named", stderr)
	}
}

func TestExplainShowsEvidenceNeeded(t *testing.T) {
	code, stdout, _ := runCLI(t, "explain", "mount-004")
	if code != exitOK {
		t.Fatalf("exit code = %d", code)
	}
	for _, want := range []string{"MOUNT-004", "Severity: high", "critical when the path is a host system path", "Evidence needed: podman, procfs"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, stdout)
		}
	}
}
