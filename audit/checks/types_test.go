package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

func TestUnconfinedTypeFromKernelLabel(t *testing.T) {
	snap := enforcingSnapshot(
		privileged("priv"),
		confined("ok", "s0:c1,c2"),
		container("spc", func(c *inventory.Container) {
			c.ProcessLabel = labeled(spcT + "s0:c530,c533")
			c.SecurityOpt = []string{"label=type:spc_t"}
		}),
	)
	withProcesses(snap,
		process("priv-id", 10, "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023"),
		process("ok-id", 20, containerT+"s0:c1,c2"),
	)
	res := Run(snap, Catalog())
	if got := findingsFor(res, "TYPE-001"); !slices.Equal(got, []string{"priv", "spc"}) {
		t.Errorf("TYPE-001 = %v, want [priv spc]", got)
	}
	for _, f := range findingsOf(res, "TYPE-001") {
		label := evidenceValue(f, "process label of "+f.Subjects[0].Name)
		switch f.Subjects[0].Name {
		case "priv":
			if !strings.Contains(label, "unconfined_t") || !strings.Contains(label, "/proc/10/attr/current") {
				t.Errorf("priv evidence = %q, want the kernel's label and its source", label)
			}
		case "spc":
			if !strings.Contains(label, "inspect ProcessLabel") {
				t.Errorf("spc evidence = %q, want the inspect label named as the source", label)
			}
		}
	}
	if got := findingsFor(res, "TYPE-002"); !slices.Equal(got, []string{"priv"}) {
		t.Errorf("TYPE-002 = %v, want [priv]", got)
	}
}

// An empty label with no process read is TYPE-002's, never TYPE-001's.
func TestEmptyLabelIsNotUnconfinedType(t *testing.T) {
	res := Run(enforcingSnapshot(privileged("priv")), Catalog())
	if got := findingsFor(res, "TYPE-001"); len(got) != 0 {
		t.Errorf("TYPE-001 = %v, want none for an empty label", got)
	}
	if got := findingsFor(res, "TYPE-002"); !slices.Equal(got, []string{"priv"}) {
		t.Errorf("TYPE-002 = %v, want [priv]", got)
	}
}

func TestNonDefaultTypes(t *testing.T) {
	snap := enforcingSnapshot(
		confined("plain", "s0:c1,c2"),
		container("svirt", func(c *inventory.Container) { c.ProcessLabel = labeled("system_u:system_r:svirt_t:s0:c100,c296") }),
		container("udica", func(c *inventory.Container) { c.ProcessLabel = labeled("system_u:system_r:my_app.process:s0:c3,c4") }),
		container("systemd", func(c *inventory.Container) { c.ProcessLabel = labeled("system_u:system_r:container_init_t:s0:c5,c6") }),
	)
	res := Run(snap, Catalog())
	if got := findingsFor(res, "TYPE-003"); !slices.Equal(got, []string{"svirt", "udica"}) {
		t.Errorf("TYPE-003 = %v, want [svirt udica]", got)
	}
	for _, f := range findingsOf(res, "TYPE-003") {
		if f.Severity != SeverityInfo {
			t.Errorf("TYPE-003 severity = %s, want info", f.Severity)
		}
	}
	res = RunWithConfig(snap, Catalog(), &Config{ConfinedTypes: []string{"my_app.process"}})
	if got := findingsFor(res, "TYPE-003"); !slices.Equal(got, []string{"svirt"}) {
		t.Errorf("TYPE-003 with my_app.process reviewed = %v, want [svirt]", got)
	}
}

func TestConfigReclassifiesTypes(t *testing.T) {
	snap := enforcingSnapshot(container("custom", func(c *inventory.Container) {
		c.ProcessLabel = labeled("system_u:system_r:my_debug_t:s0:c1,c2")
	}))
	res := RunWithConfig(snap, Catalog(), &Config{UnconfinedTypes: []string{"my_debug_t"}})
	if got := findingsFor(res, "TYPE-001"); !slices.Equal(got, []string{"custom"}) {
		t.Errorf("TYPE-001 = %v, want the type listed as unconfined", got)
	}
	// An operator's list wins over the built-in one of the other kind.
	snap = enforcingSnapshot(container("spc", func(c *inventory.Container) { c.ProcessLabel = labeled(spcT + "s0:c1,c2") }))
	res = RunWithConfig(snap, Catalog(), &Config{ConfinedTypes: []string{"spc_t"}})
	if got := findingsFor(res, "TYPE-001"); len(got) != 0 {
		t.Errorf("TYPE-001 = %v, want none for spc_t listed as confined", got)
	}
}

func TestMalformedLabels(t *testing.T) {
	res := Run(enforcingSnapshot(
		container("object-role", func(c *inventory.Container) { c.ProcessLabel = labeled("system_u:object_r:container_t:s0:c1,c2") }),
		container("file-type", func(c *inventory.Container) { c.ProcessLabel = labeled("system_u:system_r:container_file_t:s0:c3,c4") }),
		container("garbage", func(c *inventory.Container) { c.ProcessLabel = labeled("not a label") }),
		confined("fine", "s0:c5,c6", func(c *inventory.Container) { c.MountLabel = labeled("system_u:object_r:container_ro_file_t:s0:c5,c6") }),
	), Catalog())
	if got := findingsFor(res, "TYPE-004"); !slices.Equal(got, []string{"file-type", "garbage", "object-role"}) {
		t.Errorf("TYPE-004 = %v, want [file-type garbage object-role]", got)
	}
	if got := findingsFor(res, "TYPE-001"); len(got) != 0 {
		t.Errorf("TYPE-001 = %v, want none for malformed labels", got)
	}
}

func TestLabelDrift(t *testing.T) {
	snap := enforcingSnapshot(confined("drift", "s0:c1,c2"), confined("steady", "s0:c3,c4"), confined("gone", "s0:c5,c6"))
	withProcesses(snap,
		process("drift-id", 10, containerT+"s0:c1,c2"),
		process("drift-id", 11, "system_u:system_r:container_runtime_t:s0"),
		process("steady-id", 20, containerT+"s0:c3,c4"),
		process("steady-id", 21, containerT+"s0:c3,c4"),
	)
	res := Run(snap, Catalog())
	if got := findingsFor(res, "PROC-001"); !slices.Equal(got, []string{"drift"}) {
		t.Errorf("PROC-001 = %v, want [drift]", got)
	}
	ne := notEvaluatedFor(res, "PROC-001")
	if len(ne) != 1 || ne[0].Subject.Name != "gone" {
		t.Errorf("PROC-001 not evaluated = %v, want the running container with no process found", ne)
	}
}

func TestLabelDriftWithoutProcfs(t *testing.T) {
	res := Run(enforcingSnapshot(confined("a", "s0:c1,c2"), confined("b", "s0:c3,c4")), Catalog())
	ne := notEvaluatedFor(res, "PROC-001")
	if len(ne) != 1 || ne[0].Subject.Kind != KindHost || !strings.Contains(ne[0].Reason, "2 running containers") {
		t.Errorf("PROC-001 not evaluated = %v, want one host-wide record", ne)
	}
}
