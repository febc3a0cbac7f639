package procfs

import (
	"strings"
	"testing"
)

const podID = "1791ce2685d10f85e02873f6038485c899a36b2f204108c2e7016fbeaf1bc061"

func TestContainerFromPath(t *testing.T) {
	tests := []struct {
		name string
		path string
		want cgroupRef
	}{
		{
			name: "podman systemd v2 with crun's container leaf",
			path: "/machine.slice/libpod-" + idA + ".scope/container",
			want: cgroupRef{ID: idA, Engine: enginePodman, UID: -1},
		},
		{
			name: "podman conmon scope",
			path: "/machine.slice/libpod-conmon-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: enginePodman, Monitor: true, UID: -1},
		},
		{
			name: "podman pod slice",
			path: "/machine.slice/machine-libpod_pod_" + podID + ".slice/libpod-" + idA + ".scope/container",
			want: cgroupRef{ID: idA, Engine: enginePodman, Pod: podID, UID: -1},
		},
		{
			name: "rootless podman under the user manager",
			path: "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + idA + ".scope/container",
			want: cgroupRef{ID: idA, Engine: enginePodman, UID: 1000},
		},
		{
			name: "rootless podman pod",
			path: "/user.slice/user-1001.slice/user@1001.service/user.slice/user-libpod_pod_" + podID + ".slice/libpod-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: enginePodman, Pod: podID, UID: 1001},
		},
		{
			name: "podman cgroupfs",
			path: "/libpod_parent/libpod-" + idA,
			want: cgroupRef{ID: idA, Engine: enginePodman, UID: -1},
		},
		{
			name: "podman cgroupfs with a sub-path",
			path: "/libpod_parent/libpod-" + idA + "/child",
			want: cgroupRef{ID: idA, Engine: enginePodman, UID: -1},
		},
		{
			name: "podman cgroupfs pod member",
			path: "/libpod_parent/" + podID + "/libpod-" + idA,
			want: cgroupRef{ID: idA, Engine: enginePodman, Pod: podID, UID: -1},
		},
		{
			name: "podman cgroupfs conmon",
			path: "/libpod_parent/conmon",
			want: cgroupRef{Engine: enginePodman, Monitor: true, UID: -1},
		},
		{
			name: "podman cgroupfs pod conmon",
			path: "/libpod_parent/" + podID + "/conmon",
			want: cgroupRef{Engine: enginePodman, Monitor: true, UID: -1},
		},
		{
			name: "docker systemd",
			path: "/system.slice/docker-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: engineDocker, UID: -1},
		},
		{
			name: "docker cgroupfs",
			path: "/docker/" + idA,
			want: cgroupRef{ID: idA, Engine: engineDocker, UID: -1},
		},
		{
			name: "rootless docker",
			path: "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: engineDocker, UID: 1000},
		},
		{
			name: "crio under kubepods systemd",
			path: "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2a9c1e_0b6d_4c1a_9d7e_2b8f1a6c5d40.slice/crio-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: engineCRIO, Pod: "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40", UID: -1},
		},
		{
			name: "crio conmon",
			path: "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod3f2a9c1e_0b6d_4c1a_9d7e_2b8f1a6c5d40.slice/crio-conmon-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: engineCRIO, Monitor: true, Pod: "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40", UID: -1},
		},
		{
			name: "crio cgroupfs",
			path: "/kubepods/burstable/pod3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40/crio-" + idA,
			want: cgroupRef{ID: idA, Engine: engineCRIO, Pod: "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40", UID: -1},
		},
		{
			name: "containerd under kubepods guaranteed",
			path: "/kubepods.slice/kubepods-pod3f2a9c1e_0b6d_4c1a_9d7e_2b8f1a6c5d40.slice/cri-containerd-" + idA + ".scope",
			want: cgroupRef{ID: idA, Engine: engineContainerd, Pod: "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40", UID: -1},
		},
		{
			name: "kubepods cgroupfs names no runtime",
			path: "/kubepods/burstable/pod3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40/" + idA,
			want: cgroupRef{ID: idA, Pod: "3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40", UID: -1},
		},
		{
			name: "outer container wins over a nested engine",
			path: "/machine.slice/libpod-" + idA + ".scope/container/docker/" + idB,
			want: cgroupRef{ID: idA, Engine: enginePodman, UID: -1},
		},
		{
			name: "cgroup namespace relative path",
			path: "/../../machine.slice/libpod-" + idA + ".scope/container",
			want: cgroupRef{ID: idA, Engine: enginePodman, UID: -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := containerFromPath(tt.path)
			if !ok {
				t.Fatalf("containerFromPath(%q) found nothing", tt.path)
			}
			if got != tt.want {
				t.Errorf("containerFromPath(%q) = %+v, want %+v", tt.path, got, tt.want)
			}
		})
	}
}

