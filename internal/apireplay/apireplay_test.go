package apireplay

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const fixtureDir = "../../fixtures/podman-api/debian12-selinux"

// Containers of the recorded API used below. Four recorded IDs start with
// "29", and only a1's continues with "29d".
const (
	a1ID = "29d6a3f7d954782165b2d6e8f61e90bde4a894d9f6e2544eaf53be112d1c6691"
	// p1-a is a member of pod p1, whose infra container is 5a9309adad55.
	p1aID = "005a434c7f503de2732f7b429f98a50be6f05223adb432f57c7dcd1dd3a83d85"
)

func loadFixture(t *testing.T) *API {
	t.Helper()
	api, err := Load(fixtureDir)
	if err != nil {
		t.Fatalf("Load(%s): %v", fixtureDir, err)
	}
	return api
}

// get sends one GET over the server's socket and returns status, headers
// and body.
func get(t *testing.T, srv *Server, path string) (int, http.Header, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", srv.SocketPath())
		},
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://d" + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body of GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func TestLoadRecording(t *testing.T) {
	api := loadFixture(t)

	if got := len(api.Listed()); got != 45 {
		t.Errorf("len(Listed()) = %d, want the 45 running containers of the recording", got)
	}
	if got := api.LibpodVersion(); got != "4.3.1" {
		t.Errorf("LibpodVersion() = %q, want 4.3.1", got)
	}
	// 50 documents: the 45 running containers and 5 stopped ones.
	if got := len(api.inspect); got != 50 {
		t.Errorf("inspect documents = %d, want 50", got)
	}
}

func TestResolveLookups(t *testing.T) {
	api := loadFixture(t)
	tests := []struct {
		name     string
		nameOrID string
		wantID   string // empty when no container must match
	}{
		{name: "full id", nameOrID: a1ID, wantID: a1ID},
		{name: "name", nameOrID: "a1", wantID: a1ID},
		{name: "unique prefix", nameOrID: "29d", wantID: a1ID},
		{name: "stopped container by name", nameOrID: "i-bogus", wantID: "985184d58db462ae714a8a216a344329920050fa962892812d4e76721cad25f6"},
		{name: "ambiguous prefix", nameOrID: "29"},
		{name: "unknown name", nameOrID: "no-such-name"},
		{name: "empty", nameOrID: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := api.Resolve(tt.nameOrID)
			if tt.wantID == "" {
				if err == nil {
					t.Errorf("Resolve(%q) = %s, want an error", tt.nameOrID, id)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v, want %s", tt.nameOrID, err, tt.wantID)
			}
			if id != tt.wantID {
				t.Errorf("Resolve(%q) = %s, want %s", tt.nameOrID, id, tt.wantID)
			}
		})
	}
}

func TestServerRoutes(t *testing.T) {
	srv := Start(t, loadFixture(t))
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string // a substring of the body
	}{
		{name: "ping unversioned", path: "/_ping", wantStatus: 200, wantBody: "OK"},
		{name: "ping libpod", path: "/v5.8.0/libpod/_ping", wantStatus: 200, wantBody: "OK"},
		{name: "list", path: "/v4.3.1/libpod/containers/json", wantStatus: 200, wantBody: a1ID},
		{name: "inspect by id", path: "/v4.3.1/libpod/containers/" + a1ID + "/json", wantStatus: 200, wantBody: `"Name":"a1"`},
		{name: "inspect by name", path: "/v4.3.1/libpod/containers/p1-a/json", wantStatus: 200, wantBody: p1aID},
		{name: "info", path: "/v4.3.1/libpod/info", wantStatus: 200, wantBody: `"selinuxEnabled":true`},
		{name: "version", path: "/v4.3.1/libpod/version", wantStatus: 200, wantBody: `"APIVersion":"4.3.1"`},
		{name: "list unversioned", path: "/libpod/containers/json", wantStatus: 404, wantBody: "Not Found"},
		{name: "unknown endpoint", path: "/v4.3.1/libpod/pods/json", wantStatus: 404, wantBody: "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := get(t, srv, tt.path)
			if status != tt.wantStatus {
				t.Errorf("GET %s status = %d, want %d", tt.path, status, tt.wantStatus)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET %s body = %.200q, want it to contain %q", tt.path, body, tt.wantBody)
			}
			if status == 200 && header.Get("Libpod-API-Version") != "4.3.1" {
				t.Errorf("GET %s Libpod-API-Version = %q, want 4.3.1", tt.path, header.Get("Libpod-API-Version"))
			}
		})
	}
}

func TestServerInspectNotFound(t *testing.T) {
	srv := Start(t, loadFixture(t))
	srv.Vanish(a1ID)
	for _, nameOrID := range []string{"no-such-name", "29", a1ID} {
		t.Run(nameOrID[:min(len(nameOrID), 12)], func(t *testing.T) {
			status, header, body := get(t, srv, "/v4.3.1/libpod/containers/"+nameOrID+"/json")

			if status != http.StatusNotFound {
				t.Errorf("status = %d, want 404", status)
			}
			if got := header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			var model struct {
				Cause    string `json:"cause"`
				Message  string `json:"message"`
				Response int    `json:"response"`
			}
			if err := json.Unmarshal([]byte(body), &model); err != nil {
				t.Fatalf("body %q is not a Podman error: %v", body, err)
			}
			if model.Response != 404 {
				t.Errorf("response = %d, want 404", model.Response)
			}
			if !strings.Contains(model.Message, nameOrID) {
				t.Errorf("message = %q, want it to name %q", model.Message, nameOrID)
			}
		})
	}
}

