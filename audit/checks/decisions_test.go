package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Decisions as the kernel step records them, for the permission sets it
// asks: file read, write, append, open, create, unlink; dir read, write,
// search, add_name, remove_name; process signal, sigkill, ptrace.
func fileDecision(source, target string, allowed ...string) inventory.AccessDecision {
	return decisionFor(source, target, ClassFile, []string{"append", "create", "open", "read", "unlink", "write"}, allowed)
}

func dirDecision(source, target string, allowed ...string) inventory.AccessDecision {
	return decisionFor(source, target, ClassDir, []string{"add_name", "read", "remove_name", "search", "write"}, allowed)
}

func processDecision(source, target string, allowed ...string) inventory.AccessDecision {
	return decisionFor(source, target, ClassProcess, []string{"ptrace", "sigkill", "signal"}, allowed)
}

func decisionFor(source, target, class string, asked, allowed []string) inventory.AccessDecision {
	d := inventory.AccessDecision{Source: source, Target: target, Class: class, Allowed: []string{}, Denied: []string{}}
	for _, p := range asked {
		if slices.Contains(allowed, p) {
			d.Allowed = append(d.Allowed, p)
		} else {
			d.Denied = append(d.Denied, p)
		}
	}
	return d
}

// withDecisions adds kernel decisions and marks the source as read.
func withDecisions(snap *inventory.Snapshot, ds ...inventory.AccessDecision) *inventory.Snapshot {
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceKernelAccess, Target: "/sys/fs/selinux", Status: inventory.StatusComplete})
	snap.Decisions = append(snap.Decisions, ds...)
	return snap
}

var rwFile = []string{"append", "create", "open", "read", "unlink", "write"}

// Without decisions every finding rests on the label model.
func TestBasisWithoutDecisions(t *testing.T) {
	snap := enforcingSnapshot(
		confined("c1", "s0:c100,c200"),
		confined("c2", "s0:c100,c200", engine(inventory.EngineRef{Name: "docker"})),
		privileged("p"),
	)
	res := Run(snap, Catalog())
	if len(res.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range res.Findings {
		if f.Basis != BasisLabelModel {
			t.Errorf("%s basis = %q, want %q", f.CheckID, f.Basis, BasisLabelModel)
		}
	}
}

// MOUNT-001 counts only the mounting containers the kernel lets in.
func TestSharedVolumeByDecision(t *testing.T) {
	shared := fileLabel("/srv/shared", fileT+"s0", inventory.RoleMountSource)
	a := confined("a", "s0:c1,c2", mounts(bind("/srv/shared", "/data", true)))
	b := confined("b", "s0:c3,c4", mounts(bind("/srv/shared", "/data", true)))
	procA, procB := containerT+"s0:c1,c2", containerT+"s0:c3,c4"
	tests := []struct {
		name      string
		decisions []inventory.AccessDecision
		severity  Severity
		basis     string
		message   string
	}{
		{"both allowed", []inventory.AccessDecision{
			fileDecision(procA, fileT+"s0", rwFile...), dirDecision(procA, fileT+"s0", "read", "write", "search", "add_name", "remove_name"),
			fileDecision(procB, fileT+"s0", rwFile...), dirDecision(procB, fileT+"s0", "read", "write", "search", "add_name", "remove_name"),
		}, SeverityHigh, BasisKernel, "the kernel's access decisions confirm it"},
		{"one denied", []inventory.AccessDecision{
			fileDecision(procA, fileT+"s0", rwFile...),
			fileDecision(procB, fileT+"s0", "open"),
		}, SeverityMedium, BasisKernel, "the kernel allows 1 of the 2 accesses asked and denies the rest"},
		{"both denied", []inventory.AccessDecision{
			fileDecision(procA, fileT+"s0"), fileDecision(procB, fileT+"s0"),
		}, SeverityLow, BasisKernel, "but the kernel denies all 2 such accesses"},
		{"one not asked", []inventory.AccessDecision{
			fileDecision(procA, fileT+"s0"),
		}, SeverityMedium, BasisLabelModel, "any confined container it is mounted into reads and writes it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := withDecisions(withFiles(enforcingSnapshot(a, b), shared), tt.decisions...)
			fs := findingsOf(Run(snap, Catalog()), "MOUNT-001")
			if len(fs) != 1 {
				t.Fatalf("MOUNT-001 findings = %d, want 1", len(fs))
			}
			f := fs[0]
			if f.Severity != tt.severity || f.Basis != tt.basis || !strings.Contains(f.Message, tt.message) {
				t.Errorf("MOUNT-001 = %s, %s: %s\nwant %s, %s, %q", f.Severity, f.Basis, f.Message, tt.severity, tt.basis, tt.message)
			}
		})
	}
}

