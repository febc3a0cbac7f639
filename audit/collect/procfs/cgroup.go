package procfs

import (
	"strconv"
	"strings"
)

// Engine names as cgroup paths reveal them.
const (
	enginePodman     = "podman"
	engineDocker     = "docker"
	engineCRIO       = "crio"
	engineContainerd = "containerd"
)

// cgroupRef is the container, engine, pod and user that one cgroup path
// names.
type cgroupRef struct {
	// ID is the 64-hex container ID the path names. It is empty for a
	// monitor cgroup that serves several containers.
	ID string
	// Engine is enginePodman, engineDocker, ..., or "" when the path names
	// a container without telling which engine made it.
	Engine string
	// Monitor is true for the cgroup of a container's monitor process
	// (conmon) rather than of the container: libpod-conmon-<id>.scope,
	// crio-conmon-<id>.scope, or Podman's cgroupfs /libpod_parent/conmon.
	Monitor bool
	// Pod is the Podman pod ID or the Kubernetes pod UID the path names.
	Pod string
	// UID is the user from a user-<uid>.slice or user@<uid>.service
	// segment above the container's segment, or -1 when there is none.
	UID int
}

// names reports whether the path ties a process to a container.
func (r cgroupRef) names() bool {
	return r.ID != "" && !r.Monitor
}

// Prefixes of container cgroup names. The systemd cgroup manager names a
// scope <prefix><id>.scope, and the cgroupfs manager names a directory
// <prefix><id>.
var containerPrefixes = []struct {
	prefix  string
	engine  string
	monitor bool
}{
	// Longer prefixes first: "libpod-" is also a prefix of "libpod-conmon-".
	{"libpod-conmon-", enginePodman, true},
	{"libpod-", enginePodman, false},
	{"crio-conmon-", engineCRIO, true},
	{"crio-", engineCRIO, false},
	{"cri-containerd-", engineContainerd, false},
	{"docker-", engineDocker, false},
}

// containerFromPath reads a cgroup path such as
// /machine.slice/libpod-<id>.scope/container and returns what it names.
// The outermost segment that names a container wins, so a container nested
// inside another (a Docker daemon run in a Podman container) is reported as
// the outer one, which is the container the host's engines know.
//
// A bare 64-hex segment names a container only below a "docker" segment
// (Docker's cgroupfs layout /docker/<id>) or a Kubernetes pod<uid> segment
// (/kubepods/burstable/pod<uid>/<id>). Elsewhere it can be a pod: Podman's
// cgroupfs manager puts pod members in /libpod_parent/<pod id>/libpod-<id>.
func containerFromPath(path string) (cgroupRef, bool) {
	ref := cgroupRef{UID: -1}
	uidFromService := false
	prev := ""
	for rest := path; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		if seg == "" {
			continue
		}

		if id, engine, monitor, ok := containerSegment(seg, prev); ok {
			ref.ID, ref.Engine, ref.Monitor = id, engine, monitor
			if engine == enginePodman && ref.Pod == "" && isContainerID(prev) {
				ref.Pod = prev
			}
			return ref, true
		}

		switch {
		case seg == "conmon" && prev == "libpod_parent", seg == "conmon" && isContainerID(prev):
			// Podman's cgroupfs manager puts every conmon in
			// /libpod_parent/conmon, or /libpod_parent/<pod id>/conmon.
			ref.Engine, ref.Monitor = enginePodman, true
			return ref, true
		case strings.HasPrefix(seg, "user@") && strings.HasSuffix(seg, ".service"):
			if uid, ok := parseUID(seg[len("user@") : len(seg)-len(".service")]); ok {
				ref.UID, uidFromService = uid, true
			}
		case strings.HasPrefix(seg, "user-") && strings.HasSuffix(seg, ".slice") && !uidFromService:
			if uid, ok := parseUID(seg[len("user-") : len(seg)-len(".slice")]); ok {
				ref.UID = uid
			}
		default:
			if pod, ok := podSegment(seg); ok {
				ref.Pod = pod
			}
		}
		prev = seg
	}
	return cgroupRef{}, false
}

