package checks

import (
	"regexp"
	"slices"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

func TestCatalogEntriesComplete(t *testing.T) {
	idPattern := regexp.MustCompile(`^(HOST|TYPE|PROC|MCS|MOUNT)-[0-9]{3}$`)
	seen := map[string]bool{}
	for _, c := range Catalog() {
		if !idPattern.MatchString(c.ID) {
			t.Errorf("check ID %q does not match FAMILY-NNN", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("check ID %s appears twice", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Rationale == "" || c.Remediation == "" {
			t.Errorf("%s: title, rationale and remediation must all be set", c.ID)
		}
		if len(c.References) == 0 {
			t.Errorf("%s: no references", c.ID)
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
}

func TestFirstCheckSeverities(t *testing.T) {
	want := map[string]Severity{"HOST-001": SeverityCritical, "HOST-002": SeverityHigh}
	for id, sev := range want {
		c, ok := Lookup(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		if c.Severity != sev {
			t.Errorf("%s severity = %s, want %s", id, c.Severity, sev)
		}
	}
}

func hostSnapshot(state inventory.SELinuxState) *inventory.Snapshot {
	snap := inventory.New("h", fixturesnap.CollectedAt)
	snap.Host.SELinux = inventory.SELinux{State: state, StateReason: "test"}
	return snap
}

func TestHostStateChecks(t *testing.T) {
	tests := []struct {
		state        inventory.SELinuxState
		wantIDs      []string
		notEvaluated int
	}{
		{inventory.SELinuxEnforcing, nil, 0},
		{inventory.SELinuxPermissive, []string{"HOST-002"}, 0},
		{inventory.SELinuxDisabled, []string{"HOST-001"}, 0},
		// An unreadable state is neither a pass nor a finding.
		{inventory.SELinuxUnknown, nil, 2},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			res := Run(hostSnapshot(tt.state), Catalog())
			if got := findingIDs(res); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("findings = %v, want %v", got, tt.wantIDs)
			}
			if len(res.NotEvaluated) != tt.notEvaluated {
				t.Errorf("not evaluated = %d, want %d", len(res.NotEvaluated), tt.notEvaluated)
			}
		})
	}
}

func findingIDs(res Result) []string {
	var ids []string
	for _, f := range res.Findings {
		ids = append(ids, f.CheckID)
	}
	return ids
}

func findingsFor(res Result, checkID string) []string {
	var names []string
	for _, f := range res.Findings {
		if f.CheckID == checkID {
			names = append(names, f.Subjects[0].Name)
		}
	}
	slices.Sort(names)
	return names
}

// The recorded SELinux host ran privileged, label=disable, --pid host and
// --ipc host containers; the kernel showed each running in the caller's
// unconfined_t domain. Every other container there got a process label.
func TestLabelingDisabledOnRealHost(t *testing.T) {
	snap, err := fixturesnap.Load("debian12-selinux", "debian12-enforcing")
	if err != nil {
		t.Fatal(err)
	}
	res := Run(snap, Catalog())

	want := []string{"b-nolabel", "b-priv", "b-priv-nolabel", "g-ipchost", "g-pidhost"}
	if got := findingsFor(res, "TYPE-002"); !slices.Equal(got, want) {
		t.Errorf("TYPE-002 subjects = %v, want %v", got, want)
	}
	if got := findingsFor(res, "HOST-001"); len(got) != 0 {
		t.Errorf("HOST-001 fired on an enforcing host: %v", got)
	}
	if len(res.NotEvaluated) != 0 {
		t.Errorf("not evaluated = %v, want none", res.NotEvaluated)
	}
}

func container(name string, edit func(*inventory.Container)) inventory.Container {
	c := inventory.Container{
		ID: name + "-id", Name: name, State: "running",
		ProcessLabel: inventory.Label{State: inventory.NotLabeled},
		MountLabel:   inventory.Label{State: inventory.NotLabeled},
		SecurityOpt:  []string{}, Mounts: []inventory.Mount{},
	}
	if edit != nil {
		edit(&c)
	}
	return c
}

// On a host without SELinux every container has an empty label; only the
// settings that disable labeling may raise TYPE-002.
func TestLabelingDisabledWithoutSELinux(t *testing.T) {
	snap := hostSnapshot(inventory.SELinuxDisabled)
	off := false
	snap.Engines = []inventory.Engine{{Name: "podman", SELinuxEnabled: &off, Reachable: true}}
	ref := inventory.EngineRef{Name: "podman"}
	snap.Containers = []inventory.Container{
		container("plain", func(c *inventory.Container) { c.Engine = ref }),
		container("priv", func(c *inventory.Container) { c.Engine = ref; c.Privileged = true }),
		container("nolabel", func(c *inventory.Container) { c.Engine = ref; c.SecurityOpt = []string{"label=disable"} }),
		container("docker-style", func(c *inventory.Container) { c.Engine = ref; c.SecurityOpt = []string{"label:disable"} }),
		container("pidhost", func(c *inventory.Container) { c.Engine = ref; c.PidMode = "host" }),
		container("ipchost", func(c *inventory.Container) { c.Engine = ref; c.IpcMode = "host" }),
		container("podmember", func(c *inventory.Container) { c.Engine = ref; c.IpcMode = "container:abc"; c.PidMode = "container:abc" }),
		container("broken", func(c *inventory.Container) { c.Engine = ref; c.InspectError = "inspect failed: timeout" }),
	}
	res := Run(snap, Catalog())

	want := []string{"docker-style", "ipchost", "nolabel", "pidhost", "priv"}
	if got := findingsFor(res, "TYPE-002"); !slices.Equal(got, want) {
		t.Errorf("TYPE-002 subjects = %v, want %v", got, want)
	}
	if len(res.NotEvaluated) != 1 || res.NotEvaluated[0].Subject.Name != "broken" {
		t.Errorf("not evaluated = %v, want only the container whose inspect failed", res.NotEvaluated)
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
