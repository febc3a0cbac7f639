package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

func keys(findings []Finding) []string {
	out := make([]string, 0, len(findings))
	for _, f := range findings {
		out = append(out, f.Key())
	}
	return out
}

func TestCompareClassifiesFindings(t *testing.T) {
	d := labDiff(t)
	tests := []struct {
		name     string
		findings []Finding
		want     []string
	}{
		{"new", d.NewFindings, []string{"TYPE-002 container:podman/web-priv"}},
		{"resolved", d.ResolvedFindings, []string{"TYPE-002 container:podman/web-1"}},
		// lost could not be inspected again; web-old no longer runs.
		{"unverified", d.UnverifiedFindings, []string{"TYPE-002 container:podman/lost", "TYPE-002 container:podman/web-old"}},
		{"unchanged", d.UnchangedFindings, []string{"HOST-002 host:lab-host", "TYPE-002 container:podman-rootless-uid1000/toolbox-alice"}},
	}
	for _, tt := range tests {
		if got := keys(tt.findings); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
		}
	}
	s := d.Summary
	if s.New != 1 || s.Resolved != 1 || s.Unverified != 2 || s.Unchanged != 2 || s.NewWaived != 0 {
		t.Errorf("summary = %+v", s)
	}
	if s.MaxNewSeverity != checks.SeverityHigh {
		t.Errorf("maxNewSeverity = %s, want high", s.MaxNewSeverity)
	}
	// Unchanged findings are shown as the new report has them: the toolbox
	// finding is waived there.
	if d.UnchangedFindings[1].Waiver == nil {
		t.Error("the unchanged toolbox finding lost the new report's waiver")
	}
}

func finding(check string, sev checks.Severity, message string, subjects ...checks.Subject) Finding {
	return Finding{Finding: checks.Finding{CheckID: check, Severity: sev, Message: message, Subjects: subjects}}
}

func docWith(findings ...Finding) *Document {
	return &Document{SchemaVersion: SchemaVersion, Findings: findings, NotEvaluated: []checks.NotEvaluated{}}
}

func TestCompareKeyIgnoresTextAndIDs(t *testing.T) {
	a := checks.Subject{Kind: "container", ID: "1111", Name: "db", Engine: "podman"}
	aRecreated := checks.Subject{Kind: "container", ID: "2222", Name: "db", Engine: "podman"}
	b := checks.Subject{Kind: "container", ID: "3333", Name: "web", Engine: "podman"}
	uid := 1000
	rootlessDB := checks.Subject{Kind: "container", ID: "4444", Name: "db", Engine: "podman", Rootless: true, UID: &uid}

	oldDoc := docWith(
		finding("MCS-001", checks.SeverityHigh, "db and web share s0:c1,c2", a, b),
		finding("TYPE-002", checks.SeverityHigh, "old wording", a),
	)
	newDoc := docWith(
		finding("MCS-001", checks.SeverityHigh, "web and db share one level", b, aRecreated),
		finding("TYPE-002", checks.SeverityHigh, "new wording", aRecreated),
		finding("TYPE-002", checks.SeverityHigh, "rootless db", rootlessDB),
	)
	d := Compare(oldDoc, newDoc, "test", generatedAt)
	if len(d.UnchangedFindings) != 2 {
		t.Errorf("unchanged = %q, want both old findings: subject order, message text and container IDs must not matter", keys(d.UnchangedFindings))
	}
	if got := keys(d.NewFindings); len(got) != 1 || got[0] != "TYPE-002 container:podman-rootless-uid1000/db" {
		t.Errorf("new = %q, want the rootless db only: another owner's container of the same name is another subject", got)
	}
	if len(d.ResolvedFindings) != 0 {
		t.Errorf("resolved = %q, want none", keys(d.ResolvedFindings))
	}
}

func TestCompareDuplicateKeys(t *testing.T) {
	host := checks.Subject{Kind: "host", Name: "h"}
	oldDoc := docWith(finding("HOST-004", checks.SeverityMedium, "boolean a", host), finding("HOST-004", checks.SeverityMedium, "boolean b", host))
	newDoc := docWith(finding("HOST-004", checks.SeverityMedium, "boolean a", host))
	d := Compare(oldDoc, newDoc, "test", generatedAt)
	if d.Summary.Unchanged != 1 || d.Summary.Resolved != 1 || d.Summary.New != 0 {
		t.Errorf("summary = %+v, want 1 unchanged and 1 resolved: two findings with one key pair off one by one", d.Summary)
	}
}

