package apireplay

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Route names for Server.Requests and Server.MaxInFlight. Each covers every
// request to that endpoint, with or without the /vX.Y.Z version prefix and,
// for RouteInspect, for any container.
const (
	RoutePing    = "/libpod/_ping"
	RouteList    = "/libpod/containers/json"
	RouteInspect = "/libpod/containers/{name}/json"
	RouteInfo    = "/libpod/info"
	RouteVersion = "/libpod/version"
)

// Server replays an API on a unix socket until Close. Its fault methods may
// be called at any time and apply to requests that arrive afterwards.
type Server struct {
	api    *API
	socket string
	server *httptest.Server

	// closing is closed by Close so that delayed and hung handlers return
	// and httptest.Server.Close does not wait for them.
	closing   chan struct{}
	closeOnce sync.Once

	mu          sync.Mutex
	delays      []delay
	hangPing    bool
	corrupt     map[string]bool
	failing     map[string]bool
	vanished    map[string]bool
	requests    map[string]int
	inFlight    map[string]int
	maxInFlight map[string]int
}

type delay struct {
	pattern  string
	duration time.Duration
}

// Start serves api on a unix socket in a temporary directory and closes
// the server when tb's test ends.
func Start(tb testing.TB, api *API) *Server {
	tb.Helper()
	socket := filepath.Join(tb.TempDir(), "api.sock")
	// A unix socket path is limited to 108 bytes on Linux, and TempDir
	// includes the test name, so long names need a shorter directory.
	if len(socket) > 100 {
		dir, err := os.MkdirTemp("", "apireplay")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { os.RemoveAll(dir) })
		socket = filepath.Join(dir, "api.sock")
	}
	s, err := Listen(socket, api)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Listen serves api on a unix socket at the given path until Close, for
// programs outside tests such as the scan benchmark.
func Listen(socket string, api *API) (*Server, error) {
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", socket, err)
	}

	s := &Server{
		api:         api,
		socket:      socket,
		closing:     make(chan struct{}),
		corrupt:     map[string]bool{},
		failing:     map[string]bool{},
		vanished:    map[string]bool{},
		requests:    map[string]int{},
		inFlight:    map[string]int{},
		maxInFlight: map[string]int{},
	}
	s.server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// NewUnstartedServer has already opened a loopback TCP listener.
	s.server.Listener.Close()
	s.server.Listener = listener
	s.server.Start()
	return s, nil
}

// URL returns the address to pass to the Podman bindings: unix:///path.
func (s *Server) URL() string { return "unix://" + s.socket }

// SocketPath returns the path of the server's unix socket.
func (s *Server) SocketPath() string { return s.socket }

// Close stops the server, ending delayed and hung requests first. It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.server.Close()
	})
}

