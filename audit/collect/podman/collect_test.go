package podman

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/apireplay"
)

// bindingsRetryPause is the time that the bindings (pkg/bindings
// Connection.DoRequest in Podman v5.8.0) sleep between and after their
// three tries of a failed request: 100, 200 and 300 ms. A request that
// gets no HTTP response therefore returns this much after its last try
// failed, such as 600 ms after its timeout.
const bindingsRetryPause = 600 * time.Millisecond

// testTimeout is Options.Timeout in the timeout tests, and maxTimeoutWait
// the longest that such a Collect may take: the timeout, the bindings'
// retry pauses, and a second of slack for a loaded test machine.
const (
	testTimeout    = 500 * time.Millisecond
	maxTimeoutWait = 4 * testTimeout
)

// startReplay serves the recorded debian12-selinux API.
func startReplay(t *testing.T) (*apireplay.Server, *apireplay.API) {
	t.Helper()
	api, err := apireplay.Load(fixtureDir)
	if err != nil {
		t.Fatalf("loading %s: %v", fixtureDir, err)
	}
	return apireplay.Start(t, api), api
}

// collect runs Collect against url into a fresh snapshot.
func collect(ctx context.Context, url string, opts Options) (*inventory.Snapshot, error) {
	opts.URL = url
	snap := inventory.New("test-host", time.Unix(0, 0))
	return snap, Collect(ctx, opts, snap)
}

func findContainer(snap *inventory.Snapshot, id string) *inventory.Container {
	for i := range snap.Containers {
		if snap.Containers[i].ID == id {
			return &snap.Containers[i]
		}
	}
	return nil
}

// findGap returns the Podman gap whose subject names the container.
func findGap(snap *inventory.Snapshot, name string) *inventory.Gap {
	for i, g := range snap.Coverage.Gaps {
		if g.Source == inventory.SourcePodman && strings.Contains(g.Subject, name) {
			return &snap.Coverage.Gaps[i]
		}
	}
	return nil
}

func podmanStatus(snap *inventory.Snapshot) inventory.SourceStatus {
	for _, st := range snap.Coverage.Sources {
		if st.Source == inventory.SourcePodman {
			return st
		}
	}
	return inventory.SourceStatus{}
}

func TestCollectRecordedContainers(t *testing.T) {
	t.Parallel()
	srv, api := startReplay(t)

	snap, err := collect(t.Context(), srv.URL(), Options{})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}

	listed := api.Listed()
	if len(snap.Containers) != len(listed) {
		t.Fatalf("collected %d containers, want the %d listed", len(snap.Containers), len(listed))
	}
	names := make([]string, 0, len(snap.Containers))
	for _, c := range snap.Containers {
		names = append(names, c.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("containers are in the order %q, want them sorted by name", names)
	}
	for _, lc := range listed {
		c := findContainer(snap, lc.ID)
		if c == nil {
			t.Errorf("listed container %s (%s) was not collected", lc.Name, lc.ID)
			continue
		}
		if c.Name != lc.Name {
			t.Errorf("container %s name = %q, want %q", lc.ID, c.Name, lc.Name)
		}
		if c.InspectError != "" {
			t.Errorf("container %s InspectError = %q, want empty", lc.Name, c.InspectError)
		}
		if c.ProcessLabel.State == inventory.Unknown {
			t.Errorf("container %s process label is unknown (%s), want it read from inspect", lc.Name, c.ProcessLabel.Reason)
		}
		if c.Engine.URL != srv.URL() {
			t.Errorf("container %s engine URL = %q, want %q", lc.Name, c.Engine.URL, srv.URL())
		}
	}

	a1 := findContainer(snap, idA1)
	if a1 != nil && a1.ProcessLabel.Value != processLabelA1 {
		t.Errorf("a1 process label = %q, want %q", a1.ProcessLabel.Value, processLabelA1)
	}
	p1a := findContainer(snap, idP1A)
	if p1a != nil && p1a.PodName != "p1" {
		t.Errorf("p1-a PodName = %q, want p1 from the list", p1a.PodName)
	}
	if got := srv.Requests(apireplay.RouteList); got != 1 {
		t.Errorf("list requests = %d, want 1", got)
	}
	if got := srv.Requests(apireplay.RouteInspect); got != len(listed) {
		t.Errorf("inspect requests = %d, want one per listed container, %d", got, len(listed))
	}
	if len(snap.Coverage.Gaps) != 0 {
		t.Errorf("gaps = %+v, want none", snap.Coverage.Gaps)
	}
}

