package apireplay

import (
	"encoding/json"
	"testing"
)

func TestSyntheticLevelsPerGeneration(t *testing.T) {
	recorded := loadFixture(t)
	n := 3 * len(recorded.Listed())
	api, err := Synthetic(recorded, n)
	if err != nil {
		t.Fatal(err)
	}

	type inspect struct {
		Name         string
		Pod          string
		ProcessLabel string
		State        struct{ Pid int }
	}
	byName := map[string]inspect{}
	levelUsers := map[string][]string{}
	pids := map[int]string{}
	for _, lc := range api.Listed() {
		var doc inspect
		if err := json.Unmarshal(api.inspect[lc.ID], &doc); err != nil {
			t.Fatal(err)
		}
		byName[doc.Name] = doc
		levelUsers[doc.ProcessLabel] = append(levelUsers[doc.ProcessLabel], doc.Name)
		if doc.State.Pid != 0 {
			if other, dup := pids[doc.State.Pid]; dup {
				t.Errorf("%s and %s share PID %d", other, doc.Name, doc.State.Pid)
			}
			pids[doc.State.Pid] = doc.Name
		}
	}

	// A default container gets a new level in each generation.
	if byName["a1-0"].ProcessLabel == byName["a1-1"].ProcessLabel {
		t.Errorf("a1-0 and a1-1 share %s, want a level per generation", byName["a1-0"].ProcessLabel)
	}
	// Pod members keep sharing one level within a generation.
	if byName["p1-a-1"].ProcessLabel != byName["p1-b-1"].ProcessLabel {
		t.Errorf("pod members p1-a-1 and p1-b-1 have %s and %s, want one shared level",
			byName["p1-a-1"].ProcessLabel, byName["p1-b-1"].ProcessLabel)
	}
	// Forced duplicates keep colliding within a generation, and only there.
	if byName["c1-2"].ProcessLabel != byName["c2-2"].ProcessLabel {
		t.Errorf("forced duplicates c1-2 and c2-2 differ: %s, %s", byName["c1-2"].ProcessLabel, byName["c2-2"].ProcessLabel)
	}
	if byName["c1-1"].ProcessLabel == byName["c1-2"].ProcessLabel {
		t.Errorf("c1-1 and c1-2 share %s across generations", byName["c1-1"].ProcessLabel)
	}
	if got := byName["a1-2"].State.Pid; got != SyntheticPID(2*len(recorded.Listed())+indexOf(recorded, "a1")) {
		t.Errorf("a1-2 PID = %d, want SyntheticPID of its index", got)
	}
}

func indexOf(api *API, name string) int {
	for i, lc := range api.Listed() {
		if lc.Name == name {
			return i
		}
	}
	return -1
}
