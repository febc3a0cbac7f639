// Command e2e-verdict compares mcsaudit's findings from one real-kernel
// test run with the kernel's verdicts and prints one verdict per scenario.
//
//	e2e-verdict [-strict] RESULTS-DIR
//
// RESULTS-DIR is what the guest job wrote: probes.tsv, report.json and
// checks.txt. Exit status: 0 when no scenario disagrees or errs, 1 when
// one does (with -strict also when one is not covered), 2 when the input
// cannot be read.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mcsaudit/mcsaudit/e2e/verdict"
)

func main() {
	strict := flag.Bool("strict", false, "also exit 1 when a scenario is not covered by the catalog")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: e2e-verdict [-strict] RESULTS-DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	code, err := run(os.Stdout, flag.Arg(0), *strict)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e-verdict:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(w io.Writer, dir string, strict bool) (int, error) {
	var probes []verdict.Probe
	var report *verdict.Report
	var catalog map[string]bool
	err := errors.Join(
		readFile(dir, "probes.tsv", func(r io.Reader) (err error) { probes, err = verdict.ReadProbes(r); return }),
		readFile(dir, "report.json", func(r io.Reader) (err error) { report, err = verdict.ReadReport(r); return }),
		readFile(dir, "checks.txt", func(r io.Reader) (err error) { catalog, err = verdict.ReadCatalog(r); return }),
	)
	if err != nil {
		return 2, fmt.Errorf("%w (see %s for the guest job's log)", err, filepath.Join(dir, "job.log"))
	}

	results := verdict.Compare(verdict.Scenarios(), probes, report, catalog)
	if err := verdict.WriteTable(w, results); err != nil {
		return 2, err
	}
	s := verdict.Summarize(results)
	if s.Disagree > 0 || s.Errors > 0 || (strict && s.NotCovered > 0) {
		return 1, nil
	}
	return 0, nil
}

func readFile(dir, name string, parse func(io.Reader) error) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := parse(f); err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	return nil
}
