package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcsaudit/mcsaudit/audit"
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
	return NewDocument(audit.Evaluate(snap), "test", generatedAt)
}

// disabledHostDocument is the report of a host like the test machines:
// no SELinux, one container of each kind the engine reports.
func disabledHostDocument() *Document {
	snap := inventory.New("plain-host", generatedAt)
	snap.Host.SELinux = inventory.SELinux{State: inventory.SELinuxDisabled, StateReason: "selinuxfs is not mounted"}
	notLabeled := inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"}
	snap.Containers = []inventory.Container{
		{ID: "a1", Name: "plain", State: "running", ProcessLabel: notLabeled, MountLabel: notLabeled, SecurityOpt: []string{}, Mounts: []inventory.Mount{}},
		{ID: "b2", Name: "priv", State: "running", Privileged: true, ProcessLabel: notLabeled, MountLabel: notLabeled, SecurityOpt: []string{}, Mounts: []inventory.Mount{}},
		{ID: "c3", Name: "lost", State: "running", InspectError: "inspect failed: timeout",
			ProcessLabel: inventory.Label{State: inventory.Unknown, Reason: "inspect failed: timeout"},
			MountLabel:   inventory.Label{State: inventory.Unknown, Reason: "inspect failed: timeout"},
			SecurityOpt:  []string{}, Mounts: []inventory.Mount{}},
	}
	snap.AddGap(inventory.Gap{Source: inventory.SourcePodman, Subject: "container lost (c3)", Reason: "inspect failed"})
	return NewDocument(audit.Evaluate(snap), "test", generatedAt)
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs("../docs/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return schema
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
		"real SELinux host": fixtureDocument(t),
		"disabled host":     disabledHostDocument(),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(encodeJSON(t, doc)))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Errorf("report does not match docs/report.schema.json: %v", err)
			}
		})
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
		w, err := New(format)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(failingWriter{}, disabledHostDocument()); err == nil {
			t.Errorf("%s writer returned nil on a failing output", format)
		}
	}
}

func TestNewRejectsUnknownFormat(t *testing.T) {
	if _, err := New("xml"); err == nil {
		t.Error("New(\"xml\") returned no error")
	}
}