// Delay holds every request whose unversioned path matches pattern (in
// path.Match syntax, such as "/libpod/containers/*/json") for d before the
// response is sent. A request whose client gives up first gets no response.
func (s *Server) Delay(pattern string, d time.Duration) {
	if _, err := path.Match(pattern, ""); err != nil {
		panic(fmt.Sprintf("apireplay: invalid delay pattern %q: %v", pattern, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays = append(s.delays, delay{pattern: pattern, duration: d})
}

// HangPing makes every ping wait until its client gives up or the server
// closes, like a service that accepts connections and never responds.
func (s *Server) HangPing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangPing = true
}

// CorruptInspect makes inspecting the container with this full ID return
// 200 with a truncated, invalid JSON body.
func (s *Server) CorruptInspect(id string) { s.setFault(s.corrupt, id) }

// FailInspect makes inspecting the container with this full ID return 500
// with a Podman error body.
func (s *Server) FailInspect(id string) { s.setFault(s.failing, id) }

// Vanish keeps the container with this full ID in the list but returns 404
// when it is inspected, as when it is removed between the two requests.
func (s *Server) Vanish(id string) { s.setFault(s.vanished, id) }

func (s *Server) setFault(set map[string]bool, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set[id] = true
}

// Requests returns how many requests the server has received for key:
// either one of the Route constants, or an unversioned path such as
// "/libpod/containers/<id>/json". Requests that the client abandoned count
// too.
func (s *Server) Requests(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[key]
}

// MaxInFlight returns the largest number of requests to route that the
// server was handling at the same time.
func (s *Server) MaxInFlight(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight[route]
}

// versionPrefix matches the version prefix that Podman's router accepts
// (pkg/api/server/handler_api.go, VersionedPath).
var versionPrefix = regexp.MustCompile(`^/v[0-9][0-9A-Za-z.-]*(/.*)$`)

// serve routes one request. Like Podman, it accepts the ping with or
// without the version and libpod prefixes and every other endpoint only
// with both. Anything else gets a plain-text 404.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	endpoint, versioned := r.URL.Path, false
	if m := versionPrefix.FindStringSubmatch(endpoint); m != nil {
		endpoint, versioned = m[1], true
	}

	route := ""
	switch {
	case endpoint == "/_ping" || endpoint == RoutePing:
		route = RoutePing
	case !versioned:
		// Podman serves only the ping without a version prefix.
	case endpoint == RouteList || endpoint == RouteInfo || endpoint == RouteVersion:
		route = endpoint
	case inspectName(endpoint) != "":
		route = RouteInspect
	}
	if route == "" {
		http.Error(w, http.StatusText(http.StatusNotFound), http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && !(route == RoutePing && r.Method == http.MethodHead) {
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}

	done := s.track(route, endpoint)
	defer done()
	if !s.wait(r, endpoint, route) {
		// Returning would send an empty 200. Aborting closes the
		// connection without a response, as a killed service would.
		panic(http.ErrAbortHandler)
	}

	w.Header().Set("Libpod-API-Version", s.api.libpodVersion)
	w.Header().Set("API-Version", s.api.dockerVersion)
	switch route {
	case RoutePing:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		fmt.Fprint(w, "OK")
	case RouteList:
		writeJSON(w, http.StatusOK, s.api.list)
	case RouteInfo:
		writeJSON(w, http.StatusOK, s.api.info)
	case RouteVersion:
		writeJSON(w, http.StatusOK, s.api.version)
	case RouteInspect:
		s.serveInspect(w, inspectName(endpoint))
	}
}

func (s *Server) serveInspect(w http.ResponseWriter, nameOrID string) {
	id, err := s.api.Resolve(nameOrID)
	if err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}

	s.mu.Lock()
	vanished, failing, corrupt := s.vanished[id], s.failing[id], s.corrupt[id]
	s.mu.Unlock()
	doc := s.api.inspect[id]
	switch {
	case vanished:
		writeError(w, http.StatusNotFound,
			fmt.Errorf("no container with name or ID %q found: %w", nameOrID, errNoSuchContainer))
	case failing:
		writeError(w, http.StatusInternalServerError,
			fmt.Errorf("inspecting container %s: %w", id, errInjected))
	case corrupt:
		writeJSON(w, http.StatusOK, doc[:len(doc)/2])
	default:
		writeJSON(w, http.StatusOK, doc)
	}
}

// errInjected is the cause of the 500 that FailInspect sets up.
var errInjected = errors.New("fault injected by apireplay")

// inspectName returns the container name or ID of an unversioned inspect
// path, or "" when endpoint is not one.
func inspectName(endpoint string) string {
	const prefix, suffix = "/libpod/containers/", "/json"
	if !strings.HasPrefix(endpoint, prefix) || !strings.HasSuffix(endpoint, suffix) {
		return ""
	}
	name := endpoint[len(prefix) : len(endpoint)-len(suffix)]
	if strings.Contains(name, "/") {
		return ""
	}
	return name
}

// track counts a request and returns the function that ends it.
func (s *Server) track(route, endpoint string) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[route]++
	if endpoint != route {
		s.requests[endpoint]++
	}
	s.inFlight[route]++
	s.maxInFlight[route] = max(s.maxInFlight[route], s.inFlight[route])
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.inFlight[route]--
	}
}

// wait applies the delays and the hung ping that match a request. It
// returns false when the client gave up or the server is closing, and the
// request then gets no response.
func (s *Server) wait(r *http.Request, endpoint, route string) bool {
	s.mu.Lock()
	var total time.Duration
	for _, d := range s.delays {
		if ok, _ := path.Match(d.pattern, endpoint); ok {
			total += d.duration
		}
	}
	hang := s.hangPing && route == RoutePing
	s.mu.Unlock()

	var expired <-chan time.Time
	switch {
	case hang:
		// A nil channel never delivers, so only the client or Close ends it.
	case total > 0:
		timer := time.NewTimer(total)
		defer timer.Stop()
		expired = timer.C
	default:
		return true
	}
	select {
	case <-expired:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// writeJSON sends a JSON body with the Content-Type that Podman sets.
func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body)
}

// writeError sends Podman's error body (pkg/errorhandling.ErrorModel): the
// innermost error as "cause", the whole message, and the status code.
func writeError(w http.ResponseWriter, code int, err error) {
	cause := err
	for errors.Unwrap(cause) != nil {
		cause = errors.Unwrap(cause)
	}
	// Encoding two strings and an int cannot fail.
	body, _ := encodeJSON(map[string]any{"cause": cause.Error(), "message": err.Error(), "response": code})
	writeJSON(w, code, body)
}
