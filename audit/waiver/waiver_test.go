package waiver

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

func knownTestChecks(id string) bool {
	return id == "HOST-002" || id == "TYPE-002" || id == "MOUNT-003" || id == "MCS-001"
}

func parse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse(strings.NewReader(text), "ignore.yaml", knownTestChecks)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

const exampleFile = `# Waivers for the build hosts.
waivers:
  - check: TYPE-002
    container: "toolbox-*"
    label: com.github.containers.toolbox=true
    reason: toolbox containers run privileged by design
    expires: 2027-03-31

  - check: mount-003
    path: /srv/shared/*
    reason: "  shared scratch space, relabeled on purpose  "
`

func TestParseExample(t *testing.T) {
	f := parse(t, exampleFile)
	if len(f.Waivers) != 2 {
		t.Fatalf("got %d waivers, want 2", len(f.Waivers))
	}
	w := f.Waivers[0]
	if w.Check != "TYPE-002" || w.Container != "toolbox-*" || w.Label != "com.github.containers.toolbox=true" {
		t.Errorf("first waiver = %+v", w)
	}
	if w.Expires != "2027-03-31" || w.Line != 3 {
		t.Errorf("first waiver expires %q at line %d, want 2027-03-31 at line 3", w.Expires, w.Line)
	}
	second := f.Waivers[1]
	if second.Check != "MOUNT-003" {
		t.Errorf("check ID = %q, want it upper-cased to MOUNT-003", second.Check)
	}
	if second.Reason != "shared scratch space, relabeled on purpose" {
		t.Errorf("reason = %q, want it trimmed", second.Reason)
	}
	if second.Expires != "" || second.ExpiredAt(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a waiver without expires must never expire")
	}
}

func TestParseJSONFile(t *testing.T) {
	f := parse(t, `{"waivers": [{"check": "HOST-002", "reason": "migration window", "expires": "2027-01-31"}]}`)
	if len(f.Waivers) != 1 || f.Waivers[0].Check != "HOST-002" || f.Waivers[0].Expires != "2027-01-31" {
		t.Errorf("waivers = %+v", f.Waivers)
	}
}

func TestParseEmptyFiles(t *testing.T) {
	for name, text := range map[string]string{
		"empty":         "",
		"comments only": "# nothing waived yet\n",
		"null list":     "waivers:\n",
		"empty list":    "waivers: []\n",
	} {
		t.Run(name, func(t *testing.T) {
			if f := parse(t, text); len(f.Waivers) != 0 {
				t.Errorf("got %d waivers, want none", len(f.Waivers))
			}
		})
	}
}

