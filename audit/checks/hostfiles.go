package checks

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

var mount003 = Check{
	ID:           "MOUNT-003",
	Title:        "Host system path relabeled to a container type",
	Severity:     SeverityCritical,
	SeverityNote: "high for a direct child of a home directory, such as ~/.aws or ~/.ssh",
	Rationale: "A :z or :Z mount relabels the host directory for good: the label outlives the " +
		"container. A host system path that carries container_file_t (or a read-only container " +
		"type) is open to every container it is mounted into, and host programs that expect its own " +
		"type are denied it. A :z on /lib/modules, a symlink to /usr/lib/modules, left a host unable " +
		"to boot, and a :z on a home directory broke desktop logins. The check reads the labels of " +
		"host system paths whether or not a container runs, and judges both the path and where its " +
		"symlinks lead. Critical; high for a direct child of a home directory.",
	Remediation: "Restore the path's own label with restorecon -RFv PATH (for a symlinked path, the " +
		"resolved one) and stop the container or compose file that mounts it with :z or :Z; mount a " +
		"copy or a dedicated directory instead.",
	References: []string{
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html",
		"https://docs.fedoraproject.org/en-US/quick-docs/selinux-changing-states-and-modes/",
		"https://github.com/containers/container-selinux",
	},
	Needs:    []inventory.Source{inventory.SourceFileLabels},
	evaluate: evaluateRelabeledHostPaths,
}

var mount006 = Check{
	ID:       "MOUNT-006",
	Title:    "Shared volume holds files at private container levels",
	Severity: SeverityLow,
	SeverityNote: "high when a container that mounts the volume reads another domain's private level found in it: " +
		"by the kernel's decision where one was recorded, else because its level dominates that level",
	Rationale: "Files a container creates in a :z volume carry that container's own level, not the " +
		"volume's s0: on an enforcing Debian 12 host (Podman 4.3.1) a file written by one :z container " +
		"was denied to a second " +
		"one. A shared volume then holds private data of several containers side by side, readable " +
		"by whichever container's level dominates it. A volume that one isolation domain uses, " +
		"holding only that domain's files, is not reported. The check reads a bounded sample of labels " +
		"below each writable source. Low; high when a container that mounts the volume dominates a " +
		"private level of another isolation domain found there. Where the scan asked the kernel, its " +
		"decision for the mounting container's process on the files' label judges that read instead of " +
		"dominance, and a reader the label model predicts but the kernel denies is reported at low.",
	Remediation: "Give each container a volume of its own with :Z, or run the containers that share " +
		"data in one pod so that they share one level.",
	References: []string{
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html",
		"https://github.com/containers/container-selinux",
	},
	Needs:    []inventory.Source{inventory.SourcePodman, inventory.SourceFileLabels},
	evaluate: evaluateMixedVolumes,
}

var mount008 = Check{
	ID:       "MOUNT-008",
	Title:    "Container rootfs not labeled at the container's level",
	Severity: SeverityMedium,
	Rationale: "Engines mount a container's root file system with its mount label, container_file_t " +
		"at the container's own level, so that no other confined container reaches it. An enforcing " +
		"Debian 12 host denied a container at another level read and write on a peer's rootfs and allowed one " +
		"at the same level. A merged rootfs at another level or type is reachable by other containers " +
		"or unusable by its own. The overlay upper directory itself carries container_ro_file_t:s0 by " +
		"design (measured with Podman 4.3.1), so only its type is judged. Medium, because reaching it " +
		"needs the path mounted into another container.",
	Remediation: "Recreate the container; if its storage was copied or restored, run restorecon on " +
		"the engine's storage directory (such as /var/lib/containers) and restart the engine.",
	References: []string{
		"https://github.com/containers/container-selinux",
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
	},
	Needs:    []inventory.Source{inventory.SourcePodman, inventory.SourceFileLabels},
	evaluate: evaluateRootfsLabels,
}

