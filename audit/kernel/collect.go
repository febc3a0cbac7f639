package kernel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Options configures Collect.
type Options struct {
	// HostRoot is the mount point of the audited host's file system. The
	// classes and the access file are read under it.
	HostRoot string
	// Querier answers the questions; nil means the kernel, through
	// NewSelinuxfs(HostRoot). Tests inject their own.
	Querier Querier
	// Checks is the check configuration, whose type lists decide which
	// containers the MCS checks compare; nil means the built-in settings.
	// It must have passed checks.Config.Validate.
	Checks *checks.Config
	// Limits bounds the questions.
	Limits Limits
	// Skip leaves the kernel unasked, so the checks judge every access by
	// the label model. Coverage records the source as skipped by request.
	Skip   bool
	Logger *slog.Logger
}

// Collect asks the live kernel for the access decisions that the checks
// judge and appends them to snap.Decisions, sorted by source, target and
// class. It runs only when snap.Host.SELinux.State is enforcing or
// permissive, so run the host, engine, procfs and file collectors first;
// on any other host it records nothing, because there is no policy to
// ask and HOST-001 reports the cause.
//
// Coverage goes under inventory.SourceKernelAccess: complete when every
// question was answered; partial when the policy rejected a context or
// the pair bound left questions out, with one gap each; unavailable, with
// the reason, when the classes or the access file could not be used, or
// with SkippedDetail when opts.Skip is set. A
// decision whose Error is set is recorded too, and the checks judge that
// access by the label model.
func Collect(ctx context.Context, opts Options, snap *inventory.Snapshot) {
	state := snap.Host.SELinux.State
	if state != inventory.SELinuxEnforcing && state != inventory.SELinuxPermissive {
		return
	}
	if opts.HostRoot == "" {
		opts.HostRoot = "/"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	target := filepath.Join(opts.HostRoot, "sys/fs/selinux")
	if opts.Skip {
		snap.SetSource(inventory.SourceStatus{
			Source: inventory.SourceKernelAccess, Target: target, Status: inventory.StatusUnavailable,
			Detail: SkippedDetail,
		})
		opts.Logger.Info("kernel access decisions skipped by request; the checks judge by the label model")
		return
	}
	querier := opts.Querier
	if querier == nil {
		querier = NewSelinuxfs(opts.HostRoot)
	}

	asker, err := NewAsker(opts.HostRoot, querier, checks.ClassFile, checks.ClassDir, checks.ClassProcess)
	if err != nil {
		markUnavailable(snap, opts.Logger, target, err)
		return
	}

	limits := opts.Limits.withDefaults(len(snap.Containers))
	cand := checks.FindKernelCandidates(snap, opts.Checks, limits.Pairs)
	questions := BuildQuestions(snap, cand, limits)

	decisions := make([]inventory.AccessDecision, 0, len(questions))
	var stopped error
	for _, q := range questions {
		if err := ctx.Err(); err != nil {
			stopped = err
			break
		}
		d, err := asker.Ask(q)
		if err != nil {
			stopped = err
			break
		}
		decisions = append(decisions, d)
	}
	// The questions are sorted by source, target and class, so the
	// decisions are too.
	snap.Decisions = append(snap.Decisions, decisions...)

	if stopped != nil && len(decisions) == 0 {
		markUnavailable(snap, opts.Logger, target, stopped)
		return
	}
	recordCoverage(snap, opts.Logger, target, coverage{
		questions: len(questions), decisions: decisions, queries: asker.Queries(),
		omitted: cand.Omitted, pairLimit: limits.Pairs, stopped: stopped,
	})
}

// SkippedDetail is the coverage detail of a Collect with Options.Skip set.
const SkippedDetail = "skipped by request (--kernel-decisions=false): the checks judge every access by the label model"

// coverage counts the questions of one Collect and their outcome.
type coverage struct {
	questions int
	decisions []inventory.AccessDecision
	queries   int
	omitted   int
	pairLimit int
	stopped   error
}

func recordCoverage(snap *inventory.Snapshot, log *slog.Logger, target string, c coverage) {
	rejected := 0
	for _, d := range c.decisions {
		if d.Error == "" {
			continue
		}
		rejected++
		snap.AddGap(inventory.Gap{
			Source:  inventory.SourceKernelAccess,
			Subject: fmt.Sprintf("%s -> %s (%s)", d.Source, d.Target, d.Class),
			Reason:  "the kernel rejected a context as not valid in the loaded policy, so the checks judge this access by the label model",
		})
	}
	if c.omitted > 0 {
		snap.AddGap(inventory.Gap{
			Source:  inventory.SourceKernelAccess,
			Subject: "MCS reach pairs",
			Reason: fmt.Sprintf("%d pairs of contexts that MCS findings assert were not asked, because the bound is %d pairs; those findings rest on the label model",
				c.omitted, c.pairLimit),
		})
	}
	if c.stopped != nil {
		snap.AddGap(inventory.Gap{
			Source:  inventory.SourceKernelAccess,
			Subject: target,
			Reason:  fmt.Sprintf("asking stopped after %d of %d questions: %s", len(c.decisions), c.questions, unavailableReason(c.stopped)),
		})
	}

	status := inventory.StatusComplete
	if rejected > 0 || c.omitted > 0 || c.stopped != nil {
		status = inventory.StatusPartial
	}
	detail := fmt.Sprintf("%d questions answered, %d reached the kernel, %d rejected a context", len(c.decisions), c.queries, rejected)
	if c.omitted > 0 {
		detail += fmt.Sprintf(", %d pairs left out by the bound of %d", c.omitted, c.pairLimit)
	}
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceKernelAccess, Target: target, Status: status, Detail: detail})
	log.Info("kernel access decisions read", "questions", c.questions, "answered", len(c.decisions),
		"queries", c.queries, "rejected", rejected, "omitted", c.omitted, "error", c.stopped)
}

func markUnavailable(snap *inventory.Snapshot, log *slog.Logger, target string, err error) {
	reason := unavailableReason(err)
	snap.SetSource(inventory.SourceStatus{Source: inventory.SourceKernelAccess, Target: target, Status: inventory.StatusUnavailable, Detail: reason})
	snap.AddGap(inventory.Gap{Source: inventory.SourceKernelAccess, Subject: target, Reason: reason})
	log.Warn("kernel access decisions not read; the checks judge by the label model", "target", target, "error", err)
}

// unavailableReason states why the access interface could not be used
// and what to do about it.
func unavailableReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return err.Error() + ": run mcsaudit as root, in a domain that the policy allows to compute access decisions (security compute_av)"
	case errors.Is(err, fs.ErrNotExist):
		return err.Error() + ": the host's selinuxfs must be mounted at sys/fs/selinux under the host root"
	default:
		return err.Error()
	}
}
