package kernel

import (
	"context"
	"fmt"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// benchHost builds n running containers at distinct two-category levels,
// each with its init process read from /proc. Each mounts a private
// volume at its own level, with three labels sampled below it, and one
// shared volume at s0, both writable. Every 100th container takes the
// level of the one before it in another engine (MCS-001), and one runs
// with the range s0-s0:c0.c1023, which dominates every level (MCS-002).
func benchHost(n int) *inventory.Snapshot {
	docker := inventory.EngineRef{Name: "docker", URL: "unix:///run/docker.sock"}
	var cs []inventory.Container
	var procs []inventory.Process
	files := []inventory.FileLabel{mountSource("/srv/shared", "dir", fileT+"s0")}
	prev := ""
	for i := range n {
		level := fmt.Sprintf("s0:c%d,c%d", i%1000, 1000+i/1000)
		var edits []func(*inventory.Container)
		switch {
		case i == n/2:
			level = "s0-s0:c0.c1023"
		case i%100 == 99:
			level = prev
			edits = append(edits, onEngine(docker))
		}
		prev = level
		private := fmt.Sprintf("/var/lib/containers/volumes/v%d", i)
		edits = append(edits, withMounts(bindRW(private, "/data"), bindRW("/srv/shared", "/shared")), func(c *inventory.Container) {
			c.PID = 10_000 + i
		})
		c := confinedAt(fmt.Sprintf("ctr-%04d", i), level, edits...)
		cs = append(cs, c)
		procs = append(procs, inventory.Process{PID: c.PID, PPID: 1, ContainerID: c.ID, Label: c.ProcessLabel, TiedBy: inventory.TiedByCgroup})

		src := mountSource(private, "dir", fileT+level)
		src.Sample = &inventory.Sample{Entries: 30, Labels: []inventory.LabelCount{
			{Label: fileT + level, Count: 28},
			{Label: fileT + "s0", Count: 1},
			{Label: "system_u:object_r:etc_t:s0", Count: 1},
		}}
		files = append(files, src)
	}
	snap := enforcingHost(cs...)
	snap.Processes = procs
	snap.Files = files
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceProcfs, Target: "/proc", Status: inventory.StatusComplete})
	return snap
}

// BenchmarkCollect1000 builds the questions for 1,000 containers and asks
// them through a querier that answers at once, so it measures mcsaudit's
// own work: candidate pairs from the check index, questions, the cache,
// decoding and sorting. A real kernel adds one open, write, read and
// close of sys/fs/selinux/access per question.
func BenchmarkCollect1000(b *testing.B) {
	snap := benchHost(1000)
	root := writeSelinuxfs(b)
	b.ReportAllocs()
	var questions int
	for b.Loop() {
		snap.Decisions = nil
		snap.Coverage.Gaps = snap.Coverage.Gaps[:0]
		Collect(context.Background(), Options{HostRoot: root, Querier: fastQuerier{}}, snap)
		questions = len(snap.Decisions)
	}
	if st, _ := kernelSource(snap); st.Status != inventory.StatusComplete {
		b.Fatalf("coverage = %+v, want complete", st)
	}
	b.ReportMetric(float64(questions), "questions/op")
}
