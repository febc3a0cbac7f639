package checks

import (
	"sort"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

// levelGroup is everything on the host at one MCS level: the confined
// containers whose processes run there (their high level) and the
// containers whose files carry it (the high level of their mount label,
// whatever their process type).
type levelGroup struct {
	level seclabel.Level
	// text caches name.
	text  string
	count int
	// entries lists each container at the level once, in snapshot order.
	entries []levelEntry
	// procCount counts the entries with a confined process at the level.
	procCount int
}

// levelEntry is one container at a level: by its confined process, its
// files, or both.
type levelEntry struct {
	index       int
	proc, files bool
}

// name returns the level in canonical form, such as "s0:c1,c2".
func (g *levelGroup) name() string {
	if g.text == "" {
		g.text = g.level.String()
	}
	return g.text
}

// members returns the containers at the level.
func (g *levelGroup) members() []int {
	out := make([]int, len(g.entries))
	for i, en := range g.entries {
		out[i] = en.index
	}
	return out
}

// procs returns the confined containers whose processes run at the level.
func (g *levelGroup) procs() []int {
	out := make([]int, 0, g.procCount)
	for _, en := range g.entries {
		if en.proc {
			out = append(out, en.index)
		}
	}
	return out
}

// add records container i at the level. A container's process and files
// are added one after the other, so only the last entry can be its own.
func (g *levelGroup) add(i int, proc bool) {
	if n := len(g.entries); n > 0 && g.entries[n-1].index == i {
		en := &g.entries[n-1]
		if proc && !en.proc {
			g.procCount++
		}
		en.proc = en.proc || proc
		en.files = en.files || !proc
		return
	}
	g.entries = append(g.entries, levelEntry{index: i, proc: proc, files: !proc})
	if proc {
		g.procCount++
	}
}

// levelIndex maps each level present on the host to its group. Exact
// collisions are one map lookup per container. Dominance uses posting
// lists: for each category, the levels with a confined process that
// contain it, sorted by category count, most first. A level can be
// dominated only by a level that contains its rarest category and has more
// categories (or, under MLS, as many and a higher sensitivity), so each
// level scans one short list instead of every other level.
type levelIndex struct {
	groups  []*levelGroup
	byLevel map[seclabel.Level]*levelGroup
	// postings[c] lists the dominating candidates that contain category c.
	postings [seclabel.MaxCategory + 1][]*levelGroup
	// multiSensitivity is true when some level is above s0, as only MLS
	// policies allow.
	multiSensitivity bool
}

func (e *evaluation) levelIndex() *levelIndex {
	if e.levels != nil {
		return e.levels
	}
	idx := &levelIndex{byLevel: map[seclabel.Level]*levelGroup{}}
	// Groups are allocated in blocks, whose addresses stay fixed, rather
	// than one at a time.
	var block []levelGroup
	get := func(l seclabel.Level) *levelGroup {
		g := idx.byLevel[l]
		if g == nil {
			if len(block) == cap(block) {
				block = make([]levelGroup, 0, 1024)
			}
			block = append(block, levelGroup{level: l, count: l.Categories().Count()})
			g = &block[len(block)-1]
			idx.byLevel[l] = g
			idx.groups = append(idx.groups, g)
			if l.Sensitivity() > 0 {
				idx.multiSensitivity = true
			}
		}
		return g
	}
	// Groups keep the order of their first container, so findings come
	// out in snapshot order without sorting.
	for i := range e.containerViews() {
		v := &e.views[i]
		if v.class == classConfined && v.hasLevel {
			get(v.level().High()).add(i, true)
		}
		// The mount label is the level of the container's files.
		// Parsing it again here allocates nothing, while keeping it in
		// every view would.
		if ml := v.c.MountLabel; ml.State == inventory.Labeled {
			if ctx, err := seclabel.ParseContext(ml.Value); err == nil {
				if r, ok := ctx.Range(); ok {
					get(r.High()).add(i, false)
				}
			}
		}
	}

	for _, g := range idx.groups {
		if g.procCount == 0 {
			continue
		}
		for c := range g.level.Categories().All() {
			idx.postings[c] = append(idx.postings[c], g)
		}
	}
	for c := range idx.postings {
		list := idx.postings[c]
		sort.SliceStable(list, func(i, j int) bool { return list[i].count > list[j].count })
	}
	e.levels = idx
	return idx
}

// dominators returns the levels with a confined process that strictly
// dominate the level of g. A level without categories is left out: every
// level dominates it, and MCS-003 reports it.
func (idx *levelIndex) dominators(g *levelGroup) []*levelGroup {
	if g.count == 0 {
		return nil
	}
	var rarest []*levelGroup
	first := true
	for c := range g.level.Categories().All() {
		if list := idx.postings[c]; first || len(list) < len(rarest) {
			rarest, first = list, false
		}
		if len(rarest) == 0 {
			return nil
		}
	}

	var out []*levelGroup
	for _, d := range rarest {
		if d.count < g.count || (d.count == g.count && !idx.multiSensitivity) {
			break
		}
		if d != g && seclabel.Dominates(d.level, g.level) {
			out = append(out, d)
		}
	}
	return out
}
