package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// enumValue is a string flag that rejects values outside a fixed list when
// the flag is parsed, before any work starts.
type enumValue struct {
	target  *string
	allowed []string
}

func newEnumValue(target *string, def string, allowed []string) *enumValue {
	*target = def
	return &enumValue{target: target, allowed: allowed}
}

func (e *enumValue) String() string { return *e.target }
func (e *enumValue) Type() string   { return "string" }

func (e *enumValue) Set(v string) error {
	if !slices.Contains(e.allowed, v) {
		return fmt.Errorf("invalid value %q: want one of %s", v, strings.Join(e.allowed, ", "))
	}
	*e.target = v
	return nil
}

// severityValue is the --fail-on flag.
type severityValue checks.Severity

func (s *severityValue) String() string { return checks.Severity(*s).String() }
func (s *severityValue) Type() string   { return "severity" }

func (s *severityValue) Set(v string) error {
	sev, err := checks.ParseSeverity(v)
	if err != nil {
		return err
	}
	*s = severityValue(sev)
	return nil
}
