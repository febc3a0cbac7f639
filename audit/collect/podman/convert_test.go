package podman

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/containers/podman/v5/libpod/define"
	"github.com/containers/podman/v5/pkg/domain/entities/types"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

const fixtureDir = "../../../fixtures/podman-api/debian12-selinux"

// IDs of recorded containers that the tests below look at.
const (
	idA1      = "29d6a3f7d954782165b2d6e8f61e90bde4a894d9f6e2544eaf53be112d1c6691"
	idNoLabel = "0a092306cb873b4c98f1d3cddc818967b502a3d3af36076db1d1d3c49a687a47"
	idPriv    = "a2dfb2f94d27b97d56e3c55a038793c77adb80c108fb556a59bd0fa36d02511f"
	idPidHost = "61a25a85d917194b2068a828ea2d24464843a473f9398c63d07b7557b04dfc93"
	idP1A     = "005a434c7f503de2732f7b429f98a50be6f05223adb432f57c7dcd1dd3a83d85"
	idP1Infra = "5a9309adad55b8b8d3ebc58dfafb1590fdb62eced4b4ed7942917f8197523e80"
	idP1Pod   = "1800203ac75969b4d68cefd6e0d8114dfde17c0d3194fcdd14f1bdffb6046d11"
	idERo     = "a053c64899655cf43c3ff91d9b017a85dec11f636b029bc931e199a7ef701d18"
	idD4      = "185c136ac4da1bcae4aca54ba697754e085b50a5392000ab5f57aa353b9c4893"
)

// Labels of the recorded containers. In this recording, every container
// whose labeling is disabled (label=disable, privileged, host PID or IPC)
// has unlabeledMountLabel and no process label.
const (
	processLabelA1      = "system_u:system_r:container_t:s0:c74,c276"
	unlabeledMountLabel = "system_u:object_r:container_file_t:s0:c1022,c1023"
)

// readInspect decodes a recorded inspect document the way the bindings do.
func readInspect(t *testing.T, id string) *define.InspectContainerData {
	t.Helper()
	file := filepath.Join(fixtureDir, "containers", id+".json")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var data define.InspectContainerData
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatalf("decoding %s: %v", file, err)
	}
	return &data
}

func TestFromInspectRecorded(t *testing.T) {
	ref := inventory.EngineRef{Name: "podman", URL: DefaultURL}
	tests := []struct {
		name            string
		id              string
		wantProcess     string // "" when the engine assigned no process label
		wantMount       string
		wantPrivileged  bool
		wantSecurityOpt []string
		wantPidMode     string
		wantIpcMode     string
		wantPod         string
		wantMounts      []inventory.Mount
	}{
		{
			name:            "a1",
			id:              idA1,
			wantProcess:     processLabelA1,
			wantMount:       "system_u:object_r:container_file_t:s0:c74,c276",
			wantSecurityOpt: []string{},
			wantPidMode:     "private",
			wantIpcMode:     "shareable",
			wantMounts:      []inventory.Mount{},
		},
		{
			name:            "b-nolabel",
			id:              idNoLabel,
			wantMount:       unlabeledMountLabel,
			wantSecurityOpt: []string{"label=disable"},
			wantPidMode:     "private",
			wantIpcMode:     "shareable",
			wantMounts:      []inventory.Mount{},
		},
		{
			name:            "b-priv",
			id:              idPriv,
			wantMount:       unlabeledMountLabel,
			wantPrivileged:  true,
			wantSecurityOpt: []string{},
			wantPidMode:     "private",
			wantIpcMode:     "shareable",
			wantMounts:      []inventory.Mount{},
		},
		{
			name:            "g-pidhost",
			id:              idPidHost,
			wantMount:       unlabeledMountLabel,
			wantSecurityOpt: []string{},
			wantPidMode:     "host",
			wantIpcMode:     "shareable",
			wantMounts:      []inventory.Mount{},
		},
		{
			name:            "p1-a",
			id:              idP1A,
			wantProcess:     "system_u:system_r:container_t:s0:c751,c764",
			wantMount:       "system_u:object_r:container_file_t:s0:c751,c764",
			wantSecurityOpt: []string{},
			wantPidMode:     "private",
			wantIpcMode:     "container:" + idP1Infra,
			wantPod:         idP1Pod,
			wantMounts:      []inventory.Mount{},
		},
		{
			name:            "e-ro",
			id:              idERo,
			wantProcess:     "system_u:system_r:container_t:s0:c190,c797",
			wantMount:       "system_u:object_r:container_file_t:s0:c190,c797",
			wantSecurityOpt: []string{},
			wantPidMode:     "private",
			wantIpcMode:     "shareable",
			wantMounts: []inventory.Mount{{
				Type: "bind", Source: "/srv/e-ro", Destination: "/data", RW: false,
				Options: []string{"rbind"}, Propagation: "rprivate",
			}},
		},
		{
			name:            "d4",
			id:              idD4,
			wantProcess:     "system_u:system_r:container_t:s0-s0:c0.c1023",
			wantMount:       "system_u:object_r:container_file_t:s0-s0:c0.c1023",
			wantSecurityOpt: []string{"label=level:s0-s0:c0.c1023"},
			wantPidMode:     "private",
			wantIpcMode:     "shareable",
			wantMounts:      []inventory.Mount{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctr := FromInspect(readInspect(t, tt.id), ref)

			if ctr.ID != tt.id {
				t.Errorf("ID = %s, want %s", ctr.ID, tt.id)
			}
			if ctr.Name != tt.name {
				t.Errorf("Name = %q, want %q", ctr.Name, tt.name)
			}
			if ctr.Engine != ref {
				t.Errorf("Engine = %+v, want %+v", ctr.Engine, ref)
			}
			if ctr.Image != "localhost/bb:latest" {
				t.Errorf("Image = %q, want localhost/bb:latest", ctr.Image)
			}
			if ctr.State != "running" {
				t.Errorf("State = %q, want running", ctr.State)
			}
			if ctr.PID <= 0 {
				t.Errorf("PID = %d, want the recorded host PID", ctr.PID)
			}
			assertLabel(t, "ProcessLabel", ctr.ProcessLabel, tt.wantProcess)
			assertLabel(t, "MountLabel", ctr.MountLabel, tt.wantMount)
			if ctr.Privileged != tt.wantPrivileged {
				t.Errorf("Privileged = %v, want %v", ctr.Privileged, tt.wantPrivileged)
			}
			if !slices.Equal(ctr.SecurityOpt, tt.wantSecurityOpt) {
				t.Errorf("SecurityOpt = %q, want %q", ctr.SecurityOpt, tt.wantSecurityOpt)
			}
			if ctr.SecurityOpt == nil {
				t.Errorf("SecurityOpt is nil, want an empty list so that JSON shows []")
			}
			if ctr.PidMode != tt.wantPidMode {
				t.Errorf("PidMode = %q, want %q", ctr.PidMode, tt.wantPidMode)
			}
			if ctr.IpcMode != tt.wantIpcMode {
				t.Errorf("IpcMode = %q, want %q", ctr.IpcMode, tt.wantIpcMode)
			}
			if ctr.Pod != tt.wantPod {
				t.Errorf("Pod = %q, want %q", ctr.Pod, tt.wantPod)
			}
			if !slices.EqualFunc(ctr.Mounts, tt.wantMounts, mountEqual) {
				t.Errorf("Mounts = %+v, want %+v", ctr.Mounts, tt.wantMounts)
			}
			if ctr.InspectError != "" {
				t.Errorf("InspectError = %q, want empty for a decoded inspect", ctr.InspectError)
			}
		})
	}
}