func TestCollectEngineAndCoverage(t *testing.T) {
	t.Parallel()
	srv, _ := startReplay(t)

	snap, err := collect(t.Context(), srv.URL(), Options{})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}

	if len(snap.Engines) != 1 {
		t.Fatalf("engines = %+v, want exactly one", snap.Engines)
	}
	engine := snap.Engines[0]
	if engine.Name != "podman" {
		t.Errorf("engine name = %q, want podman", engine.Name)
	}
	if engine.URL != srv.URL() {
		t.Errorf("engine URL = %q, want %q", engine.URL, srv.URL())
	}
	if engine.Version != "4.3.1" {
		t.Errorf("engine version = %q, want the server's API version 4.3.1", engine.Version)
	}
	if !engine.Reachable {
		t.Errorf("engine is not reachable, want reachable")
	}
	if engine.Error != "" {
		t.Errorf("engine error = %q, want none", engine.Error)
	}
	if engine.SELinuxEnabled == nil || !*engine.SELinuxEnabled {
		t.Errorf("engine SELinuxEnabled = %v, want true from podman info", engine.SELinuxEnabled)
	}
	if engine.Rootless {
		t.Errorf("engine is rootless, want rootful as recorded")
	}

	st := podmanStatus(snap)
	if st.Status != inventory.StatusComplete {
		t.Errorf("podman coverage = %q (%s), want %q", st.Status, st.Detail, inventory.StatusComplete)
	}
	if st.Target != srv.URL() {
		t.Errorf("podman coverage target = %q, want %q", st.Target, srv.URL())
	}
}

func TestCollectVanishedContainer(t *testing.T) {
	t.Parallel()
	srv, api := startReplay(t)
	srv.Vanish(idERo)

	snap, err := collect(t.Context(), srv.URL(), Options{})
	if err != nil {
		t.Fatalf("Collect = %v, want nil when one container vanished", err)
	}

	if c := findContainer(snap, idERo); c != nil {
		t.Errorf("vanished e-ro was collected as %+v, want it absent", c)
	}
	if got, want := len(snap.Containers), len(api.Listed())-1; got != want {
		t.Errorf("collected %d containers, want %d", got, want)
	}
	if findGap(snap, "e-ro") == nil {
		t.Errorf("gaps = %+v, want one naming e-ro", snap.Coverage.Gaps)
	}
	if st := podmanStatus(snap); st.Status != inventory.StatusPartial {
		t.Errorf("podman coverage = %q, want %q", st.Status, inventory.StatusPartial)
	}
}

func TestCollectInspectFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		inject func(*apireplay.Server, string)
	}{
		{name: "invalid JSON", inject: (*apireplay.Server).CorruptInspect},
		{name: "status 500", inject: (*apireplay.Server).FailInspect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, api := startReplay(t)
			tt.inject(srv, idERo)

			snap, err := collect(t.Context(), srv.URL(), Options{})
			if err != nil {
				t.Fatalf("Collect = %v, want nil when one inspect fails", err)
			}

			if got := len(snap.Containers); got != len(api.Listed()) {
				t.Errorf("collected %d containers, want all %d", got, len(api.Listed()))
			}
			failed := findContainer(snap, idERo)
			if failed == nil {
				t.Fatalf("e-ro is missing, want it kept with an inspect error")
			}
			if failed.InspectError == "" {
				t.Errorf("e-ro InspectError is empty, want the inspect failure")
			}
			if len(failed.InspectError) > 400 {
				t.Errorf("e-ro InspectError is %d characters, want a short reason: %.120s...", len(failed.InspectError), failed.InspectError)
			}
			if failed.ProcessLabel.State != inventory.Unknown {
				t.Errorf("e-ro process label state = %q, want %q", failed.ProcessLabel.State, inventory.Unknown)
			}
			if failed.MountLabel.State != inventory.Unknown {
				t.Errorf("e-ro mount label state = %q, want %q", failed.MountLabel.State, inventory.Unknown)
			}
			if findGap(snap, "e-ro") == nil {
				t.Errorf("gaps = %+v, want one naming e-ro", snap.Coverage.Gaps)
			}
			if got := len(snap.Coverage.Gaps); got != 1 {
				t.Errorf("gaps = %d, want 1", got)
			}
			for _, c := range snap.Containers {
				if c.ID != idERo && c.InspectError != "" {
					t.Errorf("container %s InspectError = %q, want other containers unaffected", c.Name, c.InspectError)
				}
			}
		})
	}
}

