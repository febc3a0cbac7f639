package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

func TestSharedVolume(t *testing.T) {
	shared := fileLabel("/srv/shared", fileT+"s0", inventory.RoleMountSource)
	tests := []struct {
		name       string
		containers []inventory.Container
		want       Severity // SeverityNone: no finding
	}{
		{"two domains", []inventory.Container{
			confined("a", "s0:c1,c2", mounts(bind("/srv/shared", "/data", true))),
			confined("b", "s0:c3,c4", mounts(bind("/srv/shared", "/data", true))),
		}, SeverityHigh},
		{"one pod", []inventory.Container{
			confined("a", "s0:c1,c2", inPod("p"), mounts(bind("/srv/shared", "/data", true))),
			confined("b", "s0:c1,c2", inPod("p"), mounts(bind("/srv/shared", "/data", true))),
		}, SeverityMedium},
		{"one container", []inventory.Container{
			confined("a", "s0:c1,c2", mounts(bind("/srv/shared", "/data", true))),
		}, SeverityMedium},
		{"named volume of one container", []inventory.Container{
			confined("a", "s0:c1,c2", mounts(inventory.Mount{Type: "volume", Name: "data", Source: "/srv/shared", Destination: "/data", RW: true})),
		}, SeverityNone},
		{"named volume of two domains", []inventory.Container{
			confined("a", "s0:c1,c2", mounts(inventory.Mount{Type: "volume", Name: "data", Source: "/srv/shared", Destination: "/data", RW: true})),
			confined("b", "s0:c3,c4", mounts(inventory.Mount{Type: "volume", Name: "data", Source: "/srv/shared", Destination: "/data", RW: true})),
		}, SeverityHigh},
		{"read-only", []inventory.Container{
			confined("a", "s0:c1,c2", mounts(bind("/srv/shared", "/data", false))),
			confined("b", "s0:c3,c4", mounts(bind("/srv/shared", "/data", false))),
		}, SeverityNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Run(withFiles(enforcingSnapshot(tt.containers...), shared), Catalog())
			fs := findingsOf(res, "MOUNT-001")
			if tt.want == SeverityNone {
				if len(fs) != 0 {
					t.Errorf("MOUNT-001 fired:\n%s", describeFindings(res))
				}
				return
			}
			if len(fs) != 1 || fs[0].Severity != tt.want {
				t.Fatalf("MOUNT-001 = %s, want one %s finding", describeFindings(res), tt.want)
			}
			if fs[0].Subjects[0].Kind != KindPath || fs[0].Subjects[0].Path != "/srv/shared" {
				t.Errorf("first subject = %+v, want the path", fs[0].Subjects[0])
			}
		})
	}
}

func TestForeignLevelMount(t *testing.T) {
	peerRoot := "/var/lib/containers/storage/overlay/c1/merged"
	root := fileLabel(peerRoot, fileT+"s0:c100,c200", inventory.RoleMountSource)
	own := fileLabel("/srv/own", fileT+"s0:c7,c8", inventory.RoleMountSource)
	res := Run(withFiles(enforcingSnapshot(
		confined("c1", "s0:c100,c200"),
		confined("same-level", "s0:c100,c200", mounts(bind(peerRoot, "/peer", true))),
		confined("other-level", "s0:c371,c765", mounts(bind(peerRoot, "/peer", true))),
		confined("owner", "s0:c7,c8", mounts(bind("/srv/own", "/data", true))),
	), root, own), Catalog())
	got := map[string]Severity{}
	for _, f := range findingsOf(res, "MOUNT-002") {
		got[f.Subjects[0].Name] = f.Severity
	}
	want := map[string]Severity{"same-level": SeverityHigh, "other-level": SeverityLow}
	if len(got) != len(want) || got["same-level"] != want["same-level"] || got["other-level"] != want["other-level"] {
		t.Errorf("MOUNT-002 severities = %v, want %v\n%s", got, want, describeFindings(res))
	}
}

