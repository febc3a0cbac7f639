package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line in-process and returns its exit code and
// output streams.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestScanMissingSocket(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "absent.sock")
	code, stdout, stderr := runCLI(t, "scan", "--url", "unix://"+socket, "--host-root", t.TempDir())

	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing: no report when the audit cannot run", stdout)
	}
	for _, want := range []string{socket, "socket not found", "systemctl enable --now podman.socket", "--url"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
}

func TestScanRefusedSocket(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "podman.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	// Closing a unix listener removes its file; keep a file at the path
	// with no one listening, as a crashed service leaves it.
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()

	code, _, stderr := runCLI(t, "scan", "--url", "unix://"+socket, "--host-root", t.TempDir())
	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	for _, want := range []string{socket, "connection refused", "--url"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
}

func TestScanDefaultURLFromEnvironment(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "from-env.sock")
	t.Setenv("CONTAINER_HOST", "unix://"+socket)
	code, _, stderr := runCLI(t, "scan", "--host-root", t.TempDir())
	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr, socket) {
		t.Errorf("stderr does not name the CONTAINER_HOST socket %s: %s", socket, stderr)
	}
}

func TestScanRejectsInvalidFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"scan", "--format", "xml"}, `invalid value "xml"`},
		{"unknown severity", []string{"scan", "--fail-on", "urgent"}, `invalid severity "urgent"`},
		{"zero timeout", []string{"scan", "--timeout", "0s", "--url", "unix:///nonexistent"}, "invalid --timeout"},
		{"zero concurrency", []string{"scan", "--concurrency", "0", "--url", "unix:///nonexistent"}, "invalid --concurrency"},
		{"bad log level", []string{"scan", "--log-level", "loud"}, "invalid --log-level"},
		{"stray argument", []string{"scan", "extra"}, "unknown command"},
		{"missing host root", []string{"scan", "--host-root", "/nonexistent/root"}, `invalid --host-root "/nonexistent/root"`},
		{"host root is a file", []string{"scan", "--host-root", "/etc/hostname"}, "not a directory"},
		{"empty url", []string{"scan", "--url", ""}, "invalid --url: empty address"},
		{"unknown scheme", []string{"scan", "--url", "foo://bar"}, `scheme "foo"`},
		{"tcp without port", []string{"scan", "--url", "tcp://127.0.0.1"}, "host and a port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitError {
				t.Errorf("exit code = %d, want %d", code, exitError)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q: %s", tt.want, stderr)
			}
		})
	}
}

func TestScanHelpDocumentsExitCodes(t *testing.T) {
	code, stdout, _ := runCLI(t, "scan", "--help")
	if code != exitOK {
		t.Fatalf("exit code = %d, want %d", code, exitOK)
	}
	for _, want := range []string{"Exit codes:", "--fail-on", "--host-root", "--timeout", "--url", "CONTAINER_HOST"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("scan --help lacks %q", want)
		}
	}
}

func TestExplain(t *testing.T) {
	code, stdout, _ := runCLI(t, "explain", "host-001")
	if code != exitOK {
		t.Fatalf("exit code = %d, want %d", code, exitOK)
	}
	for _, want := range []string{"HOST-001", "Severity: critical", "Rationale:", "Remediation:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, stdout)
		}
	}

	code, _, stderr := runCLI(t, "explain", "NOPE-999")
	if code != exitError {
		t.Errorf("explain of an unknown ID: exit code = %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr, `unknown check "NOPE-999"`) {
		t.Errorf("stderr = %q, want it to name the unknown check", stderr)
	}
}

func TestChecksListsCatalog(t *testing.T) {
	code, stdout, _ := runCLI(t, "checks")
	if code != exitOK {
		t.Fatalf("exit code = %d, want %d", code, exitOK)
	}
	for _, id := range []string{"HOST-001", "HOST-002", "TYPE-002"} {
		if !strings.Contains(stdout, id) {
			t.Errorf("checks output lacks %s", id)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "mcsaudit ") {
		t.Errorf("version: code %d, output %q", code, stdout)
	}
}

func TestScanSocketPathNotASocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "regular-file")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "scan", "--url", "unix://"+path, "--host-root", t.TempDir())
	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr, "is not a socket") {
		t.Errorf("stderr = %q, want it to say the path is not a socket", stderr)
	}
}

func TestLogLevelCheckedByEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"version", "--log-level", "loud"}, {"checks", "--log-level", "loud"}} {
		code, _, stderr := runCLI(t, args...)
		if code != exitError || !strings.Contains(stderr, "invalid --log-level") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming --log-level", args, code, stderr)
		}
	}
}

func TestThresholdErrorGrammar(t *testing.T) {
	if got := (&thresholdError{count: 1, threshold: "high"}).Error(); !strings.HasPrefix(got, "1 finding at") {
		t.Errorf("one finding: %q", got)
	}
	if got := (&thresholdError{count: 2, threshold: "high"}).Error(); !strings.HasPrefix(got, "2 findings at") {
		t.Errorf("two findings: %q", got)
	}
	if got := (&thresholdError{count: 1, threshold: "low", noun: "new findings"}).Error(); !strings.HasPrefix(got, "1 new finding at") {
		t.Errorf("one new finding: %q", got)
	}
}

func TestScanMetricsFileMustDifferFromOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "scan", "-o", path, "--metrics-file", path, "--url", "unix:///nonexistent.sock")
	if code != exitError || !strings.Contains(stderr, "also the --output file") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming the clash", code, stderr)
	}
}