func TestCollectInspectTimeout(t *testing.T) {
	t.Parallel()
	srv, api := startReplay(t)
	srv.Delay("/libpod/containers/"+idERo+"/json", time.Minute)

	start := time.Now()
	snap, err := collect(t.Context(), srv.URL(), Options{Timeout: testTimeout})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Collect = %v, want nil when one inspect times out", err)
	}

	if elapsed < testTimeout {
		t.Errorf("Collect returned after %v, before the %v timeout, so the delay did not apply", elapsed, testTimeout)
	}
	if elapsed > maxTimeoutWait {
		t.Errorf("Collect returned after %v, want under %v (timeout %v plus the bindings' %v retry pauses)",
			elapsed, maxTimeoutWait, testTimeout, bindingsRetryPause)
	}
	if findGap(snap, "e-ro") == nil {
		t.Errorf("gaps = %+v, want one naming e-ro", snap.Coverage.Gaps)
	}
	timedOut := findContainer(snap, idERo)
	if timedOut == nil {
		t.Fatalf("e-ro is missing, want it kept with an inspect error")
	}
	if timedOut.InspectError == "" {
		t.Errorf("e-ro InspectError is empty, want the timeout")
	}
	if got := len(snap.Containers); got != len(api.Listed()) {
		t.Errorf("collected %d containers, want all %d", got, len(api.Listed()))
	}
}

func TestCollectPingTimeout(t *testing.T) {
	t.Parallel()
	srv, _ := startReplay(t)
	srv.HangPing()

	start := time.Now()
	snap, err := collect(t.Context(), srv.URL(), Options{Timeout: testTimeout})
	elapsed := time.Since(start)

	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Collect = %v, want an error wrapping ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "no answer within "+testTimeout.String()) {
		t.Errorf("error %q does not say that there was no answer within %v", err, testTimeout)
	}
	if !strings.Contains(err.Error(), srv.URL()) {
		t.Errorf("error %q does not name the URL %s", err, srv.URL())
	}
	if elapsed > maxTimeoutWait {
		t.Errorf("Collect returned after %v, want under %v", elapsed, maxTimeoutWait)
	}
	if got := srv.Requests("/libpod/containers/json"); got != 0 {
		t.Errorf("list requests = %d, want none after a failed ping", got)
	}
	if st := podmanStatus(snap); st.Status != inventory.StatusUnavailable {
		t.Errorf("podman coverage = %q, want %q", st.Status, inventory.StatusUnavailable)
	}
}

func TestCollectMissingSocket(t *testing.T) {
	t.Parallel()
	socket := filepath.Join(t.TempDir(), "podman.sock")

	_, err := collect(t.Context(), "unix://"+socket, Options{Timeout: 2 * time.Second})

	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Collect = %v, want an error wrapping ErrUnreachable", err)
	}
	for _, want := range []string{socket, "systemctl enable --now podman.socket", "--url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestCollectRefusedSocket(t *testing.T) {
	t.Parallel()
	socket := filepath.Join(t.TempDir(), "podman.sock")
	listener, err := net.ListenUnix("unix", &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	// Keep the socket file after Close, so that connecting is refused
	// instead of failing with "no such file".
	listener.SetUnlinkOnClose(false)
	listener.Close()
	if _, err := net.Dial("unix", socket); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dialing the closed socket: %v, want ECONNREFUSED before testing Collect", err)
	}
	if info, err := os.Stat(socket); err != nil || info.Mode().Type() != os.ModeSocket {
		t.Fatalf("stat %s = %v, %v, want a socket file", socket, info, err)
	}

	_, err = collect(t.Context(), "unix://"+socket, Options{Timeout: 2 * time.Second})

	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Collect = %v, want an error wrapping ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %q does not say connection refused", err)
	}
	if !strings.Contains(err.Error(), socket) {
		t.Errorf("error %q does not name the socket %s", err, socket)
	}
}

func TestCollectConcurrencyBound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		concurrency int
		wantMin     int // minimum peak of concurrent inspects
	}{
		{name: "one", concurrency: 1, wantMin: 1},
		{name: "three", concurrency: 3, wantMin: 2},
		{name: "sixteen", concurrency: 16, wantMin: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, api := startReplay(t)
			// The delay keeps each inspect in flight long enough for the
			// next ones to start.
			srv.Delay("/libpod/containers/*/json", 10*time.Millisecond)

			snap, err := collect(t.Context(), srv.URL(), Options{Concurrency: tt.concurrency})
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}

			peak := srv.MaxInFlight(apireplay.RouteInspect)
			if peak > tt.concurrency {
				t.Errorf("server saw %d inspects in flight, want at most %d", peak, tt.concurrency)
			}
			if peak < tt.wantMin {
				t.Errorf("server saw %d inspects in flight, want at least %d", peak, tt.wantMin)
			}
			if got := len(snap.Containers); got != len(api.Listed()) {
				t.Errorf("collected %d containers, want all %d", got, len(api.Listed()))
			}
		})
	}
}

