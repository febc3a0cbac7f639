package main

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mcsaudit/mcsaudit/report"
)

// convertOptions are the flags of "mcsaudit convert".
type convertOptions struct {
	format string
	output string
}

func newConvertCommand() *cobra.Command {
	opts := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert REPORT.json",
		Short: "Write a saved JSON report in another format",
		Long: strings.TrimSpace(`
Convert reads a JSON report written by "mcsaudit scan --format json" and writes
it in another format, so that one scan can feed several consumers: a SARIF
upload and a JUnit dashboard in CI, or a Markdown record for an archive. The
report is written as it was saved, waivers included; nothing is scanned again.

Exit codes:
  0  the report was written
  2  the report is unreadable, not an mcsaudit JSON report, or of another
     schemaVersion; or the output could not be written`),
		Example: strings.Trim(`
  # Scan once, then upload SARIF and keep a Markdown record
  mcsaudit scan --format json -o mcsaudit.json --fail-on high
  mcsaudit convert mcsaudit.json --format sarif -o mcsaudit.sarif
  mcsaudit convert mcsaudit.json --format markdown -o mcsaudit.md`, "\n"),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			writer, err := report.New(opts.format, report.Options{Color: colorOutput(cmd.OutOrStdout(), opts.output)})
			if err != nil {
				return err
			}
			doc, err := readReportFile(args[0])
			if err != nil {
				return err
			}
			return writeReport(cmd.OutOrStdout(), opts.output, func(w io.Writer) error { return writer.Write(w, doc) })
		},
	}
	f := cmd.Flags()
	f.Var(newEnumValue(&opts.format, "table", report.Formats()), "format",
		"output format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&opts.output, "output", "o", "",
		"write the report to FILE (replaced atomically) instead of stdout")
	registerFormatCompletion(cmd, report.Formats())
	return cmd
}
