package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/waiver"
	"github.com/mcsaudit/mcsaudit/internal/atomicfile"
	"github.com/mcsaudit/mcsaudit/report"
)

// colorOutput reports whether the table format may use colour: only on a
// terminal, never when the report goes to a file (--output), and never
// with NO_COLOR set to a non-empty value or TERM=dumb.
func colorOutput(stdout io.Writer, output string) bool {
	if output != "" && output != "-" {
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := stdout.(*os.File)
	return ok && isTerminal(int(f.Fd()))
}

// isTerminal reports whether a file descriptor is a terminal; tests
// replace it.
var isTerminal = term.IsTerminal

// loadWaivers reads the --ignore-file, or returns nil when none is given.
func loadWaivers(path string) (*waiver.File, error) {
	if path == "" {
		return nil, nil
	}
	return waiver.Load(path)
}

// applyWaivers marks the findings the ignore file waives and logs every
// expired waiver, which no longer waives anything.
func applyWaivers(doc *report.Document, file *waiver.File, now time.Time, log *slog.Logger) {
	if file == nil {
		return
	}
	res := doc.ApplyWaivers(file, now)
	for _, s := range res.Expired() {
		w := s.Waiver
		log.Warn("waiver expired and no longer applies: renew it with a new expiry date or fix the findings",
			"file", file.Name, "line", w.Line, "check", w.Check, "expires", w.Expires, "matchingFindings", s.Matches)
	}
}

// effectiveCatalog returns the checks a scan with cfg runs: the catalog
// without the disabled checks and with the severity overrides. The SARIF,
// JUnit and Prometheus formats list these checks even when they found
// nothing.
func effectiveCatalog(cfg *checks.Config) []checks.Check {
	if cfg == nil {
		return checks.Catalog()
	}
	return cfg.Apply(checks.Catalog())
}

// writeMetricsFile writes the report's Prometheus metrics to path, when
// --metrics-file is set.
func writeMetricsFile(path string, doc *report.Document, catalog []checks.Check) error {
	if path == "" {
		return nil
	}
	writer := report.PrometheusWriter{Catalog: catalog}
	err := atomicfile.Write(path, func(w io.Writer) error { return writer.Write(w, doc) })
	if err != nil {
		return fmt.Errorf("writing --metrics-file: %w", err)
	}
	return nil
}

// recordScanFailure writes the metrics of a failed scan wherever the scan
// would have written metrics (the --metrics-file, and the report itself
// with --format prometheus), so that mcsaudit_last_run_success drops to 0
// instead of the last good run's file staying in place. It returns err,
// joined with any error of these writes. A thresholdError is a completed
// scan and passes through untouched.
func recordScanFailure(cmd *cobra.Command, opts *scanOptions, err error) error {
	var threshold *thresholdError
	if err == nil || errors.As(err, &threshold) {
		return err
	}
	tool := report.Tool{Name: "mcsaudit", Version: toolVersion()}
	failedAt := time.Now()
	write := func(w io.Writer) error { return report.PrometheusWriter{}.WriteFailure(w, tool, failedAt) }

	errs := []error{err}
	if opts.metricsFile != "" {
		if werr := atomicfile.Write(opts.metricsFile, write); werr != nil {
			errs = append(errs, fmt.Errorf("writing failed-run metrics to --metrics-file: %w", werr))
		}
	}
	if opts.format == "prometheus" {
		if werr := writeReport(cmd.OutOrStdout(), opts.output, write); werr != nil {
			errs = append(errs, fmt.Errorf("writing failed-run metrics: %w", werr))
		}
	}
	if len(errs) == 1 {
		return err
	}
	return errors.Join(errs...)
}