func TestCollectCancelled(t *testing.T) {
	t.Parallel()
	srv, _ := startReplay(t)
	srv.Delay("/libpod/containers/*/json", time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	cancelled := make(chan time.Time, 1)
	go func() {
		for srv.Requests(apireplay.RouteInspect) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancelled <- time.Now()
		cancel()
	}()
	_, err := collect(ctx, srv.URL(), Options{Concurrency: 2, Timeout: time.Minute})
	returnedAt := time.Now()
	cancelledAt := <-cancelled

	if !errors.Is(err, context.Canceled) {
		t.Errorf("Collect = %v, want an error wrapping context.Canceled", err)
	}
	// The inspects in flight end at once but return only after the
	// bindings' retry pauses.
	maxWait := bindingsRetryPause + time.Second
	if took := returnedAt.Sub(cancelledAt); took > maxWait {
		t.Errorf("Collect returned %v after the cancel, want under %v", took, maxWait)
	}
	if got := srv.Requests(apireplay.RouteInspect); got > 2 {
		t.Errorf("server got %d inspects, want no more than the 2 started before the cancel", got)
	}
}

func TestResolveURL(t *testing.T) {
	const envURL = "unix:///run/user/1000/podman/podman.sock"
	tests := []struct {
		name     string
		explicit string
		env      string
		want     string
	}{
		{name: "explicit over env", explicit: "tcp://127.0.0.1:8080", env: envURL, want: "tcp://127.0.0.1:8080"},
		{name: "env", env: envURL, want: envURL},
		{name: "default", want: DefaultURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CONTAINER_HOST", tt.env)

			if got := ResolveURL(tt.explicit); got != tt.want {
				t.Errorf("ResolveURL(%q) with CONTAINER_HOST=%q = %q, want %q", tt.explicit, tt.env, got, tt.want)
			}
		})
	}
}

func TestValidateURL(t *testing.T) {
	valid := []string{"unix:///run/podman/podman.sock", "tcp://127.0.0.1:8080", "ssh://core@host/run/podman/podman.sock"}
	for _, u := range valid {
		if err := ValidateURL(u); err != nil {
			t.Errorf("ValidateURL(%q) = %v, want nil", u, err)
		}
	}
	invalid := map[string]string{
		"":                   "empty address",
		"foo://bar":          `scheme "foo"`,
		"tcp://127.0.0.1":    "host and a port",
		"unix://":            "names no socket path",
		"ssh:///no/host":     "needs a host",
		"tcp://[::1:bad:80/": "not a URL",
	}
	for u, want := range invalid {
		err := ValidateURL(u)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateURL(%q) = %v, want an error mentioning %q", u, err, want)
		}
	}
}

func TestSocketRootless(t *testing.T) {
	if rootless, known := socketRootless("unix:///run/user/1000/podman/podman.sock"); !rootless || !known {
		t.Errorf("a /run/user socket: rootless %v known %v, want true true", rootless, known)
	}
	if _, known := socketRootless("tcp://127.0.0.1:8080"); known {
		t.Error("a tcp address claimed a known owner")
	}
	if _, known := socketRootless("unix:///nonexistent/podman.sock"); known {
		t.Error("a missing socket claimed a known owner")
	}
	if os.Geteuid() == 0 {
		path := filepath.Join(t.TempDir(), "root.sock")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if rootless, known := socketRootless("unix://" + path); rootless || !known {
			t.Errorf("a root-owned socket: rootless %v known %v, want false true", rootless, known)
		}
	}
}

// Labels on the containers answer what podman info would, so the slow
// info call is skipped; the engine still reads as labeling.
func TestCollectSkipsInfoWhenLabeled(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the replay socket must be owned by root for its owner to tell rootful")
	}
	srv, _ := startReplay(t)
	snap, err := collect(t.Context(), srv.URL(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests(apireplay.RouteInfo); n != 0 {
		t.Errorf("info requests = %d, want 0 when labels and the socket owner tell", n)
	}
	e := snap.Engines[0]
	if e.SELinuxEnabled == nil || !*e.SELinuxEnabled {
		t.Errorf("SELinuxEnabled = %v, want true inferred from the labels", e.SELinuxEnabled)
	}
	if e.Rootless {
		t.Error("engine reads as rootless, want rootful from the root-owned socket")
	}
}
