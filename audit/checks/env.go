package checks

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

// evaluation is the state that the checks of one run share: the snapshot,
// the settings, and indexes built on first use.
type evaluation struct {
	snap     *inventory.Snapshot
	settings *settings

	views     []containerView
	domains   *domainSet
	levels    *levelIndex
	files     map[string]*inventory.FileLabel
	processes *processIndex
	decisions map[decisionKey]*inventory.AccessDecision
}

func newEvaluation(snap *inventory.Snapshot, s *settings) *evaluation {
	return &evaluation{snap: snap, settings: s}
}

// labelClass is the confinement that a container's effective process
// label shows.
type labelClass int

const (
	// classUnknown: the label could not be read.
	classUnknown labelClass = iota
	// classNotLabeled: the engine assigned no label and no process label
	// was read.
	classNotLabeled
	// classMalformed: the label does not parse, has the role object_r, or
	// names a file type as the process type.
	classMalformed
	// classUnknownType: the type is in neither list of the classifier.
	classUnknownType
	classConfined
	classUnconfined
)

// containerView is one container with its effective process label: the
// label the kernel enforces, read from procfs, where a process of the
// container was read, and the label inspect reports otherwise.
type containerView struct {
	index int
	c     *inventory.Container

	label inventory.Label
	// fromKernel is true when label was read from procfs, from the
	// process sourcePID.
	fromKernel bool
	sourcePID  int
	// unread is a process of the container whose label was not read,
	// when label fell back to inspect because of it.
	unread *inventory.Process

	class labelClass
	// reason explains classUnknown and classMalformed.
	reason  string
	context seclabel.Context
	// hasLevel is true for a confined type with a range; level returns
	// that range.
	hasLevel bool
}

// level returns the range of the effective process label.
func (v *containerView) level() seclabel.Range {
	r, _ := v.context.Range()
	return r
}

// labelSource names where the effective label came from, for evidence.
func (v *containerView) labelSource() string {
	switch {
	case v.fromKernel:
		return "kernel, /proc/" + strconv.Itoa(v.sourcePID) + "/attr/current"
	case v.unread != nil:
		return fmt.Sprintf("inspect ProcessLabel; the label of pid %d was not read: %s", v.unread.PID, v.unread.Label.Reason)
	default:
		return "inspect ProcessLabel; no process of the container was read"
	}
}

// typeName returns the effective process type, or "" when none was read.
func (v *containerView) typeName() string {
	return v.context.Type()
}

// running reports whether the container has processes now.
func (v *containerView) running() bool {
	return v.c.State == "running" || v.c.State == "paused"
}

// containerViews returns one view per container, in snapshot order.
func (e *evaluation) containerViews() []containerView {
	if e.views != nil {
		return e.views
	}
	procs := e.processesByContainer()
	e.views = make([]containerView, len(e.snap.Containers))
	for i := range e.snap.Containers {
		c := &e.snap.Containers[i]
		v := &e.views[i]
		v.index, v.c = i, c
		setEffectiveLabel(v, procs.of(c.ID))
		e.classify(v)
	}
	return e.views
}

// setEffectiveLabel picks the label a container's processes run with.
// Among the container's processes whose label was read, it prefers the one
// whose PID the engine reports as the container's, then the lowest PID,
// which is the init process for a container seen only through procfs.
// Without such a process it falls back to inspect's ProcessLabel.
func setEffectiveLabel(v *containerView, procs []*inventory.Process) {
	var chosen *inventory.Process
	for _, p := range procs {
		if p.Label.State != inventory.Labeled {
			if v.unread == nil {
				v.unread = p
			}
			continue
		}
		if chosen == nil || p.PID == v.c.PID {
			chosen = p
		}
		if p.PID == v.c.PID {
			break
		}
	}
	if chosen != nil {
		v.label, v.fromKernel, v.sourcePID, v.unread = chosen.Label, true, chosen.PID, nil
		return
	}
	v.label = v.c.ProcessLabel
}

func (e *evaluation) classify(v *containerView) {
	switch v.label.State {
	case inventory.Labeled:
	case inventory.NotLabeled:
		v.class = classNotLabeled
		return
	default:
		v.class = classUnknown
		v.reason = "process label unknown"
		if v.label.Reason != "" {
			v.reason += ": " + v.label.Reason
		}
		if v.c.InspectError != "" && v.label.Reason != v.c.InspectError {
			v.reason += " (inspect failed: " + v.c.InspectError + ")"
		}
		return
	}

	ctx, err := seclabel.ParseContext(v.label.Value)
	if err != nil {
		v.class, v.reason = classMalformed, err.Error()
		return
	}
	v.context = ctx
	switch {
	case ctx.Role() == "object_r":
		v.class, v.reason = classMalformed, "the role object_r is the role of files, not of processes"
		return
	case e.settings.isFileType(ctx.Type()) && e.settings.classifier.ClassifyProcess(ctx.Type()) == seclabel.DomainUnknown:
		v.class, v.reason = classMalformed, fmt.Sprintf("%s is a file type, not a process domain", ctx.Type())
		return
	}
	switch e.settings.classifier.ClassifyProcess(ctx.Type()) {
	case seclabel.DomainConfined:
		v.class = classConfined
		_, v.hasLevel = ctx.Range()
	case seclabel.DomainUnconfined:
		v.class = classUnconfined
	default:
		v.class = classUnknownType
	}
}

