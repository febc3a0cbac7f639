package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// The mls flag reads 1 on MCS policies too, so only the policy name
// decides HOST-003.
func TestMLSPolicyKeysOnPolicyName(t *testing.T) {
	on := true
	tests := []struct {
		policyType string
		want       bool
	}{
		{"targeted", false},
		{"default", false},
		{"mls", true},
		{"MLS", true},
	}
	for _, tt := range tests {
		t.Run(tt.policyType, func(t *testing.T) {
			snap := enforcingSnapshot()
			snap.Host.SELinux.PolicyType = tt.policyType
			snap.Host.SELinux.MLSEnabled = &on
			res := Run(snap, Catalog())
			if got := len(findingsOf(res, "HOST-003")) == 1; got != tt.want {
				t.Errorf("HOST-003 fired = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWideningBooleans(t *testing.T) {
	snap := enforcingSnapshot()
	snap.Host.SELinux.Booleans = []inventory.Boolean{
		{Name: "virt_use_nfs", Current: true, Pending: true},
		{Name: "container_manage_cgroup", Current: true, Pending: true},
		{Name: "virt_use_samba", Current: false, Pending: false},
		// On by default in container-selinux, so never reported.
		{Name: "container_use_dri_devices", Current: true, Pending: true},
		{Name: "virt_use_comm", Current: true, Pending: true},
	}
	res := Run(snap, Catalog())
	var got []string
	for _, f := range findingsOf(res, "HOST-004") {
		got = append(got, evidenceValue(f, "boolean"))
	}
	slices.Sort(got)
	if want := []string{"container_manage_cgroup", "virt_use_nfs"}; !slices.Equal(got, want) {
		t.Errorf("HOST-004 booleans = %v, want %v", got, want)
	}

	cfg := &Config{AcceptedBooleans: []string{"virt_use_nfs"}, WideningBooleans: []string{"virt_use_comm"}}
	res = RunWithConfig(snap, Catalog(), cfg)
	got = nil
	for _, f := range findingsOf(res, "HOST-004") {
		got = append(got, evidenceValue(f, "boolean"))
	}
	slices.Sort(got)
	if want := []string{"container_manage_cgroup", "virt_use_comm"}; !slices.Equal(got, want) {
		t.Errorf("HOST-004 booleans with the configuration = %v, want %v", got, want)
	}
}

func TestEngineLabelingOff(t *testing.T) {
	off, on := false, true
	snap := enforcingSnapshot()
	snap.Engines = []inventory.Engine{
		{Name: "podman", URL: "unix:///run/podman/podman.sock", SELinuxEnabled: &off, Reachable: true},
		{Name: "podman", URL: "unix:///run/user/1000/podman/podman.sock", SELinuxEnabled: &on, Reachable: true},
	}
	res := Run(snap, Catalog())
	if fs := findingsOf(res, "HOST-005"); len(fs) != 1 || !strings.Contains(fs[0].Message, "/run/podman/podman.sock") {
		t.Errorf("HOST-005 = %v, want one finding for the root service", describeFindings(res))
	}
}

// containers.conf files apply in order: the last one that sets label=
// wins.
func TestEngineConfigLastFileWins(t *testing.T) {
	tests := []struct {
		name    string
		configs []inventory.EngineConfig
		want    int
	}{
		{"false then true", []inventory.EngineConfig{
			{Engine: "podman", Path: "/usr/share/containers/containers.conf", Label: "false"},
			{Engine: "podman", Path: "/etc/containers/containers.conf", Label: "true"},
		}, 0},
		{"true then false", []inventory.EngineConfig{
			{Engine: "podman", Path: "/usr/share/containers/containers.conf", Label: "true"},
			{Engine: "podman", Path: "/etc/containers/containers.conf.d/50-off.conf", Label: "false"},
		}, 1},
		{"false then unset", []inventory.EngineConfig{
			{Engine: "podman", Path: "/etc/containers/containers.conf", Label: "false"},
			{Engine: "podman", Path: "/etc/containers/containers.conf.d/10-other.conf", Label: ""},
		}, 1},
		{"nothing set", []inventory.EngineConfig{{Engine: "podman", Path: "/etc/containers/containers.conf"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := enforcingSnapshot()
			snap.Host.EngineConfigs = tt.configs
			res := Run(snap, Catalog())
			if got := len(findingsOf(res, "HOST-005")); got != tt.want {
				t.Errorf("HOST-005 findings = %d, want %d\n%s", got, tt.want, describeFindings(res))
			}
		})
	}
}

// A runtime that runs every workload as spc_t confines nothing.
func TestNoContainerConfined(t *testing.T) {
	spc := func(name string) inventory.Container {
		return container(name, func(c *inventory.Container) { c.ProcessLabel = labeled(spcT + "s0") })
	}
	res := Run(enforcingSnapshot(spc("a"), spc("b"), privileged("c")), Catalog())
	if fs := findingsOf(res, "HOST-006"); len(fs) != 1 {
		t.Errorf("HOST-006 findings = %d, want 1\n%s", len(fs), describeFindings(res))
	}

	res = Run(enforcingSnapshot(spc("a"), confined("b", "s0:c1,c2")), Catalog())
	if fs := findingsOf(res, "HOST-006"); len(fs) != 0 {
		t.Errorf("HOST-006 fired with one confined container:\n%s", describeFindings(res))
	}

	// Exited containers do not count: nothing runs confined or not.
	exited := confined("old", "s0:c1,c2", func(c *inventory.Container) { c.State = "exited" })
	res = Run(enforcingSnapshot(exited), Catalog())
	if fs := findingsOf(res, "HOST-006"); len(fs) != 0 {
		t.Errorf("HOST-006 fired with no running container:\n%s", describeFindings(res))
	}

	// An unknown label may be a confined one.
	lost := container("lost", func(c *inventory.Container) { c.ProcessLabel = inventory.Label{State: inventory.Unknown, Reason: "x"} })
	res = Run(enforcingSnapshot(spc("a"), lost), Catalog())
	if len(findingsOf(res, "HOST-006")) != 0 || len(notEvaluatedFor(res, "HOST-006")) != 1 {
		t.Errorf("HOST-006 with an unknown label: findings %d, not evaluated %v; want none and one", len(findingsOf(res, "HOST-006")), notEvaluatedFor(res, "HOST-006"))
	}
}