func TestParseRejectsInvalidFiles(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		field      string
		want       string
	}{
		{"unknown field", "waivers:\n  - check: TYPE-002\n    chek: x\n    reason: r\n", 3, "chek", "unknown field"},
		{"missing reason", "waivers:\n  - check: TYPE-002\n    container: a\n", 2, "reason", "every waiver needs a reason"},
		{"blank reason", "waivers:\n  - check: TYPE-002\n    reason: \"  \"\n", 3, "reason", "must not be empty"},
		{"missing check", "waivers:\n  - reason: r\n", 2, "check", "name the check ID"},
		{"unknown check", "waivers:\n  - check: TYPE-999\n    reason: r\n", 2, "check", `unknown check "TYPE-999"`},
		{"invalid date", "waivers:\n  - check: TYPE-002\n    reason: r\n    expires: 2027-02-30\n", 4, "expires", `invalid date "2027-02-30": want YYYY-MM-DD`},
		{"date with time", "waivers:\n  - check: TYPE-002\n    reason: r\n    expires: 2027-02-01T10:00:00Z\n", 4, "expires", "want YYYY-MM-DD"},
		{"invalid glob", "waivers:\n  - check: TYPE-002\n    reason: r\n    container: \"web-[\"\n", 4, "container", `invalid glob "web-["`},
		{"label without value", "waivers:\n  - check: TYPE-002\n    reason: r\n    label: spc_t\n", 4, "label", "want KEY=VALUE"},
		{"field twice", "waivers:\n  - check: TYPE-002\n    reason: r\n    reason: s\n", 4, "reason", "given twice"},
		{"list value", "waivers:\n  - check: [TYPE-002]\n    reason: r\n", 2, "check", "must be a single value"},
		{"item not a mapping", "waivers:\n  - TYPE-002\n", 2, "", "must be a mapping"},
		{"waivers not a list", "waivers: TYPE-002\n", 1, "waivers", "must be a list"},
		{"unknown top-level key", "ignore:\n  - check: TYPE-002\n", 1, "", `unknown top-level key "ignore"`},
		{"top level a list", "- check: TYPE-002\n", 1, "", "must be a mapping"},
		{"YAML syntax", "waivers:\n  - check: TYPE-002\n    reason: see: the wiki\n", 3, "", `mapping values are not allowed in this context (quote a value that contains ": ")`},
		{"two documents", "waivers: []\n---\nwaivers: []\n", 2, "", "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.text), "ignore.yaml", knownTestChecks)
			if err == nil {
				t.Fatal("Parse accepted an invalid file")
			}
			if !errors.Is(err, ErrInvalidFile) {
				t.Errorf("errors.Is(err, ErrInvalidFile) = false for %v", err)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			if fe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", fe.Line, tt.line, err)
			}
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "invalid ignore file ignore.yaml") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := Load(path)
	if !errors.Is(err, ErrInvalidFile) || !errors.Is(err, os.ErrNotExist) && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Load of a missing file: %v", err)
	}
	if err != nil && !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func TestLoadUsesTheCatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ignore.yaml")
	if err := os.WriteFile(path, []byte("waivers:\n  - check: host-002\n    reason: r\n  - check: NOPE-001\n    reason: r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), `unknown check "NOPE-001"`) || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("Load = %v, want the unknown check NOPE-001 at line 4", err)
	}
}

func TestExpiryBoundaries(t *testing.T) {
	w := parse(t, "waivers:\n  - check: TYPE-002\n    reason: r\n    expires: 2027-03-31\n").Waivers[0]
	sydney := time.FixedZone("UTC+10", 10*3600)
	tests := []struct {
		name    string
		now     time.Time
		expired bool
	}{
		{"day before", time.Date(2027, 3, 30, 12, 0, 0, 0, time.UTC), false},
		{"start of the day", time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), false},
		{"last nanosecond of the day", time.Date(2027, 3, 31, 23, 59, 59, 999999999, time.UTC), false},
		{"midnight after", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), true},
		{"day after", time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC), true},
		// 09:00 on 1 April in UTC+10 is still 31 March in UTC.
		{"next day east of UTC", time.Date(2027, 4, 1, 9, 0, 0, 0, sydney), false},
		{"next day east of UTC, past midnight UTC", time.Date(2027, 4, 1, 10, 0, 0, 0, sydney), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.ExpiredAt(tt.now); got != tt.expired {
				t.Errorf("ExpiredAt(%s) = %v, want %v", tt.now, got, tt.expired)
			}
		})
	}
}

func container(id, name string, labels map[string]string) inventory.Container {
	return inventory.Container{ID: id, Name: name, Labels: labels, Engine: inventory.EngineRef{Name: "podman"}}
}

func containerFinding(check string, cs ...inventory.Container) checks.Finding {
	f := checks.Finding{CheckID: check, Severity: checks.SeverityHigh}
	for _, c := range cs {
		f.Subjects = append(f.Subjects, checks.ContainerSubject(c))
	}
	return f
}

