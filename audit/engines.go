package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// endpoint is one Podman service to query.
type endpoint struct {
	url string
	// uid is the owner of a rootless service found under /run/user/<uid>.
	uid *int
	// required endpoints were named by the user (--url, CONTAINER_HOST):
	// failing to reach one stops the audit. Discovered ones become gaps.
	required bool
}

// rootlessSocketGlob matches every rootless user's Podman API socket.
const rootlessSocketGlob = "run/user/*/podman/podman.sock"

// podmanEndpoints decides which Podman services to query. Explicit URLs
// (or CONTAINER_HOST) are queried alone. Otherwise the root service's
// socket under the host root is queried, plus every rootless user's socket
// under run/user when the caller is root (only the caller's own otherwise):
// each engine reserves MCS levels only among its own containers, so a
// host-wide audit must see them all.
func podmanEndpoints(hostRoot string, explicit []string, isRoot bool) []endpoint {
	if len(explicit) > 0 {
		eps := make([]endpoint, 0, len(explicit))
		seen := map[string]bool{}
		for _, u := range explicit {
			// The same service named twice, even by another spelling of
			// its socket path, would list every container twice.
			key := canonicalURL(u)
			if seen[key] {
				continue
			}
			seen[key] = true
			eps = append(eps, endpoint{url: u, uid: uidFromURL(u), required: true})
		}
		return eps
	}
	if env := os.Getenv("CONTAINER_HOST"); env != "" {
		return []endpoint{{url: env, uid: uidFromURL(env), required: true}}
	}

	rootful := "unix://" + filepath.Join(hostRoot, "run/podman/podman.sock")
	eps := []endpoint{{url: rootful}}
	if !isRoot {
		// An ordinary user can open only their own rootless socket.
		own := filepath.Join(hostRoot, "run/user", strconv.Itoa(os.Geteuid()), "podman/podman.sock")
		if _, err := os.Stat(own); err == nil {
			u := "unix://" + own
			eps = append(eps, endpoint{url: u, uid: uidFromURL(u)})
		}
		return eps
	}
	sockets, _ := filepath.Glob(filepath.Join(hostRoot, rootlessSocketGlob))
	sort.Strings(sockets)
	for _, s := range sockets {
		u := "unix://" + s
		eps = append(eps, endpoint{url: u, uid: uidFromURL(u)})
	}
	return eps
}

// uidFromURL reads the user ID from a unix socket URL under /run/user/<uid>/.
func uidFromURL(u string) *int {
	_, rest, ok := strings.Cut(u, "/run/user/")
	if !ok {
		return nil
	}
	digits, _, _ := strings.Cut(rest, "/")
	uid, err := strconv.Atoi(digits)
	if err != nil || uid < 0 {
		return nil
	}
	return &uid
}

// collectEngines queries every endpoint. It fails when a required
// endpoint is unreachable, or when no endpoint at all could be reached;
// an unreachable discovered endpoint is a coverage gap.
func collectEngines(ctx context.Context, opts Options, snap *inventory.Snapshot) error {
	eps := podmanEndpoints(opts.HostRoot, opts.PodmanURLs, opts.IsRoot)
	var failures []error
	reached := 0
	for _, ep := range eps {
		po := opts.Podman
		po.URL, po.UID = ep.url, ep.uid
		err := podman.Collect(ctx, po, snap)
		switch {
		case err == nil:
			reached++
		case ep.required || !errors.Is(err, podman.ErrUnreachable):
			return err
		default:
			failures = append(failures, err)
			reason := err.Error()
			if !opts.IsRoot && errors.Is(err, fs.ErrPermission) {
				reason += " (root would provide it)"
			}
			snap.AddGap(inventory.Gap{Source: inventory.SourcePodman, Subject: ep.url, Reason: reason})
			opts.Logger.Info("podman service not reachable", "url", ep.url, "error", err)
		}
	}
	return engineOutcome(reached, failures, opts.IsRoot)
}

// engineOutcome decides whether an audit with no reachable engine can
// still run. An ordinary user kept from the root service by its socket's
// permissions still gets the host state, processes and file labels it can
// read, with the engine listed as a gap; with no engine at all, or one
// that is down, there is nothing to audit.
func engineOutcome(reached int, failures []error, isRoot bool) error {
	if reached > 0 {
		return nil
	}
	if len(failures) == 0 {
		return fmt.Errorf("no Podman service to audit")
	}
	if !isRoot {
		for _, err := range failures {
			if !errors.Is(err, fs.ErrPermission) {
				return failures[0]
			}
		}
		return nil
	}
	return failures[0]
}

// canonicalURL returns a unix URL with its socket path cleaned and its
// symlinks resolved, and any other URL unchanged.
func canonicalURL(raw string) string {
	path, ok := strings.CutPrefix(raw, "unix://")
	if !ok {
		return raw
	}
	path = filepath.Clean(path)
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	return "unix://" + path
}
