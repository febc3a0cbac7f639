package files

import (
	"context"
	"fmt"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// BenchmarkCollect1000Mounts collects 1,000 containers whose 3,000
// mounts point at 100 distinct sources, each a directory of 20 files.
// Each container mounts a source of its own group writable and two
// sources shared host-wide read-only, so most sources are shared.
func BenchmarkCollect1000Mounts(b *testing.B) {
	h := hostTree{b, b.TempDir()}
	const sources, filesPerSource = 100, 20
	for s := range sources {
		for f := range filesPerSource {
			h.file(fmt.Sprintf("srv/vol%03d/f%02d", s, f), "", "")
		}
	}
	containers := make([]inventory.Container, 1000)
	for i := range containers {
		c := bindMount(fmt.Sprintf("c%04d", i), true, fmt.Sprintf("/srv/vol%03d", i%sources))
		for _, shared := range []int{(i * 7) % sources, (i * 13) % sources} {
			c.Mounts = append(c.Mounts, inventory.Mount{
				Type: "bind", Source: fmt.Sprintf("/srv/vol%03d", shared), Destination: "/ro", RW: false,
			})
		}
		containers[i] = c
	}

	b.ReportAllocs()
	for b.Loop() {
		snap := newSnap(inventory.SELinuxDisabled, containers...)
		Collect(context.Background(), Options{HostRoot: h.root}, snap)
		if len(snap.Files) < sources {
			b.Fatalf("read %d files, want at least %d", len(snap.Files), sources)
		}
	}
}
