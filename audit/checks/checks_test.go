package checks

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

func TestCatalogEntriesComplete(t *testing.T) {
	idPattern := regexp.MustCompile(`^(HOST|TYPE|PROC|MCS|MOUNT)-[0-9]{3}$`)
	seen := map[string]bool{}
	var ids []string
	for _, c := range Catalog() {
		if !idPattern.MatchString(c.ID) {
			t.Errorf("check ID %q does not match FAMILY-NNN", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("check ID %s appears twice", c.ID)
		}
		seen[c.ID] = true
		ids = append(ids, c.ID)
		if c.Title == "" || c.Rationale == "" || c.Remediation == "" {
			t.Errorf("%s: title, rationale and remediation must all be set", c.ID)
		}
		if len(c.References) == 0 {
			t.Errorf("%s: no references", c.ID)
		}
		for _, r := range c.References {
			if !strings.HasPrefix(r, "https://") {
				t.Errorf("%s: reference %q is not an https URL", c.ID, r)
			}
		}
		if len(c.Needs) == 0 {
			t.Errorf("%s: names no evidence it needs", c.ID)
		}
		if c.Severity < SeverityInfo || c.Severity > SeverityCritical {
			t.Errorf("%s: severity %s out of range", c.ID, c.Severity)
		}
		if c.evaluate == nil {
			t.Errorf("%s: no evaluate function", c.ID)
		}
	}
	if !slices.IsSorted(ids) {
		t.Errorf("catalog order = %v, want ID order", ids)
	}
}

// The design names these IDs; reports and waivers key on them.
func TestCatalogHasEveryDesignedCheck(t *testing.T) {
	want := []string{
		"HOST-001", "HOST-002", "HOST-003", "HOST-004", "HOST-005", "HOST-006",
		"MCS-001", "MCS-002", "MCS-003", "MCS-004", "MCS-005",
		"MOUNT-001", "MOUNT-002", "MOUNT-003", "MOUNT-004", "MOUNT-005", "MOUNT-006", "MOUNT-007", "MOUNT-008",
		"PROC-001",
		"TYPE-001", "TYPE-002", "TYPE-003", "TYPE-004",
	}
	var got []string
	for _, c := range Catalog() {
		got = append(got, c.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("catalog = %v, want %v", got, want)
	}
}

func TestCheckSeverities(t *testing.T) {
	want := map[string]Severity{
		"HOST-001": SeverityCritical, "HOST-002": SeverityHigh, "HOST-003": SeverityMedium,
		"HOST-004": SeverityMedium, "HOST-005": SeverityHigh, "HOST-006": SeverityHigh,
		"MCS-001": SeverityHigh, "MCS-002": SeverityHigh, "MCS-003": SeverityHigh,
		"MCS-004": SeverityMedium, "MCS-005": SeverityLow,
		"MOUNT-001": SeverityMedium, "MOUNT-002": SeverityHigh, "MOUNT-003": SeverityCritical,
		"MOUNT-004": SeverityHigh, "MOUNT-005": SeverityLow, "MOUNT-006": SeverityLow,
		"MOUNT-007": SeverityCritical, "MOUNT-008": SeverityMedium,
		"PROC-001": SeverityHigh,
		"TYPE-001": SeverityHigh, "TYPE-002": SeverityHigh, "TYPE-003": SeverityInfo, "TYPE-004": SeverityMedium,
	}
	for id, sev := range want {
		c, ok := Lookup(id)
		if !ok {
			t.Errorf("%s missing from the catalog", id)
			continue
		}
		if c.Severity != sev {
			t.Errorf("%s severity = %s, want %s", id, c.Severity, sev)
		}
	}
}

func TestHostStateChecks(t *testing.T) {
	tests := []struct {
		state        inventory.SELinuxState
		wantIDs      []string
		notEvaluated []string
	}{
		// A bare snapshot read no policy type, booleans or file labels.
		{inventory.SELinuxEnforcing, nil, []string{"HOST-003", "HOST-004", "MOUNT-003"}},
		{inventory.SELinuxPermissive, []string{"HOST-002"}, []string{"HOST-003", "HOST-004", "MOUNT-003"}},
		// Without SELinux only HOST-001 speaks.
		{inventory.SELinuxDisabled, []string{"HOST-001"}, nil},
		// An unreadable state is neither a pass nor a finding.
		{inventory.SELinuxUnknown, nil, []string{"HOST-001", "HOST-002", "MOUNT-003"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			res := Run(hostSnapshot(tt.state), Catalog())
			if got := findingIDs(res); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("findings = %v, want %v", got, tt.wantIDs)
			}
			var got []string
			for _, n := range res.NotEvaluated {
				got = append(got, n.CheckID)
			}
			if !slices.Equal(got, tt.notEvaluated) {
				t.Errorf("not evaluated = %v, want %v", got, tt.notEvaluated)
			}
		})
	}
}

// On a host without SELinux every container has an empty label. Only the
// settings that disable labeling may raise TYPE-002, and no other check
// reports anything, not even "not evaluated".
func TestLabelingDisabledWithoutSELinux(t *testing.T) {
	snap := hostSnapshot(inventory.SELinuxDisabled)
	off := false
	snap.Engines = []inventory.Engine{{Name: "podman", SELinuxEnabled: &off, Reachable: true}}
	ref := inventory.EngineRef{Name: "podman"}
	snap.Containers = []inventory.Container{
		container("plain", engine(ref)),
		container("priv", func(c *inventory.Container) { c.Engine = ref; c.Privileged = true }),
		container("nolabel", func(c *inventory.Container) { c.Engine = ref; c.SecurityOpt = []string{"label=disable"} }),
		container("docker-style", func(c *inventory.Container) { c.Engine = ref; c.SecurityOpt = []string{"label:disable"} }),
		container("pidhost", func(c *inventory.Container) { c.Engine = ref; c.PidMode = "host" }),
		container("ipchost", func(c *inventory.Container) { c.Engine = ref; c.IpcMode = "host" }),
		container("podmember", func(c *inventory.Container) { c.Engine = ref; c.IpcMode = "container:abc"; c.PidMode = "container:abc" }),
		container("bind", func(c *inventory.Container) {
			c.Engine = ref
			c.Mounts = []inventory.Mount{bind("/srv/data", "/data", true)}
		}),
		container("broken", func(c *inventory.Container) {
			c.Engine = ref
			c.InspectError = "inspect failed: timeout"
			c.ProcessLabel = inventory.Label{State: inventory.Unknown, Reason: "inspect failed: timeout"}
		}),
	}
	res := Run(snap, Catalog())

	want := []string{"docker-style", "ipchost", "nolabel", "pidhost", "priv"}
	if got := findingsFor(res, "TYPE-002"); !slices.Equal(got, want) {
		t.Errorf("TYPE-002 subjects = %v, want %v", got, want)
	}
	assertIDs(t, res, "HOST-001", "TYPE-002")
	if len(res.NotEvaluated) != 1 || res.NotEvaluated[0].Subject.Name != "broken" || res.NotEvaluated[0].CheckID != "TYPE-002" {
		t.Errorf("not evaluated = %v, want only TYPE-002 for the container whose inspect failed", res.NotEvaluated)
	}
}

func TestRunSortsBySeverity(t *testing.T) {
	snap := hostSnapshot(inventory.SELinuxDisabled)
	snap.Containers = []inventory.Container{container("zz-priv", func(c *inventory.Container) { c.Privileged = true })}
	res := Run(snap, Catalog())
	if got := findingIDs(res); !slices.Equal(got, []string{"HOST-001", "TYPE-002"}) {
		t.Errorf("findings order = %v, want critical HOST-001 before high TYPE-002", got)
	}
	for _, f := range res.Findings {
		if f.Remediation == "" || f.Title == "" {
			t.Errorf("%s: finding lacks title or remediation", f.CheckID)
		}
	}
}

func TestFindingsNameTheirSubjects(t *testing.T) {
	uid := 1000
	rootless := inventory.EngineRef{Name: "podman", URL: "unix:///run/user/1000/podman/podman.sock", Rootless: true, UID: &uid}
	snap := enforcingSnapshot(
		confined("web", "s0:c1,c2", engine(rootless), inPod("pod-1")),
		confined("db", "s0:c1,c2"),
	)
	res := Run(snap, Catalog())
	fs := findingsOf(res, "MCS-001")
	if len(fs) != 1 {
		t.Fatalf("MCS-001 findings = %d, want 1\n%s", len(fs), describeFindings(res))
	}
	var web Subject
	for _, s := range fs[0].Subjects {
		if s.Name == "web" {
			web = s
		}
	}
	if web.ID != "web-id" || web.Engine != "podman" || !web.Rootless || web.UID == nil || *web.UID != 1000 || web.Pod != "pod-1" || web.Kind != KindContainer {
		t.Errorf("subject web = %+v, want its id, engine, uid 1000, rootless and pod", web)
	}
	if len(fs[0].Evidence) == 0 {
		t.Error("MCS-001 finding carries no evidence")
	}
}

func TestParseSeverity(t *testing.T) {
	for _, name := range SeverityNames() {
		s, err := ParseSeverity(name)
		if err != nil {
			t.Errorf("ParseSeverity(%q): %v", name, err)
		}
		if s.String() != name {
			t.Errorf("ParseSeverity(%q).String() = %q", name, s)
		}
	}
	if s, err := ParseSeverity("HIGH"); err != nil || s != SeverityHigh {
		t.Errorf("ParseSeverity(HIGH) = %v, %v; want high", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent) returned no error")
	}
}

// Another engine's container, found only through /proc, has unknown
// settings: it is not evaluated, never silently passed.
func TestLabelingDisabledProcfsOnly(t *testing.T) {
	snap := hostSnapshot(inventory.SELinuxDisabled)
	snap.Containers = []inventory.Container{
		container("elsewhere", func(c *inventory.Container) { c.DiscoveredBy = inventory.DiscoveredByProcfs }),
	}
	res := Run(snap, Catalog())
	if got := findingsFor(res, "TYPE-002"); len(got) != 0 {
		t.Errorf("TYPE-002 findings = %v, want none from unknown settings", got)
	}
	found := false
	for _, n := range res.NotEvaluated {
		if n.CheckID == "TYPE-002" && n.Subject.Name == "elsewhere" {
			found = true
		}
	}
	if !found {
		t.Errorf("not evaluated = %+v, want TYPE-002 for the container seen only through /proc", res.NotEvaluated)
	}
}

// A disabled check leaves a trace: it is listed as not evaluated with the
// reason, never silently absent.
func TestDisabledCheckListedAsNotEvaluated(t *testing.T) {
	snap := hostSnapshot(inventory.SELinuxDisabled)
	cfg, err := ParseConfig(strings.NewReader("disabledChecks: [HOST-001]\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := RunWithConfig(snap, Catalog(), cfg)
	if got := findingsFor(res, "HOST-001"); len(got) != 0 {
		t.Errorf("HOST-001 findings = %v, want none while disabled", got)
	}
	found := false
	for _, n := range res.NotEvaluated {
		if n.CheckID == "HOST-001" && strings.Contains(n.Reason, "disabled by the check configuration") {
			found = true
		}
	}
	if !found {
		t.Errorf("not evaluated = %+v, want HOST-001 listed as disabled", res.NotEvaluated)
	}
}

func TestConfigCheckIDsAnyCase(t *testing.T) {
	cfg, err := ParseConfig(strings.NewReader("disabledChecks: [host-001]\nseverity:\n  type-002: low\n"), "test.yaml")
	if err != nil {
		t.Fatalf("lower-case check IDs rejected: %v", err)
	}
	if !slices.Equal(cfg.DisabledChecks, []string{"HOST-001"}) {
		t.Errorf("disabled checks = %v, want [HOST-001]", cfg.DisabledChecks)
	}
	if cfg.Severity["TYPE-002"] != SeverityLow {
		t.Errorf("severity overrides = %v, want TYPE-002 low", cfg.Severity)
	}
}
