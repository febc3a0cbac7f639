package checks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

func TestLevelCollisionAcrossDomains(t *testing.T) {
	res := Run(enforcingSnapshot(confined("a", "s0:c1,c2"), confined("b", "s0:c1,c2"), confined("c", "s0:c3,c4")), Catalog())
	assertIDs(t, res, "MCS-001")
	if got := subjectsOf(res, "MCS-001"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("MCS-001 subjects = %v, want [a b]", got)
	}
}

func TestSharedLevelByDesignIsSilent(t *testing.T) {
	tests := map[string][]inventory.Container{
		"pod members take the infra label": {
			confined("infra", "s0:c5,c6", inPod("p1"), func(c *inventory.Container) { c.IsInfra = true }),
			confined("p1-a", "s0:c5,c6", inPod("p1"), func(c *inventory.Container) { c.IpcMode = "container:infra-id" }),
			confined("p1-b", "s0:c5,c6", inPod("p1")),
		},
		"ipc join": {
			confined("x", "s0:c5,c6"),
			confined("joiner", "s0:c5,c6", func(c *inventory.Container) { c.IpcMode = "container:x-id" }),
		},
		"pid join, transitively": {
			confined("x", "s0:c5,c6"),
			confined("y", "s0:c5,c6", func(c *inventory.Container) { c.PidMode = "container:x-id" }),
			confined("z", "s0:c5,c6", func(c *inventory.Container) { c.IpcMode = "container:y-id" }),
		},
		"join by name": {
			confined("x", "s0:c5,c6"),
			confined("y", "s0:c5,c6", func(c *inventory.Container) { c.IpcMode = "container:x" }),
		},
		"CRI pod uid": {
			confined("k1", "s0:c5,c6", func(c *inventory.Container) { c.Labels = map[string]string{labelPodUID: "u-1"} }),
			confined("k2", "s0:c5,c6", func(c *inventory.Container) { c.Labels = map[string]string{labelPodUID: "u-1"} }),
		},
		"CRI sandbox annotation": {
			confined("pause", "s0:c5,c6", func(c *inventory.Container) { c.ID = "sandbox-1" }),
			confined("app", "s0:c5,c6", func(c *inventory.Container) {
				c.Annotations = map[string]string{"io.kubernetes.cri-o.SandboxID": "sandbox-1"}
			}),
		},
		"OpenShift namespace": {
			confined("ns-pod-a", "s0:c25,c10", func(c *inventory.Container) {
				c.Labels = map[string]string{labelPodNamespace: "shop", labelPodUID: "u-a"}
				c.Annotations = map[string]string{annotationSCC: "restricted-v2"}
			}),
			confined("ns-pod-b", "s0:c25,c10", func(c *inventory.Container) {
				c.Labels = map[string]string{labelPodNamespace: "shop", labelPodUID: "u-b"}
				c.Annotations = map[string]string{annotationSCC: "restricted-v2"}
			}),
		},
		"one container listed by two engine URLs": {
			confined("twice", "s0:c5,c6"),
			confined("twice", "s0:c5,c6", engine(inventory.EngineRef{Name: "podman", URL: "tcp://127.0.0.1:8080"})),
		},
		"privileged containers share the mount level s0:c1022,c1023": {
			privileged("priv-a"), privileged("priv-b"), privileged("priv-c", func(c *inventory.Container) { c.SecurityOpt = []string{"label=disable"} }),
		},
		"unconfined levels are ignored": {
			container("spc-a", func(c *inventory.Container) { c.ProcessLabel = labeled(spcT + "s0:c7,c8") }),
			container("spc-b", func(c *inventory.Container) { c.ProcessLabel = labeled(spcT + "s0:c7,c8") }),
		},
	}
	for name, containers := range tests {
		t.Run(name, func(t *testing.T) {
			res := Run(enforcingSnapshot(containers...), Catalog())
			for _, id := range []string{"MCS-001", "MCS-002", "MCS-005"} {
				if fs := findingsOf(res, id); len(fs) > 0 {
					t.Errorf("%s fired on a by-design share:\n%s", id, describeFindings(res))
				}
			}
			if len(notEvaluatedFor(res, "MCS-001")) > 0 {
				t.Errorf("MCS-001 not evaluated = %v, want none", notEvaluatedFor(res, "MCS-001"))
			}
		})
	}
}

