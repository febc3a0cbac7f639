package audit

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/collect/host"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// collectHost reads the host's SELinux state, its container booleans and
// Podman's labeling setting, and records each source in the coverage.
func collectHost(snap *inventory.Snapshot, root string, log *slog.Logger) {
	snap.Host.HostRoot = root
	se := host.ReadSELinux(root)

	state := inventory.SourceStatus{
		Source: inventory.SourceHostSELinux, Target: root,
		Status: inventory.StatusComplete, Detail: se.StateReason,
	}
	if se.State == inventory.SELinuxUnknown {
		state.Status = inventory.StatusUnavailable
		snap.AddGap(inventory.Gap{Source: inventory.SourceHostSELinux, Subject: root, Reason: se.StateReason})
	}
	snap.SetSource(state)
	log.Debug("read host SELinux state", "hostRoot", root, "state", se.State, "reason", se.StateReason)

	// Booleans exist only while selinuxfs is mounted: on a disabled host
	// there is nothing to read and nothing missing.
	if se.State == inventory.SELinuxEnforcing || se.State == inventory.SELinuxPermissive {
		booleans, problems, err := host.ReadBooleans(root)
		status := inventory.SourceStatus{Source: inventory.SourceBooleans, Target: root, Status: inventory.StatusComplete}
		switch {
		case err != nil:
			status.Status, status.Detail = inventory.StatusUnavailable, err.Error()
			snap.AddGap(inventory.Gap{Source: inventory.SourceBooleans, Subject: root, Reason: err.Error()})
		case len(problems) > 0:
			status.Status = inventory.StatusPartial
			for _, p := range problems {
				snap.AddGap(inventory.Gap{Source: inventory.SourceBooleans, Reason: p.Error()})
			}
		}
		se.Booleans = booleans
		snap.SetSource(status)
	}
	snap.Host.SELinux = se

	configs, problems := host.ReadPodmanConfig(root)
	snap.Host.EngineConfigs = configs
	configStatus := inventory.SourceStatus{Source: inventory.SourceEngineConfig, Target: root, Status: inventory.StatusComplete}
	if len(problems) > 0 {
		configStatus.Status = inventory.StatusPartial
		for _, p := range problems {
			snap.AddGap(inventory.Gap{Source: inventory.SourceEngineConfig, Reason: p.Error() + permissionHint(p)})
		}
	}
	snap.SetSource(configStatus)
}

// permissionHint tells the reader that root would lift a permission error.
func permissionHint(err error) string {
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		return " (run as root to read it)"
	}
	return ""
}

// hostname reads the audited host's name from its procfs or /etc under the
// host root, and falls back to this machine's name.
func hostname(root string) string {
	for _, rel := range []string{"proc/sys/kernel/hostname", "etc/hostname"} {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err == nil {
			if name := strings.TrimSpace(string(data)); name != "" {
				return name
			}
		}
	}
	name, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return name
}