// labelNotEvaluated returns the not-evaluated record for a container
// whose label a check needs but cannot judge, and false for a container
// the check can judge.
func (e *evaluation) labelNotEvaluated(v *containerView) (NotEvaluated, bool) {
	var reason string
	switch v.class {
	case classUnknown:
		reason = v.reason
	case classUnknownType:
		reason = fmt.Sprintf("process type %s is in neither the confined nor the unconfined list: add it to confinedTypes or unconfinedTypes in the check configuration",
			v.typeName())
	case classMalformed:
		reason = "process label " + quoteLabel(v.label) + " is malformed (TYPE-004): " + v.reason
	case classConfined:
		if v.hasLevel {
			return NotEvaluated{}, false
		}
		reason = "process label " + v.label.Value + " has no MCS level: the policy has no MLS or MCS"
	default:
		return NotEvaluated{}, false
	}
	return NotEvaluated{Subject: ContainerSubject(*v.c), Reason: reason}, true
}

// processIndex lists the snapshot's processes by container ID, each
// container's processes sorted by PID, in one flat slice.
type processIndex struct {
	sorted []*inventory.Process
	spans  map[string][2]int32
}

// of returns the processes of one container.
func (x *processIndex) of(containerID string) []*inventory.Process {
	span, ok := x.spans[containerID]
	if !ok {
		return nil
	}
	return x.sorted[span[0]:span[1]]
}

func (e *evaluation) processesByContainer() *processIndex {
	if e.processes != nil {
		return e.processes
	}
	procs := e.snap.Processes
	x := &processIndex{sorted: make([]*inventory.Process, len(procs)), spans: make(map[string][2]int32, len(procs))}

	// Count the processes of each container, turn the counts into
	// offsets, then place each process at its container's next offset.
	for i := range procs {
		span := x.spans[procs[i].ContainerID]
		span[1]++
		x.spans[procs[i].ContainerID] = span
	}
	var offset int32
	for id, span := range x.spans {
		x.spans[id] = [2]int32{offset, offset}
		offset += span[1]
	}

	for i := range procs {
		p := &procs[i]
		span := x.spans[p.ContainerID]
		x.sorted[span[1]] = p
		span[1]++
		x.spans[p.ContainerID] = span
	}

	for _, span := range x.spans {
		if list := x.sorted[span[0]:span[1]]; len(list) > 1 {
			sort.Slice(list, func(i, j int) bool { return list[i].PID < list[j].PID })
		}
	}
	e.processes = x
	return x
}

// fileLabels indexes the snapshot's file labels by cleaned path.
func (e *evaluation) fileLabels() map[string]*inventory.FileLabel {
	if e.files != nil {
		return e.files
	}
	e.files = make(map[string]*inventory.FileLabel, len(e.snap.Files))
	for i := range e.snap.Files {
		f := &e.snap.Files[i]
		e.files[filepath.Clean(f.Path)] = f
	}
	return e.files
}

// sourceRead reports whether a collector read the given evidence source,
// completely or in part. A source missing from the coverage was never
// collected, so its absence proves nothing.
func (e *evaluation) sourceRead(src inventory.Source) bool {
	for _, s := range e.snap.Coverage.Sources {
		if s.Source == src && (s.Status == inventory.StatusComplete || s.Status == inventory.StatusPartial) {
			return true
		}
	}
	return false
}

// selinuxOn reports whether the host runs SELinux, enforcing or permissive.
func (e *evaluation) selinuxOn() bool {
	st := e.snap.Host.SELinux.State
	return st == inventory.SELinuxEnforcing || st == inventory.SELinuxPermissive
}

// labelEvidence describes a container's effective label and its source.
func (v *containerView) labelEvidence() Evidence {
	return Evidence{Name: "process label of " + containerName(*v.c), Value: quoteLabel(v.label) + " (" + v.labelSource() + ")"}
}

func quoteLabel(l inventory.Label) string {
	if l.State == inventory.Labeled {
		return l.Value
	}
	return describeLabel(l)
}
