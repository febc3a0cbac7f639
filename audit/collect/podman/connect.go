// Package podman collects containers from a Podman API service through the
// official bindings (github.com/containers/podman/v5/pkg/bindings), which
// read Podman 4.x and 5.x servers alike.
//
//	snap := inventory.New(hostname, time.Now())
//	err := podman.Collect(ctx, podman.Options{URL: "unix:///run/podman/podman.sock"}, snap)
package podman

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	neturl "net/url"
	"os"
	"syscall"
	"time"

	"github.com/containers/podman/v5/pkg/bindings"
)

// DefaultURL is the rootful Podman API socket that podman.socket serves.
const DefaultURL = "unix:///run/podman/podman.sock"

// ErrUnreachable is wrapped by every error that means the Podman service
// could not be reached at all; callers test for it with errors.Is.
var ErrUnreachable = errors.New("podman service unreachable")

// ConnectError is the error for a Podman service that could not be reached.
// Its message names the address and the fix.
type ConnectError struct {
	URL    string
	Reason string
	Fix    string
	Err    error
}

func (e *ConnectError) Error() string {
	msg := fmt.Sprintf("podman at %s: %s", e.URL, e.Reason)
	if e.Fix != "" {
		msg += ": " + e.Fix
	}
	return msg
}

// Unwrap returns both ErrUnreachable and the underlying cause.
func (e *ConnectError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// ValidateURL checks an API address before the bindings see it: their
// own error for a bad address blames CONTAINER_HOST whatever its source.
func ValidateURL(raw string) error {
	if raw == "" {
		return errors.New(`empty address: want unix:///path, tcp://host:port or ssh://user@host/path`)
	}
	u, err := neturl.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	switch u.Scheme {
	case "unix":
		if u.Path == "" && u.Host == "" {
			return fmt.Errorf("%q names no socket path: want unix:///path/to/podman.sock", raw)
		}
	case "tcp":
		if u.Hostname() == "" || u.Port() == "" {
			return fmt.Errorf("%q needs a host and a port: want tcp://host:port", raw)
		}
	case "ssh":
		if u.Hostname() == "" {
			return fmt.Errorf("%q needs a host: want ssh://user@host/path", raw)
		}
	default:
		return fmt.Errorf("%q has scheme %q: want unix, tcp or ssh", raw, u.Scheme)
	}
	return nil
}

// ResolveURL picks the API address: the explicit value, else CONTAINER_HOST
// (the variable the podman remote client reads), else DefaultURL.
func ResolveURL(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if env := os.Getenv("CONTAINER_HOST"); env != "" {
		return env
	}
	return DefaultURL
}

// conn is a connection to one Podman service. The bindings keep their
// client in a context value and have no timeout of their own, so every
// request gets a fresh deadline derived from base.
type conn struct {
	url     string
	base    context.Context
	timeout time.Duration
}

// connect opens a connection and pings the service within timeout.
func connect(ctx context.Context, url string, timeout time.Duration) (*conn, error) {
	pingCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	connCtx, err := bindings.NewConnection(pingCtx, url)
	if err != nil {
		return nil, classifyConnectError(url, timeout, err)
	}
	// The bindings derive every later request from the context given to
	// NewConnection; detach it from the ping's deadline so it does not
	// expire with it.
	return &conn{url: url, base: context.WithoutCancel(connCtx), timeout: timeout}, nil
}

// request returns a context for one API call: it carries the connection,
// expires after the per-request timeout, and ends early when ctx does.
func (c *conn) request(ctx context.Context) (context.Context, context.CancelFunc) {
	reqCtx, cancel := context.WithTimeout(c.base, c.timeout)
	stop := context.AfterFunc(ctx, cancel)
	return reqCtx, func() {
		stop()
		cancel()
	}
}

// classifyConnectError turns a bindings connection error into a
// ConnectError that names the cause and the fix.
func classifyConnectError(url string, timeout time.Duration, err error) error {
	const fixStart = `start it with "systemctl enable --now podman.socket" (rootless: "systemctl --user enable --now podman.socket") or pass --url`
	e := &ConnectError{URL: url, Err: err}
	switch {
	case errors.Is(err, context.Canceled):
		e.Reason = "interrupted before the service answered"
	case isNotSocket(url):
		e.Reason = "the path exists but is not a socket"
		e.Fix = "pass --url with the Podman API socket, such as " + DefaultURL
	case errors.Is(err, fs.ErrNotExist):
		e.Reason = "socket not found"
		e.Fix = fixStart
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Reason = "connection refused (no service is listening)"
		e.Fix = fixStart
	case errors.Is(err, fs.ErrPermission):
		e.Reason = "permission denied opening the socket"
		e.Fix = "run mcsaudit as root, or pass --url with a socket your user may open"
	case errors.Is(err, context.DeadlineExceeded):
		e.Reason = fmt.Sprintf("no answer within %s", timeout)
		e.Fix = "check that the service is healthy, or raise --timeout"
	default:
		e.Reason = err.Error()
		e.Fix = "check --url (unix:///path, tcp://host:port or ssh://user@host/path)"
	}
	return e
}

// isNotSocket reports whether a unix URL names an existing file that is
// not a socket. Connecting to one fails with "connection refused", which
// would send the user looking for a stopped service.
func isNotSocket(raw string) bool {
	u, err := neturl.Parse(raw)
	if err != nil || u.Scheme != "unix" {
		return false
	}
	info, err := os.Stat(u.Path)
	return err == nil && info.Mode().Type() != fs.ModeSocket
}