func TestRelabeledHostPaths(t *testing.T) {
	modules := fileLabel("/lib/modules", fileT+"s0", inventory.RoleHostPath)
	modules.Resolved = "/usr/lib/modules"
	home := fileLabel("/home/alice", "unconfined_u:object_r:user_home_dir_t:s0", inventory.RoleHostPath)
	home.Sample = &inventory.Sample{Entries: 3, Labels: []inventory.LabelCount{
		{Label: "unconfined_u:object_r:user_home_t:s0", Count: 2, Example: "/home/alice/Documents"},
		{Label: fileT + "s0", Count: 1, Example: "/home/alice/.aws"},
	}}

	snap := withFiles(enforcingSnapshot(),
		fileLabel("/etc", fileT+"s0", inventory.RoleHostPath),
		modules,
		home,
		fileLabel("/srv/app-data", fileT+"s0", inventory.RoleMountSource),
		fileLabel("/var/lib/containers", "system_u:object_r:container_var_lib_t:s0", inventory.RoleHostPath),
		fileLabel("/usr", "system_u:object_r:usr_t:s0", inventory.RoleHostPath),
	)
	res := Run(snap, Catalog())

	got := map[string]Severity{}
	for _, f := range findingsOf(res, "MOUNT-003") {
		got[f.Subjects[0].Path] = f.Severity
	}
	want := map[string]Severity{"/etc": SeverityCritical, "/lib/modules": SeverityCritical, "/home/alice/.aws": SeverityHigh}
	if len(got) != len(want) {
		t.Fatalf("MOUNT-003 = %v, want %v\n%s", got, want, describeFindings(res))
	}
	for p, sev := range want {
		if got[p] != sev {
			t.Errorf("MOUNT-003 %s = %s, want %s", p, got[p], sev)
		}
	}
	for _, f := range findingsOf(res, "MOUNT-003") {
		if f.Subjects[0].Path == "/lib/modules" && evidenceValue(f, "resolved path") != "/usr/lib/modules" {
			t.Errorf("evidence = %v, want the resolved path", f.Evidence)
		}
	}
}

func TestRelabeledHostPathsNeedFileLabels(t *testing.T) {
	res := Run(enforcingSnapshot(), Catalog())
	ne := notEvaluatedFor(res, "MOUNT-003")
	if len(ne) != 1 || ne[0].Subject.Kind != KindHost {
		t.Errorf("MOUNT-003 not evaluated = %v, want one host-wide record", ne)
	}
}

func TestUnconfinedWritableMounts(t *testing.T) {
	spc := func(name string, ms ...inventory.Mount) inventory.Container {
		return container(name, func(c *inventory.Container) {
			c.ProcessLabel = labeled(spcT + "s0")
			c.Mounts = ms
		})
	}
	res := Run(enforcingSnapshot(
		privileged("priv-etc", mounts(bind("/etc", "/host-etc", true))),
		spc("spc-data", bind("/srv/data", "/data", true)),
		spc("spc-ro", bind("/etc", "/host-etc", false)),
		spc("spc-home", bind("/home/bob/.ssh", "/ssh", true)),
		confined("confined-etc", "s0:c1,c2", mounts(bind("/etc", "/host-etc", true))),
	), Catalog())
	got := map[string]Severity{}
	for _, f := range findingsOf(res, "MOUNT-004") {
		got[f.Subjects[0].Name] = f.Severity
	}
	want := map[string]Severity{"priv-etc": SeverityCritical, "spc-data": SeverityHigh, "spc-home": SeverityCritical}
	if len(got) != len(want) || got["priv-etc"] != want["priv-etc"] || got["spc-data"] != want["spc-data"] || got["spc-home"] != want["spc-home"] {
		t.Errorf("MOUNT-004 = %v, want %v\n%s", got, want, describeFindings(res))
	}
}

func TestHostTypeMounts(t *testing.T) {
	res := Run(withFiles(enforcingSnapshot(
		confined("var", "s0:c1,c2", mounts(bind("/srv/e-plain", "/data", true))),
		confined("relabeled", "s0:c3,c4", mounts(bind("/srv/e-Z", "/data", true))),
		privileged("priv", mounts(bind("/srv/e-plain", "/data", true))),
	),
		fileLabel("/srv/e-plain", "system_u:object_r:var_t:s0", inventory.RoleMountSource),
		fileLabel("/srv/e-Z", fileT+"s0:c3,c4", inventory.RoleMountSource),
	), Catalog())
	if got := findingsFor(res, "MOUNT-005"); !slices.Equal(got, []string{"var"}) {
		t.Errorf("MOUNT-005 = %v, want [var]", got)
	}
}

