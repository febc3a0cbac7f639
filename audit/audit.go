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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/collect/host"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Options configures one audit.
type Options struct {
	// HostRoot is where the audited host's file system is mounted: "/" on
	// the host itself, "/host" when mcsaudit runs in a container.
	HostRoot string
	Podman   podman.Options
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
// service; unreadable evidence is recorded as coverage gaps instead.
func Run(ctx context.Context, opts Options) (*Result, error) {
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

	snap := inventory.New(hostname(opts.HostRoot), opts.Now())
	collectHost(snap, opts.HostRoot, opts.Logger)

	if err := podman.Collect(ctx, opts.Podman, snap); err != nil {
		return nil, fmt.Errorf("collecting containers: %w", err)
	}
	return Evaluate(snap), nil
}

// Evaluate runs the check catalog over a snapshot collected earlier.
func Evaluate(snap *inventory.Snapshot) *Result {
	res := checks.Run(snap, checks.Catalog())
	return &Result{Snapshot: snap, Findings: res.Findings, NotEvaluated: res.NotEvaluated}
}

func collectHost(snap *inventory.Snapshot, root string, log *slog.Logger) {
	snap.Host.HostRoot = root
	snap.Host.SELinux = host.ReadSELinux(root)
	st := inventory.SourceStatus{
		Source: inventory.SourceHostSELinux, Target: root,
		Status: inventory.StatusComplete, Detail: snap.Host.SELinux.StateReason,
	}
	if snap.Host.SELinux.State == inventory.SELinuxUnknown {
		st.Status = inventory.StatusUnavailable
		snap.AddGap(inventory.Gap{Source: inventory.SourceHostSELinux, Subject: root, Reason: snap.Host.SELinux.StateReason})
	}
	snap.SetSource(st)
	log.Debug("read host SELinux state", "hostRoot", root, "state", snap.Host.SELinux.State, "reason", snap.Host.SELinux.StateReason)
}

// hostname reads the audited host's name from its procfs or /etc under the
// host root, and falls back to this machine's name.
func hostname(root string) string {
	for _, rel := range []string{"proc/sys/kernel/hostname", "etc/hostname"} {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err == nil {
			if name := strings.TrimSpace(string(data)); name != "" {
				return name
			}
		}
	}
	name, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return name
}
