package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

var generatedAt = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

func fixtureDocument(t *testing.T) *Document {
	t.Helper()
	snap, err := fixturesnap.Load("debian12-selinux", "debian12-enforcing")
	if err != nil {
		t.Fatal(err)
	}
	return NewDocument(audit.Evaluate(snap, nil), "test", generatedAt)
}

// disabledHostDocument is the report of a host like the test machines:
// no SELinux, one container of each kind the engine reports.
func disabledHostDocument() *Document {
	snap := inventory.New("plain-host", generatedAt)
	snap.Host.SELinux = inventory.SELinux{State: inventory.SELinuxDisabled, StateReason: "selinuxfs is not mounted"}
	notLabeled := inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"}
	snap.Containers = []inventory.Container{
		{ID: "a1", Name: "plain", State: "running", DiscoveredBy: inventory.DiscoveredByAPI, ProcessLabel: notLabeled, MountLabel: notLabeled, SecurityOpt: []string{}, Mounts: []inventory.Mount{}},
		{ID: "b2", Name: "priv", State: "running", DiscoveredBy: inventory.DiscoveredByAPI, Privileged: true, ProcessLabel: notLabeled, MountLabel: notLabeled, SecurityOpt: []string{}, Mounts: []inventory.Mount{}},
		{ID: "c3", Name: "lost", State: "running", DiscoveredBy: inventory.DiscoveredByAPI, InspectError: "inspect failed: timeout",
			ProcessLabel: inventory.Label{State: inventory.Unknown, Reason: "inspect failed: timeout"},
			MountLabel:   inventory.Label{State: inventory.Unknown, Reason: "inspect failed: timeout"},
			SecurityOpt:  []string{}, Mounts: []inventory.Mount{}},
	}
	snap.AddGap(inventory.Gap{Source: inventory.SourcePodman, Subject: "container lost (c3)", Reason: "inspect failed"})
	return NewDocument(audit.Evaluate(snap, nil), "test", generatedAt)
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return compileDocsSchema(t, "report.schema.json")
}

// compileDocsSchema compiles a schema under docs/. Schemas there refer to
// each other by their $id URLs, so every one is registered under its $id.
func compileDocsSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, file := range []string{"report.schema.json", "diff.schema.json"} {
		path, err := filepath.Abs(filepath.Join("..", "docs", file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("decoding %s: %v", path, err)
		}
		if err := c.AddResource(docsSchemaBase+file, doc); err != nil {
			t.Fatal(err)
		}
	}
	schema, err := c.Compile(docsSchemaBase + name)
	if err != nil {
		t.Fatalf("compiling docs/%s: %v", name, err)
	}
	return schema
}

// docsSchemaBase is the $id prefix of the schemas under docs/.
const docsSchemaBase = "https://github.com/mcsaudit/mcsaudit/docs/"

func validateJSON(t *testing.T, schema *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(inst)
}

func encodeJSON(t *testing.T, doc *Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (JSONWriter{}).Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONReportMatchesSchema(t *testing.T) {
	schema := compileSchema(t)
	docs := map[string]*Document{
		"real SELinux host":       fixtureDocument(t),
		"disabled host":           disabledHostDocument(),
		"waivers and compose":     labDocument(t),
		"read back from its JSON": readBack(t, labDocument(t)),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			if err := validateJSON(t, schema, encodeJSON(t, doc)); err != nil {
				t.Errorf("report does not match docs/report.schema.json: %v", err)
			}
		})
	}
}

func readBack(t *testing.T, doc *Document) *Document {
	t.Helper()
	back, err := ReadDocument(bytes.NewReader(encodeJSON(t, doc)))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestDiffJSONMatchesSchema(t *testing.T) {
	schema := compileDocsSchema(t, "diff.schema.json")
	var buf bytes.Buffer
	if err := (JSONWriter{}).WriteDiff(&buf, labDiff(t)); err != nil {
		t.Fatal(err)
	}
	if err := validateJSON(t, schema, buf.Bytes()); err != nil {
		t.Errorf("comparison does not match docs/diff.schema.json: %v", err)
	}

	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	m["newFindings"].([]any)[0].(map[string]any)["severity"] = "urgent"
	broken, _ := json.Marshal(m)
	if err := validateJSON(t, schema, broken); err == nil {
		t.Error("docs/diff.schema.json accepted a finding with severity \"urgent\": its $ref to report.schema.json does not apply")
	}
}

func TestSchemaRejectsBrokenReports(t *testing.T) {
	schema := compileSchema(t)
	tests := map[string]func(m map[string]any){
		"missing findings": func(m map[string]any) { delete(m, "findings") },
		"unknown severity": func(m map[string]any) { m["findings"].([]any)[0].(map[string]any)["severity"] = "urgent" },
		"labeled no value": func(m map[string]any) {
			delete(m["containers"].([]any)[0].(map[string]any)["processLabel"].(map[string]any), "value")
		},
		"unknown top field": func(m map[string]any) { m["extra"] = 1 },
		"waiver without reason": func(m map[string]any) {
			f := m["findings"].([]any)[0].(map[string]any)
			f["waiver"] = map[string]any{"file": "ignore.yaml", "line": 2}
		},
		"negative waived count": func(m map[string]any) { m["summary"].(map[string]any)["waived"] = -1 },
		"unknown waiver status": func(m map[string]any) {
			m["waivers"] = map[string]any{"file": "ignore.yaml", "entries": []any{map[string]any{
				"line": 2, "check": "TYPE-002", "reason": "r", "status": "paused", "matches": 0,
			}}}
		},
	}
	for name, breakIt := range tests {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(encodeJSON(t, fixtureDocument(t)), &m); err != nil {
				t.Fatal(err)
			}
			breakIt(m)
			if err := schema.Validate(m); err == nil {
				t.Error("schema accepted a broken report")
			}
		})
	}
}