func TestMixedLevelsInSharedVolume(t *testing.T) {
	volume := fileLabel("/srv/e-z", fileT+"s0", inventory.RoleMountSource)
	volume.Sample = &inventory.Sample{Entries: 4, Labels: []inventory.LabelCount{
		{Label: fileT + "s0", Count: 2, Example: "/srv/e-z/readme"},
		{Label: fileT + "s0:c888,c997", Count: 2, Example: "/srv/e-z/z1-was-here"},
	}}
	base := []inventory.Container{
		confined("e-z1", "s0:c888,c997", mounts(bind("/srv/e-z", "/data", true))),
		confined("e-z2", "s0:c65,c450", mounts(bind("/srv/e-z", "/data", true))),
	}
	res := Run(withFiles(enforcingSnapshot(base...), volume), Catalog())
	fs := findingsOf(res, "MOUNT-006")
	if len(fs) != 1 || fs[0].Severity != SeverityLow {
		t.Fatalf("MOUNT-006 = %s, want one low finding", describeFindings(res))
	}

	// A mounter whose level dominates e-z1's reads e-z1's files there.
	wide := confined("wide", "s0:c65,c450,c888,c997", mounts(bind("/srv/e-z", "/data", true)))
	res = Run(withFiles(enforcingSnapshot(append(base, wide)...), volume), Catalog())
	fs = findingsOf(res, "MOUNT-006")
	if len(fs) != 1 || fs[0].Severity != SeverityHigh || !strings.Contains(fs[0].Message, "wide reads the files of e-z1") {
		t.Errorf("MOUNT-006 = %s, want one high finding naming the reader", describeFindings(res))
	}

	// A volume one container uses, with its files at that container's
	// level beside the volume's s0, is not mixed.
	single := fileLabel("/srv/e-z", fileT+"s0", inventory.RoleMountSource)
	single.Sample = &inventory.Sample{Entries: 2, Labels: []inventory.LabelCount{
		{Label: fileT + "s0", Count: 1, Example: "/srv/e-z/readme"},
		{Label: fileT + "s0:c888,c997", Count: 1, Example: "/srv/e-z/mine"},
	}}
	res = Run(withFiles(enforcingSnapshot(base[0]), single), Catalog())
	if fs := findingsOf(res, "MOUNT-006"); len(fs) != 0 {
		t.Errorf("MOUNT-006 fired on a volume only its owner uses:\n%s", describeFindings(res))
	}

	// Files of a container that no longer mounts it make it mixed.
	res = Run(withFiles(enforcingSnapshot(base[1]), single), Catalog())
	if fs := findingsOf(res, "MOUNT-006"); len(fs) != 1 {
		t.Errorf("MOUNT-006 = %s, want one finding for another container's files", describeFindings(res))
	}

	// A private :Z volume holding its owner's level is not mixed.
	private := fileLabel("/srv/e-Z", fileT+"s0:c56,c254", inventory.RoleMountSource)
	private.Sample = &inventory.Sample{Entries: 1, Labels: []inventory.LabelCount{{Label: fileT + "s0:c56,c254", Count: 1, Example: "/srv/e-Z/f"}}}
	res = Run(withFiles(enforcingSnapshot(confined("e-Z", "s0:c56,c254", mounts(bind("/srv/e-Z", "/data", true)))), private), Catalog())
	if fs := findingsOf(res, "MOUNT-006"); len(fs) != 0 {
		t.Errorf("MOUNT-006 fired on a private volume:\n%s", describeFindings(res))
	}
}

