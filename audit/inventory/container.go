package inventory

// LabelState tells whether a label was read, absent, or unreadable.
type LabelState string

// Label states. NotLabeled and Unknown are different facts: an engine that
// assigned no label (SELinux off, or labeling disabled for the container)
// gives NotLabeled; a label that exists but could not be read gives Unknown.
const (
	Labeled    LabelState = "labeled"
	NotLabeled LabelState = "not-labeled"
	Unknown    LabelState = "unknown"
)

// Label is an SELinux context as one source reported it.
type Label struct {
	State LabelState `json:"state"`
	// Value is the context string, set only when State is Labeled.
	Value string `json:"value,omitempty"`
	// Reason explains a NotLabeled or Unknown state.
	Reason string `json:"reason,omitempty"`
}

// How a container was found.
const (
	DiscoveredByAPI    = "api"
	DiscoveredByProcfs = "procfs"
)

// Container is one container as its engine reported it.
type Container struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Image string `json:"image,omitempty"`
	// Engine is the index-free identity of the engine that reported it.
	Engine EngineRef `json:"engine"`
	// Pod is the pod ID, empty when the container is in no pod.
	Pod     string `json:"pod,omitempty"`
	PodName string `json:"podName,omitempty"`
	IsInfra bool   `json:"isInfra,omitempty"`
	State   string `json:"state"`
	// PID is the container's init process on the host, 0 when unknown.
	PID int `json:"pid,omitempty"`

	// ProcessLabel and MountLabel are the labels the engine assigned, as
	// inspect reports them. The label a process really runs with can
	// differ (labeling disabled runs it in the engine's own context).
	ProcessLabel Label `json:"processLabel"`
	MountLabel   Label `json:"mountLabel"`

	Privileged  bool     `json:"privileged"`
	SecurityOpt []string `json:"securityOpt"`
	// PidMode, IpcMode and NetworkMode are the namespace modes as inspect
	// reports them: "host", "container:<id>", "private", ...
	PidMode     string `json:"pidMode,omitempty"`
	IpcMode     string `json:"ipcMode,omitempty"`
	NetworkMode string `json:"networkMode,omitempty"`
	UsernsMode  string `json:"usernsMode,omitempty"`

	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are the OCI annotations of the container. CRI-O and
	// containerd record a container's pod sandbox ID there, and CRI-O
	// copies the pod's annotations (such as OpenShift's openshift.io/scc).
	Annotations map[string]string `json:"annotations,omitempty"`
	Mounts      []Mount           `json:"mounts"`

	// UpperDir and MergedDir are the rootfs directories the storage driver
	// reported; MergedDir is set only while the container is mounted.
	UpperDir  string `json:"upperDir,omitempty"`
	MergedDir string `json:"mergedDir,omitempty"`

	// DiscoveredBy is "api" for a container an engine listed, "procfs" for
	// one seen only through its processes' cgroups (another user's or
	// another engine's container that no queried API reported).
	DiscoveredBy string `json:"discoveredBy"`

	// InspectError is set when the container was listed but could not be
	// inspected; the fields above then hold only what the list call gave.
	InspectError string `json:"inspectError,omitempty"`
}

// EngineRef names the engine a container belongs to.
type EngineRef struct {
	Name     string `json:"name"`
	URL      string `json:"url,omitempty"`
	Rootless bool   `json:"rootless"`
	UID      *int   `json:"uid,omitempty"`
}

// Mount is one mount of a container as the engine reported it.
type Mount struct {
	// Type is "bind", "volume", "tmpfs", ...
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Source      string `json:"source"`
	Destination string `json:"destination"`
	RW          bool   `json:"rw"`
	// Mode holds the engine's mode string; Podman drops "z"/"Z" from it once
	// the container has started, so it cannot tell whether a relabel ran.
	Mode        string   `json:"mode,omitempty"`
	Options     []string `json:"options,omitempty"`
	Propagation string   `json:"propagation,omitempty"`
}
