package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/apireplay"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

func urls(eps []endpoint) []string {
	var out []string
	for _, e := range eps {
		out = append(out, e.url)
	}
	return out
}

// makeSocketPath creates an empty file where a socket would be, so that
// discovery finds it; nothing listens on it.
func makeSocketPath(t *testing.T, root, rel string) string {
	t.Helper()
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPodmanEndpointsExplicit(t *testing.T) {
	t.Setenv("CONTAINER_HOST", "unix:///ignored.sock")
	eps := podmanEndpoints("/", []string{"unix:///run/user/1000/podman/podman.sock", "tcp://127.0.0.1:8080"}, true)
	if len(eps) != 2 {
		t.Fatalf("endpoints = %v, want the two explicit URLs", urls(eps))
	}
	if !eps[0].required || !eps[1].required {
		t.Error("explicit endpoints must be required")
	}
	if eps[0].uid == nil || *eps[0].uid != 1000 {
		t.Errorf("uid of %s = %v, want 1000", eps[0].url, eps[0].uid)
	}
	if eps[1].uid != nil {
		t.Errorf("uid of %s = %v, want none", eps[1].url, *eps[1].uid)
	}
}

func TestPodmanEndpointsFromEnvironment(t *testing.T) {
	t.Setenv("CONTAINER_HOST", "unix:///from/env.sock")
	eps := podmanEndpoints("/", nil, true)
	if got := urls(eps); len(got) != 1 || got[0] != "unix:///from/env.sock" || !eps[0].required {
		t.Errorf("endpoints = %v, want only CONTAINER_HOST, required", got)
	}
}

func TestPodmanEndpointsDiscoverRootless(t *testing.T) {
	t.Setenv("CONTAINER_HOST", "")
	root := t.TempDir()
	alice := makeSocketPath(t, root, "run/user/1000/podman/podman.sock")
	bob := makeSocketPath(t, root, "run/user/1001/podman/podman.sock")

	eps := podmanEndpoints(root, nil, true)
	want := []string{
		"unix://" + filepath.Join(root, "run/podman/podman.sock"),
		"unix://" + alice,
		"unix://" + bob,
	}
	if got := urls(eps); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("endpoints = %v, want %v", got, want)
	}
	for _, e := range eps {
		if e.required {
			t.Errorf("%s: discovered endpoints must not be required", e.url)
		}
	}
	if eps[2].uid == nil || *eps[2].uid != 1001 {
		t.Errorf("uid of bob's socket = %v, want 1001", eps[2].uid)
	}

	// Without root only the root service (and the caller's own) is tried.
	if got := urls(podmanEndpoints(root, nil, false)); len(got) != 1 {
		t.Errorf("non-root endpoints = %v, want only the root service", got)
	}
}

