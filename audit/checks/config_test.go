package checks

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

const exampleConfig = `# Reviewed udica policy of the billing service.
confinedTypes: [billing.process]
unconfinedTypes: [debug_shell_t]
wideningBooleans: [my_site_bool]
acceptedBooleans: [virt_use_nfs]
systemPaths: ["/data/secrets/**"]
homeDirectories: ["/export/home/*"]
disabledChecks: [MCS-005]
severity:
  TYPE-003: low
  MOUNT-001: high
`

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig(strings.NewReader(exampleConfig), "mcsaudit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.ConfinedTypes, []string{"billing.process"}) || !slices.Equal(cfg.DisabledChecks, []string{"MCS-005"}) {
		t.Errorf("config = %+v, want the lists of the file", cfg)
	}
	if cfg.Severity["TYPE-003"] != SeverityLow || cfg.Severity["MOUNT-001"] != SeverityHigh {
		t.Errorf("severity = %v, want TYPE-003 low and MOUNT-001 high", cfg.Severity)
	}
}

// JSON is valid YAML, so the same parser reads it.
func TestParseConfigJSON(t *testing.T) {
	cfg, err := ParseConfig(strings.NewReader(`{"confinedTypes": ["a.process"], "severity": {"MCS-004": "high"}}`), "c.json")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Severity["MCS-004"] != SeverityHigh || cfg.ConfinedTypes[0] != "a.process" {
		t.Errorf("config = %+v", cfg)
	}
}

func TestParseConfigEmpty(t *testing.T) {
	for _, input := range []string{"", "# only a comment\n"} {
		cfg, err := ParseConfig(strings.NewReader(input), "empty.yaml")
		if err != nil || cfg == nil {
			t.Errorf("ParseConfig(%q) = %v, %v; want the built-in settings", input, cfg, err)
		}
	}
}

func TestParseConfigRejects(t *testing.T) {
	tests := map[string]struct {
		input, field string
	}{
		"unknown field":        {"confinedType: [x_t]\n", "confinedType"},
		"unknown check ID":     {"disabledChecks: [MCS-999]\n", "disabledChecks[0]"},
		"unknown severity ID":  {"severity:\n  TYPE-999: low\n", "severity.TYPE-999"},
		"invalid severity":     {"severity:\n  TYPE-003: urgent\n", "severity.TYPE-003"},
		"none is no severity":  {"severity:\n  TYPE-003: none\n", "severity.TYPE-003"},
		"invalid type":         {"confinedTypes: [ok_t, \"bad type\"]\n", "confinedTypes[1]"},
		"type in both lists":   {"confinedTypes: [x_t]\nunconfinedTypes: [x_t]\n", "unconfinedTypes[0]"},
		"invalid boolean":      {"acceptedBooleans: [virt-use-nfs]\n", "acceptedBooleans[0]"},
		"relative path":        {"systemPaths: [etc]\n", "systemPaths[0]"},
		"unclean path":         {"homeDirectories: [/export//home/*]\n", "homeDirectories[0]"},
		"inner double star":    {"systemPaths: [/a/**/b]\n", "systemPaths[0]"},
		"wrong type of value":  {"confinedTypes: x_t\n", "line 1"},
		"severity not a map":   {"severity: [low]\n", "line 1"},
		"JSON with bad field":  {`{"disabledCheck": []}`, "disabledCheck"},
		"invalid glob pattern": {"systemPaths: [\"/srv/[\"]\n", "systemPaths[0]"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(tt.input), "bad.yaml")
			if err == nil {
				t.Fatal("ParseConfig accepted an invalid configuration")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.field) || !strings.Contains(err.Error(), "bad.yaml") {
				t.Errorf("error %q does not name the file and %q", err, tt.field)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcsaudit.yaml")
	if err := os.WriteFile(path, []byte(exampleConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err != nil {
		t.Errorf("LoadConfig: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("LoadConfig of a missing file returned no error")
	}
}

func TestConfigDisablesAndOverrides(t *testing.T) {
	snap := enforcingSnapshot(
		confined("p2-a", "s0:c1,c2", inPod("p2")),
		confined("p2-b", "s0:c3,c4", inPod("p2")),
		confined("single", "s0:c9"),
	)
	cfg := &Config{DisabledChecks: []string{"MCS-005"}, Severity: map[string]Severity{"MCS-004": SeverityCritical}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	res := RunWithConfig(snap, Catalog(), cfg)
	if len(findingsOf(res, "MCS-005")) != 0 {
		t.Error("MCS-005 ran although disabled")
	}
	fs := findingsOf(res, "MCS-004")
	if len(fs) != 1 || fs[0].Severity != SeverityCritical {
		t.Errorf("MCS-004 = %s, want one critical finding", describeFindings(res))
	}
	if got := cfg.Apply(Catalog()); len(got) != len(Catalog())-1 {
		t.Errorf("Apply kept %d checks, want all but the disabled one", len(got))
	}
}

func TestConfigExtendsPaths(t *testing.T) {
	snap := withFiles(enforcingSnapshot(),
		fileLabel("/data/secrets/keys", fileT+"s0", inventory.RoleMountSource),
		fileLabel("/export/home/carol", fileT+"s0", inventory.RoleHostPath),
	)
	res := Run(snap, Catalog())
	if got := findingsFor(res, "MOUNT-003"); len(got) != 0 {
		t.Errorf("MOUNT-003 = %v before the paths are configured, want none", got)
	}
	cfg, err := ParseConfig(strings.NewReader(exampleConfig), "mcsaudit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res = RunWithConfig(snap, Catalog(), cfg)
	if got := findingsFor(res, "MOUNT-003"); !slices.Equal(got, []string{"/data/secrets/keys", "/export/home/carol"}) {
		t.Errorf("MOUNT-003 = %v, want both configured paths", got)
	}
}

func TestPathPatterns(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/", "/", true},
		{"/", "/etc", false},
		{"/etc/**", "/etc", true},
		{"/etc/**", "/etc/ssh/sshd_config", true},
		{"/etc/**", "/etcetera", false},
		{"/home/*", "/home/alice", true},
		{"/home/*", "/home/alice/.aws", false},
		{"/home/*", "/home", false},
		{"/usr/**", "/usr/lib/modules/6.1.0-50-amd64", true},
		{"/var/lib", "/var/lib/mysql", false},
	}
	for _, tt := range tests {
		pat, err := compilePathPattern(tt.pattern)
		if err != nil {
			t.Fatalf("compilePathPattern(%q): %v", tt.pattern, err)
		}
		if got := pat.match(tt.path); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

// Every built-in list entry must be valid configuration too.
func TestBuiltinDefaultsValid(t *testing.T) {
	d := BuiltinDefaults()
	var booleans []string
	for _, b := range d.WideningBooleans {
		booleans = append(booleans, b[0])
	}
	cfg := &Config{SystemPaths: d.SystemPaths, HomeDirectories: d.HomeDirectories, WideningBooleans: booleans}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}
