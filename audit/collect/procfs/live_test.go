package procfs

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/collect/host"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// TestLivePodman runs the collector over this host's /proc after listing
// the containers of the Podman service at MCSAUDIT_PODMAN_URL (as
// `scripts/podman-env.sh up` prints it), and checks that every running
// container's processes are tied to it.
func TestLivePodman(t *testing.T) {
	url := os.Getenv("MCSAUDIT_PODMAN_URL")
	if url == "" {
		t.Skip("set MCSAUDIT_PODMAN_URL to a Podman service on this host, such as the one scripts/podman-env.sh up starts")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to read every process's files")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	snap := inventory.New("live", time.Now())
	snap.Host.SELinux = host.ReadSELinux("/")
	if err := podman.Collect(ctx, podman.Options{URL: url, Timeout: 30 * time.Second}, snap); err != nil {
		t.Fatalf("listing the containers of %s: %v", url, err)
	}
	api := len(snap.Containers)
	if api == 0 {
		t.Fatalf("%s reports no containers", url)
	}

	start := time.Now()
	Collect(ctx, Options{HostRoot: "/"}, snap)
	t.Logf("procfs: %s in %v; host SELinux %s", procStatus(t, snap).Detail, time.Since(start), snap.Host.SELinux.State)

	for _, ctr := range snap.Containers[:api] {
		if ctr.State != "running" {
			continue
		}
		procs := processesOf(snap, ctr.ID)
		if len(procs) == 0 {
			t.Errorf("%s (%s): no process tied", ctr.Name, ctr.ID[:12])
			continue
		}
		for _, p := range procs {
			t.Logf("%s: pid %d %s tied by %s via %q, label %s %s", ctr.Name, p.PID, p.Comm, p.TiedBy, p.Cgroup, p.Label.State, p.Label.Value)
		}
		if g := gapsFor(snap, ctr.ID); len(g) != 0 {
			t.Errorf("%s: gaps %q", ctr.Name, g)
		}
	}
	for _, ctr := range snap.Containers[api:] {
		uid := "unknown"
		if ctr.Engine.UID != nil {
			uid = strconv.Itoa(*ctr.Engine.UID)
		}
		t.Logf("found only through procfs: %s %q engine %s rootless=%v uid=%s pod=%.12s pid=%d label=%s",
			ctr.ID[:12], ctr.Name, ctr.Engine.Name, ctr.Engine.Rootless, uid, ctr.Pod, ctr.PID, ctr.ProcessLabel.State)
	}
}
