package procfs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// seenOnlyThroughProcfs is the reason of every label procfs cannot read
// for a container that no engine reported.
const seenOnlyThroughProcfs = "seen only through procfs"

// group is one container as its processes showed it.
type group struct {
	id    string
	procs []*proc
	// conmons are the monitors that name the container: its main conmon
	// and those of exec sessions.
	conmons []*proc
}

// groupByContainer collects the tied processes and the conmons of each
// container, sorted by container ID and, inside one, by pid.
func groupByContainer(procs map[int]*proc) []*group {
	byID := map[string]*group{}
	get := func(id string) *group {
		g := byID[id]
		if g == nil {
			g = &group{id: id}
			byID[id] = g
		}
		return g
	}
	for _, p := range procs {
		switch {
		case p.containerID != "":
			g := get(p.containerID)
			g.procs = append(g.procs, p)
		case p.isConmon() && p.conmon != nil && p.conmon.ID != "":
			g := get(p.conmon.ID)
			g.conmons = append(g.conmons, p)
		case p.hasRef && p.ref.Monitor && p.ref.ID != "":
			// A process in libpod-conmon-<id>.scope other than conmon,
			// such as the cleanup command, adds no evidence.
		}
	}

	groups := make([]*group, 0, len(byID))
	for _, g := range byID {
		sort.Slice(g.procs, func(i, j int) bool { return g.procs[i].pid < g.procs[j].pid })
		sort.Slice(g.conmons, func(i, j int) bool { return g.conmons[i].pid < g.conmons[j].pid })
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].id < groups[j].id })
	return groups
}

// initProcess returns the container's first process: among the processes
// whose parent is outside the container, the one that started first. An
// exec session's process also has a parent outside (its own conmon) but
// starts later.
func (g *group) initProcess(procs map[int]*proc) *proc {
	var first *proc
	for _, p := range g.procs {
		if parent := procs[p.ppid]; parent != nil && parent.containerID == g.id {
			continue
		}
		if first == nil || p.startTime < first.startTime {
			first = p
		}
	}
	return first
}

// mainConmon returns the conmon of the container itself rather than of an
// exec session, or nil.
func (g *group) mainConmon() *proc {
	for _, c := range g.conmons {
		if !c.conmon.Exec {
			return c
		}
	}
	if len(g.conmons) > 0 {
		return g.conmons[0]
	}
	return nil
}

// engineName returns the engine the cgroup names or the conmon reveals.
func (g *group) engineName() string {
	for _, p := range g.procs {
		if p.engine != "" {
			return p.engine
		}
	}
	for _, c := range g.conmons {
		if c.conmon.Podman {
			return enginePodman
		}
		if c.hasRef && c.ref.Monitor && c.ref.Engine != "" {
			return c.ref.Engine
		}
	}
	return ""
}

// owner returns the user whose engine made the container, and false when
// no evidence shows it. The evidence, in order:
//   - a user-<uid>.slice or user@<uid>.service above the container's own cgroup,
//   - the uid of its conmon, which runs as the engine's user,
//   - a process running as host root, which only a rootful engine can
//     start, because a rootless engine cannot map host uid 0.
func (g *group) owner() (uid int, known bool) {
	for _, p := range g.procs {
		if p.tiedBy == inventory.TiedByCgroup && p.ref.UID >= 0 {
			return p.ref.UID, true
		}
	}
	if c := g.mainConmon(); c != nil && c.hasUID {
		return c.uid, true
	}
	for _, p := range g.procs {
		if p.hasUID && p.uid == 0 {
			return 0, true
		}
	}
	return 0, false
}

// pod returns the pod that a tying cgroup path names.
func (g *group) pod() string {
	for _, p := range g.procs {
		if p.tiedBy == inventory.TiedByCgroup && p.ref.Pod != "" {
			return p.ref.Pod
		}
	}
	return ""
}

