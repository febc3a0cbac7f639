package kernel

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

func buildQuestions(snap *inventory.Snapshot, limits Limits) ([]Question, checks.KernelCandidates) {
	cand := checks.FindKernelCandidates(snap, nil, limits.withDefaults(len(snap.Containers)).Pairs)
	return BuildQuestions(snap, cand, limits), cand
}

// One container: its writable sources (file and dir, or file alone for a
// plain file), the labels sampled below them, and its own mount label.
// Read-only mounts, tmpfs and sources with unread labels ask nothing.
func TestBuildQuestionsPerContainer(t *testing.T) {
	proc := containerT + "s0:c1,c2"
	snap := enforcingHost(
		confinedAt("a", "s0:c1,c2", withMounts(
			bindRW("/etc/app", "/app"),
			bindRW("/srv/conf.toml", "/conf.toml"),
			inventory.Mount{Type: "bind", Source: "/var/lib/ro", Destination: "/ro"},
			inventory.Mount{Type: "tmpfs", Source: "tmpfs", Destination: "/tmp", RW: true},
			bindRW("/srv/unread", "/unread"),
			bindRW("/run/podman/podman.sock", "/sock"),
		)),
	)
	sampled := mountSource("/etc/app", "dir", etcT)
	sampled.Sample = &inventory.Sample{Entries: 3, Labels: []inventory.LabelCount{
		{Label: etcT, Count: 2, Example: "/etc/app/a"},
		{Label: fileT + "s0:c7,c8", Count: 1, Example: "/etc/app/b"},
		{Label: "", Count: 1, Example: "/etc/app/c"},
	}}
	snap.Files = []inventory.FileLabel{
		sampled,
		mountSource("/srv/conf.toml", "file", tmpT),
		mountSource("/var/lib/ro", "dir", varT),
		{Path: "/srv/unread", Roles: []string{inventory.RoleMountSource}, Label: inventory.Label{State: inventory.Unknown, Reason: "EACCES"}},
		mountSource("/run/podman/podman.sock", "socket", "system_u:object_r:container_var_run_t:s0"),
	}

	qs, _ := buildQuestions(snap, Limits{})
	want := []string{
		"file " + proc + " -> " + fileT + "s0:c7,c8",
		"dir " + proc + " -> " + etcT,
		"file " + proc + " -> " + etcT,
		"file " + proc + " -> " + tmpT,
	}
	if got := questionKeys(qs); !slices.Equal(got, want) {
		t.Errorf("questions:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, q := range qs {
		if !slices.Equal(q.Perms, permsOf(q.Class)) {
			t.Errorf("%s question asks %v, want %v", q.Class, q.Perms, permsOf(q.Class))
		}
	}
}

// A container whose process label is unknown or not labeled asks
// nothing: there is no source context to ask with.
func TestBuildQuestionsSkipUnlabeledProcesses(t *testing.T) {
	snap := enforcingHost(
		confinedAt("nolabel", "s0:c1,c2", withMounts(bindRW("/etc/app", "/app")), func(c *inventory.Container) {
			c.Privileged = true
			c.ProcessLabel = inventory.Label{State: inventory.NotLabeled}
		}),
		confinedAt("unknown", "s0:c3,c4", withMounts(bindRW("/etc/app", "/app")), func(c *inventory.Container) {
			c.ProcessLabel = inventory.Label{State: inventory.Unknown, Reason: "inspect failed"}
		}),
	)
	snap.Files = []inventory.FileLabel{mountSource("/etc/app", "dir", etcT)}
	if qs, _ := buildQuestions(snap, Limits{}); len(qs) != 0 {
		t.Errorf("questions = %v, want none", questionKeys(qs))
	}
}

// The /proc label the kernel enforces is the source, not inspect's.
func TestBuildQuestionsUseProcLabel(t *testing.T) {
	snap := enforcingHost(confinedAt("a", "s0:c1,c2", withMounts(bindRW("/srv/conf.toml", "/conf.toml")), func(c *inventory.Container) {
		c.PID = 4242
		c.Privileged = true
		c.ProcessLabel = inventory.Label{State: inventory.NotLabeled}
	}))
	snap.Files = []inventory.FileLabel{mountSource("/srv/conf.toml", "file", tmpT)}
	snap.Processes = []inventory.Process{{PID: 4242, ContainerID: "a-id", Label: labeled("system_u:system_r:spc_t:s0"), TiedBy: inventory.TiedByCgroup}}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceProcfs, Target: "/proc", Status: inventory.StatusComplete})

	qs, _ := buildQuestions(snap, Limits{})
	want := []string{"file system_u:system_r:spc_t:s0 -> " + tmpT}
	if got := questionKeys(qs); !slices.Equal(got, want) {
		t.Errorf("questions = %v, want %v", got, want)
	}
}

// Many containers with the same labels mounting one source ask each
// question once.
func TestBuildQuestionsDedupe(t *testing.T) {
	var cs []inventory.Container
	for i := range 100 {
		// One pod: one isolation domain, so no MCS finding either.
		cs = append(cs, confinedAt(fmt.Sprintf("m%d", i), "s0:c5,c6", withMounts(bindRW("/srv/shared", "/data")),
			func(c *inventory.Container) { c.Pod = "pod-1" }))
	}
	snap := enforcingHost(cs...)
	snap.Files = []inventory.FileLabel{mountSource("/srv/shared", "dir", fileT+"s0")}
	qs, cand := buildQuestions(snap, Limits{})
	if len(qs) != 2 {
		t.Errorf("questions = %v, want 2: the source as file and dir", questionKeys(qs))
	}
	if len(cand.Pairs) != 0 {
		t.Errorf("pairs = %v, want none inside one pod", cand.Pairs)
	}
}