func evaluateRelabeledHostPaths(e *evaluation) Outcome {
	var out Outcome
	if !e.sourceRead(inventory.SourceFileLabels) {
		out.NotEvaluated = append(out.NotEvaluated, e.filesNotCollected("no host system path was checked for a container label"))
		return out
	}
	mountedBy := e.mountsBySource()
	files := e.fileLabels()
	sampled := map[string]bool{}
	for i := range e.snap.Files {
		fl := &e.snap.Files[i]
		class := e.settings.classifyPath(fl.Path, fl.Resolved)
		ctx, reason := parseFileLabel(fl)
		switch {
		case reason != "" && class != pathOrdinary && fl.Label.State == inventory.Unknown:
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: PathSubject(fl.Path), Reason: "label " + reason})
		case reason == "" && class != pathOrdinary && isContentType(ctx.Type()):
			out.Findings = append(out.Findings, e.relabeledPathFinding(fl.Path, fl.Resolved, fl.Label.Value, class, mountedBy, nil))
		}
		if fl.Sample == nil {
			continue
		}
		// A sample below a home directory finds a relabeled ~/.aws whose
		// parent kept its own label.
		for _, lc := range fl.Sample.Labels {
			sctx, err := seclabel.ParseContext(lc.Label)
			if err != nil || !isContentType(sctx.Type()) || lc.Example == "" {
				continue
			}
			sclass := e.settings.classifyPath(lc.Example, "")
			// A path read on its own is judged above, from its own label.
			if sclass == pathOrdinary || files[filepath.Clean(lc.Example)] != nil || sampled[lc.Example] {
				continue
			}
			sampled[lc.Example] = true
			sample := &Evidence{Name: "entries with this label in the sample of " + fl.Path, Value: fmt.Sprint(lc.Count)}
			out.Findings = append(out.Findings, e.relabeledPathFinding(lc.Example, "", lc.Label, sclass, mountedBy, sample))
		}
	}
	return out
}

func (e *evaluation) relabeledPathFinding(p, resolved, label string, class pathClass, mountedBy map[string][]int, sample *Evidence) Finding {
	kind, sev := "host system path", SeverityNone
	if class == pathHomeContent {
		kind, sev = "home directory content", SeverityHigh
	}
	subjects := []Subject{PathSubject(p)}
	evidence := []Evidence{{Name: "label", Value: label}, {Name: "path", Value: p}}
	if resolved != "" && resolved != p {
		evidence = append(evidence, Evidence{Name: "resolved path", Value: resolved})
	}
	if sample != nil {
		evidence = append(evidence, *sample)
	}
	users := append(slices.Clone(mountedBy[p]), mountedBy[resolved]...)
	for _, i := range users {
		c := e.snap.Containers[i]
		subjects = append(subjects, ContainerSubject(c))
		evidence = append(evidence, Evidence{Name: "mounted by", Value: containerName(c)})
	}
	state := "no container mounts it now: the relabel outlived the container that asked for it"
	if len(users) > 0 {
		state = "mounted by " + e.nameList(users)
	}
	return Finding{
		Severity: sev,
		Message: fmt.Sprintf("%s %s carries the container label %s: containers it is mounted into read and write it, and host programs are denied it (%s)",
			kind, describePath(p, resolved), label, state),
		Subjects: subjects,
		Evidence: evidence,
	}
}

// mountsBySource maps each cleaned mount source to the containers that
// mount it.
func (e *evaluation) mountsBySource() map[string][]int {
	out := map[string][]int{}
	for i, c := range e.snap.Containers {
		for _, m := range c.Mounts {
			if isHostMount(&m) {
				src := filepath.Clean(m.Source)
				if !slices.Contains(out[src], i) {
					out[src] = append(out[src], i)
				}
			}
		}
	}
	return out
}

