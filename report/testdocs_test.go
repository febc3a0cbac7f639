package report

import (
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/waiver"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

// goldenCatalog is the subset of the catalog the golden files are built
// with, so that checks added later change no golden file.
func goldenCatalog(t *testing.T) []checks.Check {
	t.Helper()
	var out []checks.Check
	for _, id := range []string{"HOST-001", "HOST-002", "TYPE-002"} {
		c, ok := checks.Lookup(id)
		if !ok {
			t.Fatalf("%s missing from the catalog", id)
		}
		out = append(out, c)
	}
	return out
}

// goldenRules is the check metadata the writers list in golden files
// (SARIF rules, JUnit suites, Prometheus series). It is written out here
// rather than read from the catalog, so that editing a check's rationale
// does not change every golden file.
func goldenRules() []checks.Check {
	return []checks.Check{
		{
			ID: "HOST-001", Title: "SELinux disabled on the host", Severity: checks.SeverityCritical,
			Rationale:   "With SELinux disabled the kernel checks no label.",
			Remediation: "Set SELINUX=enforcing, relabel and reboot.",
			References:  []string{"https://docs.fedoraproject.org/en-US/quick-docs/selinux-changing-states-and-modes/"},
		},
		{
			ID: "HOST-002", Title: "SELinux permissive on the host", Severity: checks.SeverityHigh,
			Rationale:   "In permissive mode denials are only logged.",
			Remediation: "Run setenforce 1 and set SELINUX=enforcing.",
		},
		{
			ID: "TYPE-002", Title: "SELinux labeling disabled for a container", Severity: checks.SeverityHigh,
			Rationale:   "A container without a label runs in a domain MCS does not constrain.",
			Remediation: "Remove --privileged and label=disable.",
			References:  []string{"https://github.com/containers/udica"},
		},
	}
}

func evaluate(t *testing.T, snap *inventory.Snapshot) *audit.Result {
	t.Helper()
	res := checks.Run(snap, goldenCatalog(t))
	return &audit.Result{Snapshot: snap, Findings: res.Findings, NotEvaluated: res.NotEvaluated}
}

// goldenFixtureDocument is the report of the recorded SELinux host, with
// the golden catalog.
func goldenFixtureDocument(t *testing.T) *Document {
	t.Helper()
	snap, err := fixturesnap.Load("debian12-selinux", "debian12-enforcing")
	if err != nil {
		t.Fatal(err)
	}
	// The host collector names the files it read by absolute path, which
	// differs between checkouts.
	checkout := strings.NewReplacer(fixturesnap.Dir()+"/", "fixtures/")
	snap.Host.SELinux.StateReason = checkout.Replace(snap.Host.SELinux.StateReason)
	for i, src := range snap.Coverage.Sources {
		snap.Coverage.Sources[i].Detail = checkout.Replace(src.Detail)
	}
	return NewDocument(evaluate(t, snap), "test", generatedAt)
}

const (
	rootURL     = "unix:///run/podman/podman.sock"
	rootlessURL = "unix:///run/user/1000/podman/podman.sock"
)

// labContainers are the containers of the hand-made host, by name. Two
// belong to compose project "shop", and one of those is privileged. A
// toolbox container runs with labeling disabled, "lost" could not be
// inspected, and "web-old" ran only the day before.
func labContainers() map[string]inventory.Container {
	uid := 1000
	root := inventory.EngineRef{Name: "podman", URL: rootURL}
	rootless := inventory.EngineRef{Name: "podman", URL: rootlessURL, Rootless: true, UID: &uid}
	labeled := func(v string) inventory.Label { return inventory.Label{State: inventory.Labeled, Value: v} }
	disabledMount := labeled("system_u:object_r:container_file_t:s0:c1022,c1023")
	notLabeled := inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"}
	unknown := inventory.Label{State: inventory.Unknown, Reason: "inspect failed: context deadline exceeded"}

	base := func(id, name string, engine inventory.EngineRef) inventory.Container {
		return inventory.Container{
			ID: id, Name: name, Engine: engine, State: "running", DiscoveredBy: inventory.DiscoveredByAPI,
			SecurityOpt: []string{}, Mounts: []inventory.Mount{},
		}
	}
	web := base("aa11", "web-1", root)
	web.ProcessLabel = labeled("system_u:system_r:container_t:s0:c12,c345")
	web.MountLabel = labeled("system_u:object_r:container_file_t:s0:c12,c345")
	web.Labels = map[string]string{"com.docker.compose.project": "shop"}

	priv := base("bb22", "web-priv", root)
	priv.Privileged = true
	priv.ProcessLabel, priv.MountLabel = notLabeled, disabledMount
	priv.Labels = map[string]string{"com.docker.compose.project": "shop", "io.podman.compose.project": "shop"}

	toolbox := base("cc33", "toolbox-alice", rootless)
	toolbox.SecurityOpt = []string{"label=disable"}
	toolbox.ProcessLabel, toolbox.MountLabel = notLabeled, disabledMount
	toolbox.Labels = map[string]string{"com.github.containers.toolbox": "true"}

	lost := base("dd44", "lost", root)
	lost.InspectError = "inspect failed: context deadline exceeded"
	lost.ProcessLabel, lost.MountLabel = unknown, unknown

	oldPriv := base("ee55", "web-old", root)
	oldPriv.Privileged = true
	oldPriv.ProcessLabel, oldPriv.MountLabel = notLabeled, disabledMount

	return map[string]inventory.Container{"web-1": web, "web-priv": priv, "toolbox-alice": toolbox, "lost": lost, "web-old": oldPriv}
}

// labSnapshot is a permissive host whose containers are named by names,
// from labContainers.
func labSnapshot(collectedAt time.Time, names ...string) *inventory.Snapshot {
	snap := inventory.New("lab-host", collectedAt)
	snap.Host.HostRoot = "/"
	snap.Host.SELinux = inventory.SELinux{
		State: inventory.SELinuxPermissive, StateReason: "sys/fs/selinux/enforce reads 0",
		ConfigMode: "permissive", PolicyType: "targeted",
	}
	on := true
	uid := 1000
	snap.Engines = []inventory.Engine{
		{Name: "podman", URL: rootURL, Version: "5.2.2", SELinuxEnabled: &on, Reachable: true},
		{Name: "podman", URL: rootlessURL, Version: "5.2.2", Rootless: true, UID: &uid, SELinuxEnabled: &on, Reachable: true},
	}
	all := labContainers()
	for _, name := range names {
		snap.Containers = append(snap.Containers, all[name])
	}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceHostSELinux, Target: "/", Status: inventory.StatusComplete})
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourcePodman, Target: rootURL, Status: inventory.StatusPartial, Detail: "1 container could not be inspected"})
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourcePodman, Target: rootlessURL, Status: inventory.StatusComplete})
	return snap
}

