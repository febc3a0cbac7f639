package checks

// Cases reported from the field, reduced and with names replaced. Each
// test builds the snapshot the audited host would give and asserts the
// exact set of checks with findings.

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// A user bound $HOME/.aws with :z. Long after the container was removed,
// the directory is container_file_t:s0: every container may read it, and
// the desktop login broke.
func TestFieldHomeRelabelOutlivesContainer(t *testing.T) {
	home := fileLabel("/home/alice", "unconfined_u:object_r:user_home_dir_t:s0", inventory.RoleHostPath)
	home.Sample = &inventory.Sample{Entries: 12, Labels: []inventory.LabelCount{
		{Label: "unconfined_u:object_r:user_home_t:s0", Count: 11, Example: "/home/alice/.bashrc"},
		{Label: fileT + "s0", Count: 1, Example: "/home/alice/.aws"},
	}}

	t.Run("no container running", func(t *testing.T) {
		res := Run(withFiles(enforcingSnapshot(), home), Catalog())
		assertIDs(t, res, "MOUNT-003")
		fs := findingsOf(res, "MOUNT-003")
		if len(fs) != 1 || fs[0].Subjects[0].Path != "/home/alice/.aws" || fs[0].Severity != SeverityHigh {
			t.Errorf("MOUNT-003 = %s, want one high finding for /home/alice/.aws", describeFindings(res))
		}
		if !strings.Contains(fs[0].Message, "no container mounts it now") {
			t.Errorf("message = %q, want it to say that no container mounts it", fs[0].Message)
		}
	})

	t.Run("while the container runs", func(t *testing.T) {
		aws := fileLabel("/home/alice/.aws", fileT+"s0", inventory.RoleMountSource)
		snap := withFiles(enforcingSnapshot(confined("aws-cli", "s0:c12,c34", mounts(bind("/home/alice/.aws", "/root/.aws", true)))), home, aws)
		res := Run(snap, Catalog())
		assertIDs(t, res, "MOUNT-001", "MOUNT-003")
		if got := subjectsOf(res, "MOUNT-003"); !slices.Equal(got, []string{"/home/alice/.aws", "aws-cli"}) {
			t.Errorf("MOUNT-003 subjects = %v, want the path and the container mounting it", got)
		}
	})
}

// A compose file mounted /lib/modules:/lib/modules:z. /lib is a symlink
// to /usr/lib, so /usr/lib/modules/<kver> became container_file_t:s0 and
// the host failed to boot.
func TestFieldModulesRelabeledThroughSymlink(t *testing.T) {
	modules := fileLabel("/lib/modules", fileT+"s0", inventory.RoleMountSource, inventory.RoleHostPath)
	modules.Resolved = "/usr/lib/modules"
	kernel := fileLabel("/usr/lib/modules/6.1.0-50-amd64", fileT+"s0", inventory.RoleHostPath)
	snap := withFiles(enforcingSnapshot(confined("dkms-builder", "s0:c40,c41",
		mounts(bind("/lib/modules", "/lib/modules", true)),
		func(c *inventory.Container) { c.Labels = map[string]string{"com.docker.compose.project": "drivers"} },
	)), modules, kernel)
	res := Run(snap, Catalog())
	assertIDs(t, res, "MOUNT-001", "MOUNT-003")

	fs := findingsOf(res, "MOUNT-003")
	if len(fs) != 2 {
		t.Fatalf("MOUNT-003 findings = %d, want /lib/modules and the kernel's directory\n%s", len(fs), describeFindings(res))
	}
	for _, f := range fs {
		if f.Severity != SeverityCritical {
			t.Errorf("%s severity = %s, want critical", f.Subjects[0].Path, f.Severity)
		}
		if f.Subjects[0].Path == "/lib/modules" && evidenceValue(f, "resolved path") != "/usr/lib/modules" {
			t.Errorf("/lib/modules evidence = %v, want the resolved path /usr/lib/modules", f.Evidence)
		}
	}
}