func evaluateMixedVolumes(e *evaluation) Outcome {
	refs, notEvaluated := e.writableMounts()
	out := Outcome{NotEvaluated: notEvaluated}
	domains := e.isolationDomains()

	paths, byPath := groupByPath(refs, nil)

	for _, p := range paths {
		group := byPath[p]
		fl := group[0].file
		if fl.Sample == nil {
			continue
		}
		var mounters []int
		for _, r := range group {
			mounters = append(mounters, r.view.index)
		}
		// The levels of the mounting domains' own processes: files at
		// those levels are the mounters' own, not another container's.
		ownLevels := map[seclabel.Level]bool{}
		for _, i := range mounters {
			for _, j := range domains.domainOf(i).members {
				if v := &e.views[j]; v.class == classConfined && v.hasLevel {
					ownLevels[v.level().High()] = true
				}
			}
		}

		levels := map[seclabel.Level]bool{}
		if group[0].hasLevel() {
			levels[group[0].level.High()] = true
		}
		var private []inventory.LabelCount
		var privateLevels []seclabel.Level
		foreign := 0
		for _, lc := range fl.Sample.Labels {
			ctx, err := seclabel.ParseContext(lc.Label)
			r, ok := ctx.Range()
			if err != nil || !ok || !isContentType(ctx.Type()) {
				continue
			}
			levels[r.High()] = true
			if !r.High().Categories().IsEmpty() {
				private = append(private, lc)
				privateLevels = append(privateLevels, r.High())
				if !ownLevels[r.High()] {
					foreign++
				}
			}
		}
		// A volume that one domain uses holds that domain's own files by
		// design, such as a named volume (s0) with files at its user's
		// level. It is mixed when several domains mount it or when it
		// holds levels of containers that no longer mount it.
		shared := distinctDomains(domains, mounters) >= 2 || foreign > 0
		if !shared || len(private) == 0 || len(levels) < 2 {
			continue
		}

		sev, reader, basis, decisions := e.crossDomainReader(mounters, private, privateLevels)
		evidence := []Evidence{{Name: "label of " + describePath(fl.Path, fl.Resolved), Value: fl.Label.Value}}
		for _, lc := range private {
			evidence = append(evidence, Evidence{Name: fmt.Sprintf("%d entries at %s", lc.Count, lc.Label), Value: "for example " + lc.Example})
		}
		if fl.Sample.Truncated {
			evidence = append(evidence, Evidence{Name: "sample", Value: fmt.Sprintf("stopped by the %s limit after %d entries", fl.Sample.Limit, fl.Sample.Entries)})
		}
		message := fmt.Sprintf("shared volume %s contains files at %d private container levels beside its own label: each is readable by containers whose level dominates it",
			describePath(fl.Path, fl.Resolved), len(private))
		if reader != "" {
			message += "; " + reader
		}
		out.Findings = append(out.Findings, Finding{
			Severity: sev,
			Message:  message,
			Basis:    basis,
			Subjects: append([]Subject{PathSubject(fl.Path)}, e.subjects(mounters)...),
			Evidence: append(evidence, decisions...),
		})
	}
	return out
}

// crossDomainReader returns SeverityHigh and a description when a
// container that mounts the volume reads files at a private level whose
// owners, the confined containers at that level, are all in other
// isolation domains. A level with no current owner belonged to a removed
// container and raises nothing. The kernel's decision for the mounting
// container's process on the files' label judges where one was recorded,
// and level dominance elsewhere. The basis is the kernel's when the
// reader, or with no reader every candidate, was judged by a decision.
// When the label model finds a reader that the kernel denies, the
// description states both and the severity stays low.
func (e *evaluation) crossDomainReader(mounters []int, private []inventory.LabelCount, levels []seclabel.Level) (Severity, string, string, []Evidence) {
	idx := e.levelIndex()
	domains := e.isolationDomains()
	t := newReachTally()
	var deniedReader string
	for _, i := range mounters {
		v := &e.views[i]
		if v.class != classConfined || !v.hasLevel {
			continue
		}
		for k, l := range levels {
			g := idx.byLevel[l]
			if g == nil || g.procCount == 0 {
				continue
			}
			dominates := seclabel.Dominates(v.level().High(), l)
			a := e.verdictOf(e.decision(v.label.Value, private[k].Label, ClassFile))
			if (!dominates && !a.decided()) || !allForeign(domains, g.procs(), i) {
				continue
			}
			e.addVerdict(&t, containerName(*v.c)+" on "+private[k].Label, a)
			reader := fmt.Sprintf("%s reads the files of %s there", containerName(*v.c), e.nameList(g.procs()))
			switch {
			case !a.decided():
				return SeverityHigh, reader, BasisLabelModel, t.evidence
			case a.read:
				return SeverityHigh, reader + " (the kernel's decision allows it)", BasisKernel, t.evidence
			case dominates && deniedReader == "":
				deniedReader = fmt.Sprintf("the label model predicts that %s reads the files of %s there, but the kernel denies it",
					containerName(*v.c), e.nameList(g.procs()))
			}
		}
	}
	if deniedReader != "" {
		return SeverityNone, deniedReader, t.basis(), t.evidence
	}
	return SeverityNone, "", BasisLabelModel, t.evidence
}