// --network container:X shares the network namespace only; a container
// that also shares X's level is a collision.
func TestNetworkJoinIsNotADomain(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("x", "s0:c5,c6"),
		confined("netjoin", "s0:c5,c6", func(c *inventory.Container) { c.NetworkMode = "container:x-id" }),
	), Catalog())
	if got := subjectsOf(res, "MCS-001"); !slices.Equal(got, []string{"netjoin", "x"}) {
		t.Errorf("MCS-001 subjects = %v, want [netjoin x]", got)
	}
}

// Without the OpenShift annotation, a namespace is no domain: plain
// Kubernetes gives every pod its own level.
func TestPlainNamespaceIsNotADomain(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("a", "s0:c5,c6", func(c *inventory.Container) {
			c.Labels = map[string]string{labelPodNamespace: "shop", labelPodUID: "u-a"}
		}),
		confined("b", "s0:c5,c6", func(c *inventory.Container) {
			c.Labels = map[string]string{labelPodNamespace: "shop", labelPodUID: "u-b"}
		}),
	), Catalog())
	if got := subjectsOf(res, "MCS-001"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("MCS-001 subjects = %v, want [a b]", got)
	}
}

func TestConfinedAtPrivilegedMountLevel(t *testing.T) {
	res := Run(enforcingSnapshot(privileged("priv-a"), privileged("priv-b"), confined("sneaky", "s0:c1022,c1023")), Catalog())
	if got := subjectsOf(res, "MCS-001"); !slices.Equal(got, []string{"priv-a", "priv-b", "sneaky"}) {
		t.Errorf("MCS-001 subjects = %v, want the confined container and the privileged ones whose files it reaches", got)
	}
}

func TestCollisionUsesKernelLabel(t *testing.T) {
	snap := enforcingSnapshot(confined("a", "s0:c1,c2"), confined("b", "s0:c3,c4"))
	// The runtime put b's process at a's level; inspect still shows c3,c4.
	withProcesses(snap, process("a-id", 100, containerT+"s0:c1,c2"), process("b-id", 200, containerT+"s0:c1,c2"))
	res := Run(snap, Catalog())
	fs := findingsOf(res, "MCS-001")
	if len(fs) != 1 {
		t.Fatalf("MCS-001 findings = %d, want 1 from the kernel's labels\n%s", len(fs), describeFindings(res))
	}
	if !strings.Contains(evidenceValue(fs[0], "b"), "/proc/200/attr/current") {
		t.Errorf("evidence for b = %q, want the kernel's label and its source", evidenceValue(fs[0], "b"))
	}
	if got := findingsFor(res, "PROC-001"); !slices.Equal(got, []string{"b"}) {
		t.Errorf("PROC-001 = %v, want [b]", got)
	}
}