// A collision asks both ways at the shared level; a dominating level asks
// only from its process down to the dominated files and processes.
func TestBuildQuestionsMCSDirections(t *testing.T) {
	docker := inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"}
	snap := enforcingHost(
		confinedAt("c1", "s0:c100,c200"),
		confinedAt("c2", "s0:c100,c200", onEngine(docker)),
		confinedAt("d1", "s0:c100,c200,c300"),
	)
	_, cand := buildQuestions(snap, Limits{})
	low, high := containerT+"s0:c100,c200", containerT+"s0:c100,c200,c300"
	want := []checks.ReachPair{
		{Source: low, Target: fileT + "s0:c100,c200", Class: checks.ClassFile},
		{Source: low, Target: low, Class: checks.ClassProcess},
		{Source: high, Target: fileT + "s0:c100,c200", Class: checks.ClassFile},
		{Source: high, Target: low, Class: checks.ClassProcess},
	}
	if !slices.Equal(cand.Pairs, want) {
		t.Errorf("pairs:\n  %v\nwant:\n  %v", cand.Pairs, want)
	}
	for _, p := range cand.Pairs {
		if p.Source == low && strings.HasSuffix(p.Target, "c300") {
			t.Errorf("pair %v asks upward, against the dominating level", p)
		}
	}
	if cand.Omitted != 0 {
		t.Errorf("omitted = %d, want 0", cand.Omitted)
	}
}

// rangeHost has n containers at distinct two-category levels from c0 to
// c511, and dominators containers with ranges that dominate all of them
// and not each other.
func rangeHost(n, dominators int) *inventory.Snapshot {
	var cs []inventory.Container
	for i := range n {
		a, b := i%512, (i/512+1+i%512)%512
		if a == b {
			b = (b + 1) % 512
		}
		level := fmt.Sprintf("s0:c%d,c%d", min(a, b), max(a, b))
		cs = append(cs, confinedAt(fmt.Sprintf("ctr-%05d", i), level))
	}
	for k := range dominators {
		cs = append(cs, confinedAt(fmt.Sprintf("range-%02d", k), fmt.Sprintf("s0-s0:c0.c511,c%d", 512+k)))
	}
	return enforcingHost(cs...)
}

// One range over 10,000 containers fits the default bound: two pairs per
// dominated level. Twenty ranges would need 20 times as many; the bound
// caps them at 4 per container plus 256 and counts the rest.
func TestBuildQuestionsBound(t *testing.T) {
	const n = 10_000
	t.Run("one range", func(t *testing.T) {
		snap := rangeHost(n, 1)
		qs, cand := buildQuestions(snap, Limits{})
		levels := map[string]bool{}
		for _, c := range snap.Containers[:n] {
			levels[c.MountLabel.Value] = true
		}
		if cand.Omitted != 0 || len(cand.Pairs) < 2*len(levels) {
			t.Errorf("pairs = %d, omitted %d; want every level's 2 pairs (%d levels) asked", len(cand.Pairs), cand.Omitted, len(levels))
		}
		if max := (PairsPerContainer+1)*len(snap.Containers) + PairsBase; len(qs) > max {
			t.Errorf("questions = %d, want at most %d", len(qs), max)
		}
	})
	t.Run("twenty ranges", func(t *testing.T) {
		snap := rangeHost(n, 20)
		bound := PairsPerContainer*len(snap.Containers) + PairsBase
		_, cand := buildQuestions(snap, Limits{})
		if len(cand.Pairs) != bound {
			t.Errorf("pairs = %d, want the bound %d", len(cand.Pairs), bound)
		}
		if cand.Omitted <= 0 {
			t.Error("no pair counted as omitted")
		}
	})
	t.Run("explicit bound", func(t *testing.T) {
		_, cand := buildQuestions(rangeHost(1000, 1), Limits{Pairs: 100})
		if len(cand.Pairs) != 100 || cand.Omitted == 0 {
			t.Errorf("pairs = %d, omitted %d; want 100 and the rest counted", len(cand.Pairs), cand.Omitted)
		}
	})
}

// The sampled labels asked per source are bounded, most frequent first.
func TestBuildQuestionsSampleBound(t *testing.T) {
	snap := enforcingHost(confinedAt("a", "s0:c1,c2", withMounts(bindRW("/srv/many", "/data"))))
	src := mountSource("/srv/many", "dir", fileT+"s0")
	src.Sample = &inventory.Sample{}
	for i := range 50 {
		src.Sample.Labels = append(src.Sample.Labels, inventory.LabelCount{Label: fmt.Sprintf("%ss0:c%d,c%d", fileT, i, i+100), Count: 50 - i})
	}
	snap.Files = []inventory.FileLabel{src}
	qs, _ := buildQuestions(snap, Limits{SampleLabels: 5})
	// The source as file and dir, and 5 sampled labels.
	if len(qs) != 7 {
		t.Errorf("questions = %d (%v), want 7", len(qs), questionKeys(qs))
	}
	if !slices.ContainsFunc(qs, func(q Question) bool { return q.Target == fileT+"s0:c0,c100" }) {
		t.Error("the most frequent sampled label was not asked")
	}
}
