package checks

import (
	"fmt"
	"strings"
)

// Severity ranks a finding. The zero value, SeverityNone, ranks below every
// finding and serves as the "never fail" threshold of --fail-on.
type Severity int

// Severities from least to most serious.
const (
	SeverityNone Severity = iota
	SeverityInfo
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"none", "info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < SeverityNone || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return SeverityNone, fmt.Errorf("invalid severity %q: want one of %s", name, strings.Join(severityNames[:], ", "))
}

// SeverityNames lists the valid severity names from least to most serious.
func SeverityNames() []string {
	return append([]string(nil), severityNames[:]...)
}

// MarshalText writes the severity as its name, so JSON shows "high".
func (s Severity) MarshalText() ([]byte, error) {
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(text []byte) error {
	v, err := ParseSeverity(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