func TestCollisionAcrossEnginesAndUsers(t *testing.T) {
	alice, bob := 1000, 1001
	aliceRef := inventory.EngineRef{Name: "podman", URL: "unix:///run/user/1000/podman/podman.sock", Rootless: true, UID: &alice}
	bobRef := inventory.EngineRef{Name: "podman", Rootless: true, UID: &bob}
	docker := inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"}
	snap := enforcingSnapshot(
		confined("alice-web", "s0:c7,c91", engine(aliceRef)),
		confined("root-db", "s0:c7,c91"),
		confined("docker-cache", "s0:c7,c91", engine(docker)),
		// Bob's container is visible only through /proc.
		container("", func(c *inventory.Container) {
			c.ID = "b0b0b0b0b0b0b0b0"
			c.Engine = bobRef
			c.DiscoveredBy = inventory.DiscoveredByProcfs
			c.ProcessLabel = labeled(containerT + "s0:c7,c91")
			c.MountLabel = inventory.Label{State: inventory.Unknown, Reason: "seen only through procfs"}
		}),
	)
	withProcesses(snap, process("b0b0b0b0b0b0b0b0", 4242, containerT+"s0:c7,c91"))
	res := Run(snap, Catalog())
	fs := findingsOf(res, "MCS-001")
	if len(fs) != 1 {
		t.Fatalf("MCS-001 findings = %d, want 1\n%s", len(fs), describeFindings(res))
	}
	byName := map[string]Subject{}
	for _, s := range fs[0].Subjects {
		byName[s.Name] = s
	}
	if len(byName) != 4 {
		t.Fatalf("subjects = %v, want 4 containers", fs[0].Subjects)
	}
	if s := byName["b0b0b0b0b0b0"]; !s.Rootless || s.UID == nil || *s.UID != 1001 {
		t.Errorf("procfs-only subject = %+v, want rootless uid 1001", s)
	}
	if s := byName["alice-web"]; !s.Rootless || s.UID == nil || *s.UID != 1000 {
		t.Errorf("alice's subject = %+v, want rootless uid 1000", s)
	}
	if s := byName["docker-cache"]; s.Engine != "docker" || s.Rootless {
		t.Errorf("docker subject = %+v, want engine docker, rootful", s)
	}
}

func TestDominance(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("super", "s0:c100,c200,c300"),
		confined("pair", "s0:c100,c200"),
		confined("single", "s0:c100"),
		confined("other", "s0:c400,c500"),
		confined("all", "s0-s0:c0.c1023"),
	), Catalog())
	fs := findingsOf(res, "MCS-002")
	got := map[string][]string{}
	for _, f := range fs {
		var names []string
		for _, s := range f.Subjects[1:] {
			names = append(names, s.Name)
		}
		slices.Sort(names)
		got[f.Subjects[0].Name] = names
	}
	want := map[string][]string{
		"all":   {"other", "pair", "single", "super"},
		"super": {"pair", "single"},
		"pair":  {"single"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("MCS-002 dominator -> dominated = %v, want %v", got, want)
	}
	if got := findingsFor(res, "MCS-004"); !slices.Equal(got, []string{"all", "single"}) {
		t.Errorf("MCS-004 = %v, want the range and the single category", got)
	}
}

// A pod whose members run at nested levels is MCS-005's case, not MCS-002.
func TestDominanceInsideOneDomainIsSilent(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("a", "s0:c1,c2,c3", inPod("p")),
		confined("b", "s0:c1,c2", inPod("p")),
	), Catalog())
	if fs := findingsOf(res, "MCS-002"); len(fs) > 0 {
		t.Errorf("MCS-002 fired inside one pod:\n%s", describeFindings(res))
	}
	if got := findingsFor(res, "MCS-005"); len(got) != 1 {
		t.Errorf("MCS-005 = %v, want one finding for the pod", got)
	}
}

func TestNoCategories(t *testing.T) {
	res := Run(enforcingSnapshot(confined("d3", "s0"), confined("e3", "s0"), confined("ok", "s0:c1,c2")), Catalog())
	fs := findingsOf(res, "MCS-003")
	if len(fs) != 2 {
		t.Fatalf("MCS-003 findings = %d, want 2\n%s", len(fs), describeFindings(res))
	}
	if v := evidenceValue(fs[0], "confined containers without categories"); v != "2 of 3 confined containers" {
		t.Errorf("count evidence = %q, want 2 of 3", v)
	}
	if len(findingsOf(res, "MCS-001"))+len(findingsOf(res, "MCS-002")) > 0 {
		t.Errorf("s0 raised MCS-001 or MCS-002, which leave it to MCS-003:\n%s", describeFindings(res))
	}
}

