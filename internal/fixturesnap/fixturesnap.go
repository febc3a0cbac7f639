// Package fixturesnap builds Snapshots from the recorded host files and
// Podman API answers under fixtures/, for tests of checks and reports that
// should see real labels without running a server.
package fixturesnap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/containers/podman/v5/libpod/define"

	"github.com/mcsaudit/mcsaudit/audit/collect/host"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// CollectedAt is the fixed collection time of every fixture snapshot, so
// reports built from them are byte-for-byte repeatable.
var CollectedAt = time.Date(2026, 12, 4, 19, 53, 0, 0, time.UTC)

// Dir returns the absolute path of the repository's fixtures directory.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "fixtures")
}

// Load builds a snapshot from a recorded Podman API directory (relative to
// fixtures/podman-api) and a host root (relative to fixtures/hostroot):
// every container that containers-json.json lists, converted from its
// recorded inspect document.
func Load(apiName, hostRootName string) (*inventory.Snapshot, error) {
	apiDir := filepath.Join(Dir(), "podman-api", apiName)
	hostRoot := filepath.Join(Dir(), "hostroot", hostRootName)

	snap := inventory.New("selinux-vm", CollectedAt)
	snap.Host.HostRoot = "/"
	snap.Host.SELinux = host.ReadSELinux(hostRoot)

	var listed []struct {
		ID string `json:"Id"`
	}
	if err := readJSON(filepath.Join(apiDir, "containers-json.json"), &listed); err != nil {
		return nil, err
	}

	url := "unix:///run/podman/podman.sock"
	enabled := true
	snap.Engines = append(snap.Engines, inventory.Engine{
		Name: "podman", URL: url, Version: "4.3.1", SELinuxEnabled: &enabled, Reachable: true,
	})
	ref := inventory.EngineRef{Name: "podman", URL: url}
	for _, l := range listed {
		var data define.InspectContainerData
		if err := readJSON(filepath.Join(apiDir, "containers", l.ID+".json"), &data); err != nil {
			return nil, err
		}
		snap.Containers = append(snap.Containers, podman.FromInspect(&data, ref))
	}
	sort.Slice(snap.Containers, func(i, j int) bool { return snap.Containers[i].Name < snap.Containers[j].Name })
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceHostSELinux, Target: "/", Status: inventory.StatusComplete})
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourcePodman, Target: url, Status: inventory.StatusComplete})
	return snap, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading fixture: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding fixture %s: %w", path, err)
	}
	return nil
}
