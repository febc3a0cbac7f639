package podman

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	neturl "net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containers/podman/v5/pkg/bindings"
	"github.com/containers/podman/v5/pkg/bindings/containers"
	"github.com/containers/podman/v5/pkg/bindings/system"
	"github.com/containers/podman/v5/pkg/domain/entities/types"
	"github.com/containers/podman/v5/pkg/errorhandling"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// DefaultConcurrency is how many inspect requests run at once by default.
const DefaultConcurrency = 8

// Options configures one Podman collection.
type Options struct {
	// URL is the API address; empty means ResolveURL("").
	URL string
	// Timeout bounds each API request, the first ping included.
	Timeout time.Duration
	// Concurrency bounds the inspect requests in flight.
	Concurrency int
	// UID is the user a rootless service runs as, when the caller knows it
	// (from the socket's /run/user/<uid> path); nil for the root service.
	UID    *int
	Logger *slog.Logger
}

// Collect lists the running containers of one Podman service, inspects
// each, and adds them, the engine and the coverage to snap. It returns an
// error wrapping ErrUnreachable when the service cannot be reached or
// listed, and an error wrapping ctx.Err() when ctx ends during the
// inspects, leaving snap without this engine's containers. A container
// that fails to inspect is recorded as a gap and the collection goes on.
func Collect(ctx context.Context, opts Options, snap *inventory.Snapshot) error {
	opts = withDefaults(opts)
	log := opts.Logger.With("engine", "podman", "url", opts.URL)

	engine := inventory.Engine{Name: "podman", URL: opts.URL, UID: opts.UID}
	c, err := connect(ctx, opts.URL, opts.Timeout)
	if err != nil {
		engine.Error = err.Error()
		snap.Engines = append(snap.Engines, engine)
		snap.SetSource(inventory.SourceStatus{
			Source: inventory.SourcePodman, Target: opts.URL,
			Status: inventory.StatusUnavailable, Detail: err.Error(),
		})
		return err
	}
	c.widenIdlePool(opts.Concurrency)
	engine.Reachable = true
	engine.Version = bindings.ServiceVersion(c.base).String()
	log.Debug("connected", "apiVersion", engine.Version)

	// podman info is the slowest call of a scan (about 0.4 s of the
	// service's CPU with 200 containers, as it gathers storage and network
	// state), and it returns only two facts the scan needs: whether the
	// engine is rootless and whether its SELinux labeling is on. It is
	// asked only when neither the socket nor the containers tell, and
	// then alongside the other calls.
	rootless, rootlessKnown := socketRootless(opts.URL)
	infoEngine := engine
	var infoDone chan []inventory.Gap
	startInfo := func() {
		infoDone = make(chan []inventory.Gap, 1)
		go func() { infoDone <- c.readInfo(ctx, &infoEngine) }()
	}
	waitInfo := func() []inventory.Gap {
		if infoDone == nil {
			return nil
		}
		g := <-infoDone
		infoDone = nil
		engine.SELinuxEnabled, engine.Rootless = infoEngine.SELinuxEnabled, infoEngine.Rootless
		return g
	}
	engine.Rootless = rootless
	if !rootlessKnown {
		startInfo()
	}

	listed, err := c.list(ctx)
	if err != nil {
		waitInfo()
		err = &ConnectError{URL: opts.URL, Reason: "listing containers failed: " + err.Error(), Err: err}
		engine.Error = err.Error()
		snap.Engines = append(snap.Engines, engine)
		snap.SetSource(inventory.SourceStatus{
			Source: inventory.SourcePodman, Target: opts.URL,
			Status: inventory.StatusUnavailable, Detail: err.Error(),
		})
		return err
	}

	ref := inventory.EngineRef{Name: engine.Name, URL: engine.URL, UID: engine.UID}
	found, inspectGaps := c.inspectAll(ctx, listed, ref, opts.Concurrency, log)
	labeled := anyLabeled(found)
	if infoDone == nil && !labeled && snap.Host.SELinux.State != inventory.SELinuxDisabled {
		// No container shows whether the engine labels containers, and
		// on a host with SELinux that decides HOST-005 and TYPE-002.
		startInfo()
	}
	gaps := waitInfo()
	if engine.SELinuxEnabled == nil && labeled {
		// An engine that assigned process labels has its labeling on.
		on := true
		engine.SELinuxEnabled = &on
	}
	// Each container carries the engine's rootless flag, which may have
	// come from info, so it is set once info is in.
	for i := range found {
		found[i].Engine.Rootless = engine.Rootless
	}
	gaps = append(gaps, inspectGaps...)
	if err := ctx.Err(); err != nil {
		// inspectAll skipped the containers left when ctx ended, without
		// a result or a gap, so the snapshot would be silently incomplete.
		return fmt.Errorf("podman at %s: collection stopped before every container was inspected: %w", opts.URL, err)
	}

	snap.Engines = append(snap.Engines, engine)
	snap.Containers = append(snap.Containers, found...)
	for _, g := range gaps {
		snap.AddGap(g)
	}
	status := inventory.StatusComplete
	detail := fmt.Sprintf("%d running containers listed, %d inspected", len(listed), countInspected(found))
	if len(gaps) > 0 {
		status = inventory.StatusPartial
		detail += fmt.Sprintf(", %d gaps", len(gaps))
	}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourcePodman, Target: opts.URL, Status: status, Detail: detail})
	log.Info("collected containers", "listed", len(listed), "gaps", len(gaps))
	return nil
}

