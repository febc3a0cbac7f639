package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

type parsedJUnit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitCases(t *testing.T) {
	var buf bytes.Buffer
	if err := (JUnitWriter{Catalog: goldenRules()}).Write(&buf, labDocument(t)); err != nil {
		t.Fatal(err)
	}
	var got parsedJUnit
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, buf.String())
	}

	// Every case is a pass, a failure or a skip, and the counts add up.
	tests, failures, skipped := 0, 0, 0
	outcome := map[string]string{}
	for _, s := range got.Suites {
		suiteFailures, suiteSkipped := 0, 0
		for _, c := range s.Cases {
			switch {
			case c.Failure != nil:
				suiteFailures++
				outcome[c.Name] = "failure " + c.Failure.Type
			case c.Skipped != nil:
				suiteSkipped++
				outcome[c.Name] = "skipped " + c.Skipped.Message
			default:
				outcome[c.Name] = "pass"
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != suiteFailures || s.Skipped != suiteSkipped {
			t.Errorf("suite %s counts tests %d failures %d skipped %d, but has %d cases, %d failures, %d skipped",
				s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), suiteFailures, suiteSkipped)
		}
		tests += len(s.Cases)
		failures += suiteFailures
		skipped += suiteSkipped
	}
	if got.Tests != tests || got.Failures != failures || got.Skipped != skipped {
		t.Errorf("root counts %d/%d/%d, cases %d/%d/%d", got.Tests, got.Failures, got.Skipped, tests, failures, skipped)
	}

	want := map[string]string{
		"HOST-001 no finding":                                      "pass",
		"HOST-002 host:lab-host":                                   "failure high",
		"TYPE-002 container:podman/web-priv":                       "failure high",
		"TYPE-002 container:podman-rootless-uid1000/toolbox-alice": "skipped waived: toolbox containers run with labeling disabled by design; owned by the workstation team (/etc/mcsaudit/ignore.yaml line 2, expires 2027-06-30)",
		"TYPE-002 container:podman/lost":                           "skipped not evaluated: container settings unknown: inspect failed: context deadline exceeded",
		"podman container lost (dd44)":                             "skipped not read: inspect failed: context deadline exceeded",
	}
	for name, w := range want {
		if outcome[name] != w {
			t.Errorf("case %q: %q, want %q", name, outcome[name], w)
		}
	}
	if len(outcome) != len(want) {
		t.Errorf("cases = %v, want exactly %v", outcome, want)
	}
}

// TestJUnitSELinuxDisabled checks that a check which does not run on a
// host without SELinux is a skipped case there, not a pass.
func TestJUnitSELinuxDisabled(t *testing.T) {
	var buf bytes.Buffer
	if err := (JUnitWriter{}).Write(&buf, disabledHostDocument()); err != nil {
		t.Fatal(err)
	}
	var got parsedJUnit
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	outcome := map[string]string{}
	for _, s := range got.Suites {
		for _, c := range s.Cases {
			switch {
			case c.Failure != nil:
				outcome[c.Name] = "failure"
			case c.Skipped != nil:
				outcome[c.Name] = c.Skipped.Message
			default:
				outcome[c.Name] = "pass"
			}
		}
	}
	if outcome["HOST-001 host:plain-host"] != "failure" {
		t.Errorf("HOST-001 = %q, want a failure", outcome["HOST-001 host:plain-host"])
	}
	for _, c := range checks.Catalog() {
		name := c.ID + " no finding"
		result, ok := outcome[name]
		if !ok {
			continue
		}
		if c.RunsWithoutSELinux() && result != "pass" {
			t.Errorf("%s = %q, want pass: the check runs without SELinux", name, result)
		}
		if !c.RunsWithoutSELinux() && !strings.HasPrefix(result, "not run: SELinux is disabled") {
			t.Errorf("%s = %q, want skipped as not run", name, result)
		}
	}
}
