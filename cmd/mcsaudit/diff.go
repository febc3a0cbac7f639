package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/report"
)

// diffOptions are the flags of "mcsaudit diff".
type diffOptions struct {
	format string
	output string
	failOn checks.Severity
}

func (o *diffOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Var(newEnumValue(&o.format, "table", report.DiffFormats()), "format",
		"comparison format: "+strings.Join(report.DiffFormats(), ", ")+" (junit and prometheus describe one run, not a comparison)")
	f.StringVarP(&o.output, "output", "o", "",
		"write the comparison to FILE (replaced atomically) instead of stdout")
	f.Var((*severityValue)(&o.failOn), "fail-on",
		"exit with code 1 when a new finding that no waiver covers is at or above this severity: "+
			strings.Join(checks.SeverityNames(), ", "))
	registerFormatCompletion(cmd, report.DiffFormats())
}

func newDiffCommand(global *globalOptions) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two JSON reports: new, resolved and unchanged findings",
		Long: strings.TrimSpace(`
Diff compares two JSON reports written by "mcsaudit scan --format json",
usually of one host at two times, and lists the findings that are new, resolved,
unverified or unchanged.

Findings are matched by check ID and the identities of their subjects, not by
message text: a container by its engine, owner and name (so a container
recreated under the same name is the same subject), a path by its path, the
host by its name. A finding of OLD that NEW lists as "not evaluated" is
unverified, not resolved: NEW could not tell whether it is still there.

--fail-on applies to new findings only, and waived new findings (as NEW marks
them) do not count.

Exit codes:
  0  no new finding at or above --fail-on
  1  a new finding at or above --fail-on
  2  the comparison could not run: invalid flags, a report unreadable, not an
     mcsaudit JSON report, or of another schemaVersion; output not written`),
		Example: strings.Trim(`
  # What changed since yesterday's scan
  mcsaudit diff /var/lib/mcsaudit/reports/2026-12-03T031700Z.json /var/lib/mcsaudit/reports/2026-12-04T031700Z.json

  # In CI: fail only on new high or critical findings
  mcsaudit diff baseline.json mcsaudit.json --fail-on high --format markdown -o changes.md`, "\n"),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd, global, opts, args[0], args[1])
		},
	}
	opts.addFlags(cmd)
	return cmd
}

func runDiff(cmd *cobra.Command, global *globalOptions, opts *diffOptions, oldPath, newPath string) error {
	log, err := global.logger(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	writer, err := report.NewDiff(opts.format, report.Options{Color: colorOutput(cmd.OutOrStdout(), opts.output)})
	if err != nil {
		return err
	}
	oldDoc, err := readReportFile(oldPath)
	if err != nil {
		return err
	}
	newDoc, err := readReportFile(newPath)
	if err != nil {
		return err
	}
	if oldDoc.Host.Hostname != newDoc.Host.Hostname {
		log.Warn("the reports are of different hosts: host findings will show as new and resolved",
			"oldHost", oldDoc.Host.Hostname, "newHost", newDoc.Host.Hostname)
	}

	d := report.Compare(oldDoc, newDoc, toolVersion(), time.Now())
	d.Old.File, d.New.File = oldPath, newPath
	if err := writeReport(cmd.OutOrStdout(), opts.output, func(w io.Writer) error { return writer.WriteDiff(w, d) }); err != nil {
		return err
	}
	return checkNewThreshold(d, opts.failOn)
}

// readReportFile reads a JSON report, naming the file in every error.
func readReportFile(path string) (*report.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	defer f.Close()
	doc, err := report.ReadDocument(f)
	if err != nil {
		return nil, fmt.Errorf("reading report %s: %w", path, err)
	}
	return doc, nil
}

// checkNewThreshold returns a thresholdError when a new finding that no
// waiver covers is at or above failOn; SeverityNone never fails.
func checkNewThreshold(d *report.Diff, failOn checks.Severity) error {
	if failOn == checks.SeverityNone {
		return nil
	}
	count := 0
	for _, f := range d.NewFindings {
		if f.Open() && f.Severity >= failOn {
			count++
		}
	}
	if count == 0 {
		return nil
	}
	return &thresholdError{count: count, threshold: failOn.String(), noun: "new findings"}
}

// registerFormatCompletion makes shell completion offer the values of a
// command's --format flag.
func registerFormatCompletion(cmd *cobra.Command, formats []string) {
	// An error means that the flag does not exist or already has a
	// completion function. That is a programming error, which
	// TestFormatCompletion catches.
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}