func withDefaults(opts Options) Options {
	opts.URL = ResolveURL(opts.URL)
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// widenIdlePool keeps one idle connection per concurrent request. The
// bindings' transport keeps Go's default of two, so more parallel
// inspects would open and close a connection per request.
func (c *conn) widenIdlePool(n int) {
	client, err := bindings.GetClient(c.base)
	if err != nil {
		return
	}
	if tr, ok := client.Client.Transport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = n
	}
}

// readInfo fills the engine's security settings from podman info. A
// failure is a gap: the containers can still be audited.
func (c *conn) readInfo(ctx context.Context, engine *inventory.Engine) []inventory.Gap {
	reqCtx, done := c.request(ctx)
	defer done()
	info, err := system.Info(reqCtx, nil)
	if err != nil {
		return []inventory.Gap{{
			Source: inventory.SourcePodman, Subject: c.url,
			Reason: "podman info failed, engine SELinux settings unknown: " + err.Error(),
		}}
	}
	if info.Host != nil {
		enabled := info.Host.Security.SELinuxEnabled
		engine.SELinuxEnabled = &enabled
		engine.Rootless = info.Host.Security.Rootless
	}
	return nil
}

func (c *conn) list(ctx context.Context) ([]types.ListContainer, error) {
	reqCtx, done := c.request(ctx)
	defer done()
	return containers.List(reqCtx, nil)
}

// inspectAll inspects the listed containers with at most n requests in
// flight and returns them sorted by name and ID.
func (c *conn) inspectAll(ctx context.Context, listed []types.ListContainer, ref inventory.EngineRef,
	n int, log *slog.Logger) ([]inventory.Container, []inventory.Gap) {
	results := make([]*inventory.Container, len(listed))
	gapLists := make([][]inventory.Gap, len(listed))

	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i := range listed {
		// Start no inspect once ctx is done: it would fail at once, and
		// only after the bindings' retry pauses (600 ms in total).
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], gapLists[i] = c.inspectOne(ctx, listed[i], ref, log)
		}()
	}
	wg.Wait()

	found := make([]inventory.Container, 0, len(listed))
	var gaps []inventory.Gap
	for i, r := range results {
		if r != nil {
			found = append(found, *r)
		}
		gaps = append(gaps, gapLists[i]...)
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Name != found[j].Name {
			return found[i].Name < found[j].Name
		}
		return found[i].ID < found[j].ID
	})
	return found, gaps
}

// inspectOne inspects one listed container. A container that is gone by
// the time it is inspected returns nil and a gap. Any other failure keeps
// the container with what the list call gave, its labels marked unknown.
func (c *conn) inspectOne(ctx context.Context, lc types.ListContainer, ref inventory.EngineRef,
	log *slog.Logger) (*inventory.Container, []inventory.Gap) {
	reqCtx, done := c.request(ctx)
	defer done()

	data, err := containers.Inspect(reqCtx, lc.ID, nil)
	if err == nil {
		ctr := FromInspect(data, ref)
		ctr.PodName = lc.PodName
		return &ctr, nil
	}

	name := firstName(lc.Names)
	subject := fmt.Sprintf("container %s (%s)", name, shortID(lc.ID))
	var apiErr *errorhandling.ErrorModel
	if errors.As(err, &apiErr) && apiErr.ResponseCode == http.StatusNotFound {
		log.Info("container disappeared between list and inspect", "container", lc.ID, "name", name)
		return nil, []inventory.Gap{{
			Source: inventory.SourcePodman, Subject: subject,
			Reason: "container disappeared between list and inspect",
		}}
	}
	log.Warn("inspect failed", "container", lc.ID, "name", name, "error", err)
	reason := summarizeInspectError(err)
	ctr := FromList(lc, ref, "inspect failed: "+reason)
	return &ctr, []inventory.Gap{{
		Source: inventory.SourcePodman, Subject: subject,
		Reason: "inspect failed, labels and mounts unknown: " + reason,
	}}
}

func countInspected(found []inventory.Container) int {
	n := 0
	for _, c := range found {
		if c.InspectError == "" {
			n++
		}
	}
	return n
}

// maxReasonLength caps an error kept in the snapshot and the report.
const maxReasonLength = 300

// summarizeInspectError shortens an inspect error for the report. On
// invalid JSON the bindings' error embeds a dump of the whole empty
// inspect structure and the response body, thousands of characters that
// say no more than the decoder's own message.
func summarizeInspectError(err error) string {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("invalid JSON in the inspect response at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("unexpected JSON in the inspect response: %v", typeErr)
	}
	msg := err.Error()
	if len(msg) > maxReasonLength {
		msg = msg[:maxReasonLength] + "..."
	}
	return msg
}

// anyLabeled reports whether the engine assigned any container a process
// label.
func anyLabeled(found []inventory.Container) bool {
	for _, c := range found {
		if c.ProcessLabel.State == inventory.Labeled {
			return true
		}
	}
	return false
}

// socketRootless reports from a unix socket whether its service is rootless:
// a socket under /run/user/<uid>/ belongs to that user's service, and one
// owned by root to a rootful service. known is false when neither holds,
// such as for tcp:// and ssh:// addresses.
func socketRootless(raw string) (rootless, known bool) {
	u, err := neturl.Parse(raw)
	if err != nil || u.Scheme != "unix" {
		return false, false
	}
	if strings.Contains(u.Path, "/run/user/") {
		return true, true
	}
	info, err := os.Stat(u.Path)
	if err != nil {
		return false, false
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Uid == 0 {
		return false, true
	}
	return false, false
}
