package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/atomicfile"
	"github.com/mcsaudit/mcsaudit/report"
)

// scanOptions are the flags of "mcsaudit scan".
type scanOptions struct {
	collect  collectOptions
	format   string
	output   string
	failOn   checks.Severity
	snapshot string
	// ignoreFile is the YAML file of waivers, metricsFile the Prometheus
	// textfile written beside the report.
	ignoreFile  string
	metricsFile string
	// checkConfig is the check configuration file (--config).
	checkConfig string
}

func (o *scanOptions) addFlags(cmd *cobra.Command) {
	o.collect.addFlags(cmd)
	f := cmd.Flags()
	f.Var(newEnumValue(&o.format, "table", report.Formats()), "format",
		"report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&o.output, "output", "o", "",
		"write the report to FILE (replaced atomically) instead of stdout")
	f.Var((*severityValue)(&o.failOn), "fail-on",
		"exit with code 1 when a finding is at or above this severity: "+strings.Join(checks.SeverityNames(), ", "))
	f.StringVar(&o.snapshot, "snapshot", "",
		"audit a snapshot written by \"mcsaudit collect\" instead of this host; no engine or host file is read")
	f.StringVar(&o.checkConfig, "config", "",
		"check configuration in YAML or JSON: extra confined types, disabled checks, severity overrides (see docs/config.md)")
	f.StringVar(&o.ignoreFile, "ignore-file", "",
		"YAML file of waivers: findings they match are listed as waived and do not count toward --fail-on")
	f.StringVar(&o.metricsFile, "metrics-file", "",
		"also write Prometheus metrics for node_exporter's textfile collector to FILE (replaced atomically), "+
			"with mcsaudit_last_run_success 0 when the scan fails")
	registerFormatCompletion(cmd, report.Formats())
}

func newScanCommand(global *globalOptions) *cobra.Command {
	opts := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Audit the containers of a Podman service and the host's SELinux state",
		Long: strings.TrimSpace(`
Scan connects to the host's Podman API services (the root service and, when
run as root, every rootless user's service), inspects every running container,
reads the host's SELinux state from the files under --host-root, and reports
what breaks SELinux isolation between containers.

Exit codes:
  0  the audit ran and found nothing at or above --fail-on (with the default
     --fail-on none, every completed audit exits 0)
  1  the audit ran and found something at or above --fail-on that no
     waiver covers
  2  the audit could not run: invalid flags, invalid --ignore-file, Podman
     unreachable, report not written

Waivers (--ignore-file) accept known findings for a reason, until an
optional expiry date. Waived findings stay in the report, marked as waived.
An expired waiver waives nothing and is reported as a warning. Waivers never
hide coverage gaps or checks that were not evaluated.`),
		Example: strings.Trim(`
  # Audit the root Podman service and print a table
  sudo mcsaudit scan

  # In CI: JSON report, fail the job on high or critical findings
  sudo mcsaudit scan --format json -o mcsaudit.json --fail-on high

  # A Podman service on another socket
  mcsaudit scan --url unix:///run/user/1000/podman/podman.sock

  # From a timer: a dated JSON report, metrics for node_exporter, waivers
  mcsaudit scan --format json -o /var/lib/mcsaudit/reports/today.json \
    --metrics-file /var/lib/node_exporter/textfile_collector/mcsaudit.prom \
    --ignore-file /etc/mcsaudit/ignore.yaml

  # Audit a snapshot recorded on another host
  mcsaudit scan --snapshot host1.snapshot.json`, "\n"),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return recordScanFailure(cmd, opts, runScan(cmd, global, opts))
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
	if opts.metricsFile != "" && opts.output != "" && filepath.Clean(opts.metricsFile) == filepath.Clean(opts.output) {
		return fmt.Errorf("invalid --metrics-file %q: it is also the --output file, and the metrics would replace the report", opts.metricsFile)
	}
	waivers, err := loadWaivers(opts.ignoreFile)
	if err != nil {
		return err
	}
	checkConfig, err := loadCheckConfig(opts.checkConfig)
	if err != nil {
		return err
	}
	catalog := effectiveCatalog(checkConfig)
	writer, err := report.New(opts.format, report.Options{Color: colorOutput(cmd.OutOrStdout(), opts.output), Catalog: catalog})
	if err != nil {
		return err
	}

	var snap *inventory.Snapshot
	if opts.snapshot != "" {
		if cmd.Flags().Changed("url") || cmd.Flags().Changed("host-root") {
			return fmt.Errorf("--snapshot audits a recorded snapshot: it cannot be combined with --url or --host-root")
		}
		snap, err = readSnapshot(opts.snapshot)
	} else {
		snap, err = opts.collect.collect(cmd.Context(), log)
	}
	if err != nil {
		return err
	}
	res := audit.Evaluate(snap, checkConfig)

	now := time.Now()
	doc := report.NewDocument(res, toolVersion(), now)
	applyWaivers(doc, waivers, now, log)
	if err := writeReport(cmd.OutOrStdout(), opts.output, func(w io.Writer) error { return writer.Write(w, doc) }); err != nil {
		return err
	}
	if err := writeMetricsFile(opts.metricsFile, doc, catalog); err != nil {
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

// checkThreshold returns a thresholdError when a finding that no waiver
// covers is at or above failOn; SeverityNone never fails.
func checkThreshold(doc *report.Document, failOn checks.Severity) error {
	if failOn == checks.SeverityNone {
		return nil
	}
	count := 0
	for _, f := range doc.Findings {
		if f.Open() && f.Severity >= failOn {
			count++
		}
	}
	if count == 0 {
		return nil
	}
	return &thresholdError{count: count, threshold: failOn.String()}
}