func TestCompareWaivedNewFinding(t *testing.T) {
	c := checks.Subject{Kind: "container", Name: "toolbox", Engine: "podman"}
	waived := finding("TYPE-002", checks.SeverityHigh, "m", c)
	waived.Waiver = &FindingWaiver{File: "ignore.yaml", Line: 2, Reason: "toolbox"}
	d := Compare(docWith(), docWith(waived), "test", generatedAt)
	if d.Summary.New != 1 || d.Summary.NewWaived != 1 || d.Summary.MaxNewSeverity != checks.SeverityNone {
		t.Errorf("summary = %+v, want 1 new, 1 waived, maxNewSeverity none", d.Summary)
	}
}

func TestReadDocumentRejectsOtherInput(t *testing.T) {
	valid := encodeJSON(t, labDocument(t))
	tests := map[string]string{
		"not JSON":            "scan failed\n",
		"a snapshot":          `{"schemaVersion": "1", "collectedAt": "2026-12-04T20:00:00Z", "host": {}}`,
		"other schemaVersion": strings.Replace(string(valid), `"schemaVersion": "1"`, `"schemaVersion": "2"`, 1),
		"no findings list":    strings.Replace(string(valid), `"findings": [`, `"findingz": [`, 1),
		"unknown severity":    strings.Replace(string(valid), `"severity": "high"`, `"severity": "urgent"`, 1),
	}
	for name, input := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadDocument(strings.NewReader(input))
			if err == nil {
				t.Fatal("ReadDocument accepted it")
			}
			if name != "not JSON" && !errors.Is(err, ErrUnsupportedReport) {
				t.Errorf("errors.Is(err, ErrUnsupportedReport) = false: %v", err)
			}
		})
	}
	if _, err := ReadDocument(bytes.NewReader(valid)); err != nil {
		t.Errorf("ReadDocument rejected a report JSONWriter wrote: %v", err)
	}
}

func TestReadDocumentKeepsWaivers(t *testing.T) {
	back := readBack(t, labDocument(t))
	if back.Summary.Waived != 1 || back.Waivers == nil || len(back.ExpiredWaivers()) != 1 {
		t.Errorf("read back: summary %+v, waivers %+v", back.Summary, back.Waivers)
	}
	if !back.GeneratedAt.Equal(generatedAt) {
		t.Errorf("generatedAt = %s, want %s", back.GeneratedAt, generatedAt)
	}
	var waived int
	for _, f := range back.Findings {
		if !f.Open() {
			waived++
		}
	}
	if waived != 1 {
		t.Errorf("%d waived findings after reading back, want 1", waived)
	}
}

func TestApplyWaiversRecounts(t *testing.T) {
	doc := labDocument(t)
	s := doc.Summary
	if s.Findings != 3 || s.High != 2 || s.Waived != 1 || s.ExpiredWaivers != 1 || s.MaxSeverity != checks.SeverityHigh {
		t.Errorf("summary = %+v, want 3 findings, 2 high open, 1 waived, 1 expired waiver", s)
	}
	if s.Gaps != 1 || s.NotEvaluated != 1 {
		t.Errorf("gaps %d, not evaluated %d: waivers must not hide them", s.Gaps, s.NotEvaluated)
	}
	if len(s.ComposeProjects) != 1 || s.ComposeProjects[0].Project != "shop" || s.ComposeProjects[0].Containers != 2 ||
		s.ComposeProjects[0].ByCheck["TYPE-002"] != 1 {
		t.Errorf("compose projects = %+v, want shop with 2 containers and 1 TYPE-002", s.ComposeProjects)
	}

	// Applied again after the toolbox waiver has expired too, nothing is
	// waived and the findings count as open again.
	doc.ApplyWaivers(labWaivers(t), time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC))
	if doc.Summary.Waived != 0 || doc.Summary.High != 3 || doc.Summary.ExpiredWaivers != 2 {
		t.Errorf("after both waivers expired: summary = %+v", doc.Summary)
	}
}
