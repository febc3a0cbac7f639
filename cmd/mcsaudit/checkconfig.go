package main

import (
	"github.com/mcsaudit/mcsaudit/audit/checks"
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
