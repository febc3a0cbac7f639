package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/internal/atomicfile"
	"github.com/mcsaudit/mcsaudit/report"
)

// scanOptions are the flags of "mcsaudit scan".
type scanOptions struct {
	format      string
	output      string
	failOn      checks.Severity
	hostRoot    string
	url         string
	timeout     time.Duration
	concurrency int
}

func (o *scanOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Var(newEnumValue(&o.format, "table", report.Formats()), "format",
		"report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&o.output, "output", "o", "",
		"write the report to FILE (replaced atomically) instead of stdout")
	f.Var((*severityValue)(&o.failOn), "fail-on",
		"exit with code 1 when a finding is at or above this severity: "+strings.Join(checks.SeverityNames(), ", "))
	f.StringVar(&o.hostRoot, "host-root", "/",
		"where the audited host's file system is mounted (\"/host\" when mcsaudit runs in a container)")
	f.StringVar(&o.url, "url", "",
		"Podman API address: unix:///path, tcp://host:port or ssh://user@host/path "+
			"(default $CONTAINER_HOST, else "+podman.DefaultURL+")")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit for each Podman API request")
	f.IntVar(&o.concurrency, "concurrency", podman.DefaultConcurrency, "number of containers inspected at once")
}

func newScanCommand(global *globalOptions) *cobra.Command {
	opts := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Audit the containers of a Podman service and the host's SELinux state",
		Long: strings.TrimSpace(`
Scan connects to a Podman API service, inspects every running container, reads
the host's SELinux state from the files under --host-root, and reports what
breaks SELinux isolation between containers.

Exit codes:
  0  the audit ran and found nothing at or above --fail-on (with the default
     --fail-on none, every completed audit exits 0)
  1  the audit ran and found something at or above --fail-on
  2  the audit could not run: invalid flags, Podman unreachable, report not
     written`),
		Example: strings.TrimSpace(`
  # Audit the root Podman service and print a table
  sudo mcsaudit scan

  # In CI: JSON report, fail the job on high or critical findings
  sudo mcsaudit scan --format json -o mcsaudit.json --fail-on high

  # A Podman service on another socket
  mcsaudit scan --url unix:///run/user/1000/podman/podman.sock`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScan(cmd, global, opts)
		},
	}
	opts.addFlags(cmd)
	return cmd
}

func runScan(cmd *cobra.Command, global *globalOptions, opts *scanOptions) error {
	log, err := global.logger(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	if opts.timeout <= 0 {
		return fmt.Errorf("invalid --timeout %s: must be positive", opts.timeout)
	}
	if opts.concurrency < 1 {
		return fmt.Errorf("invalid --concurrency %d: must be at least 1", opts.concurrency)
	}
	writer, err := report.New(opts.format)
	if err != nil {
		return err
	}

	res, err := audit.Run(cmd.Context(), audit.Options{
		HostRoot: opts.hostRoot,
		Podman: podman.Options{
			URL: opts.url, Timeout: opts.timeout, Concurrency: opts.concurrency, Logger: log,
		},
		Logger: log,
	})
	if err != nil {
		return err
	}

	doc := report.NewDocument(res, toolVersion(), time.Now())
	if err := writeReport(cmd.OutOrStdout(), opts.output, func(w io.Writer) error { return writer.Write(w, doc) }); err != nil {
		return err
	}
	return checkThreshold(doc, opts.failOn)
}

// writeReport writes to stdout, or to path through a temporary file that
// replaces path only once the whole report is written.
func writeReport(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	return atomicfile.Write(path, write)
}

// checkThreshold returns a thresholdError when a finding is at or above
// failOn; SeverityNone never fails.
func checkThreshold(doc *report.Document, failOn checks.Severity) error {
	if failOn == checks.SeverityNone {
		return nil
	}
	count := 0
	for _, f := range doc.Findings {
		if f.Severity >= failOn {
			count++
		}
	}
	if count == 0 {
		return nil
	}
	return &thresholdError{count: count, threshold: failOn.String()}
}