func TestSocketMounts(t *testing.T) {
	res := Run(withFiles(enforcingSnapshot(
		privileged("ci-runner", mounts(bind("/var/run/docker.sock", "/var/run/docker.sock", true))),
		confined("api-ro", "s0:c1,c2", mounts(bind("/run/podman/podman.sock", "/run/podman/podman.sock", false))),
		confined("renamed", "s0:c3,c4", mounts(bind("/srv/sock", "/var/run/docker.sock", true))),
		confined("rundir", "s0:c5,c6", mounts(bind("/run", "/host-run", false))),
		confined("data", "s0:c7,c8", mounts(bind("/srv/data", "/data", true))),
	),
		fileLabel("/run/podman/podman.sock", "system_u:object_r:container_var_run_t:s0", inventory.RoleMountSource),
		fileLabel("/srv/sock", fileT+"s0", inventory.RoleMountSource),
	), Catalog())
	got := map[string]Severity{}
	for _, f := range findingsOf(res, "MOUNT-007") {
		got[f.Subjects[0].Name] = f.Severity
	}
	want := map[string]Severity{
		"ci-runner": SeverityCritical, // unconfined: nothing stops a connect
		"api-ro":    SeverityHigh,     // confined, socket kept its engine type
		"renamed":   SeverityCritical, // relabeled for containers
		"rundir":    SeverityCritical, // label not read
	}
	if len(got) != len(want) {
		t.Fatalf("MOUNT-007 = %v, want %v\n%s", got, want, describeFindings(res))
	}
	for name, sev := range want {
		if got[name] != sev {
			t.Errorf("MOUNT-007 %s = %s, want %s", name, got[name], sev)
		}
	}
}

func TestRootfsLabels(t *testing.T) {
	withRootfs := func(name, level, merged string) inventory.Container {
		return confined(name, level, func(c *inventory.Container) {
			c.UpperDir = "/var/lib/containers/storage/overlay/" + name + "/diff"
			c.MergedDir = merged
		})
	}
	const store = "/var/lib/containers/storage/overlay/"
	res := Run(withFiles(enforcingSnapshot(
		withRootfs("good", "s0:c74,c276", store+"good/merged"),
		withRootfs("shared", "s0:c1,c2", store+"shared/merged"),
		withRootfs("stopped", "s0:c3,c4", ""),
	),
		fileLabel(store+"good/diff", "unconfined_u:object_r:container_ro_file_t:s0", inventory.RoleRootfs),
		fileLabel(store+"good/merged", fileT+"s0:c74,c276", inventory.RoleRootfs),
		fileLabel(store+"shared/diff", "unconfined_u:object_r:container_ro_file_t:s0", inventory.RoleRootfs),
		fileLabel(store+"shared/merged", fileT+"s0", inventory.RoleRootfs),
		fileLabel(store+"stopped/diff", "system_u:object_r:var_lib_t:s0", inventory.RoleRootfs),
	), Catalog())
	if got := findingsFor(res, "MOUNT-008"); !slices.Equal(got, []string{"shared", "stopped"}) {
		t.Errorf("MOUNT-008 = %v, want [shared stopped]\n%s", got, describeFindings(res))
	}
}

// With file labels collected, a source whose label is missing is named
// per container; without them, one host-wide record stands for all.
func TestMountSourceLabelGaps(t *testing.T) {
	ctr := confined("a", "s0:c1,c2", mounts(bind("/srv/gone", "/data", true)))
	missing := inventory.FileLabel{Path: "/srv/gone", Roles: []string{inventory.RoleMountSource},
		Label: inventory.Label{State: inventory.Unknown, Reason: "source missing: no such file or directory"}}
	res := Run(withFiles(enforcingSnapshot(ctr), missing), Catalog())
	for _, id := range []string{"MOUNT-001", "MOUNT-002", "MOUNT-005", "MOUNT-006"} {
		ne := notEvaluatedFor(res, id)
		if len(ne) != 1 || ne[0].Subject.Name != "a" || !strings.Contains(ne[0].Reason, "source missing") {
			t.Errorf("%s not evaluated = %v, want container a with the reason", id, ne)
		}
	}
	res = Run(enforcingSnapshot(ctr), Catalog())
	for _, id := range []string{"MOUNT-001", "MOUNT-002", "MOUNT-005", "MOUNT-006"} {
		ne := notEvaluatedFor(res, id)
		if len(ne) != 1 || ne[0].Subject.Kind != KindHost {
			t.Errorf("%s not evaluated = %v, want one host-wide record", id, ne)
		}
	}
}