func TestServerFaultsAndCounts(t *testing.T) {
	srv := Start(t, loadFixture(t))
	srv.FailInspect(a1ID)
	srv.CorruptInspect(p1aID)
	srv.Delay("/libpod/info", 20*time.Millisecond)

	status, _, body := get(t, srv, "/v4.3.1/libpod/containers/"+a1ID+"/json")
	if status != http.StatusInternalServerError {
		t.Errorf("failing inspect status = %d, want 500", status)
	}
	if !strings.Contains(body, `"response":500`) {
		t.Errorf("failing inspect body = %q, want a Podman error body with response 500", body)
	}
	status, _, body = get(t, srv, "/v4.3.1/libpod/containers/"+p1aID+"/json")
	if status != http.StatusOK {
		t.Errorf("corrupt inspect status = %d, want 200", status)
	}
	if json.Valid([]byte(body)) {
		t.Errorf("corrupt inspect body is valid JSON, want invalid JSON")
	}
	start := time.Now()
	get(t, srv, "/v4.3.1/libpod/info")
	if elapsed := time.Since(start); elapsed < 20*time.Millisecond {
		t.Errorf("delayed info answered after %v, want at least 20ms", elapsed)
	}

	if got := srv.Requests(RouteInspect); got != 2 {
		t.Errorf("Requests(RouteInspect) = %d, want 2", got)
	}
	if got := srv.Requests("/libpod/containers/" + a1ID + "/json"); got != 1 {
		t.Errorf("Requests(a1 inspect path) = %d, want 1", got)
	}
	if got := srv.MaxInFlight(RouteInspect); got != 1 {
		t.Errorf("MaxInFlight(RouteInspect) = %d, want 1 for sequential requests", got)
	}
}

func TestServerCloseEndsHungPing(t *testing.T) {
	srv := Start(t, loadFixture(t))
	srv.HangPing()
	go func() {
		time.Sleep(50 * time.Millisecond)
		srv.Close()
	}()

	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", srv.SocketPath())
		},
	}}
	start := time.Now()
	resp, err := client.Get("http://d/_ping")
	if err == nil {
		resp.Body.Close()
		t.Errorf("hung ping got status %d, want no answer", resp.StatusCode)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Close ended the hung ping after %v, want well under 5s", elapsed)
	}
}

func TestSyntheticClones(t *testing.T) {
	recorded := loadFixture(t)
	const n = 100 // two full generations of 45 and a partial third

	api, err := Synthetic(recorded, n)
	if err != nil {
		t.Fatalf("Synthetic: %v", err)
	}
	again, err := Synthetic(recorded, n)
	if err != nil {
		t.Fatalf("second Synthetic: %v", err)
	}

	listed := api.Listed()
	if len(listed) != n {
		t.Fatalf("len(Listed()) = %d, want %d", len(listed), n)
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for i, lc := range listed {
		ids[lc.ID] = true
		names[lc.Name] = true
		if recorded.inspect[lc.ID] != nil {
			t.Errorf("clone %d keeps the recorded ID %s, want a new one", i, lc.ID)
		}
		if again.Listed()[i].ID != lc.ID {
			t.Errorf("clone %d ID = %s in one call and %s in another, want the same", i, lc.ID, again.Listed()[i].ID)
		}
	}
	if len(ids) != n {
		t.Errorf("distinct IDs = %d, want %d", len(ids), n)
	}
	if len(names) != n {
		t.Errorf("distinct names = %d, want %d", len(names), n)
	}

	var list []struct {
		ID      string `json:"Id"`
		PodName string
		Labels  map[string]string
	}
	if err := json.Unmarshal(api.list, &list); err != nil {
		t.Fatalf("synthetic list is not valid JSON: %v", err)
	}
	if len(list) != n {
		t.Errorf("list entries = %d, want %d", len(list), n)
	}
	if got := list[50].Labels["io.mcsaudit.replica"]; got != "50" {
		t.Errorf("list entry 50 replica label = %q, want 50", got)
	}

	// Clone 45+29 is p1-a of the second generation. Its pod and IPC
	// references must point at that generation's p1 infra, clone 45+28.
	var member struct {
		Name       string
		Pod        string
		HostConfig struct{ IpcMode string }
		Config     struct{ Labels map[string]string }
	}
	memberID := listed[45+29].ID
	if err := json.Unmarshal(api.inspect[memberID], &member); err != nil {
		t.Fatalf("inspect of clone 74 is not valid JSON: %v", err)
	}
	if member.Name != "p1-a-1" {
		t.Errorf("clone 74 name = %q, want p1-a-1", member.Name)
	}
	if want := "container:" + listed[45+28].ID; member.HostConfig.IpcMode != want {
		t.Errorf("clone 74 IpcMode = %q, want %q", member.HostConfig.IpcMode, want)
	}
	if member.Pod != listed[45+28].Pod {
		t.Errorf("clone 74 pod = %s, want generation 1's pod %s", member.Pod, listed[45+28].Pod)
	}
	if member.Pod == listed[28].Pod {
		t.Errorf("clone 74 pod = %s, the same as generation 0's, want a pod per generation", member.Pod)
	}
	if got := member.Config.Labels["app"]; got != "app-1" {
		t.Errorf("clone 74 app label = %q, want app-1", got)
	}
	if got := list[74].PodName; got != "p1-1" {
		t.Errorf("clone 74 pod name = %q, want p1-1", got)
	}
}