func TestPodLevels(t *testing.T) {
	res := Run(enforcingSnapshot(
		confined("p2-a", "s0:c693,c991", inPod("p2")),
		confined("p2-b", "s0:c259,c509", inPod("p2")),
		confined("p1-a", "s0:c751,c764", inPod("p1")),
		confined("p1-b", "s0:c751,c764", inPod("p1")),
	), Catalog())
	fs := findingsOf(res, "MCS-005")
	if len(fs) != 1 || fs[0].Severity != SeverityLow {
		t.Fatalf("MCS-005 = %v, want one low finding for p2", describeFindings(res))
	}
	if got := subjectsOf(res, "MCS-005"); !slices.Equal(got, []string{"p2-a", "p2-b"}) {
		t.Errorf("MCS-005 subjects = %v, want the members of p2", got)
	}
}

func TestUnknownLabelIsNotEvaluated(t *testing.T) {
	unknown := container("lost", func(c *inventory.Container) {
		c.InspectError = "inspect failed: timeout"
		c.ProcessLabel = inventory.Label{State: inventory.Unknown, Reason: "inspect failed: timeout"}
		c.MountLabel = c.ProcessLabel
	})
	res := Run(enforcingSnapshot(unknown, confined("a", "s0:c1,c2")), Catalog())
	assertIDs(t, res)
	for _, id := range []string{"TYPE-001", "TYPE-002", "TYPE-003", "TYPE-004", "MCS-001", "MCS-002", "MCS-003", "MCS-004"} {
		ne := notEvaluatedFor(res, id)
		if len(ne) != 1 || ne[0].Subject.Name != "lost" || !strings.Contains(ne[0].Reason, "timeout") {
			t.Errorf("%s not evaluated = %v, want the container whose label is unknown, with the reason", id, ne)
		}
	}
}

func TestUnknownTypeIsNotEvaluated(t *testing.T) {
	res := Run(enforcingSnapshot(container("bogus", func(c *inventory.Container) {
		c.ProcessLabel = labeled("system_u:system_r:no_such_t:s0:c124,c312")
	})), Catalog())
	assertIDs(t, res)
	ne := notEvaluatedFor(res, "TYPE-001")
	if len(ne) != 1 || !strings.Contains(ne[0].Reason, "confinedTypes") {
		t.Errorf("TYPE-001 not evaluated = %v, want a pointer to the configuration", ne)
	}
}

// The posting-list index must find exactly what comparing every pair
// finds.
func TestLevelIndexMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var containers []inventory.Container
	for i := range 400 {
		n := 1 + rng.IntN(4)
		cats := map[int]bool{}
		for len(cats) < n {
			cats[rng.IntN(24)] = true
		}
		var parts []string
		for _, c := range sortedInts(cats) {
			parts = append(parts, fmt.Sprintf("c%d", c))
		}
		level := "s0:" + strings.Join(parts, ",")
		if i%97 == 0 {
			level = "s0-s0:c0.c" + fmt.Sprint(10+rng.IntN(14))
		}
		containers = append(containers, confined(fmt.Sprintf("c%03d", i), level))
	}
	snap := enforcingSnapshot(containers...)
	e := newEvaluation(snap, (&Config{}).settings())
	idx := e.levelIndex()

	got := map[string]bool{}
	for _, g := range idx.groups {
		for _, d := range idx.dominators(g) {
			got[d.name()+" > "+g.name()] = true
		}
	}
	want := map[string]bool{}
	for _, d := range idx.groups {
		if d.procCount == 0 {
			continue
		}
		for _, g := range idx.groups {
			if d != g && g.count > 0 && seclabel.Dominates(d.level, g.level) {
				want[d.name()+" > "+g.name()] = true
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the random levels produced no dominance: the test proves nothing")
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("index found %d dominations, pairwise comparison %d", len(got), len(want))
	}
}

func sortedInts(set map[int]bool) []int {
	var out []int
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