// assertLabel checks a label against the expected context, where ""
// means that the engine assigned none.
func assertLabel(t *testing.T, field string, got inventory.Label, want string) {
	t.Helper()
	if want == "" {
		if got.State != inventory.NotLabeled {
			t.Errorf("%s state = %q, want %q", field, got.State, inventory.NotLabeled)
		}
		if got.Value != "" {
			t.Errorf("%s value = %q, want empty", field, got.Value)
		}
		if got.Reason == "" {
			t.Errorf("%s has no reason, want one for %q", field, inventory.NotLabeled)
		}
		return
	}
	if got.State != inventory.Labeled {
		t.Errorf("%s state = %q (%s), want %q", field, got.State, got.Reason, inventory.Labeled)
	}
	if got.Value != want {
		t.Errorf("%s value = %q, want %q", field, got.Value, want)
	}
}

func mountEqual(a, b inventory.Mount) bool {
	return a.Type == b.Type && a.Name == b.Name && a.Source == b.Source &&
		a.Destination == b.Destination && a.RW == b.RW && a.Mode == b.Mode &&
		slices.Equal(a.Options, b.Options) && a.Propagation == b.Propagation
}

func TestFromInspectSparseData(t *testing.T) {
	// Inspect data without State, Config or HostConfig, as a damaged or
	// very old server might send, must convert without a panic.
	ctr := FromInspect(&define.InspectContainerData{ID: idA1, Name: "/a1"}, inventory.EngineRef{Name: "podman"})

	if ctr.Name != "a1" {
		t.Errorf("Name = %q, want a1 with the leading slash removed", ctr.Name)
	}
	if ctr.ProcessLabel.State != inventory.NotLabeled {
		t.Errorf("ProcessLabel state = %q, want %q", ctr.ProcessLabel.State, inventory.NotLabeled)
	}
	if ctr.SecurityOpt == nil {
		t.Errorf("SecurityOpt is nil, want an empty list")
	}
	if ctr.Mounts == nil {
		t.Errorf("Mounts is nil, want an empty list")
	}
	if ctr.Labels != nil {
		t.Errorf("Labels = %v, want nil without a Config", ctr.Labels)
	}
}

func TestFromListUnknownLabels(t *testing.T) {
	lc := types.ListContainer{
		ID: idP1A, Names: []string{"p1-a"}, Image: "localhost/bb:latest",
		Pod: idP1Pod, PodName: "p1", State: "running", Pid: 4912,
	}
	ctr := FromList(lc, inventory.EngineRef{Name: "podman"}, "inspect failed: boom")

	if ctr.Name != "p1-a" {
		t.Errorf("Name = %q, want p1-a", ctr.Name)
	}
	if ctr.PodName != "p1" {
		t.Errorf("PodName = %q, want p1", ctr.PodName)
	}
	if ctr.ProcessLabel.State != inventory.Unknown {
		t.Errorf("ProcessLabel state = %q, want %q", ctr.ProcessLabel.State, inventory.Unknown)
	}
	if ctr.MountLabel.State != inventory.Unknown {
		t.Errorf("MountLabel state = %q, want %q", ctr.MountLabel.State, inventory.Unknown)
	}
	if ctr.InspectError != "inspect failed: boom" {
		t.Errorf("InspectError = %q, want the reason given", ctr.InspectError)
	}
}
