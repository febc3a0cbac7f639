// Package audit runs one mcsaudit audit: it collects a Snapshot of the
// host, evaluates the check catalog over it, and returns the Result that
// report writers print.
//
//	res, err := audit.Run(ctx, audit.Options{HostRoot: "/", Podman: podman.Options{Timeout: 30 * time.Second}})
//	if err != nil {
//		return err // the audit could not run
//	}
//	fmt.Println(len(res.Findings), "findings")
package audit

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/collect/files"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/collect/procfs"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/kernel"
)

// Options configures one audit.
type Options struct {
	// HostRoot is where the audited host's file system is mounted: "/" on
	// the host itself, "/host" when mcsaudit runs in a container.
	HostRoot string
	// PodmanURLs are the Podman services to query. Empty means
	// CONTAINER_HOST when set, else the services found under HostRoot.
	PodmanURLs []string
	// Podman holds the settings shared by every Podman service queried;
	// its URL and UID are set per service.
	Podman podman.Options
	// IsRoot is true when the caller runs as root. Only then are other
	// users' rootless services looked for.
	IsRoot bool
	// Files bounds the walk inside writable mount sources; its HostRoot
	// and Logger are set from the fields above.
	Files files.Options
	// Kernel bounds the access questions asked of the kernel and may
	// replace its querier; its HostRoot, Checks and Logger are set from
	// the fields here.
	Kernel kernel.Options
	// Checks configures the check catalog; nil means the built-in settings.
	Checks *checks.Config
	// Now returns the current time; tests inject a fixed clock.
	Now    func() time.Time
	Logger *slog.Logger
}

// Result is one audit's snapshot and what the checks concluded.
type Result struct {
	Snapshot     *inventory.Snapshot
	Findings     []checks.Finding
	NotEvaluated []checks.NotEvaluated
}

// Run collects evidence and evaluates every check. It returns an error
// only when the audit cannot run at all, such as an unreachable Podman
// service. Unreadable evidence is recorded as coverage gaps instead.
func Run(ctx context.Context, opts Options) (*Result, error) {
	snap, err := Collect(ctx, opts)
	if err != nil {
		return nil, err
	}
	return Evaluate(snap, opts.Checks), nil
}

// Collect gathers the evidence of one host into a Snapshot without judging
// it. It fails when an engine named in PodmanURLs (or CONTAINER_HOST)
// cannot be queried, or when no engine at all can.
func Collect(ctx context.Context, opts Options) (*inventory.Snapshot, error) {
	opts = withDefaults(opts)

	snap := inventory.New(hostname(opts.HostRoot), opts.Now())
	collectHost(snap, opts.HostRoot, opts.Logger)

	if err := collectEngines(ctx, opts, snap); err != nil {
		return nil, fmt.Errorf("collecting containers: %w", err)
	}

	// procfs joins processes with the engines' containers by ID and adds
	// the containers no engine reported, so it runs after the engines.
	procfs.Collect(ctx, procfs.Options{HostRoot: opts.HostRoot, Logger: opts.Logger}, snap)
	noteProcfsOnly(snap)

	fo := opts.Files
	fo.HostRoot, fo.Logger = opts.HostRoot, opts.Logger
	files.Collect(ctx, fo, snap)

	// The kernel's access decisions are asked about what the collectors
	// above recorded, so they come last.
	ko := opts.Kernel
	ko.HostRoot, ko.Checks, ko.Logger = opts.HostRoot, opts.Checks, opts.Logger
	kernel.Collect(ctx, ko, snap)
	return snap, nil
}

func withDefaults(opts Options) Options {
	if opts.HostRoot == "" {
		opts.HostRoot = "/"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Podman.Logger == nil {
		opts.Podman.Logger = opts.Logger
	}
	return opts
}

// Evaluate runs the check catalog over a snapshot collected earlier. A nil
// cfg means the built-in settings.
func Evaluate(snap *inventory.Snapshot, cfg *checks.Config) *Result {
	res := checks.RunWithConfig(snap, checks.Catalog(), cfg)
	return &Result{Snapshot: snap, Findings: res.Findings, NotEvaluated: res.NotEvaluated}
}

// noteProcfsOnly records, as one coverage gap, the containers found only
// through /proc: their process labels are known, but not the engine
// settings (privileged, label=disable, mounts) that most checks judge.
func noteProcfsOnly(snap *inventory.Snapshot) {
	var names []string
	for _, c := range snap.Containers {
		if c.DiscoveredBy == inventory.DiscoveredByProcfs {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return
	}
	shown := names
	if len(shown) > 5 {
		shown = shown[:5]
	}
	reason := fmt.Sprintf("%d containers were seen only through /proc (%s", len(names), strings.Join(shown, ", "))
	if len(names) > len(shown) {
		reason += fmt.Sprintf(" and %d more", len(names)-len(shown))
	}
	reason += "): no queried engine API reported them, so their settings and mounts are unknown; " +
		"pass their engine's socket with --url (as root, rootless users' sockets are found by themselves)"
	snap.AddGap(inventory.Gap{Source: inventory.SourceProcfs, Subject: "containers without an engine API", Reason: reason})
}