func TestWaiverMatches(t *testing.T) {
	toolbox := container("t1", "toolbox-alice", map[string]string{"com.github.containers.toolbox": "true"})
	toolbox2 := container("t2", "toolbox-bob", map[string]string{"com.github.containers.toolbox": "true"})
	db := container("d1", "db", map[string]string{"app": "db"})
	byID := map[string]inventory.Container{"t1": toolbox, "t2": toolbox2, "d1": db}
	pathFinding := checks.Finding{CheckID: "MOUNT-003", Subjects: []checks.Subject{{Kind: "path", Path: "/srv/shared/a"}}}
	deepPath := checks.Finding{CheckID: "MOUNT-003", Subjects: []checks.Subject{{Kind: "path", Path: "/srv/shared/a/b"}}}
	host := checks.Finding{CheckID: "HOST-002", Subjects: []checks.Subject{{Kind: "host", Name: "h"}}}

	tests := []struct {
		name    string
		waiver  string
		finding checks.Finding
		want    bool
	}{
		{"container glob", "container: toolbox-*", containerFinding("TYPE-002", toolbox), true},
		{"container glob misses", "container: toolbox-*", containerFinding("TYPE-002", db), false},
		{"label glob", "label: com.github.containers.toolbox=*", containerFinding("TYPE-002", toolbox), true},
		{"label on another container", "label: com.github.containers.toolbox=true", containerFinding("TYPE-002", db), false},
		{"every container must match", "container: toolbox-*", containerFinding("MCS-001", toolbox, db), false},
		{"all containers match", "container: toolbox-*", containerFinding("MCS-001", toolbox, toolbox2), true},
		{"no selector covers the check", "", containerFinding("TYPE-002", db), true},
		{"no selector on host check", "", host, true},
		{"container selector on a host finding", "container: '*'", host, false},
		{"path glob", "path: /srv/shared/*", pathFinding, true},
		{"path star stops at slash", "path: /srv/shared/*", deepPath, false},
		{"path selector on a container finding", "path: /srv/*", containerFinding("TYPE-002", toolbox), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := tt.finding.CheckID
			text := "waivers:\n  - check: " + check + "\n    reason: r\n"
			if tt.waiver != "" {
				text += "    " + tt.waiver + "\n"
			}
			w := parse(t, text).Waivers[0]
			if got := w.Matches(tt.finding, byID); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}

	w := parse(t, "waivers:\n  - check: TYPE-002\n    reason: r\n    container: toolbox-*\n").Waivers[0]
	if w.Matches(containerFinding("MCS-001", toolbox), byID) {
		t.Error("a TYPE-002 waiver matched an MCS-001 finding")
	}
}

func TestApplyExpiryAndOrder(t *testing.T) {
	toolbox := container("t1", "toolbox-alice", nil)
	web := container("w1", "web", nil)
	findings := []checks.Finding{
		containerFinding("TYPE-002", toolbox),
		containerFinding("TYPE-002", web),
		containerFinding("MCS-001", web),
	}
	f := parse(t, `waivers:
  - check: TYPE-002
    container: web
    reason: expired one
    expires: 2026-11-30
  - check: TYPE-002
    container: toolbox-*
    reason: first match wins
  - check: TYPE-002
    reason: every TYPE-002
    expires: 2026-12-04
`)
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	res := f.Apply(findings, []inventory.Container{toolbox, web}, now)

	if w := res.ByFinding[0]; w == nil || w.Reason != "first match wins" {
		t.Errorf("toolbox finding waived by %+v, want the second waiver", w)
	}
	if w := res.ByFinding[1]; w == nil || w.Reason != "every TYPE-002" {
		t.Errorf("web finding waived by %+v, want the third waiver (the first has expired)", w)
	}
	if res.ByFinding[2] != nil {
		t.Errorf("MCS-001 finding waived by %+v, want no waiver", res.ByFinding[2])
	}

	wantMatches := []int{1, 1, 2}
	wantExpired := []bool{true, false, false}
	for i, s := range res.Statuses {
		if s.Matches != wantMatches[i] || s.Expired != wantExpired[i] {
			t.Errorf("status %d = matches %d expired %v, want %d %v", i, s.Matches, s.Expired, wantMatches[i], wantExpired[i])
		}
	}
	if exp := res.Expired(); len(exp) != 1 || exp[0].Waiver.Reason != "expired one" {
		t.Errorf("Expired() = %+v, want the first waiver only", exp)
	}

	// A day later the third waiver has expired too, and the web finding is
	// open again.
	later := f.Apply(findings, []inventory.Container{toolbox, web}, now.AddDate(0, 0, 1))
	if later.ByFinding[1] != nil {
		t.Errorf("after expiry the web finding is still waived by %+v", later.ByFinding[1])
	}
	if len(later.Expired()) != 2 {
		t.Errorf("%d expired waivers, want 2", len(later.Expired()))
	}
}
