// Package procfs collects the processes of containers from the proc file
// system under a host root, with the SELinux label the kernel enforces on
// each.
//
// It reads every /proc/<pid> once and ties a process to a container by the
// container ID its cgroup path names (machine.slice/libpod-<id>.scope,
// /libpod_parent/libpod-<id>, docker-<id>.scope, /docker/<id>,
// crio-<id>.scope, cri-containerd-<id>.scope, kubepods paths), or, when the
// cgroup names none, by the nearest conmon ancestor whose command line
// names one. Containers the engines' APIs did not report, such as those of
// rootless users or of other engines, are added to the snapshot as
// discovered by procfs:
//
//	snap := inventory.New("host-1", time.Now())
//	snap.Host.SELinux = host.ReadSELinux("/")
//	// ... engine collectors add snap.Containers ...
//	procfs.Collect(ctx, procfs.Options{HostRoot: "/"}, snap)
//	for _, p := range snap.Processes {
//		fmt.Println(p.PID, p.ContainerID[:12], p.Label.Value)
//	}
package procfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Options configures one procfs collection.
type Options struct {
	// HostRoot is the mount point of the audited host's root file system,
	// whose proc directory Collect reads. Empty means "/".
	HostRoot string
	// Workers is the number of processes read at once. Zero means
	// GOMAXPROCS.
	Workers int
	Logger  *slog.Logger
}

// Collect reads the processes under HostRoot/proc, ties them to
// containers, and adds to snap the tied processes, the containers that no
// engine reported, and the procfs coverage with its gaps. It has no error
// result because what it cannot read is recorded in snap.Coverage.
//
// Run it after the engine collectors, because it joins processes with
// snap.Containers by full container ID, and after the host collector,
// because snap.Host.SELinux.State decides whether a missing label means
// "not labeled" (SELinux disabled) or "unknown".
func Collect(ctx context.Context, opts Options, snap *inventory.Snapshot) {
	opts = withDefaults(opts)
	procDir := filepath.Join(opts.HostRoot, "proc")
	log := opts.Logger.With("source", "procfs", "dir", procDir)

	pids, err := listPIDs(procDir)
	if err != nil || len(pids) == 0 {
		reason := unavailableReason(procDir, err)
		log.Warn("procfs unavailable", "reason", reason)
		snap.SetSource(inventory.SourceStatus{Source: inventory.SourceProcfs, Target: procDir, Status: inventory.StatusUnavailable, Detail: reason})
		snap.AddGap(inventory.Gap{Source: inventory.SourceProcfs, Subject: procDir, Reason: reason})
		return
	}

	selinux := snap.Host.SELinux.State
	results := readAll(ctx, procDir, selinux, pids, opts.Workers)
	if err := ctx.Err(); err != nil {
		detail := fmt.Sprintf("stopped before all %d processes were read: %v", len(pids), err)
		snap.SetSource(inventory.SourceStatus{Source: inventory.SourceProcfs, Target: procDir, Status: inventory.StatusPartial, Detail: detail})
		return
	}

	procs := make(map[int]*proc, len(results))
	var vanished int
	var unreadable []error
	for i := range results {
		switch res := &results[i]; {
		case errors.Is(res.err, errVanished):
			vanished++
		case res.err != nil:
			unreadable = append(unreadable, res.err)
		default:
			procs[res.proc.pid] = &res.proc
		}
	}

	tieByCgroup(procs)
	vanished += readConmonTied(procs, tieByConmon(procs), procDir, selinux)

	c := join(snap, procs, procDir)
	log.Debug("procfs read", "processes", len(procs), "vanished", vanished, "unreadable", len(unreadable),
		"tied", c.tied, "containers", c.containers, "discovered", c.discovered)

	status := inventory.StatusComplete
	detail := fmt.Sprintf("%d processes read, %d tied to %d containers (%d found only through procfs)",
		len(procs), c.tied, c.containers, c.discovered)
	if len(unreadable) > 0 {
		status = inventory.StatusPartial
		detail += fmt.Sprintf(", %d processes unreadable", len(unreadable))
		reason := fmt.Sprintf("%d processes could not be read, so they were tied to no container. The first error: %v", len(unreadable), unreadable[0])
		log.Warn("processes unreadable", "count", len(unreadable), "first", unreadable[0])
		snap.AddGap(inventory.Gap{Source: inventory.SourceProcfs, Subject: procDir, Reason: reason})
	}
	if c.labelGaps > 0 {
		status = inventory.StatusPartial
		detail += fmt.Sprintf(", labels unreadable in %d containers", c.labelGaps)
		log.Warn("process labels unreadable", "containers", c.labelGaps)
	}
	if c.missing > 0 {
		status = inventory.StatusPartial
		detail += fmt.Sprintf(", %d running containers without a process", c.missing)
	}
	if c.untrustedPIDs > 0 {
		detail += fmt.Sprintf(", %d engine PIDs not trusted", c.untrustedPIDs)
	}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceProcfs, Target: procDir, Status: status, Detail: detail})
}