// containerSegment matches one path segment against the container naming
// schemes. prev is the segment above it.
func containerSegment(seg, prev string) (id, engine string, monitor, ok bool) {
	name := strings.TrimSuffix(seg, ".scope")
	for _, p := range containerPrefixes {
		if strings.HasPrefix(name, p.prefix) && isContainerID(name[len(p.prefix):]) {
			return name[len(p.prefix):], p.engine, p.monitor, true
		}
	}
	if !isContainerID(seg) {
		return "", "", false, false
	}
	switch {
	case prev == "docker":
		return seg, engineDocker, false, true
	case isKubePodSegment(prev):
		// Kubernetes with the cgroupfs driver: the path does not say
		// which runtime (CRI-O, containerd, cri-dockerd) made it.
		return seg, "", false, true
	}
	return "", "", false, false
}

// podSegment returns the pod a path segment names: a Podman pod slice
// (machine-libpod_pod_<id>.slice, user-libpod_pod_<id>.slice) or a
// Kubernetes pod (kubepods-burstable-pod<uid>.slice, pod<uid>).
func podSegment(seg string) (string, bool) {
	name := strings.TrimSuffix(seg, ".slice")
	if i := strings.Index(name, "libpod_pod_"); i >= 0 && isContainerID(name[i+len("libpod_pod_"):]) {
		return name[i+len("libpod_pod_"):], true
	}
	if isKubePodSegment(seg) {
		uid := name[strings.LastIndex(name, "pod")+len("pod"):]
		// The systemd driver escapes the UID's dashes as underscores.
		return strings.ReplaceAll(uid, "_", "-"), true
	}
	return "", false
}

// isKubePodSegment reports whether seg is a Kubernetes pod cgroup:
// pod<uid> (cgroupfs driver) or kubepods-<class>-pod<uid>.slice (systemd
// driver), where uid is a UUID with '-' or '_' separators.
func isKubePodSegment(seg string) bool {
	name := seg
	if strings.HasSuffix(name, ".slice") {
		if !strings.HasPrefix(name, "kubepods-") {
			return false
		}
		name = strings.TrimSuffix(name, ".slice")
		name = name[strings.LastIndex(name, "-")+1:]
	}
	uid, ok := strings.CutPrefix(name, "pod")
	if !ok || len(uid) != 36 {
		return false
	}
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' && c != '_' {
				return false
			}
		case !isLowerHex(c):
			return false
		}
	}
	return true
}

// isContainerID reports whether s is a full container ID: 64 lowercase
// hex digits. Engines print shorter prefixes, but cgroup names, conmon
// arguments and API IDs carry the full form, so anything shorter is not
// an ID.
func isContainerID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}

func isLowerHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
}

// parseUID parses a decimal user ID as systemd writes it in slice names.
func parseUID(s string) (int, bool) {
	if s == "" || len(s) > 10 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	uid, err := strconv.Atoi(s)
	return uid, err == nil
}

// containerFromCgroup picks the line of a proc/<pid>/cgroup file that
// names a container and returns it with its path. Lines are tried in this
// order: the cgroup v1 name=systemd line, the cgroup v2 "0::" line, then
// every other controller line in file order. On a cgroup v1 host with the
// cgroupfs manager the name=systemd line can be "/" while the controller
// lines name the container, so every line is tried.
//
// When no line names a container, a line naming a monitor cgroup is
// returned with ok true and ref.Monitor set.
func containerFromCgroup(lines []cgroupLine) (ref cgroupRef, path string, ok bool) {
	var monitor cgroupRef
	monitorPath := ""
	for _, i := range cgroupLineOrder(lines) {
		r, found := containerFromPath(lines[i].Path)
		if !found {
			continue
		}
		if r.names() {
			return r, lines[i].Path, true
		}
		if monitorPath == "" {
			monitor, monitorPath = r, lines[i].Path
		}
	}
	if monitorPath != "" {
		return monitor, monitorPath, true
	}
	return cgroupRef{}, "", false
}

// cgroupLineOrder returns the indexes of lines in the order
// containerFromCgroup tries them.
func cgroupLineOrder(lines []cgroupLine) []int {
	order := make([]int, 0, len(lines))
	for i, l := range lines {
		if l.isSystemd() {
			order = append(order, i)
		}
	}
	for i, l := range lines {
		if l.isUnified() {
			order = append(order, i)
		}
	}
	for i, l := range lines {
		if !l.isSystemd() && !l.isUnified() {
			order = append(order, i)
		}
	}
	return order
}

// primaryCgroupPath returns the path that best describes where a process
// sits when no line names a container: name=systemd, else the v2 line,
// else the first line.
func primaryCgroupPath(lines []cgroupLine) string {
	if order := cgroupLineOrder(lines); len(order) > 0 {
		return lines[order[0]].Path
	}
	return ""
}
