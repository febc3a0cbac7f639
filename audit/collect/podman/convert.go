package podman

import (
	"strings"

	"github.com/containers/podman/v5/libpod/define"
	"github.com/containers/podman/v5/pkg/domain/entities/types"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// FromInspect converts one container's inspect data. It records what the
// engine reported and draws no conclusions from it.
func FromInspect(data *define.InspectContainerData, ref inventory.EngineRef) inventory.Container {
	ctr := inventory.Container{
		ID:           data.ID,
		Name:         strings.TrimPrefix(data.Name, "/"),
		Image:        data.ImageName,
		Engine:       ref,
		Pod:          data.Pod,
		IsInfra:      data.IsInfra,
		ProcessLabel: engineLabel(data.ProcessLabel),
		MountLabel:   engineLabel(data.MountLabel),
		SecurityOpt:  []string{},
		Mounts:       make([]inventory.Mount, 0, len(data.Mounts)),
		DiscoveredBy: inventory.DiscoveredByAPI,
	}
	if data.GraphDriver != nil {
		ctr.UpperDir = data.GraphDriver.Data["UpperDir"]
		ctr.MergedDir = data.GraphDriver.Data["MergedDir"]
	}
	if data.State != nil {
		ctr.State = data.State.Status
		ctr.PID = data.State.Pid
	}
	if data.Config != nil {
		if len(data.Config.Labels) > 0 {
			ctr.Labels = data.Config.Labels
		}
		// CRI sandboxes and OpenShift namespaces are named in annotations.
		if len(data.Config.Annotations) > 0 {
			ctr.Annotations = data.Config.Annotations
		}
	}
	if hc := data.HostConfig; hc != nil {
		ctr.Privileged = hc.Privileged
		if hc.SecurityOpt != nil {
			ctr.SecurityOpt = hc.SecurityOpt
		}
		ctr.PidMode = hc.PidMode
		ctr.IpcMode = hc.IpcMode
		ctr.NetworkMode = hc.NetworkMode
		ctr.UsernsMode = hc.UsernsMode
	}
	for _, m := range data.Mounts {
		ctr.Mounts = append(ctr.Mounts, inventory.Mount{
			Type:        m.Type,
			Name:        m.Name,
			Source:      m.Source,
			Destination: m.Destination,
			RW:          m.RW,
			Mode:        m.Mode,
			Options:     m.Options,
			Propagation: m.Propagation,
		})
	}
	return ctr
}

// FromList builds a container from the list call alone, for a container
// whose inspect failed: its labels are unknown, not absent.
func FromList(lc types.ListContainer, ref inventory.EngineRef, reason string) inventory.Container {
	unknown := inventory.Label{State: inventory.Unknown, Reason: reason}
	return inventory.Container{
		ID:           lc.ID,
		Name:         firstName(lc.Names),
		Image:        lc.Image,
		Engine:       ref,
		Pod:          lc.Pod,
		PodName:      lc.PodName,
		IsInfra:      lc.IsInfra,
		State:        lc.State,
		PID:          lc.Pid,
		ProcessLabel: unknown,
		MountLabel:   unknown,
		SecurityOpt:  []string{},
		Labels:       lc.Labels,
		Mounts:       []inventory.Mount{},
		DiscoveredBy: inventory.DiscoveredByAPI,
		InspectError: reason,
	}
}

// engineLabel records a label field of inspect. Podman leaves it empty when
// it assigned no label: SELinux is off for the engine, or labeling is
// disabled for the container (privileged, label=disable, host PID or IPC).
func engineLabel(value string) inventory.Label {
	if value == "" {
		return inventory.Label{State: inventory.NotLabeled, Reason: "engine assigned no label"}
	}
	return inventory.Label{State: inventory.Labeled, Value: value}
}

func firstName(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return strings.TrimPrefix(names[0], "/")
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