func TestCollectEnginesDiscoveredGap(t *testing.T) {
	t.Setenv("CONTAINER_HOST", "")
	api, err := apireplay.Load(filepath.Join(fixturesnap.Dir(), "podman-api", "debian12-selinux"))
	if err != nil {
		t.Fatal(err)
	}
	srv := apireplay.Start(t, api)

	// The root service answers through a symlink at its usual path; a
	// rootless user's socket exists but nothing listens on it.
	root := t.TempDir()
	rootful := filepath.Join(root, "run/podman/podman.sock")
	if err := os.MkdirAll(filepath.Dir(rootful), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(srv.SocketPath(), rootful); err != nil {
		t.Fatal(err)
	}
	dead := makeSocketPath(t, root, "run/user/1000/podman/podman.sock")

	snap := inventory.New("h", time.Now())
	opts := withDefaults(Options{HostRoot: root, IsRoot: true, Podman: podman.Options{Timeout: 5 * time.Second}})
	if err := collectEngines(context.Background(), opts, snap); err != nil {
		t.Fatalf("collectEngines: %v", err)
	}
	if len(snap.Containers) != len(api.Listed()) {
		t.Errorf("collected %d containers, want %d from the root service", len(snap.Containers), len(api.Listed()))
	}
	found := false
	for _, g := range snap.Coverage.Gaps {
		if g.Subject == "unix://"+dead {
			found = true
		}
	}
	if !found {
		t.Errorf("no coverage gap for the unreachable rootless socket %s: %+v", dead, snap.Coverage.Gaps)
	}
	if len(snap.Engines) != 2 || snap.Engines[1].Reachable || snap.Engines[1].UID == nil || *snap.Engines[1].UID != 1000 {
		t.Errorf("engines = %+v, want the root service and an unreachable one for uid 1000", snap.Engines)
	}
}

func TestCollectEnginesNothingReachable(t *testing.T) {
	t.Setenv("CONTAINER_HOST", "")
	root := t.TempDir()
	snap := inventory.New("h", time.Now())
	opts := withDefaults(Options{HostRoot: root, IsRoot: true, Podman: podman.Options{Timeout: time.Second}})
	err := collectEngines(context.Background(), opts, snap)
	if !errors.Is(err, podman.ErrUnreachable) {
		t.Fatalf("error = %v, want one wrapping ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(root, "run/podman/podman.sock")) {
		t.Errorf("error %q does not name the root service's socket", err)
	}
}

func TestCollectEnginesRequiredUnreachable(t *testing.T) {
	snap := inventory.New("h", time.Now())
	missing := "unix://" + filepath.Join(t.TempDir(), "missing.sock")
	opts := withDefaults(Options{HostRoot: "/", PodmanURLs: []string{missing}, Podman: podman.Options{Timeout: time.Second}})
	if err := collectEngines(context.Background(), opts, snap); !errors.Is(err, podman.ErrUnreachable) {
		t.Errorf("error = %v, want ErrUnreachable for a --url that does not answer", err)
	}
}

func TestEngineOutcome(t *testing.T) {
	denied := &podman.ConnectError{URL: "unix:///run/podman/podman.sock", Reason: "permission denied", Err: os.ErrPermission}
	missing := &podman.ConnectError{URL: "unix:///run/podman/podman.sock", Reason: "socket not found", Err: os.ErrNotExist}
	tests := []struct {
		name     string
		reached  int
		failures []error
		isRoot   bool
		wantErr  bool
	}{
		{"one engine reached", 1, []error{missing}, true, false},
		{"nothing configured", 0, nil, true, true},
		{"root, socket missing", 0, []error{missing}, true, true},
		{"root, permission denied", 0, []error{denied}, true, true},
		{"user, permission denied", 0, []error{denied}, false, false},
		{"user, socket missing", 0, []error{missing}, false, true},
		{"user, denied and missing", 0, []error{denied, missing}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := engineOutcome(tt.reached, tt.failures, tt.isRoot)
			if (err != nil) != tt.wantErr {
				t.Errorf("engineOutcome = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestNoteProcfsOnly(t *testing.T) {
	snap := inventory.New("h", time.Now())
	noteProcfsOnly(snap)
	if len(snap.Coverage.Gaps) != 0 {
		t.Fatalf("gaps = %+v, want none without procfs-only containers", snap.Coverage.Gaps)
	}
	for i := range 7 {
		snap.Containers = append(snap.Containers, inventory.Container{
			Name: "other-" + strings.Repeat("x", i), DiscoveredBy: inventory.DiscoveredByProcfs,
		})
	}
	snap.Containers = append(snap.Containers, inventory.Container{Name: "api", DiscoveredBy: inventory.DiscoveredByAPI})
	noteProcfsOnly(snap)
	if len(snap.Coverage.Gaps) != 1 {
		t.Fatalf("gaps = %+v, want one", snap.Coverage.Gaps)
	}
	reason := snap.Coverage.Gaps[0].Reason
	for _, want := range []string{"7 containers were seen only through /proc", "and 2 more", "--url"} {
		if !strings.Contains(reason, want) {
			t.Errorf("gap reason %q lacks %q", reason, want)
		}
	}
	if strings.Contains(reason, "api") {
		t.Errorf("gap reason %q names a container an API reported", reason)
	}
}

func TestPodmanEndpointsDeduplicated(t *testing.T) {
	u := "unix:///run/podman/podman.sock"
	if got := urls(podmanEndpoints("/", []string{u, u}, true)); len(got) != 1 {
		t.Errorf("endpoints = %v, want the repeated URL once", got)
	}
}

func TestPodmanEndpointsSameSocketSpelledTwice(t *testing.T) {
	dir := t.TempDir()
	sock := makeSocketPath(t, dir, "podman.sock")
	link := filepath.Join(dir, "link.sock")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	spellings := []string{"unix://" + sock, "unix://" + dir + "//podman.sock", "unix://" + dir + "/x/../podman.sock", "unix://" + link}
	if got := urls(podmanEndpoints("/", spellings, true)); len(got) != 1 {
		t.Errorf("endpoints = %v, want one for four spellings of one socket", got)
	}
}