// A container started with label=level:s0:c100,c200; a later default
// container of the same engine was handed the same pair.
func TestFieldForcedLevelReused(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("pinned", "s0:c100,c200", func(c *inventory.Container) { c.SecurityOpt = []string{"label=level:s0:c100,c200"} }),
		confined("later", "s0:c100,c200"),
		confined("unrelated", "s0:c5,c900"),
	), Catalog())
	assertIDs(t, res, "MCS-001")
	if got := subjectsOf(res, "MCS-001"); !slices.Equal(got, []string{"later", "pinned"}) {
		t.Errorf("MCS-001 subjects = %v, want both containers", got)
	}
}

// alice (uid 1000) and bob (uid 1001) run rootless Podman; root runs
// Podman and Docker. s0:c7,c91 appears in alice's engine and in bob's,
// and bob's container is visible only through /proc.
func TestFieldCollisionAcrossUsersAndEngines(t *testing.T) {
	alice, bob := 1000, 1001
	snap := enforcingSnapshot(
		confined("alice-web", "s0:c7,c91", engine(inventory.EngineRef{Name: "podman", URL: "unix:///run/user/1000/podman/podman.sock", Rootless: true, UID: &alice})),
		confined("root-db", "s0:c300,c301"),
		confined("docker-cache", "s0:c12,c13", engine(inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"})),
		container("", func(c *inventory.Container) {
			c.ID = "bbbbbbbbbbbb1111"
			c.Engine = inventory.EngineRef{Name: "podman", Rootless: true, UID: &bob}
			c.DiscoveredBy = inventory.DiscoveredByProcfs
			c.ProcessLabel = labeled(containerT + "s0:c7,c91")
			c.MountLabel = inventory.Label{State: inventory.Unknown, Reason: "seen only through procfs"}
		}),
	)
	withProcesses(snap,
		process("alice-web-id", 500, containerT+"s0:c7,c91"),
		process("root-db-id", 600, containerT+"s0:c300,c301"),
		process("docker-cache-id", 700, containerT+"s0:c12,c13"),
		process("bbbbbbbbbbbb1111", 800, containerT+"s0:c7,c91"),
	)
	res := Run(snap, Catalog())
	assertIDs(t, res, "MCS-001")
	fs := findingsOf(res, "MCS-001")
	var owners []string
	for _, s := range fs[0].Subjects {
		if s.UID == nil || !s.Rootless || s.Engine != "podman" {
			t.Errorf("subject %+v lacks its engine, uid or rootless flag", s)
			continue
		}
		owners = append(owners, s.Name)
	}
	if !slices.Equal(owners, []string{"alice-web", "bbbbbbbbbbbb"}) {
		t.Errorf("MCS-001 subjects = %v, want alice's container and bob's procfs-only one", owners)
	}
	if !strings.Contains(evidenceValue(fs[0], "bbbbbbbbbbbb"), "/proc/800/attr/current") {
		t.Errorf("evidence = %v, want bob's label from /proc", fs[0].Evidence)
	}
}

// A cluster policy pinned level s0 on every workload.
func TestFieldEveryWorkloadAtS0(t *testing.T) {
	var containers []inventory.Container
	for _, name := range []string{"api", "worker", "cache", "db"} {
		containers = append(containers, confined(name, "s0", func(c *inventory.Container) {
			c.Labels = map[string]string{labelPodUID: "uid-" + c.Name, labelPodNamespace: "shop"}
		}))
	}
	res := Run(enforcingSnapshot(containers...), Catalog())
	assertIDs(t, res, "MCS-003")
	fs := findingsOf(res, "MCS-003")
	if len(fs) != 4 {
		t.Fatalf("MCS-003 findings = %d, want one per container", len(fs))
	}
	for _, f := range fs {
		if v := evidenceValue(f, "confined containers without categories"); v != "4 of 4 confined containers" {
			t.Errorf("%s: count = %q, want 4 of 4", f.Subjects[0].Name, v)
		}
	}
}

// Pod members share the infra level; --infra=false gives each member its
// own (MCS-005); --ipc and --pid joins share X's label; --net does not.
func TestFieldPodsAndJoins(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("p1-infra", "s0:c751,c764", inPod("p1"), func(c *inventory.Container) { c.IsInfra = true }),
		confined("p1-a", "s0:c751,c764", inPod("p1"), func(c *inventory.Container) { c.IpcMode = "container:p1-infra-id" }),
		confined("p2-a", "s0:c693,c991", inPod("p2")),
		confined("p2-b", "s0:c259,c509", inPod("p2")),
		confined("x", "s0:c74,c276"),
		confined("ipc", "s0:c74,c276", func(c *inventory.Container) { c.IpcMode = "container:x-id" }),
		confined("pid", "s0:c74,c276", func(c *inventory.Container) { c.PidMode = "container:x-id" }),
		confined("net", "s0:c388,c901", func(c *inventory.Container) { c.NetworkMode = "container:x-id" }),
	), Catalog())
	assertIDs(t, res, "MCS-005")
	if fs := findingsOf(res, "MCS-005"); len(fs) != 1 || fs[0].Severity != SeverityLow || !strings.Contains(fs[0].Message, "pod p2") {
		t.Errorf("MCS-005 = %s, want one low finding for pod p2", describeFindings(res))
	}
}