// allForeign reports whether none of owners is in the isolation domain of
// container i.
func allForeign(domains *domainSet, owners []int, i int) bool {
	for _, j := range owners {
		if domains.byContainer[j] == domains.byContainer[i] {
			return false
		}
	}
	return true
}

func evaluateRootfsLabels(e *evaluation) Outcome {
	var out Outcome
	filesRead := e.sourceRead(inventory.SourceFileLabels)
	files := e.fileLabels()
	var unread, unreported []string
	for i := range e.containerViews() {
		v := &e.views[i]
		c := v.c
		if c.UpperDir == "" && c.MergedDir == "" {
			// Storage drivers without an upper directory (vfs) and
			// containers seen only through procfs report none.
			if v.running() {
				unreported = append(unreported, containerName(*c))
			}
			continue
		}
		if !filesRead {
			unread = append(unread, containerName(*c))
			continue
		}
		mount, reason := parseFileLabel(&inventory.FileLabel{Label: c.MountLabel})
		if reason != "" {
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: ContainerSubject(*c), Reason: "mount label " + reason})
			continue
		}
		var problems []string
		var evidence []Evidence
		evidence = append(evidence, Evidence{Name: "mount label (inspect)", Value: c.MountLabel.Value})
		for _, dir := range []struct {
			path   string
			merged bool
		}{{c.MergedDir, true}, {c.UpperDir, false}} {
			if dir.path == "" {
				continue
			}
			fl := files[filepath.Clean(dir.path)]
			ctx, reason := parseFileLabel(fl)
			if reason != "" {
				out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: ContainerSubject(*c), Reason: fmt.Sprintf("label of rootfs directory %s %s", dir.path, reason)})
				continue
			}
			evidence = append(evidence, Evidence{Name: "label of " + dir.path, Value: fl.Label.Value})
			switch {
			case !isContentType(ctx.Type()):
				problems = append(problems, fmt.Sprintf("%s has the type %s, not a container type", dir.path, ctx.Type()))
			case dir.merged && (ctx.Type() != mount.Type() || levelOf(ctx) != levelOf(mount)):
				problems = append(problems, fmt.Sprintf("merged rootfs %s is %s:%s, not the mount label's %s:%s",
					dir.path, ctx.Type(), levelOf(ctx), mount.Type(), levelOf(mount)))
			}
		}
		if len(problems) == 0 {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			Message:  fmt.Sprintf("rootfs of container %s is not labeled at its own level: %s", containerName(*c), strings.Join(problems, "; ")),
			Subjects: []Subject{ContainerSubject(*c)},
			Evidence: evidence,
		})
	}
	if len(unread) > 0 {
		out.NotEvaluated = append(out.NotEvaluated, e.filesNotCollected(fmt.Sprintf("the rootfs labels of %d containers are unknown (%s)",
			len(unread), strings.Join(truncateList(unread, 10), ", "))))
	}
	if len(unreported) > 0 {
		out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: HostSubject(e.snap),
			Reason: fmt.Sprintf("no rootfs directory is known for %d running containers (%s)",
				len(unreported), strings.Join(truncateList(unreported, 10), ", "))})
	}
	return out
}

func levelOf(ctx seclabel.Context) string {
	if r, ok := ctx.Range(); ok {
		return r.String()
	}
	return "(no level)"
}