func TestJSONReportLabelStates(t *testing.T) {
	var got struct {
		Containers []struct {
			Name         string          `json:"name"`
			ProcessLabel inventory.Label `json:"processLabel"`
		} `json:"containers"`
	}
	if err := json.Unmarshal(encodeJSON(t, disabledHostDocument()), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]inventory.LabelState{"plain": inventory.NotLabeled, "priv": inventory.NotLabeled, "lost": inventory.Unknown}
	for _, c := range got.Containers {
		if c.ProcessLabel.State != want[c.Name] {
			t.Errorf("container %s: processLabel.state = %q, want %q", c.Name, c.ProcessLabel.State, want[c.Name])
		}
	}
}

func TestSummaryCounts(t *testing.T) {
	s := disabledHostDocument().Summary
	if s.Critical != 1 {
		t.Errorf("critical = %d, want 1 (HOST-001)", s.Critical)
	}
	if s.High != 1 {
		t.Errorf("high = %d, want 1 (TYPE-002 for priv)", s.High)
	}
	if s.NotEvaluated != 1 {
		t.Errorf("notEvaluated = %d, want 1 (TYPE-002 for lost)", s.NotEvaluated)
	}
	if s.MaxSeverity.String() != "critical" {
		t.Errorf("maxSeverity = %s, want critical", s.MaxSeverity)
	}
}

func TestTableReportContents(t *testing.T) {
	var buf bytes.Buffer
	if err := (TableWriter{}).Write(&buf, disabledHostDocument()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"SELinux:   disabled",
		"CRITICAL", "HOST-001",
		"HIGH", "TYPE-002", "priv",
		"(not labeled)", "(unknown)",
		"COVERAGE GAPS", "TYPE-002 not evaluated for lost",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table report lacks %q:\n%s", want, out)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWritersReturnWriteErrors(t *testing.T) {
	for _, format := range Formats() {
		w, err := New(format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(failingWriter{}, disabledHostDocument()); err == nil {
			t.Errorf("%s writer returned nil on a failing output", format)
		}
	}
}

func TestNewRejectsUnknownFormat(t *testing.T) {
	if _, err := New("xml", Options{}); err == nil {
		t.Error("New(\"xml\") returned no error")
	}
}

func TestSubjectNamesCapped(t *testing.T) {
	var subjects []checks.Subject
	for i := range 20 {
		subjects = append(subjects, checks.Subject{Kind: "container", Name: fmt.Sprintf("c%02d", i)})
	}
	got := subjectNames(subjects)
	if !strings.Contains(got, "c07") || strings.Contains(got, "c08") {
		t.Errorf("subjectNames = %q, want the first 8 names only", got)
	}
	if !strings.HasSuffix(got, "and 12 more (see --format json)") {
		t.Errorf("subjectNames = %q, want it to say how many were left out", got)
	}
	if got := subjectNames(subjects[:3]); got != "c00, c01, c02" {
		t.Errorf("subjectNames of 3 = %q, want all three", got)
	}
}

func TestJUnitCaseNamesUnique(t *testing.T) {
	doc := disabledHostDocument()
	// A second engine's container of the same name, labeling disabled too.
	twin := doc.Findings[len(doc.Findings)-1]
	doc.Findings = append(doc.Findings, twin)
	var buf bytes.Buffer
	if err := (JUnitWriter{}).Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(buf.String(), "\n") {
		_, rest, ok := strings.Cut(line, "<testcase name=\"")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, "\"")
		if seen[name] {
			t.Errorf("test case name %q appears twice", name)
		}
		seen[name] = true
	}
	if len(seen) == 0 {
		t.Fatal("no test cases in the JUnit output")
	}
}

func TestTableHeaderCountsProcfsOnly(t *testing.T) {
	doc := disabledHostDocument()
	doc.Containers = append(doc.Containers, inventory.Container{
		ID: "ff66", Name: "elsewhere", State: "running", DiscoveredBy: inventory.DiscoveredByProcfs,
		SecurityOpt: []string{}, Mounts: []inventory.Mount{},
	})
	doc.Summary.Containers = len(doc.Containers)
	var buf bytes.Buffer
	if err := (TableWriter{}).Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Audited:   4 containers (1 seen in /proc only)") {
		t.Errorf("header does not count the container seen only in /proc:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "podman (seen in /proc only)") && !strings.Contains(buf.String(), "(seen in /proc only)") {
		t.Errorf("containers table does not mark the container seen only in /proc")
	}
}