// labIgnoreFile waives the toolbox container by its label (active) and
// the shop's web containers by name (expired on 30 November 2026).
const labIgnoreFile = `waivers:
  - check: TYPE-002
    label: com.github.containers.toolbox=true
    reason: toolbox containers run with labeling disabled by design; owned by the workstation team
    expires: 2027-06-30
  - check: TYPE-002
    container: web-*
    reason: "the payment gateway needs device access until its udica policy ships"
    expires: 2026-11-30
`

func labWaivers(t *testing.T) *waiver.File {
	t.Helper()
	f, err := waiver.Parse(strings.NewReader(labIgnoreFile), "/etc/mcsaudit/ignore.yaml", func(id string) bool {
		_, ok := checks.Lookup(id)
		return ok
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// labDocument is the hand-made report: a permissive host (HOST-002), a
// privileged web container (TYPE-002, open), a waived toolbox container,
// an expired waiver, a container not evaluated, and a coverage gap.
func labDocument(t *testing.T) *Document {
	t.Helper()
	snap := labSnapshot(generatedAt.Add(-time.Minute), "web-1", "web-priv", "toolbox-alice", "lost")
	snap.AddGap(inventory.Gap{Source: inventory.SourcePodman, Subject: "container lost (dd44)", Reason: "inspect failed: context deadline exceeded"})
	doc := NewDocument(evaluate(t, snap), "test", generatedAt)
	doc.ApplyWaivers(labWaivers(t), generatedAt)
	return doc
}

// labOldDocument is the same host a day earlier: web-old still ran,
// web-priv did not yet, web-1 was privileged, and lost could still be
// inspected and was privileged. It had no ignore file.
func labOldDocument(t *testing.T) *Document {
	t.Helper()
	day := 24 * time.Hour
	snap := labSnapshot(generatedAt.Add(-day-time.Minute), "web-1", "toolbox-alice", "lost", "web-old")
	for i, c := range snap.Containers {
		switch c.Name {
		case "lost":
			c.InspectError = ""
			c.Privileged = true
			c.ProcessLabel = inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"}
		case "web-1":
			// Privileged the day before, fixed since: a resolved finding.
			c.Privileged = true
			c.ProcessLabel = inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"}
		}
		snap.Containers[i] = c
	}
	return NewDocument(evaluate(t, snap), "test", generatedAt.Add(-day))
}

func labDiff(t *testing.T) *Diff {
	t.Helper()
	d := Compare(labOldDocument(t), labDocument(t), "test", generatedAt.Add(time.Hour))
	d.Old.File, d.New.File = "reports/2026-12-03.json", "reports/2026-12-04.json"
	return d
}