func TestContainerFromPathRejects(t *testing.T) {
	paths := map[string]string{
		"root":                      "/",
		"session scope":             "/user.slice/user-0.slice/session-1.scope",
		"init":                      "/init.scope",
		"service":                   "/system.slice/podman.service",
		"short ID":                  "/machine.slice/libpod-d8b5ffed7146.scope",
		"63 hex digits":             "/machine.slice/libpod-" + idA[:63] + ".scope",
		"65 hex digits":             "/machine.slice/libpod-" + idA + "0.scope",
		"uppercase ID":              "/machine.slice/libpod-" + strings.ToUpper(idA) + ".scope",
		"bare ID outside docker":    "/" + idA,
		"podman pod slice only":     "/machine.slice/machine-libpod_pod_" + podID + ".slice",
		"cgroupfs pod only":         "/libpod_parent/" + podID,
		"kubepods pod only":         "/kubepods/burstable/pod3f2a9c1e-0b6d-4c1a-9d7e-2b8f1a6c5d40",
		"ID below a non-pod dir":    "/kubepods/burstable/" + idA,
		"conmon outside podman dir": "/system.slice/conmon",
		"unknown prefix":            "/system.slice/lxc-" + idA + ".scope",
	}
	for name, path := range paths {
		t.Run(name, func(t *testing.T) {
			if got, ok := containerFromPath(path); ok {
				t.Errorf("containerFromPath(%q) = %+v, want nothing", path, got)
			}
		})
	}
}

func TestContainerFromCgroupPicksNamingLine(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantID   string
		wantPath string
		monitor  bool
	}{
		{
			name:   "cgroupfs on v1: name=systemd names the container",
			file:   "9:name=systemd:/libpod_parent/libpod-" + idA + "\n4:memory:/libpod_parent/libpod-" + idA + "\n0::/libpod_parent/libpod-" + idA + "\n",
			wantID: idA, wantPath: "/libpod_parent/libpod-" + idA,
		},
		{
			name:   "only a controller line names the container",
			file:   "9:name=systemd:/\n8:pids:/libpod_parent/libpod-" + idA + "\n0::/\n",
			wantID: idA, wantPath: "/libpod_parent/libpod-" + idA,
		},
		{
			name:     "conmon on v1 cgroupfs",
			file:     "9:name=systemd:/\n8:pids:/libpod_parent/conmon\n0::/\n",
			wantPath: "/libpod_parent/conmon", monitor: true,
		},
		{
			name:   "container line outranks a monitor line",
			file:   "9:name=systemd:/machine.slice/libpod-conmon-" + idB + ".scope\n4:memory:/docker/" + idA + "\n",
			wantID: idA, wantPath: "/docker/" + idA,
		},
		{
			name:   "name=systemd before v2 when both name containers",
			file:   "0::/machine.slice/libpod-" + idB + ".scope\n1:name=systemd:/machine.slice/libpod-" + idA + ".scope\n",
			wantID: idA, wantPath: "/machine.slice/libpod-" + idA + ".scope",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := parseCgroup(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			ref, path, ok := containerFromCgroup(lines)
			if !ok {
				t.Fatal("containerFromCgroup found nothing")
			}
			if ref.ID != tt.wantID {
				t.Errorf("ID = %q, want %q", ref.ID, tt.wantID)
			}
			if path != tt.wantPath {
				t.Errorf("path = %q, want %q", path, tt.wantPath)
			}
			if ref.Monitor != tt.monitor {
				t.Errorf("Monitor = %v, want %v", ref.Monitor, tt.monitor)
			}
		})
	}
}

func TestPrimaryCgroupPath(t *testing.T) {
	lines, err := parseCgroup(strings.NewReader("8:pids:/a\n9:name=systemd:/user.slice/user-0.slice/session-1.scope\n0::/b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := primaryCgroupPath(lines); got != "/user.slice/user-0.slice/session-1.scope" {
		t.Errorf("primaryCgroupPath = %q, want the name=systemd path", got)
	}
	if got := primaryCgroupPath(nil); got != "" {
		t.Errorf("primaryCgroupPath(nil) = %q, want empty", got)
	}
}