// discoveredContainer builds the Container of a group no engine reported.
// The init process's label is the label the runtime applied, so it is the
// container's process label. The mount label cannot be seen from procfs.
func discoveredContainer(g *group, procs map[int]*proc) inventory.Container {
	ctr := inventory.Container{
		ID:           g.id,
		Engine:       inventory.EngineRef{Name: g.engineName()},
		Pod:          g.pod(),
		State:        "running",
		MountLabel:   inventory.Label{State: inventory.Unknown, Reason: seenOnlyThroughProcfs},
		SecurityOpt:  []string{},
		Mounts:       []inventory.Mount{},
		DiscoveredBy: inventory.DiscoveredByProcfs,
	}
	if ctr.Engine.Name == "" {
		ctr.Engine.Name = "unknown"
	}
	// NOTE: without evidence of the owner, UID stays nil and Rootless
	// false, which EngineRef cannot tell apart from a rootful engine.
	if uid, ok := g.owner(); ok {
		ctr.Engine.UID = &uid
		ctr.Engine.Rootless = uid != 0
	}
	if c := g.mainConmon(); c != nil {
		ctr.Name = c.conmon.Name
	}
	if init := g.initProcess(procs); init != nil {
		ctr.PID = init.pid
		ctr.ProcessLabel = init.label
	} else {
		ctr.ProcessLabel = inventory.Label{State: inventory.Unknown, Reason: seenOnlyThroughProcfs}
	}
	return ctr
}

// processRecord converts a tied process for the snapshot.
func processRecord(p *proc) inventory.Process {
	rec := inventory.Process{
		PID:         p.pid,
		PPID:        p.ppid,
		Comm:        p.comm,
		Label:       p.label,
		ContainerID: p.containerID,
		Engine:      p.engine,
		TiedBy:      p.tiedBy,
	}
	if p.hasUID {
		uid := p.uid
		rec.UID = &uid
	}
	if p.tiedBy == inventory.TiedByCgroup {
		rec.Cgroup = p.cgroupPath
	}
	return rec
}

// labelGap returns the gap for the processes of g whose label could not
// be read, if any.
func labelGap(g *group) (inventory.Gap, bool) {
	var pids []string
	var first error
	for _, p := range g.procs {
		if p.labelErr != nil {
			pids = append(pids, fmt.Sprint(p.pid))
			if first == nil {
				first = p.labelErr
			}
		}
	}
	if len(pids) == 0 {
		return inventory.Gap{}, false
	}
	reason := fmt.Sprintf("SELinux label of %d of %d processes (pid %s) not read: %s",
		len(pids), len(g.procs), strings.Join(pids, ", "), errText(first))
	if isPermission(first) {
		reason += "; run mcsaudit as root to read them"
	}
	return inventory.Gap{Source: inventory.SourceProcfs, Subject: g.id, Reason: reason}, true
}

// pidGap checks an engine's PID for a container against procfs. The PID is
// trusted only when that process's cgroup, or its conmon, names the same
// container: after the container stops, the kernel can give the PID to an
// unrelated process.
func pidGap(ctr *inventory.Container, procs map[int]*proc, tied int, procDir string) (inventory.Gap, bool) {
	gap := inventory.Gap{Source: inventory.SourceProcfs, Subject: ctr.ID}
	if ctr.PID <= 0 {
		if ctr.State == "running" && tied == 0 {
			gap.Reason = fmt.Sprintf("no process under %s belongs to running container %s: the proc mount may hide other users' processes (hidepid), or mcsaudit runs in another PID namespace (run it as root in the host's, such as with --pid host)", procDir, shortID(ctr.ID))
			return gap, true
		}
		return gap, false
	}

	p := procs[ctr.PID]
	switch {
	case p == nil && tied == 0:
		gap.Reason = fmt.Sprintf("the engine reports pid %d for container %s, but %s/%d does not exist and no other process belongs to the container: it stopped, the proc mount hides other users' processes (hidepid), or mcsaudit runs in another PID namespace (run it as root in the host's, such as with --pid host)", ctr.PID, shortID(ctr.ID), procDir, ctr.PID)
	case p == nil:
		gap.Reason = fmt.Sprintf("the engine reports pid %d for container %s, but %s/%d does not exist; %d other processes of the container were found by cgroup", ctr.PID, shortID(ctr.ID), procDir, ctr.PID, tied)
	case p.containerID == ctr.ID:
		return gap, false
	case p.containerID != "":
		gap.Reason = fmt.Sprintf("the engine reports pid %d for container %s, but that process belongs to container %s: the pid was reused or the engine's state is stale, so it is not trusted", ctr.PID, shortID(ctr.ID), shortID(p.containerID))
	default:
		gap.Reason = fmt.Sprintf("the engine reports pid %d for container %s, but that process (%s) belongs to no container: the pid was reused or the engine's state is stale, so it is not trusted", ctr.PID, shortID(ctr.ID), p.comm)
	}
	return gap, true
}

// isLocalEngine reports whether an engine's containers run on the host
// whose procfs is read: true for unix sockets and for an unknown URL,
// false for tcp:// and ssh:// engines.
func isLocalEngine(url string) bool {
	return !strings.HasPrefix(url, "tcp://") && !strings.HasPrefix(url, "ssh://")
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
