package checks

import (
	"sort"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

// ReachPair is one access that an MCS finding asserts: the process
// context Source reaches Target, a file context (class "file") or a
// process context (class "process").
type ReachPair struct {
	Source string
	Target string
	Class  string
}

// KernelCandidates lists what the kernel step of a scan requests access
// decisions for, as the checks see the snapshot.
type KernelCandidates struct {
	// ProcessLabels holds the effective process label of each container,
	// in snapshot order: the /proc label of one of its processes where
	// one was read, else inspect's ProcessLabel, and "" when neither is
	// labeled. The checks judge the same labels.
	ProcessLabels []string
	// Pairs are the accesses that MCS-001 and MCS-002 assert, in the
	// order of their findings, each pair once.
	Pairs []ReachPair
	// Omitted counts the pairs left out by the limit. A pair that two
	// findings share may be counted twice.
	Omitted int
}

// maxContextsPerLevel bounds the distinct process contexts, and apart
// from them the distinct mount labels, that one level contributes to
// reach pairs. Containers at one level differ in context only by user,
// role or type, so more than a few is rare. A finding with more asserts
// accesses that no question covers, and its basis stays the label model.
const maxContextsPerLevel = 4

// FindKernelCandidates returns each container's effective process label
// and at most maxPairs reach pairs. The pairs of MCS-001 are each
// colliding level's process contexts against its mount labels (file) and
// its process contexts (process). The pairs of MCS-002 are the
// dominating level's process contexts against the mount labels and the
// process contexts of the containers it dominates, in that direction
// only. Each level contributes at most maxContextsPerLevel contexts of
// each kind, so a finding yields at most 32 pairs per level it names,
// and the work is that of running MCS-001 and MCS-002. A nil cfg means
// the built-in settings; cfg must have passed Config.Validate.
func FindKernelCandidates(snap *inventory.Snapshot, cfg *Config, maxPairs int) KernelCandidates {
	if cfg == nil {
		cfg = &Config{}
	}
	e := newEvaluation(snap, cfg.settings())
	views := e.containerViews()
	out := KernelCandidates{ProcessLabels: make([]string, len(views))}
	for i := range views {
		if views[i].label.State == inventory.Labeled {
			out.ProcessLabels[i] = views[i].label.Value
		}
	}

	seen := map[ReachPair]bool{}
	add := func(pairs []ReachPair) {
		for _, p := range pairs {
			switch {
			case seen[p]:
			case len(out.Pairs) >= maxPairs:
				out.Omitted++
			default:
				seen[p] = true
				out.Pairs = append(out.Pairs, p)
			}
		}
	}
	for _, g := range e.collisionGroups() {
		pairs, _ := e.collisionPairs(g)
		add(pairs)
	}
	for _, r := range e.dominanceReaches() {
		for _, target := range r.reached {
			pairs, _ := e.dominancePairs(r.level, r.dominating, target)
			add(pairs)
		}
	}
	return out
}

// levelContexts are the distinct contexts of some containers at one
// level: the process contexts of those whose confined process runs
// there, and the mount labels of those whose files carry it.
type levelContexts struct {
	procs, files []string
	// complete is false when more than maxContextsPerLevel distinct
	// contexts of a kind were found and the rest were left out.
	complete bool
}

// contextsAt returns the contexts at level l of the given containers;
// withFiles adds their mount labels at l.
func (e *evaluation) contextsAt(l seclabel.Level, members []int, withFiles bool) levelContexts {
	lc := levelContexts{complete: true}
	for _, i := range members {
		v := &e.views[i]
		if v.class == classConfined && v.hasLevel && v.level().High() == l {
			lc.procs = lc.addContext(lc.procs, v.label.Value)
		}
		if withFiles && mountLevel(v.c.MountLabel) == l {
			lc.files = lc.addContext(lc.files, v.c.MountLabel.Value)
		}
	}
	return lc
}

func (lc *levelContexts) addContext(list []string, ctx string) []string {
	for _, have := range list {
		if have == ctx {
			return list
		}
	}
	if len(list) == maxContextsPerLevel {
		lc.complete = false
		return list
	}
	return append(list, ctx)
}

// mountLevel returns the high level of a mount label, or the zero Level
// when it is not labeled or has no range.
func mountLevel(l inventory.Label) seclabel.Level {
	if l.State != inventory.Labeled {
		return seclabel.Level{}
	}
	ctx, err := seclabel.ParseContext(l.Value)
	if err != nil {
		return seclabel.Level{}
	}
	r, ok := ctx.Range()
	if !ok {
		return seclabel.Level{}
	}
	return r.High()
}

// reachPairs returns every process context of src against dst's mount
// labels (file) and process contexts (process).
func reachPairs(src, dst levelContexts) []ReachPair {
	out := make([]ReachPair, 0, len(src.procs)*(len(dst.files)+len(dst.procs)))
	for _, p := range src.procs {
		for _, f := range dst.files {
			out = append(out, ReachPair{Source: p, Target: f, Class: ClassFile})
		}
		for _, q := range dst.procs {
			out = append(out, ReachPair{Source: p, Target: q, Class: ClassProcess})
		}
	}
	return out
}

// collisionGroups returns the levels that MCS-001 reports: a level with
// a confined process that containers of two or more isolation domains
// share. Containers at s0 are MCS-003's, and a level without a confined
// process is only files, such as the mount level s0:c1022,c1023 that all
// privileged containers share by design.
func (e *evaluation) collisionGroups() []*levelGroup {
	idx := e.levelIndex()
	domains := e.isolationDomains()
	var out []*levelGroup
	for _, g := range idx.groups {
		if g.count == 0 || g.procCount == 0 || len(g.entries) < 2 {
			continue
		}
		if distinctDomains(domains, g.members()) < 2 {
			continue
		}
		out = append(out, g)
	}
	return out
}

// collisionPairs returns the accesses an MCS-001 finding asserts, and
// whether the list is complete.
func (e *evaluation) collisionPairs(g *levelGroup) ([]ReachPair, bool) {
	lc := e.contextsAt(g.level, g.members(), true)
	return reachPairs(lc, lc), lc.complete
}

// dominanceReach is one MCS-002 finding: a dominating level, its
// confined containers, and the lower levels it reaches with the
// containers at each that the finding names.
type dominanceReach struct {
	level      *levelGroup
	dominating []int
	reached    []dominatedLevel
}

type dominatedLevel struct {
	group   *levelGroup
	members []int
}

// dominanceReaches returns the MCS-002 findings sorted by dominating
// level. Containers of the dominating level's own domain are left out of
// its targets when all its confined containers are in one domain: a pod
// may hold members at several levels.
func (e *evaluation) dominanceReaches() []dominanceReach {
	idx := e.levelIndex()
	domains := e.isolationDomains()

	reached := map[*levelGroup][]*levelGroup{}
	var order []*levelGroup
	for _, g := range idx.groups {
		for _, d := range idx.dominators(g) {
			if len(reached[d]) == 0 {
				order = append(order, d)
			}
			reached[d] = append(reached[d], g)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].name() < order[j].name() })

	var out []dominanceReach
	for _, d := range order {
		r := dominanceReach{level: d, dominating: d.procs(), reached: make([]dominatedLevel, 0, len(reached[d]))}
		own := map[int]bool{}
		for _, i := range r.dominating {
			own[domains.byContainer[i]] = true
		}
		// The members of all reached levels share one backing slice, so
		// a range over 100,000 levels allocates it once, not per level.
		total := 0
		for _, g := range reached[d] {
			total += len(g.entries)
		}
		flat := make([]int, 0, total)
		for _, g := range reached[d] {
			start := len(flat)
			for _, en := range g.entries {
				if len(own) == 1 && own[domains.byContainer[en.index]] {
					continue
				}
				flat = append(flat, en.index)
			}
			if len(flat) > start {
				r.reached = append(r.reached, dominatedLevel{group: g, members: flat[start:len(flat):len(flat)]})
			}
		}
		if len(r.reached) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// dominancePairs returns the accesses that a dominating level asserts
// over one level it reaches, and whether the list is complete.
func (e *evaluation) dominancePairs(d *levelGroup, dominating []int, target dominatedLevel) ([]ReachPair, bool) {
	src := e.contextsAt(d.level, dominating, false)
	dst := e.contextsAt(target.group.level, target.members, true)
	return reachPairs(src, dst), src.complete && dst.complete
}

// tallyPairs records the kernel's verdict on each pair.
func (e *evaluation) tallyPairs(t *reachTally, pairs []ReachPair, complete bool) {
	t.complete = t.complete && complete
	for _, p := range pairs {
		e.addVerdict(t, p.Source+" -> "+p.Target, e.verdictOf(e.decision(p.Source, p.Target, p.Class)))
	}
}