func withDefaults(opts Options) Options {
	if opts.HostRoot == "" {
		opts.HostRoot = "/"
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// unavailableReason explains why procDir gave no processes, with the fix.
func unavailableReason(procDir string, err error) string {
	const fix = "mount the host's /proc there and run in the host's PID namespace (for example --pid host -v /proc:/host/proc:ro with --host-root /host)"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s not found: %s", procDir, fix)
	case err != nil:
		return fmt.Sprintf("listing %s failed: %v", procDir, errText(err))
	default:
		return fmt.Sprintf("%s holds no process directories, so procfs is not mounted there: %s", procDir, fix)
	}
}

// readConmonTied reads label and uid of the processes tied through their
// conmon, which the first pass did not read. It unties those that exited
// meanwhile and returns their number.
func readConmonTied(procs map[int]*proc, tied []*proc, procDir string, selinux inventory.SELinuxState) int {
	r := &procReader{procDir: procDir, selinux: selinux}
	vanished := 0
	for _, p := range tied {
		err := r.open(strconv.Itoa(p.pid))
		if err == nil {
			err = r.readDetails(p)
			r.close()
		}
		if err != nil {
			delete(procs, p.pid)
			vanished++
		}
	}
	return vanished
}

// joinCounts are the numbers the coverage detail reports.
type joinCounts struct {
	tied, containers, discovered int
	// labelGaps counts containers with unreadable process labels.
	labelGaps int
	// missing counts running containers an engine reported that have no
	// process under procfs.
	missing int
	// untrustedPIDs counts engine PIDs that belong to another container
	// or to none, for containers whose processes were found by cgroup.
	untrustedPIDs int
}

// join matches the tied processes with the engines' containers by full ID,
// adds the processes, the containers no engine reported, and the gaps.
func join(snap *inventory.Snapshot, procs map[int]*proc, procDir string) joinCounts {
	var c joinCounts
	groups := groupByContainer(procs)
	byID := make(map[string]*group, len(groups))
	for _, g := range groups {
		byID[g.id] = g
	}

	known := make(map[string]bool, len(snap.Containers))
	for i := range snap.Containers {
		ctr := &snap.Containers[i]
		known[ctr.ID] = true
		if !isLocalEngine(ctr.Engine.URL) {
			continue
		}
		tied := 0
		if g := byID[ctr.ID]; g != nil {
			tied = len(g.procs)
		}
		if gap, ok := pidGap(ctr, procs, tied, procDir); ok {
			snap.AddGap(gap)
			if tied == 0 {
				c.missing++
			} else {
				c.untrustedPIDs++
			}
		}
	}

	var records []inventory.Process
	for _, g := range groups {
		if len(g.procs) == 0 {
			continue // a conmon whose container has no process left
		}
		c.containers++
		c.tied += len(g.procs)
		for _, p := range g.procs {
			records = append(records, processRecord(p))
		}
		if gap, ok := labelGap(g); ok {
			snap.AddGap(gap)
			c.labelGaps++
		}
		if !known[g.id] {
			snap.Containers = append(snap.Containers, discoveredContainer(g, procs))
			c.discovered++
		}
	}
	sort.Slice(records, func(i, j int) bool { return records[i].PID < records[j].PID })
	snap.Processes = append(snap.Processes, records...)
	return c
}
