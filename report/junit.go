package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// JUnitWriter writes the report as JUnit XML for CI test dashboards. Each
// check is a test suite. Each finding is a failing test case named by its
// Key, a waived finding or a subject the check could not evaluate is a
// skipped case, and a check without findings gets one passing case, so
// dashboards count it. Coverage gaps are skipped cases of a "coverage"
// suite.
type JUnitWriter struct {
	// Catalog lists the checks to write suites for; nil means
	// checks.Catalog().
	Catalog []checks.Check
}

var _ Writer = JUnitWriter{}

type junitTestSuites struct {
	XMLName   xml.Name         `xml:"testsuites"`
	Name      string           `xml:"name,attr"`
	Tests     int              `xml:"tests,attr"`
	Failures  int              `xml:"failures,attr"`
	Errors    int              `xml:"errors,attr"`
	Skipped   int              `xml:"skipped,attr"`
	Time      string           `xml:"time,attr"`
	Timestamp string           `xml:"timestamp,attr"`
	Suites    []junitTestSuite `xml:"testsuite"`
}

type junitTestSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr"`
	Hostname   string           `xml:"hostname,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitTestCase  `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// junitTimestamp is the timestamp layout of the common JUnit XML schema:
// ISO 8601 without a zone. mcsaudit writes UTC.
const junitTimestamp = "2006-01-02T15:04:05"

// Write writes the report as JUnit XML.
func (j JUnitWriter) Write(w io.Writer, doc *Document) error {
	stamp := doc.GeneratedAt.UTC().Format(junitTimestamp)
	root := junitTestSuites{Name: "mcsaudit", Time: "0", Timestamp: stamp}

	for _, c := range reportChecks(j.Catalog, doc.Findings) {
		suite := junitTestSuite{
			Name: c.ID + " " + c.Title, Time: "0", Timestamp: stamp, Hostname: doc.Host.Hostname,
			Properties: &junitProperties{Property: []junitProperty{{Name: "severity", Value: c.Severity.String()}}},
		}
		classname := "mcsaudit." + c.ID
		for _, f := range sortedFindings(findingsOf(doc.Findings, c.ID)) {
			tc := junitTestCase{Name: f.Key(), Classname: classname, Time: "0"}
			if f.Waiver != nil {
				tc.Skipped = &junitSkipped{Message: fmt.Sprintf("waived: %s (%s line %d%s)",
					f.Waiver.Reason, f.Waiver.File, f.Waiver.Line, expiresSuffix(f.Waiver.Expires))}
			} else {
				tc.Failure = &junitFailure{Message: f.Message, Type: f.Severity.String(), Text: junitFailureText(f)}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		for _, n := range doc.NotEvaluated {
			if n.CheckID != c.ID {
				continue
			}
			suite.Cases = append(suite.Cases, junitTestCase{
				Name: c.ID + " " + SubjectIdentity(n.Subject), Classname: classname, Time: "0",
				Skipped: &junitSkipped{Message: "not evaluated: " + n.Reason},
			})
		}
		if len(findingsOf(doc.Findings, c.ID)) == 0 {
			tc := junitTestCase{Name: c.ID + " no finding", Classname: classname, Time: "0"}
			if notRunWithoutSELinux(doc, c) {
				tc.Skipped = &junitSkipped{Message: "not run: SELinux is disabled on the host, so there are no labels to judge (HOST-001)"}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		root.add(suite)
	}

	if len(doc.Coverage.Gaps) > 0 {
		suite := junitTestSuite{Name: "coverage", Time: "0", Timestamp: stamp, Hostname: doc.Host.Hostname}
		for _, g := range doc.Coverage.Gaps {
			suite.Cases = append(suite.Cases, junitTestCase{
				Name: fmt.Sprintf("%s %s", g.Source, g.Subject), Classname: "mcsaudit.coverage", Time: "0",
				Skipped: &junitSkipped{Message: "not read: " + g.Reason},
			})
		}
		root.add(suite)
	}

	ew := &errWriter{w: w}
	ew.printf("%s", xml.Header)
	enc := xml.NewEncoder(ew)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("writing JUnit report: %w", err)
	}
	ew.printf("\n")
	return ew.err
}

// add counts a suite's cases and appends it. Two cases of one suite can
// share a name, such as containers of one name under two engines, and CI
// dashboards merge cases by name, so a repeated name gets a counter.
func (root *junitTestSuites) add(s junitTestSuite) {
	seen := map[string]int{}
	for i, c := range s.Cases {
		seen[c.Name]++
		if n := seen[c.Name]; n > 1 {
			s.Cases[i].Name = fmt.Sprintf("%s (%d)", c.Name, n)
		}
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	root.Tests += s.Tests
	root.Failures += s.Failures
	root.Skipped += s.Skipped
	root.Suites = append(root.Suites, s)
}

// notRunWithoutSELinux reports whether the check stayed silent because
// SELinux is disabled on the host, which is not a pass.
func notRunWithoutSELinux(doc *Document, c checks.Check) bool {
	if doc.Host.SELinux.State != inventory.SELinuxDisabled {
		return false
	}
	known, ok := checks.Lookup(c.ID)
	return ok && !known.RunsWithoutSELinux()
}

func findingsOf(findings []Finding, checkID string) []Finding {
	var out []Finding
	for _, f := range findings {
		if f.CheckID == checkID {
			out = append(out, f)
		}
	}
	return out
}

func junitFailureText(f Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nSeverity: %s\nSubjects: %s\n", f.Message, f.Severity, subjectNames(f.Subjects))
	if len(f.Evidence) > 0 {
		b.WriteString("Evidence:\n")
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %s: %s\n", e.Name, e.Value)
		}
	}
	fmt.Fprintf(&b, "Remediation: %s\n", f.Remediation)
	return b.String()
}