// MOUNT-006 judges a cross-domain reader by the kernel's decision on the
// files' label.
func TestMixedVolumeReaderByDecision(t *testing.T) {
	volume := fileLabel("/srv/e-z", fileT+"s0", inventory.RoleMountSource)
	private := fileT + "s0:c888,c997"
	volume.Sample = &inventory.Sample{Entries: 4, Labels: []inventory.LabelCount{
		{Label: fileT + "s0", Count: 2, Example: "/srv/e-z/readme"},
		{Label: private, Count: 2, Example: "/srv/e-z/z1-was-here"},
	}}
	containers := []inventory.Container{
		confined("e-z1", "s0:c888,c997", mounts(bind("/srv/e-z", "/data", true))),
		confined("e-z2", "s0:c65,c450", mounts(bind("/srv/e-z", "/data", true))),
		confined("wide", "s0:c65,c450,c888,c997", mounts(bind("/srv/e-z", "/data", true))),
	}
	wide := containerT + "s0:c65,c450,c888,c997"

	res := Run(withDecisions(withFiles(enforcingSnapshot(containers...), volume), fileDecision(wide, private, rwFile...)), Catalog())
	f := findingsOf(res, "MOUNT-006")[0]
	if f.Severity != SeverityHigh || f.Basis != BasisKernel || !strings.Contains(f.Message, "the kernel's decision allows it") {
		t.Errorf("allowed: MOUNT-006 = %s, %s: %s", f.Severity, f.Basis, f.Message)
	}

	res = Run(withDecisions(withFiles(enforcingSnapshot(containers...), volume), fileDecision(wide, private, "open")), Catalog())
	f = findingsOf(res, "MOUNT-006")[0]
	if f.Severity != SeverityLow || f.Basis != BasisKernel || !strings.Contains(f.Message, "the label model predicts that wide reads the files of e-z1 there, but the kernel denies it") {
		t.Errorf("denied: MOUNT-006 = %s, %s: %s", f.Severity, f.Basis, f.Message)
	}
}

// A decision with an error leaves the access to the label model and says
// why in the evidence.
func TestRejectedDecisionFallsBack(t *testing.T) {
	src := fileLabel("/var/lib/app", "system_u:object_r:var_t:s0", inventory.RoleMountSource)
	proc := containerT + "s0:c1,c2"
	rejected := inventory.AccessDecision{Source: proc, Target: src.Label.Value, Class: ClassFile, Allowed: []string{}, Denied: []string{},
		Error: "asking for a -> b: context not valid in the loaded policy"}
	snap := withDecisions(withFiles(enforcingSnapshot(confined("app", "s0:c1,c2", mounts(bind("/var/lib/app", "/data", true)))), src), rejected)
	f := findingsOf(Run(snap, Catalog()), "MOUNT-005")[0]
	if f.Severity != SeverityLow || f.Basis != BasisLabelModel {
		t.Errorf("MOUNT-005 = %s, %s; want the label model's low", f.Severity, f.Basis)
	}
	if v := evidenceValue(f, "kernel decision (file) for app on /var/lib/app"); !strings.HasPrefix(v, "no answer: ") || !strings.Contains(v, "judged by the label model") {
		t.Errorf("evidence = %q, want the rejection and the fallback", v)
	}
}

// On a permissive host a denial is logged, not enforced: the access
// counts, and the evidence says why.
func TestPermissiveHostDecision(t *testing.T) {
	src := fileLabel("/var/lib/app", "system_u:object_r:var_t:s0", inventory.RoleMountSource)
	proc := containerT + "s0:c1,c2"
	snap := withDecisions(withFiles(enforcingSnapshot(confined("app", "s0:c1,c2", mounts(bind("/var/lib/app", "/data", true)))), src),
		fileDecision(proc, src.Label.Value), dirDecision(proc, src.Label.Value, "search"))
	snap.Host.SELinux.State = inventory.SELinuxPermissive
	f := findingsOf(Run(snap, Catalog()), "MOUNT-005")[0]
	if f.Severity != SeverityMedium || f.Basis != BasisKernel || !strings.Contains(f.Message, "permissive") {
		t.Errorf("MOUNT-005 = %s, %s: %s; want medium, naming the permissive host", f.Severity, f.Basis, f.Message)
	}
	if v := evidenceValue(f, "kernel decision (file) for app on /var/lib/app"); !strings.Contains(v, "SELinux is permissive on the host") {
		t.Errorf("evidence = %q", v)
	}
}

// A level with more distinct contexts than are asked about leaves the
// finding on the label model, even when every pair asked was allowed.
func TestTooManyContextsKeepLabelModel(t *testing.T) {
	types := []string{"container_t", "container_init_t", "container_kvm_t", "container_engine_t", "container_userns_t"}
	var cs []inventory.Container
	var ds []inventory.AccessDecision
	level := "s0:c100,c200"
	for i, typ := range types {
		c := confined(fmt.Sprintf("c%d", i), level, engine(inventory.EngineRef{Name: fmt.Sprintf("engine-%d", i)}))
		c.ProcessLabel = labeled("system_u:system_r:" + typ + ":" + level)
		cs = append(cs, c)
	}
	for _, src := range types {
		ds = append(ds, fileDecision("system_u:system_r:"+src+":"+level, fileT+level, rwFile...))
		for _, dst := range types {
			ds = append(ds, processDecision("system_u:system_r:"+src+":"+level, "system_u:system_r:"+dst+":"+level, "signal"))
		}
	}
	snap := withDecisions(enforcingSnapshot(cs...), ds...)
	cand := FindKernelCandidates(snap, nil, 1000)
	if len(cand.Pairs) != maxContextsPerLevel*(1+maxContextsPerLevel) {
		t.Errorf("pairs = %d, want %d from %d contexts", len(cand.Pairs), maxContextsPerLevel*(1+maxContextsPerLevel), maxContextsPerLevel)
	}
	f := findingsOf(Run(snap, Catalog()), "MCS-001")[0]
	if f.Basis != BasisLabelModel || f.Severity != SeverityHigh {
		t.Errorf("MCS-001 = %s, %s; want high on the label model", f.Severity, f.Basis)
	}
	if v := evidenceValue(f, "kernel"); !strings.Contains(v, "not asked because of the question bound") {
		t.Errorf("kernel evidence = %q", v)
	}
}
