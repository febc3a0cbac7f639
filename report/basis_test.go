package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// kernelDocument is the report of an enforcing host where two containers
// of different engines share a level, and the kernel confirmed that each
// reaches the other's files and processes. A privileged container gives
// findings on the label model beside it.
func kernelDocument(t *testing.T) *Document {
	t.Helper()
	snap := inventory.New("selinux-host", generatedAt)
	snap.Host.HostRoot = "/"
	snap.Host.SELinux = inventory.SELinux{State: inventory.SELinuxEnforcing, PolicyType: "targeted",
		Booleans: []inventory.Boolean{{Name: "virt_use_nfs"}}}
	proc := "system_u:system_r:container_t:s0:c100,c200"
	file := "system_u:object_r:container_file_t:s0:c100,c200"
	for _, c := range []struct{ id, name, engine string }{{"aa11", "c1", "podman"}, {"bb22", "c2", "docker"}} {
		snap.Containers = append(snap.Containers, inventory.Container{
			ID: c.id, Name: c.name, State: "running", Engine: inventory.EngineRef{Name: c.engine},
			ProcessLabel: inventory.Label{State: inventory.Labeled, Value: proc},
			MountLabel:   inventory.Label{State: inventory.Labeled, Value: file},
			SecurityOpt:  []string{}, Mounts: []inventory.Mount{}, DiscoveredBy: inventory.DiscoveredByAPI,
		})
	}
	snap.Containers = append(snap.Containers, inventory.Container{
		ID: "cc33", Name: "p", State: "running", Engine: inventory.EngineRef{Name: "podman"}, Privileged: true,
		ProcessLabel: inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"},
		MountLabel:   inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:s0:c1022,c1023"},
		SecurityOpt:  []string{}, Mounts: []inventory.Mount{}, DiscoveredBy: inventory.DiscoveredByAPI,
	})
	snap.Decisions = []inventory.AccessDecision{
		{Source: proc, Target: file, Class: "file", Allowed: []string{"append", "create", "open", "read", "unlink", "write"}, Denied: []string{}},
		{Source: proc, Target: proc, Class: "process", Allowed: []string{"sigkill", "signal"}, Denied: []string{"ptrace"}, Permissive: true},
	}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceKernelAccess, Target: "/sys/fs/selinux", Status: inventory.StatusComplete})
	res := checks.Run(snap, checks.Catalog())
	return NewDocument(&audit.Result{Snapshot: snap, Findings: res.Findings, NotEvaluated: res.NotEvaluated}, "test", generatedAt)
}

func TestKernelDecisionReport(t *testing.T) {
	doc := kernelDocument(t)
	var collision *Finding
	for i := range doc.Findings {
		if doc.Findings[i].CheckID == "MCS-001" {
			collision = &doc.Findings[i]
		}
	}
	if collision == nil || collision.Basis != checks.BasisKernel {
		t.Fatalf("MCS-001 = %+v, want a finding on a kernel decision", collision)
	}

	data := encodeJSON(t, doc)
	if err := validateJSON(t, compileSchema(t), data); err != nil {
		t.Errorf("report does not match docs/report.schema.json: %v", err)
	}
	for _, want := range []string{`"basis": "kernel decision"`, `"basis": "label model"`, `"decisions": [`, `"permissive": true`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("JSON report lacks %s", want)
		}
	}
	back := readBack(t, doc)
	if len(back.Decisions) != 2 || back.Findings[0].Basis == "" {
		t.Errorf("read back: %d decisions, basis %q; want 2 and the basis kept", len(back.Decisions), back.Findings[0].Basis)
	}

	for format, want := range map[string]string{
		"table":    "(basis: kernel",
		"markdown": "**Basis:** kernel decision",
	} {
		w, err := New(format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.Write(&buf, doc); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s report lacks %q:\n%s", format, want, buf.String())
		}
	}
}

func TestSchemaRejectsUnknownBasis(t *testing.T) {
	data := encodeJSON(t, kernelDocument(t))
	broken := bytes.Replace(data, []byte(`"basis": "kernel decision"`), []byte(`"basis": "hunch"`), 1)
	if err := validateJSON(t, compileSchema(t), broken); err == nil {
		t.Error("schema accepted the basis \"hunch\"")
	}
}
