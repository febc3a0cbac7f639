package procfs

import "github.com/mcsaudit/mcsaudit/audit/inventory"

// maxAncestors bounds the walk up the parent chain to a conmon. A
// container's processes sit a few levels below their conmon, so the bound
// only stops a walk on a corrupt or cyclic tree.
const maxAncestors = 64

// monitorChildren are the programs a conmon starts that are not the
// container's processes: the OCI runtime while it creates the container
// or an exec session, and `podman container cleanup` when it ends.
var monitorChildren = map[string]bool{
	"runc": true, "crun": true, "runsc": true, "youki": true, "krun": true,
	"podman": true, "conmon": true,
}

// tieByCgroup ties every process whose cgroup names a container.
func tieByCgroup(procs map[int]*proc) {
	for _, p := range procs {
		if p.hasRef && p.ref.names() && !p.isConmon() && p.state != 'Z' {
			p.containerID, p.tiedBy, p.engine = p.ref.ID, inventory.TiedByCgroup, p.ref.Engine
		}
	}
}

// tieByConmon ties processes whose cgroup names no container to the
// container of their nearest conmon ancestor, and returns them. This is
// how containers without a cgroup of their own are found. Rootless Podman
// on cgroup v1, or on cgroup v2 without a systemd user session, leaves
// them in the cgroup of the session that started them. Every other
// process of that session sits there too.
//
// Processes in a monitor cgroup are never tied this way: there sit conmon
// and the cleanup commands it starts, not the container.
func tieByConmon(procs map[int]*proc) []*proc {
	var tied []*proc
	for _, p := range procs {
		if p.containerID != "" || p.isConmon() || p.state == 'Z' || (p.hasRef && p.ref.Monitor) {
			continue
		}
		if p.hasRef && p.ref.names() {
			continue
		}
		mon := nearestConmon(procs, p)
		if mon == nil {
			continue
		}
		p.containerID, p.tiedBy = mon.conmon.ID, inventory.TiedByConmon
		if mon.conmon.Podman {
			p.engine = enginePodman
		}
		tied = append(tied, p)
	}
	return tied
}

// nearestConmon walks up from p to the first conmon ancestor that names a
// container, or returns nil. It stops at a process whose cgroup names a
// container, because cgroups outrank the parent chain: a process below a
// container's process that left the container's cgroup is not claimed
// for it.
func nearestConmon(procs map[int]*proc, p *proc) *proc {
	child := p
	for range maxAncestors {
		parent := procs[child.ppid]
		if parent == nil || parent == child {
			return nil
		}
		if parent.isConmon() {
			if parent.conmon == nil || parent.conmon.ID == "" {
				return nil
			}
			if child == p && monitorChildren[p.comm] {
				return nil
			}
			return parent
		}
		if parent.hasRef && (parent.ref.names() || parent.ref.Monitor) {
			return nil
		}
		child = parent
	}
	return nil
}
