// Command mcsaudit audits SELinux isolation between the containers on a
// Linux host. See "mcsaudit --help".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"
)

// Exit codes. They are part of the interface: CI jobs and cron wrappers
// branch on them.
const (
	// exitOK: the audit ran and found nothing at or above --fail-on.
	exitOK = 0
	// exitFindings: the audit ran and found something at or above --fail-on.
	exitFindings = 1
	// exitError: the audit could not run (bad flags, engine unreachable,
	// output not writable).
	exitError = 2
)

// softMemoryLimit is the heap size above which the Go runtime collects
// garbage harder. A scan's live data is small but it allocates much in
// passing (inspect JSON, report encoding); without a limit the heap of a
// 10,000-container scan peaks near twice its live size. GOMEMLIMIT, when
// set, takes precedence. It is a target, not a cap: a larger host still
// gets the memory it needs.
const softMemoryLimit = 96 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The Podman bindings log through logrus; mcsaudit logs through slog
	// and keeps stdout for the report, so only logrus errors get through.
	logrus.SetLevel(logrus.ErrorLevel)
	logrus.SetOutput(stderr)

	cmd := newRootCommand()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}

	fmt.Fprintf(stderr, "mcsaudit: %v\n", err)
	var failed *thresholdError
	if errors.As(err, &failed) {
		return exitFindings
	}
	return exitError
}

// thresholdError reports findings at or above the --fail-on severity. It
// is the only error that maps to exit code 1.
type thresholdError struct {
	count     int
	threshold string
	// noun names what was counted; "findings" when empty.
	noun string
}

func (e *thresholdError) Error() string {
	noun := e.noun
	if noun == "" {
		noun = "findings"
	}
	if e.count == 1 {
		// "findings" -> "finding", "new findings" -> "new finding".
		noun = strings.TrimSuffix(noun, "s")
	}
	return fmt.Sprintf("%d %s at or above severity %s (--fail-on %s)", e.count, noun, e.threshold, e.threshold)
}
