package apireplay

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// twoCategoryLevel matches a two-category MCS level at the end of a JSON
// string, the form engines draw at random ("s0:c74,c276"). Levels with
// one, three or a range of categories end differently and are kept.
var twoCategoryLevel = regexp.MustCompile(`s0:c(\d+),c(\d+)"`)

// levelMapper gives each generation of clones its own two-category levels,
// so that a synthetic API of thousands of containers has the distinct
// levels a real host has. Within one generation every use of a recorded
// level maps to the same new level, which keeps pod members sharing their
// infra container's level and forced duplicates colliding, as recorded.
type levelMapper struct {
	recorded []string // distinct recorded pairs, sorted
	index    map[string]int
	// free lists the pairs no recorded container uses, in order.
	free [][2]int
}

func newLevelMapper(documents map[string][]byte) *levelMapper {
	seen := map[string]bool{}
	for _, doc := range documents {
		for _, m := range twoCategoryLevel.FindAllSubmatch(doc, -1) {
			seen[string(m[1])+","+string(m[2])] = true
		}
	}
	m := &levelMapper{index: map[string]int{}}
	for pair := range seen {
		m.recorded = append(m.recorded, pair)
	}
	sort.Strings(m.recorded)
	for i, pair := range m.recorded {
		m.index[pair] = i
	}
	return m
}

// pair returns the n-th two-category pair that no recorded level uses,
// drawn from c0..c1021 (c1022,c1023 is the engines' label for unconfined
// containers).
func (m *levelMapper) pair(n int) [2]int {
	for len(m.free) <= n {
		next := [2]int{0, 1}
		if len(m.free) > 0 {
			last := m.free[len(m.free)-1]
			next = [2]int{last[0], last[1] + 1}
			if next[1] > 1021 {
				next = [2]int{last[0] + 1, last[0] + 2}
			}
		}
		for m.isRecorded(next) {
			next[1]++
			if next[1] > 1021 {
				next = [2]int{next[0] + 1, next[0] + 2}
			}
		}
		m.free = append(m.free, next)
	}
	return m.free[n]
}

func (m *levelMapper) isRecorded(p [2]int) bool {
	_, ok := m.index[strconv.Itoa(p[0])+","+strconv.Itoa(p[1])]
	return ok
}

// rewrite replaces every recorded two-category level in text with the
// generation's own. Generation 0 keeps the recorded levels.
func (m *levelMapper) rewrite(text string, generation int) string {
	if generation == 0 {
		return text
	}
	return twoCategoryLevel.ReplaceAllStringFunc(text, func(match string) string {
		sub := twoCategoryLevel.FindStringSubmatch(match)
		k := m.index[sub[1]+","+sub[2]]
		p := m.pair((generation-1)*len(m.recorded) + k)
		return fmt.Sprintf("s0:c%d,c%d\"", p[0], p[1])
	})
}
