package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// timeLayout is the time layout of the text formats: RFC 3339 in UTC.
const timeLayout = "2006-01-02T15:04:05Z"

// ANSI SGR sequences of the table format's colours.
const (
	colorCritical = "\x1b[1;31m" // bold red
	colorHigh     = "\x1b[31m"   // red
	colorMedium   = "\x1b[33m"   // yellow
	colorLow      = "\x1b[36m"   // cyan
	colorInfo     = "\x1b[34m"   // blue
	colorWarning  = "\x1b[1;33m" // bold yellow
	colorResolved = "\x1b[32m"   // green
	colorWaived   = "\x1b[2m"    // dim
	colorReset    = "\x1b[0m"
)

// palette paints text when colour is on and returns it unchanged when off.
type palette struct{ on bool }

func (p palette) paint(color, text string) string {
	if !p.on {
		return text
	}
	return color + text + colorReset
}

func severityColor(s checks.Severity) string {
	switch s {
	case checks.SeverityCritical:
		return colorCritical
	case checks.SeverityHigh:
		return colorHigh
	case checks.SeverityMedium:
		return colorMedium
	case checks.SeverityLow:
		return colorLow
	default:
		return colorInfo
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// describeWaiver names a waiver by its check and selectors, such as
// `TYPE-002, container "toolbox-*"`.
func describeWaiver(e WaiverEntry) string {
	parts := []string{e.Check}
	if e.Container != "" {
		parts = append(parts, fmt.Sprintf("container %q", e.Container))
	}
	if e.Label != "" {
		parts = append(parts, fmt.Sprintf("label %q", e.Label))
	}
	if e.Path != "" {
		parts = append(parts, fmt.Sprintf("path %q", e.Path))
	}
	return strings.Join(parts, ", ")
}

// expiredWaiverMessage is the warning every format gives for an expired
// waiver.
func expiredWaiverMessage(file string, e WaiverEntry) string {
	return fmt.Sprintf("the waiver at %s line %d (%s) expired on %s and waives nothing now; it matches %d %s",
		file, e.Line, describeWaiver(e), e.Expires, e.Matches, plural(e.Matches, "finding"))
}

// errWriter keeps the first write error, so a report written to a closed
// pipe or a full disk is reported instead of silently cut short.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("writing report: %w", err)
	}
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}
