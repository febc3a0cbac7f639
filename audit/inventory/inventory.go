// Package inventory defines the Snapshot: everything mcsaudit collected about
// one host, in a form that serializes to JSON and can be audited later or on
// another machine.
//
// Collectors fill a Snapshot and never judge it; checks read it and never do
// I/O. A value the collector could not read is recorded as unknown with the
// reason, so a check can say "not evaluated" instead of guessing:
//
//	snap := inventory.New("host-1", time.Now())
//	snap.Host.SELinux.State = inventory.SELinuxEnforcing
//	snap.AddGap(inventory.Gap{Source: inventory.SourcePodman, Reason: "socket not found"})
package inventory

import (
	"time"
)

// SchemaVersion is the version of the Snapshot layout. Later releases add
// fields without changing it; a change that removes or retypes a field
// bumps it.
const SchemaVersion = "1"

// Snapshot is everything collected about one host at one time.
type Snapshot struct {
	SchemaVersion string      `json:"schemaVersion"`
	CollectedAt   time.Time   `json:"collectedAt"`
	Host          Host        `json:"host"`
	Engines       []Engine    `json:"engines"`
	Containers    []Container `json:"containers"`
	// Processes are the host processes tied to a container.
	Processes []Process `json:"processes"`
	// Files are the labels of mount sources, rootfs and host system paths.
	Files []FileLabel `json:"files"`
	// Decisions are kernel access decisions asked on the audited host.
	Decisions []AccessDecision `json:"decisions,omitempty"`
	Coverage  Coverage         `json:"coverage"`
}

// New returns an empty Snapshot for the named host.
func New(hostname string, collectedAt time.Time) *Snapshot {
	return &Snapshot{
		SchemaVersion: SchemaVersion,
		CollectedAt:   collectedAt.UTC(),
		Host:          Host{Hostname: hostname},
		Engines:       []Engine{},
		Containers:    []Container{},
		Processes:     []Process{},
		Files:         []FileLabel{},
		Coverage:      Coverage{Sources: []SourceStatus{}, Gaps: []Gap{}},
	}
}

// Host is the host-wide SELinux state read from files under the host root.
type Host struct {
	Hostname string  `json:"hostname"`
	HostRoot string  `json:"hostRoot"`
	SELinux  SELinux `json:"selinux"`
	// EngineConfigs are engines' labeling settings from their config files.
	EngineConfigs []EngineConfig `json:"engineConfigs,omitempty"`
}

// SELinuxState is the kernel's SELinux mode as read from selinuxfs.
type SELinuxState string

// SELinux states. Unknown means the state could not be read; it is never
// taken as disabled or as enforcing.
const (
	SELinuxEnforcing  SELinuxState = "enforcing"
	SELinuxPermissive SELinuxState = "permissive"
	SELinuxDisabled   SELinuxState = "disabled"
	SELinuxUnknown    SELinuxState = "unknown"
)

// SELinux is the host's SELinux configuration.
type SELinux struct {
	// State is the running kernel's mode, from sys/fs/selinux/enforce.
	State SELinuxState `json:"state"`
	// StateReason explains how State was decided, or why it is unknown.
	StateReason string `json:"stateReason,omitempty"`
	// ConfigMode is SELINUX= from etc/selinux/config: the mode at next boot.
	ConfigMode string `json:"configMode,omitempty"`
	// PolicyType is SELINUXTYPE= from etc/selinux/config, such as
	// "targeted" or "mls". It names the policy; sys/fs/selinux/mls reads 1
	// on MCS policies too, so the policy name is what tells MLS apart.
	PolicyType string `json:"policyType,omitempty"`
	// MLSEnabled is the raw sys/fs/selinux/mls flag, nil when unread.
	MLSEnabled *bool `json:"mlsEnabled,omitempty"`
	// PolicyVersion is sys/fs/selinux/policyvers, empty when unread.
	PolicyVersion string `json:"policyVersion,omitempty"`
	// Booleans are the policy booleans that bear on containers, sorted by
	// name. Null means they were not read (selinuxfs absent or unreadable);
	// an empty list means none of them exists in the loaded policy.
	Booleans []Boolean `json:"booleans"`
}

// Engine is one container engine endpoint that was asked for containers.
type Engine struct {
	// Name is the engine kind: "podman".
	Name string `json:"name"`
	// URL is the API address used, such as unix:///run/podman/podman.sock.
	URL string `json:"url"`
	// Version is the server version the engine reported.
	Version string `json:"version,omitempty"`
	// Rootless is true when the engine runs as an unprivileged user.
	Rootless bool `json:"rootless"`
	// UID is the user the engine runs as, when known.
	UID *int `json:"uid,omitempty"`
	// SELinuxEnabled is the engine's own view (podman info
	// host.security.selinuxEnabled); nil when the engine was not asked.
	SELinuxEnabled *bool `json:"selinuxEnabled,omitempty"`
	// Reachable is false when the engine could not be queried.
	Reachable bool `json:"reachable"`
	// Error is the reason the engine could not be queried.
	Error string `json:"error,omitempty"`
}
