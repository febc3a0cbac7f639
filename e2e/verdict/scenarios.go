package verdict

// Scenario is one situation the guest job sets up, with what mcsaudit
// must report about it besides the reach its probes test.
type Scenario struct {
	ID    string
	Title string
	// Needs lists the checks without which mcsaudit's findings, or its
	// silence, say nothing about the scenario. When one is missing from
	// the build's catalog the scenario is "not covered".
	Needs []string
	// Expect lists findings the scenario must produce.
	Expect []Expectation
	// Forbid lists findings the scenario must not produce.
	Forbid []Expectation
	// RejectedContext is a file context whose type the loaded policy does
	// not define. The kernel rejects it in /sys/fs/selinux/access, so the
	// report must record a decision with an error and a coverage gap
	// naming it, and the probes' direct kernel decisions are errors.
	RejectedContext string
}

// Expectation is a finding of one check that names every listed
// container and, when Path is set, that path. When Basis is set, the
// finding must rest on that basis ("kernel decision" or "label model").
type Expectation struct {
	CheckID    string
	Containers []string
	Path       string
	Basis      string
}

// Scenarios returns the scenario set that guest/job.sh runs, in the order
// the report prints them. Container names and paths here must match the
// job's.
func Scenarios() []Scenario {
	return []Scenario{
		{ID: "default-distinct", Title: "two default containers get distinct random levels",
			Needs: []string{"MCS-001", "MCS-002"}},
		{ID: "forced-same-level", Title: "two containers forced to one level (label=level:s0:c100,c200)",
			Needs: []string{"MCS-001"}, Expect: []Expectation{{CheckID: "MCS-001", Containers: []string{"c1", "c2"}}}},
		{ID: "superset-level", Title: "a container at s0:c100,c200,c300 beside one at s0:c100,c200",
			Needs: []string{"MCS-002"}, Expect: []Expectation{{CheckID: "MCS-002", Containers: []string{"d-super", "c1"}}}},
		{ID: "subset-level", Title: "a container at s0:c100 beside one at s0:c100,c200",
			Needs: []string{"MCS-002"}, Expect: []Expectation{{CheckID: "MCS-002", Containers: []string{"c1", "d-sub"}}}},
		{ID: "s0-level", Title: "a confined container at plain s0 (no categories)",
			Needs: []string{"MCS-003"}, Expect: []Expectation{{CheckID: "MCS-003", Containers: []string{"d-s0"}}}},
		{ID: "full-range-level", Title: "a confined container at the full range s0-s0:c0.c1023",
			Needs: []string{"MCS-002"}},
		{ID: "label-disable", Title: "label=disable runs the container in the caller's unconfined_t",
			Needs: []string{"TYPE-002"}, Expect: []Expectation{{CheckID: "TYPE-002", Containers: []string{"b-nolabel"}}}},
		{ID: "privileged", Title: "--privileged runs the container in the caller's unconfined_t",
			Needs: []string{"TYPE-002"}, Expect: []Expectation{{CheckID: "TYPE-002", Containers: []string{"b-priv"}}}},
		{ID: "pid-host", Title: "--pid host disables labeling and shows every host process",
			Needs: []string{"TYPE-002"}, Expect: []Expectation{{CheckID: "TYPE-002", Containers: []string{"g-pidhost"}}}},
		{ID: "pod-infra", Title: "members of a pod with an infra container share its level",
			Needs:  []string{"MCS-001", "MCS-005"},
			Forbid: []Expectation{{CheckID: "MCS-005", Containers: []string{"p1-a"}}, {CheckID: "MCS-005", Containers: []string{"p1-b"}}}},
		{ID: "pod-no-infra", Title: "members of a pod created with --infra=false get separate levels",
			Needs: []string{"MCS-001", "MCS-005"}, Expect: []Expectation{{CheckID: "MCS-005", Containers: []string{"p2-a", "p2-b"}}}},
		{ID: "ipc-join", Title: "--ipc container:a1 takes a1's level",
			Needs: []string{"MCS-001"}},
		{ID: "pid-join", Title: "--pid container:a1 takes a1's level",
			Needs: []string{"MCS-001"}},
		bindScenario("var", "plain"), bindScenario("var", "z"), bindScenario("var", "Z"), bindScenario("var", "ro"),
		bindScenario("home", "plain"), bindScenario("home", "z"), bindScenario("home", "Z"), bindScenario("home", "ro"),
		bindScenario("etc", "plain"), bindScenario("etc", "z"), bindScenario("etc", "Z"), bindScenario("etc", "ro"),
		{ID: "shared-z-volume", Title: "one :z volume written by two containers",
			Needs: []string{"MOUNT-001", "MOUNT-006"},
			Expect: []Expectation{
				{CheckID: "MOUNT-001", Containers: []string{"v1"}, Path: "/srv/e2e/shared"},
				{CheckID: "MOUNT-001", Containers: []string{"v2"}, Path: "/srv/e2e/shared"},
				{CheckID: "MOUNT-006", Path: "/srv/e2e/shared"},
			}},
		{ID: "unknown-context", Title: "writable bind of a directory labeled with a type the policy does not define",
			Needs:           []string{"MOUNT-005"},
			RejectedContext: "system_u:object_r:mcsaudit_nosuch_t:s0",
			Expect: []Expectation{
				{CheckID: "MOUNT-005", Containers: []string{"m-nosuch"}, Path: "/srv/e2e/bind/nosuch", Basis: "label model"},
			}},
		{ID: "rootless", Title: "a rootless user's containers beside root's",
			Needs: []string{"MCS-001", "MCS-002"}},
	}
}

// Host directories of the bind scenarios, by kind. The job creates
// KIND-MODE below each, and their types come from the policy's file
// contexts.
var bindBases = map[string]struct{ dir, hostType string }{
	"var":  {"/srv/e2e/bind", "var_t"},
	"home": {"/home/alice/e2e-bind", "user_home_t"},
	"etc":  {"/etc/e2e-bind", "etc_t"},
}

// bindScenario describes container m-MODE binding a directory of the
// kind's type: plain (no relabel), z (shared relabel to
// container_file_t:s0), Z (private relabel to the container's level) or
// ro (read-only, no relabel).
func bindScenario(kind, mode string) Scenario {
	base := bindBases[kind]
	path := base.dir + "/" + kind + "-" + mode
	container := "m-" + mode
	s := Scenario{ID: "bind-" + kind + "-" + mode}
	switch mode {
	case "plain":
		s.Title = "writable bind of a " + base.hostType + " directory, no relabel"
		s.Needs = []string{"MOUNT-005"}
		s.Expect = []Expectation{{CheckID: "MOUNT-005", Containers: []string{container}, Path: path}}
	case "z":
		s.Title = ":z bind of a " + base.hostType + " directory (shared relabel)"
		s.Needs = []string{"MOUNT-001"}
		s.Expect = []Expectation{{CheckID: "MOUNT-001", Containers: []string{container}, Path: path}}
	case "Z":
		s.Title = ":Z bind of a " + base.hostType + " directory (private relabel)"
		s.Needs = []string{"MOUNT-001", "MOUNT-002"}
		s.Forbid = []Expectation{
			{CheckID: "MOUNT-001", Containers: []string{container}, Path: path},
			{CheckID: "MOUNT-002", Containers: []string{container}, Path: path},
		}
	case "ro":
		s.Title = "read-only bind of a " + base.hostType + " directory, no relabel"
		s.Needs = []string{"MOUNT-005"}
		s.Forbid = []Expectation{{CheckID: "MOUNT-005", Containers: []string{container}, Path: path}}
	}
	return s
}
