package checks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// syntheticHost is a generated snapshot for scale tests, with the number
// of each planted case so that tests can check what the catalog finds.
type syntheticHost struct {
	snap *inventory.Snapshot
	// collisions counts the levels that two containers of different
	// engines share, and supersets the three-category levels that
	// dominate a planted pair. pods and joins count the by-design groups.
	collisions, supersets, pods, joins int
}

// newSyntheticHost builds n running containers at distinct random
// two-category levels, each with its init process read from /proc. Of
// every 100 containers, 4 are the members of two two-member pods and 2 are
// IPC joins of the container before them. One more takes the level of a
// container of another engine (a collision). Another has a three-category
// superset of the level before it. One container runs with the range
// s0-s0:c0.c1023, so it dominates every level.
func newSyntheticHost(n int, seed uint64) syntheticHost {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	h := syntheticHost{snap: enforcingSnapshot()}
	snap := h.snap
	snap.Containers = make([]inventory.Container, 0, n)
	snap.Processes = make([]inventory.Process, 0, n)
	withProcesses(snap)

	used := map[[2]int]bool{}
	newPair := func() [2]int {
		for {
			a, b := rng.IntN(1024), rng.IntN(1024)
			if a == b {
				continue
			}
			p := [2]int{min(a, b), max(a, b)}
			if !used[p] {
				used[p] = true
				return p
			}
		}
	}
	docker := inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"}
	var prevLevel, prevID, prevPod string
	var prevPair [2]int
	for i := range n {
		id := fmt.Sprintf("%064x", i+1)
		pair := newPair()
		level := fmt.Sprintf("s0:c%d,c%d", pair[0], pair[1])
		c := inventory.Container{
			ID: id, Name: fmt.Sprintf("ctr-%06d", i), State: "running", PID: 1000 + i,
			Engine: podmanRoot, DiscoveredBy: inventory.DiscoveredByAPI,
			SecurityOpt: []string{}, Mounts: []inventory.Mount{},
		}
		switch slot := i % 100; {
		case i == n/2:
			level = "s0-s0:c0.c1023"
		case slot == 10 || slot == 12:
			c.Pod = fmt.Sprintf("pod-%d", i)
			h.pods++
		case slot == 11 || slot == 13:
			c.Pod, level = prevPod, prevLevel
		case slot == 20 || slot == 21:
			// Slot 21 joins slot 20, which joined slot 19: one domain.
			c.IpcMode, level = "container:"+prevID, prevLevel
			h.joins++
		case slot == 30:
			c.Engine, level = docker, prevLevel
			h.collisions++
		case slot == 40:
			third := rng.IntN(1024)
			for third == prevPair[0] || third == prevPair[1] {
				third = rng.IntN(1024)
			}
			cats := []int{prevPair[0], prevPair[1], third}
			slices.Sort(cats)
			level = fmt.Sprintf("s0:c%d,c%d,c%d", cats[0], cats[1], cats[2])
			h.supersets++
		}
		prevLevel, prevID, prevPod, prevPair = level, id, c.Pod, pair
		c.ProcessLabel = labeled(containerT + level)
		c.MountLabel = labeled(fileT + level)
		snap.Containers = append(snap.Containers, c)
		snap.Processes = append(snap.Processes, inventory.Process{
			PID: c.PID, PPID: 1, ContainerID: id, Label: c.ProcessLabel, TiedBy: inventory.TiedByCgroup,
		})
	}
	return h
}

func TestSyntheticHostFindings(t *testing.T) {
	h := newSyntheticHost(10_000, 1)
	res := Run(h.snap, Catalog())
	if got := len(findingsOf(res, "MCS-001")); got != h.collisions {
		t.Errorf("MCS-001 findings = %d, want one per planted collision (%d)", got, h.collisions)
	}
	// The range dominates every level and is one finding; each superset
	// dominates the pair it was built from.
	if got := len(findingsOf(res, "MCS-002")); got != h.supersets+1 {
		t.Errorf("MCS-002 findings = %d, want %d supersets and the range", got, h.supersets+1)
	}
	if got := len(findingsOf(res, "MCS-005")); got != 0 {
		t.Errorf("MCS-005 findings = %d, want none: pod members share their level", got)
	}
	if h.pods == 0 || h.joins == 0 {
		t.Fatal("the generator planted no pods or joins")
	}
}

// BenchmarkRunCatalog100k runs the whole catalog over 100,000 containers.
// Besides wall time it reports the process's CPU time per run (user and
// system, garbage collection included), which a busy machine inflates
// less than wall time.
func BenchmarkRunCatalog100k(b *testing.B) {
	h := newSyntheticHost(100_000, 1)
	b.ReportAllocs()
	start := cpuTime(b)
	runs := 0
	for b.Loop() {
		res := Run(h.snap, Catalog())
		if len(res.Findings) == 0 {
			b.Fatal("no findings")
		}
		runs++
	}
	b.ReportMetric(float64((cpuTime(b)-start).Milliseconds())/float64(runs), "cpu-ms/op")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
