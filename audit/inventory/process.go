package inventory

// Process is one host process that belongs to a container, as procfs
// showed it. The label here is the one the kernel enforces, which can
// differ from what the engine's inspect reports.
type Process struct {
	PID  int `json:"pid"`
	PPID int `json:"ppid"`
	// UID is the real user ID from proc/<pid>/status, nil when unread.
	UID *int `json:"uid,omitempty"`
	// Comm is proc/<pid>/comm, the executable name (at most 15 bytes).
	Comm string `json:"comm,omitempty"`
	// Label is proc/<pid>/attr/current without its trailing NUL.
	Label Label `json:"label"`
	// Cgroup is the cgroup path that tied the process to its container.
	Cgroup string `json:"cgroup,omitempty"`
	// ContainerID is the full container ID the process belongs to.
	ContainerID string `json:"containerId"`
	// Engine is the engine the cgroup name points to: "podman", "docker",
	// "crio", "containerd", or "" when the name does not tell.
	Engine string `json:"engine,omitempty"`
	// TiedBy says how the process was tied to its container: "cgroup"
	// (the cgroup path names it) or "conmon" (a parent conmon's -c
	// argument names it).
	TiedBy string `json:"tiedBy"`
}

// Process tie methods.
const (
	TiedByCgroup = "cgroup"
	TiedByConmon = "conmon"
)

// Boolean is one SELinux policy boolean from sys/fs/selinux/booleans.
type Boolean struct {
	Name string `json:"name"`
	// Current is the value the kernel enforces now.
	Current bool `json:"current"`
	// Pending is the value a policy commit would set; it differs from
	// Current only while a change is uncommitted.
	Pending bool `json:"pending"`
}

// EngineConfig is an engine's own labeling setting read from its
// configuration file under the host root.
type EngineConfig struct {
	Engine string `json:"engine"`
	// Path is the configuration file read.
	Path string `json:"path"`
	// Label is the containers.conf [containers] label= value: "true",
	// "false", or "" when the file does not set it (Podman's default is
	// true).
	Label string `json:"label,omitempty"`
}
