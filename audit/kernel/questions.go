package kernel

import (
	"cmp"
	"path/filepath"
	"slices"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Default question bounds.
const (
	// DefaultSampleLabels is how many of the labels found below one mount
	// source are asked about, the most frequent first. The file collector
	// reads at most a few thousand entries per source, so more distinct
	// labels than this are rare.
	DefaultSampleLabels = 32
	// PairsPerContainer and PairsBase set the default bound on the
	// MCS-001 and MCS-002 pairs asked: PairsPerContainer per container
	// plus PairsBase. One range that dominates every other container
	// yields two pairs per container, its process against their files and
	// against their processes, so the default covers it twice over.
	PairsPerContainer = 4
	PairsBase         = 256
)

// Limits bounds the questions of one scan, so that their number grows
// with the containers and mounts, never with pairs of containers.
type Limits struct {
	// SampleLabels bounds the sampled labels asked per mount source;
	// zero means DefaultSampleLabels.
	SampleLabels int
	// Pairs bounds the MCS-001 and MCS-002 pairs asked; zero means
	// PairsPerContainer per container plus PairsBase. Pairs beyond it are
	// taken in finding order and the rest left out, so the findings
	// listed first are answered in full rather than every finding in
	// part.
	Pairs int
}

func (l Limits) withDefaults(containers int) Limits {
	if l.SampleLabels <= 0 {
		l.SampleLabels = DefaultSampleLabels
	}
	if l.Pairs <= 0 {
		l.Pairs = PairsPerContainer*containers + PairsBase
	}
	return l
}

// BuildQuestions returns the questions to ask about snap, each (source,
// target, class) once, sorted by source, target and class. For each
// container with an effective process label (cand.ProcessLabels) it asks
// about the label of every writable mount source (class file, and dir
// unless the source is a plain file) and the most frequent labels sampled
// below it (file). It then adds cand.Pairs, the accesses the MCS findings
// assert, which FindKernelCandidates has already bounded. A container's
// own mount label is not asked about: no check reads that answer, and at
// one distinct question per container it was nearly half of them.
func BuildQuestions(snap *inventory.Snapshot, cand checks.KernelCandidates, limits Limits) []Question {
	limits = limits.withDefaults(len(snap.Containers))
	sources := mountSources(snap)

	var qs []Question
	ask := func(source, target, class string) {
		if target == "" {
			return
		}
		qs = append(qs, Question{Source: source, Target: target, Class: class, Perms: permsOf(class)})
	}
	for i, c := range snap.Containers {
		if i >= len(cand.ProcessLabels) || cand.ProcessLabels[i] == "" {
			continue
		}
		proc := cand.ProcessLabels[i]
		for _, m := range c.Mounts {
			if !m.RW || !isHostMount(m) {
				continue
			}
			fl := sources[filepath.Clean(m.Source)]
			if fl == nil || fl.Label.State != inventory.Labeled || !askableKind(fl.Kind) {
				continue
			}
			ask(proc, fl.Label.Value, checks.ClassFile)
			if fl.Kind == "dir" || fl.Kind == "" {
				ask(proc, fl.Label.Value, checks.ClassDir)
			}
			if fl.Sample == nil {
				continue
			}
			for _, lc := range fl.Sample.Labels[:min(len(fl.Sample.Labels), limits.SampleLabels)] {
				ask(proc, lc.Label, checks.ClassFile)
			}
		}
	}
	for _, p := range cand.Pairs {
		ask(p.Source, p.Target, p.Class)
	}

	slices.SortFunc(qs, func(a, b Question) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Class, b.Class))
	})
	return slices.CompactFunc(qs, func(a, b Question) bool {
		return a.Source == b.Source && a.Target == b.Target && a.Class == b.Class
	})
}

// permsOf returns the permissions asked for a class.
func permsOf(class string) []string {
	switch class {
	case checks.ClassDir:
		return DirPerms
	case checks.ClassProcess:
		return ProcessPerms
	default:
		return FilePerms
	}
}

// askableKind reports whether questions of the classes file and dir fit
// a source of the given kind. A socket's label is judged by the class
// sock_file, which no check reads. A source of unknown kind ("") is asked
// about as both a file and a directory.
func askableKind(kind string) bool {
	return kind == "dir" || kind == "file" || kind == ""
}

// mountSources indexes the labels read for mount sources by cleaned path.
func mountSources(snap *inventory.Snapshot) map[string]*inventory.FileLabel {
	out := make(map[string]*inventory.FileLabel, len(snap.Files))
	for i := range snap.Files {
		fl := &snap.Files[i]
		if slices.Contains(fl.Roles, inventory.RoleMountSource) {
			out[filepath.Clean(fl.Path)] = fl
		}
	}
	return out
}

// isHostMount reports whether a mount's source is a host path with a
// label: binds and volumes, not tmpfs or devpts.
func isHostMount(m inventory.Mount) bool {
	return m.Type != "tmpfs" && m.Type != "devpts" && filepath.IsAbs(m.Source)
}
