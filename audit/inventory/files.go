package inventory

// File roles: why a path's label was read.
const (
	// RoleMountSource is the source of a container's bind mount or volume.
	RoleMountSource = "mount-source"
	// RoleHostPath is a host system path read whether or not a container
	// mounts it now, because a relabel outlives its container.
	RoleHostPath = "host-path"
	// RoleRootfs is a container's root file system (its upper directory
	// or merged view).
	RoleRootfs = "rootfs"
)

// FileLabel is the SELinux label of one path on the host, read once
// however many containers mount it.
type FileLabel struct {
	// Path is the path as the host sees it, such as a mount's Source,
	// cleaned with filepath.Clean.
	Path string `json:"path"`
	// Resolved is where Path led after following symlinks inside the host
	// root, as a host path. It differs from Path when a component is a
	// symlink, such as /lib/modules on a merged-/usr system.
	Resolved string `json:"resolved,omitempty"`
	// Roles lists why the path was read (RoleMountSource, ...).
	Roles []string `json:"roles"`
	// Kind is the file type: "dir", "file", "symlink", "socket", "other".
	Kind string `json:"kind,omitempty"`
	// Label is the security.selinux extended attribute, read without
	// following a final symlink.
	Label Label `json:"label"`
	// Sample summarizes the labels found below the path: set for writable
	// mount sources and, one level deep, for home directories.
	Sample *Sample `json:"sample,omitempty"`
}

// Sample is a bounded walk below a directory: the distinct labels seen and
// how many entries carried each.
type Sample struct {
	Labels []LabelCount `json:"labels"`
	// Entries is how many entries were read.
	Entries int `json:"entries"`
	// Truncated is true when a limit (depth, entries or time) stopped the
	// walk, so labels deeper in the tree may be missing.
	Truncated bool `json:"truncated"`
	// Limit names the limit that stopped the walk, when Truncated.
	Limit string `json:"limit,omitempty"`
	// Unreadable counts entries whose label could not be read.
	Unreadable int `json:"unreadable,omitempty"`
}

// LabelCount is one distinct label in a Sample.
type LabelCount struct {
	// Label is the security.selinux value; "" counts entries with none.
	Label string `json:"label"`
	Count int    `json:"count"`
	// Example is one path that carries the label.
	Example string `json:"example"`
}
