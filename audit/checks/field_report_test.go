package checks_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/waiver"
	"github.com/mcsaudit/mcsaudit/report"
)

// Tooling sets label=disable on every workload of a compose project, or
// :z on every volume, and a toolbox container carries its well-known
// label. The checks report one finding per container or volume, so the
// report counts them per compose project. An ignore-file entry waives the
// toolbox container with a reason, and the waived finding stays listed.
func TestFieldToolingDisablesLabels(t *testing.T) {
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	snap := inventory.New("h", now)
	snap.Host.SELinux = inventory.SELinux{State: inventory.SELinuxEnforcing, PolicyType: "targeted", Booleans: []inventory.Boolean{}}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceFileLabels, Target: "/", Status: inventory.StatusComplete})
	base := func(name string, labels map[string]string) inventory.Container {
		return inventory.Container{
			ID: name + "-id", Name: name, State: "running", DiscoveredBy: inventory.DiscoveredByAPI,
			Engine:       inventory.EngineRef{Name: "podman", URL: "unix:///run/podman/podman.sock"},
			ProcessLabel: inventory.Label{State: inventory.NotLabeled}, MountLabel: inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:s0:c1022,c1023"},
			SecurityOpt: []string{"label=disable"}, Mounts: []inventory.Mount{}, Labels: labels,
		}
	}
	for i := 1; i <= 3; i++ {
		snap.Containers = append(snap.Containers, base(fmt.Sprintf("shop-web-%d", i), map[string]string{"com.docker.compose.project": "shop"}))
	}
	for i, level := range []string{"s0:c1,c2", "s0:c3,c4"} {
		c := base(fmt.Sprintf("blog-%d", i+1), map[string]string{"io.podman.compose.project": "blog"})
		c.SecurityOpt = []string{}
		c.ProcessLabel = inventory.Label{State: inventory.Labeled, Value: "system_u:system_r:container_t:" + level}
		c.MountLabel = inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:" + level}
		c.Mounts = []inventory.Mount{{Type: "bind", Source: fmt.Sprintf("/srv/blog/vol%d", i+1), Destination: "/data", RW: true}}
		snap.Containers = append(snap.Containers, c)
		snap.Files = append(snap.Files, inventory.FileLabel{
			Path: fmt.Sprintf("/srv/blog/vol%d", i+1), Roles: []string{inventory.RoleMountSource},
			Label: inventory.Label{State: inventory.Labeled, Value: "system_u:object_r:container_file_t:s0"},
		})
	}
	snap.Containers = append(snap.Containers, base("toolbox-dev", map[string]string{"com.github.containers.toolbox": "true"}))

	res := checks.Run(snap, checks.Catalog())
	doc := report.NewDocument(&audit.Result{Snapshot: snap, Findings: res.Findings, NotEvaluated: res.NotEvaluated}, "test", now)

	ignore, err := waiver.Parse(strings.NewReader(`waivers:
  - check: TYPE-002
    label: com.github.containers.toolbox=true
    reason: toolbox containers share the user's session by design
`), "ignore.yaml", func(id string) bool { _, ok := checks.Lookup(id); return ok })
	if err != nil {
		t.Fatal(err)
	}
	doc.ApplyWaivers(ignore, now)

	projects := map[string]report.ProjectCount{}
	for _, p := range doc.Summary.ComposeProjects {
		projects[p.Project] = p
	}
	if p := projects["shop"]; p.Containers != 3 || p.ByCheck["TYPE-002"] != 3 {
		t.Errorf("project shop = %+v, want 3 containers with 3 TYPE-002 findings", p)
	}
	if p := projects["blog"]; p.Containers != 2 || p.ByCheck["MOUNT-001"] != 2 {
		t.Errorf("project blog = %+v, want 2 containers with 2 MOUNT-001 findings (one per :z volume)", p)
	}

	var toolbox *report.Finding
	for i, f := range doc.Findings {
		if f.CheckID == "TYPE-002" && f.Subjects[0].Name == "toolbox-dev" {
			toolbox = &doc.Findings[i]
		}
	}
	if toolbox == nil {
		t.Fatal("the toolbox container's TYPE-002 finding is missing from the report: a waiver must not hide it")
	}
	if toolbox.Waiver == nil || !strings.Contains(toolbox.Waiver.Reason, "toolbox") {
		t.Errorf("toolbox finding waiver = %+v, want the ignore-file entry with its reason", toolbox.Waiver)
	}
	if doc.Summary.Waived != 1 {
		t.Errorf("summary waived = %d, want 1", doc.Summary.Waived)
	}
	if doc.Waivers == nil || len(doc.Waivers.Entries) != 1 || doc.Waivers.Entries[0].Matches != 1 {
		t.Errorf("waivers = %+v, want the entry listed with one match", doc.Waivers)
	}
}
