// Package integration runs the mcsaudit binary against a real, private
// Podman service that scripts/podman-env.sh starts for the duration of the
// tests and stops afterwards.
//
// The tests need root and Podman (the script installs Podman from Debian's
// packages when missing). Without them every test skips with the reason,
// unless MCSAUDIT_REQUIRE_PODMAN=1, which turns the skip into a failure so
// that CI proves the real path ran.
package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// env describes the running private Podman and the binary under test.
var env struct {
	url      string
	stateDir string
	binary   string
	// skipReason is set when Podman could not be had.
	skipReason string
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("/tmp", "mcsaudit-it-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		env.stateDir = filepath.Join(dir, "podman")

		env.binary = filepath.Join(dir, "mcsaudit")
		if out, err := runCommand(5*time.Minute, "go", "build", "-o", env.binary, "./cmd/mcsaudit"); err != nil {
			fmt.Fprintf(os.Stderr, "building mcsaudit failed: %v\n%s", err, out)
			return 1
		}

		if os.Geteuid() != 0 {
			env.skipReason = "the private Podman service needs root"
			return m.Run()
		}
		out, err := podmanEnv(5*time.Minute, "up")
		if err != nil {
			env.skipReason = fmt.Sprintf("scripts/podman-env.sh up failed: %v\n%s", err, out)
			return m.Run()
		}
		defer func() {
			if out, err := podmanEnv(3*time.Minute, "down"); err != nil {
				fmt.Fprintf(os.Stderr, "scripts/podman-env.sh down failed: %v\n%s", err, out)
			}
		}()
		lines := strings.Split(strings.TrimSpace(out), "\n")
		env.url = lines[len(lines)-1]
		return m.Run()
	}()
	os.Exit(code)
}

// requirePodman skips the test when no Podman service could be started,
// or fails it when MCSAUDIT_REQUIRE_PODMAN=1.
func requirePodman(t *testing.T) {
	t.Helper()
	if env.skipReason == "" {
		return
	}
	if os.Getenv("MCSAUDIT_REQUIRE_PODMAN") == "1" {
		t.Fatalf("MCSAUDIT_REQUIRE_PODMAN=1 but no Podman service: %s", env.skipReason)
	}
	t.Skip(env.skipReason)
}

// podmanEnv runs scripts/podman-env.sh with the tests' own state directory.
// Its stdout ends with the socket URL; stderr carries progress.
func podmanEnv(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(), "scripts", "podman-env.sh"), args...)
	cmd.Env = append(os.Environ(), "MCSAUDIT_PODMAN_DIR="+env.stateDir)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	return stdout.String(), err
}

func runCommand(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = repoRoot()
	return cmd.CombinedOutput()
}

// result is one run of the mcsaudit binary.
type result struct {
	code   int
	stdout []byte
	stderr string
}

func mcsaudit(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running mcsaudit %v: %v", args, err)
	}
	return result{code: code, stdout: stdout.Bytes(), stderr: stderr.String()}
}

// podmanRemote runs the podman client against the private service.
func podmanRemote(t *testing.T, args ...string) []byte {
	t.Helper()
	full := append([]string{"--url", env.url}, args...)
	out, err := runCommand(time.Minute, "podman", full...)
	if err != nil {
		t.Fatalf("podman %v: %v\n%s", full, err, out)
	}
	return out
}