// A runtime configured with SELinux "enabled" but built without SELinux
// support runs every workload as spc_t:s0 while the engine reports
// container_t. PROC-001 fires as well: the drift between the engine's
// label and the kernel's is how the fault shows.
func TestFieldRuntimeWithoutSELinux(t *testing.T) {
	snap := enforcingSnapshot(confined("web", "s0:c1,c2"), confined("db", "s0:c3,c4"))
	withProcesses(snap, process("web-id", 10, spcT+"s0"), process("db-id", 20, spcT+"s0"))
	res := Run(snap, Catalog())
	assertIDs(t, res, "HOST-006", "PROC-001", "TYPE-001")
	if got := findingsFor(res, "TYPE-001"); !slices.Equal(got, []string{"db", "web"}) {
		t.Errorf("TYPE-001 = %v, want every container", got)
	}
}

// A daemon running as kernel_t starts containers whose processes stay in
// kernel_t, and one of them writes a bind-mounted /etc. A Podman container
// on the same host runs confined, so the host as a whole is not HOST-006.
func TestFieldKernelDomainDaemon(t *testing.T) {
	daemon := inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"}
	snap := enforcingSnapshot(
		confined("etc-writer", "s0:c1,c2", engine(daemon), mounts(bind("/etc", "/host/etc", true))),
		confined("sidecar", "s0:c3,c4", engine(daemon)),
		confined("podman-app", "s0:c5,c6"),
	)
	withProcesses(snap,
		process("etc-writer-id", 10, "system_u:system_r:kernel_t:s0"),
		process("sidecar-id", 20, "system_u:system_r:kernel_t:s0"),
		process("podman-app-id", 30, containerT+"s0:c5,c6"),
	)
	res := Run(snap, Catalog())
	assertIDs(t, res, "MOUNT-004", "PROC-001", "TYPE-001")
	fs := findingsOf(res, "MOUNT-004")
	if len(fs) != 1 || fs[0].Severity != SeverityCritical || fs[0].Subjects[0].Name != "etc-writer" {
		t.Errorf("MOUNT-004 = %s, want one critical finding for etc-writer", describeFindings(res))
	}
	if got := findingsFor(res, "TYPE-001"); !slices.Equal(got, []string{"etc-writer", "sidecar"}) {
		t.Errorf("TYPE-001 = %v, want both of the daemon's containers", got)
	}
}
