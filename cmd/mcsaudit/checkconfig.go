package main

import (
	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// loadCheckConfig reads the --config file; an empty path means the
// built-in settings. An invalid file is an error that names the field, so
// the scan exits with code 2 before collecting anything.
func loadCheckConfig(path string) (*checks.Config, error) {
	if path == "" {
		return nil, nil
	}
	return checks.LoadConfig(path)
}

// evaluateWithConfig runs the check catalog over snap with cfg, as
// audit.Evaluate does with the built-in settings.
func evaluateWithConfig(snap *inventory.Snapshot, cfg *checks.Config) *audit.Result {
	res := checks.RunWithConfig(snap, checks.Catalog(), cfg)
	return &audit.Result{Snapshot: snap, Findings: res.Findings, NotEvaluated: res.NotEvaluated}
}
