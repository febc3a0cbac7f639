package checks

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

var mountReferences = []string{
	"https://docs.podman.io/en/latest/markdown/podman-run.1.html",
	"https://github.com/containers/container-selinux",
}

var mountNeeds = []inventory.Source{inventory.SourcePodman, inventory.SourceFileLabels}

var mount001 = Check{
	ID:       "MOUNT-001",
	Title:    "Writable mount of a shared volume (container_file_t:s0)",
	Severity: SeverityMedium,
	SeverityNote: "high when containers of two or more isolation domains mount the source writable and the kernel, " +
		"where asked, lets them in; low when the kernel denies every mounting container",
	Rationale: "A :z relabel gives the source container_file_t at s0, which every level dominates: " +
		"any confined container the path is mounted into may read and write it. Podman gives its " +
		"named volumes the same label, so a named volume is reported only when two isolation " +
		"domains mount it writable. Two workloads " +
		"that mount it writable share their data through it, and files each one creates there carry " +
		"its private level, which the other is then denied (measured with Podman 4.3.1). Medium, " +
		"raised to high when two or more isolation domains mount the source writable. Where the scan " +
		"asked the kernel, a container whose process the kernel denies the source does not count as " +
		"sharing it, and a finding whose every mounting container is denied drops to low: the " +
		"label model and the loaded policy disagree, and the volume is unusable rather than shared.",
	Remediation: "Use :Z (a private relabel) for a volume one container uses. For data that several " +
		"containers must share, put them in one pod, or mount it read-only where they only read it.",
	References: mountReferences,
	Needs:      mountNeeds,
	evaluate:   evaluateSharedVolumes,
}

var mount002 = Check{
	ID:       "MOUNT-002",
	Title:    "Writable mount whose source carries another container's private level",
	Severity: SeverityHigh,
	SeverityNote: "low when the kernel denies the mounting container the source: by its access decision where one " +
		"was recorded, else because the container's level does not dominate the source's",
	Rationale: "A source labeled at a level that belongs to another isolation domain holds that " +
		"domain's private files, such as its rootfs or a volume it relabeled with :Z. A container " +
		"whose level dominates that level (an unconfined one always does) reads and writes them; the " +
		"kernel allowed a container at the same level into another container's rootfs. High " +
		"when the kernel lets the mounting container in; low when it denies it, which leaves a broken " +
		"mount and the risk that someone relabels the other container's data away with :Z. Where the " +
		"scan asked the kernel, its access decision decides between the two, and the evidence keeps " +
		"the label model's prediction beside it.",
	Remediation: "Stop mounting the other container's data into this one. If both must share it, put " +
		"them in one pod or copy the data to a volume of its own.",
	References: mountReferences,
	Needs:      mountNeeds,
	evaluate:   evaluateForeignLevelMounts,
}

var mount004 = Check{
	ID:           "MOUNT-004",
	Title:        "Unconfined container with a writable host path",
	Severity:     SeverityHigh,
	SeverityNote: "critical when the path is a host system path or a home directory or its content",
	Rationale: "Labels protect a bind-mounted host path only from confined processes. A container " +
		"that runs unconfined (spc_t, unconfined_t, kernel_t) or unlabeled writes whatever file " +
		"permissions allow, whatever the path's label. High; critical for host system paths such as " +
		"/etc, where a write changes the host itself.",
	Remediation: "Run the container confined (see TYPE-001 and TYPE-002), mount the path read-only, " +
		"or mount a dedicated directory instead of a host system path.",
	References: mountReferences,
	Needs:      []inventory.Source{inventory.SourcePodman, inventory.SourceProcfs},
	evaluate:   evaluateUnconfinedWritableMounts,
}

var mount005 = Check{
	ID:       "MOUNT-005",
	Title:    "Writable mount whose source has a non-container type",
	Severity: SeverityLow,
	SeverityNote: "where the kernel was asked: medium when it lets the container write there, low when it " +
		"lets it only read, info when it denies both",
	Rationale: "A source that kept its host type (var_t, user_home_t, etc_t) is not container " +
		"content. MCS does not separate it, because host files carry no categories. Only the " +
		"loaded policy's type rules decide what a container may do there: on Debian 12's policy " +
		"container_t was denied var_t and user_home_t files and allowed to read etc_t ones. " +
		"Where the scan could ask the kernel, its access decision for the container's process on " +
		"the source's label judges the mount, not the type name: medium when the kernel lets the " +
		"container write host content, low when it lets it only read, and info when it denies both, " +
		"because the mount is then unusable rather than a reach. Without a decision the check " +
		"reports low, because the policy usually denies the access, but a mount that fails tempts " +
		"users to add :z to a host path (MOUNT-003) or to disable labeling (TYPE-002).",
	Remediation: "Mount a directory made for the container and relabel it with :Z, rather than a " +
		"host directory in use by the host. Do not relabel host system or home directories.",
	References: mountReferences,
	Needs:      mountNeeds,
	evaluate:   evaluateHostTypeMounts,
}

var mount007 = Check{
	ID:           "MOUNT-007",
	Title:        "Container engine or runtime socket mounted into a container",
	Severity:     SeverityCritical,
	SeverityNote: "high when the container is confined and the socket kept a non-container label",
	Rationale: "An engine's API socket (podman.sock, docker.sock, containerd.sock, crio.sock) lets " +
		"whoever connects start a privileged container with the host's root file system mounted, " +
		"which defeats every label. A read-only mount does not help: connecting needs no write to the " +
		"file system. Critical; high when the container is confined and the socket kept its engine " +
		"type, because then the loaded policy decides whether container_t may connect to it.",
	Remediation: "Remove the socket mount. A container that must drive an engine should use a " +
		"rootless engine of its own, or an API proxy that allows only the calls it needs.",
	References: []string{
		"https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
		"https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html",
	},
	Needs:          []inventory.Source{inventory.SourcePodman},
	withoutSELinux: true,
	evaluate:       evaluateSocketMounts,
}

func evaluateSharedVolumes(e *evaluation) Outcome {
	refs, notEvaluated := e.writableMounts()
	out := Outcome{NotEvaluated: notEvaluated}
	domains := e.isolationDomains()

	paths, byPath := groupByPath(refs, func(r *mountRef) bool {
		return slices.Contains(writableContentTypes, r.label.Type()) && r.hasLevel() && r.level.High().Categories().IsEmpty()
	})

	for _, p := range paths {
		group := byPath[p]
		fl := group[0].file
		var members []int
		evidence := []Evidence{{Name: "label of " + describePath(fl.Path, fl.Resolved), Value: fl.Label.Value}}
		for _, r := range group {
			members = append(members, r.view.index)
			evidence = append(evidence, Evidence{Name: containerName(*r.view.c), Value: "mounts it writable at " + r.mount.Destination})
		}
		n := distinctDomains(domains, members)
		// Podman relabels every named volume it creates as shared, to
		// container_file_t:s0 (LabelVolumePath in libpod, v4 and v5), so a
		// volume that only one domain uses is shared by design alone.
		if n < 2 && allNamedVolumes(group) {
			continue
		}
		f := Finding{
			Subjects: append([]Subject{PathSubject(fl.Path)}, e.subjects(members)...),
			Evidence: evidence,
		}
		fact := fmt.Sprintf("%s is a shared volume (%s) mounted writable by %d containers in %d isolation domains (%s)",
			describePath(fl.Path, fl.Resolved), fl.Label.Value, len(members), n, e.nameList(members))
		e.judgeSharedVolume(&f, group, fact)
		out.Findings = append(out.Findings, f)
	}
	return out
}

// judgeSharedVolume sets the message, severity and basis of a MOUNT-001
// finding. A mounting container that the kernel's decision denies the
// source does not share it. Every other one counts, by the label model
// where no decision was recorded. The finding is high when containers of
// two or more domains share the source, medium for one, and low when the
// kernel denies every mounting container.
func (e *evaluation) judgeSharedVolume(f *Finding, group []*mountRef, fact string) {
	const claim = "any confined container it is mounted into reads and writes it"
	domains := e.isolationDomains()
	t := newReachTally()
	var sharing []int
	for _, r := range group {
		a := e.mountVerdict(r.view, r.file)
		e.addVerdict(&t, containerName(*r.view.c)+" on "+r.file.Path, a)
		if !a.decided() || a.read || a.write {
			sharing = append(sharing, r.view.index)
		}
	}
	if !t.contradicted() && distinctDomains(domains, sharing) >= 2 {
		f.Severity = SeverityHigh
	}
	t.apply(f, fact, claim)
}

func allNamedVolumes(group []*mountRef) bool {
	for _, r := range group {
		if r.mount.Type != "volume" {
			return false
		}
	}
	return true
}

func evaluateForeignLevelMounts(e *evaluation) Outcome {
	refs, notEvaluated := e.writableMounts()
	out := Outcome{NotEvaluated: notEvaluated}
	idx := e.levelIndex()
	domains := e.isolationDomains()
	for i := range refs {
		r := &refs[i]
		if !isContentType(r.label.Type()) || !r.hasLevel() {
			continue
		}
		g := idx.byLevel[r.level.High()]
		if g == nil || g.count == 0 {
			continue
		}
		own := domains.byContainer[r.view.index]
		var owners []int
		for _, j := range g.members() {
			if domains.byContainer[j] != own {
				owners = append(owners, j)
			}
		}
		if len(owners) == 0 {
			continue
		}
		fl := r.file
		f := Finding{
			Subjects: append([]Subject{ContainerSubject(*r.view.c), PathSubject(fl.Path)}, e.subjects(owners)...),
			Evidence: append([]Evidence{
				{Name: "label of " + fl.Path, Value: fl.Label.Value},
				r.view.labelEvidence(),
				{Name: "destination", Value: r.mount.Destination},
			}, e.levelEvidence(g, owners)...),
		}
		verdict := e.foreignLevelVerdict(&f, r)
		f.Message = fmt.Sprintf("container %s mounts %s writable, which carries the private level %s of %s: %s",
			containerName(*r.view.c), describePath(fl.Path, fl.Resolved), g.name(), e.nameList(owners), verdict)
		out.Findings = append(out.Findings, f)
	}
	return out
}

// foreignLevelVerdict sets the severity and basis of a MOUNT-002 finding
// and returns its verdict: high when the container reaches the other
// domain's data, low when it is denied. The kernel's decision judges
// where one was recorded, with the label model's prediction beside it.
func (e *evaluation) foreignLevelVerdict(f *Finding, r *mountRef) string {
	predicted := r.view.class == classUnconfined || r.view.class == classNotLabeled ||
		(r.view.class == classConfined && r.view.hasLevel && seclabel.CanReach(r.view.level(), r.level))
	prediction := "its level does not dominate the source's, so the kernel denies the access"
	if predicted {
		prediction = "its level dominates the source's, so the kernel lets it read and write that data"
	}
	a := e.mountVerdict(r.view, r.file)
	f.Evidence = append(f.Evidence, e.decisionEvidence(containerName(*r.view.c)+" on "+r.file.Path, a)...)
	if !a.decided() {
		if !predicted {
			f.Severity = SeverityLow
		}
		return prediction
	}

	f.Basis = BasisKernel
	f.Evidence = append(f.Evidence, Evidence{Name: "label model", Value: prediction})
	verdict := "the kernel's decision denies it that data"
	if a.read || a.write {
		verdict = "the kernel's decision lets it " + describeAccess(a) + " that data"
	} else {
		f.Severity = SeverityLow
	}
	if predicted != (a.read || a.write) {
		verdict += ", contrary to the label model's prediction"
	}
	return verdict
}

func evaluateUnconfinedWritableMounts(e *evaluation) Outcome {
	var out Outcome
	files := e.fileLabels()
	for i := range e.containerViews() {
		v := &e.views[i]
		unconfined := v.class == classUnconfined || (v.class == classNotLabeled && e.selinuxOn())
		if !unconfined {
			continue
		}
		for j := range v.c.Mounts {
			m := &v.c.Mounts[j]
			if !m.RW || m.Type != "bind" || !filepath.IsAbs(m.Source) {
				continue
			}
			resolved := ""
			if fl := files[filepath.Clean(m.Source)]; fl != nil {
				resolved = fl.Resolved
			}
			sev := SeverityNone
			kind := "host path"
			switch e.settings.classifyPath(m.Source, resolved) {
			case pathSystem:
				sev, kind = SeverityCritical, "host system path"
			case pathHomeContent:
				sev, kind = SeverityCritical, "home directory content"
			}
			how := "runs unlabeled, in its engine's own domain"
			if v.class == classUnconfined {
				how = "runs as " + v.typeName() + ", which MCS does not constrain"
			}
			out.Findings = append(out.Findings, Finding{
				Severity: sev,
				Message: fmt.Sprintf("container %s %s and mounts the %s %s writable at %s: no label protects it",
					containerName(*v.c), how, kind, describePath(m.Source, resolved), m.Destination),
				Subjects: []Subject{ContainerSubject(*v.c), PathSubject(m.Source)},
				Evidence: []Evidence{v.labelEvidence(), {Name: "mount", Value: fmt.Sprintf("%s:%s (rw)", m.Source, m.Destination)}},
			})
		}
	}
	return out
}

func evaluateHostTypeMounts(e *evaluation) Outcome {
	refs, notEvaluated := e.writableMounts()
	out := Outcome{NotEvaluated: notEvaluated}
	for i := range refs {
		r := &refs[i]
		if e.settings.classifier.IsContainerFileType(r.label.Type()) {
			continue
		}
		switch r.view.class {
		case classConfined:
		case classUnknown, classUnknownType, classMalformed:
			if n, ok := e.labelNotEvaluated(r.view); ok {
				out.NotEvaluated = append(out.NotEvaluated, n)
			}
			continue
		default:
			continue // unconfined: MOUNT-004
		}
		out.Findings = append(out.Findings, e.hostTypeFinding(r))
	}
	return out
}

// hostTypeFinding reports one writable mount of a source with a host
// type. Where the kernel was asked, its decision sets the severity. It is
// medium when the kernel lets the container write there and low when it
// lets it only read. It is info when the kernel denies both, because the
// mount is then unusable rather than a reach.
func (e *evaluation) hostTypeFinding(r *mountRef) Finding {
	fl := r.file
	name := containerName(*r.view.c)
	f := Finding{
		Message: fmt.Sprintf("container %s mounts %s writable, which has the host type %s: the loaded policy's type rules alone decide what the container may do there",
			name, describePath(fl.Path, fl.Resolved), r.label.Type()),
		Subjects: []Subject{ContainerSubject(*r.view.c), PathSubject(fl.Path)},
		Evidence: []Evidence{
			{Name: "label of " + fl.Path, Value: fl.Label.Value},
			r.view.labelEvidence(),
			{Name: "destination", Value: r.mount.Destination},
		},
	}
	a := e.mountVerdict(r.view, fl)
	f.Evidence = append(f.Evidence, e.decisionEvidence(name+" on "+fl.Path, a)...)
	if !a.decided() {
		return f
	}

	f.Basis = BasisKernel
	var verdict string
	switch {
	case a.write:
		f.Severity = SeverityMedium
		verdict = "the kernel lets it " + describeAccess(a) + " there"
	case a.read:
		f.Severity = SeverityLow
		verdict = "the kernel lets it read there but denies every write"
	default:
		f.Severity = SeverityInfo
		verdict = "the kernel denies it every read and write there, so the mount is unusable, which tempts users to relabel the path with :z or to disable labeling"
	}
	if a.unenforced {
		verdict += ", because the domain or the host is permissive and the kernel does not enforce its denials"
	}
	f.Message = fmt.Sprintf("container %s mounts %s writable, which has the host type %s: %s",
		name, describePath(fl.Path, fl.Resolved), r.label.Type(), verdict)
	return f
}

// socketDirectories hold engine sockets; mounting one exposes them all.
var socketDirectories = mustCompilePatterns([]string{
	"/run", "/var/run", "/run/podman", "/var/run/podman", "/run/containerd", "/var/run/containerd",
	"/run/crio", "/var/run/crio", "/run/docker", "/var/run/docker", "/run/user/*", "/run/user/*/podman",
})

func evaluateSocketMounts(e *evaluation) Outcome {
	var out Outcome
	files := e.fileLabels()
	for i := range e.containerViews() {
		v := &e.views[i]
		for j := range v.c.Mounts {
			m := &v.c.Mounts[j]
			what := ""
			switch {
			case isEngineSocket(m.Source):
				what = "engine socket " + m.Source
			case isEngineSocket(m.Destination):
				what = "engine socket " + m.Source + " (mounted at " + m.Destination + ")"
			case filepath.IsAbs(m.Source) && matchesAny(socketDirectories, filepath.Clean(m.Source)):
				what = "directory of engine sockets " + m.Source
			default:
				continue
			}
			evidence := []Evidence{{Name: "mount", Value: fmt.Sprintf("%s:%s (rw=%t)", m.Source, m.Destination, m.RW)}}
			sev := SeverityNone
			if v.class == classConfined && e.selinuxOn() {
				fl := files[filepath.Clean(m.Source)]
				ctx, reason := parseFileLabel(fl)
				switch {
				case reason != "":
					evidence = append(evidence, Evidence{Name: "socket label", Value: "not read"})
				case isContentType(ctx.Type()):
					evidence = append(evidence, Evidence{Name: "socket label", Value: fl.Label.Value + " (relabeled for containers)"})
				default:
					evidence = append(evidence, Evidence{Name: "socket label", Value: fl.Label.Value})
					sev = SeverityHigh
				}
			}
			evidence = append(evidence, v.labelEvidence())
			out.Findings = append(out.Findings, Finding{
				Severity: sev,
				Message: fmt.Sprintf("container %s has the %s mounted: whoever connects can start a privileged container",
					containerName(*v.c), what),
				Subjects: []Subject{ContainerSubject(*v.c), PathSubject(m.Source)},
				Evidence: evidence,
			})
		}
	}
	return out
}

func matchesAny(patterns []pathPattern, p string) bool {
	for _, pat := range patterns {
		if pat.match(p) {
			return true
		}
	}
	return false
}

// groupByPath groups the mount references that keep accepts (all when keep
// is nil) by their source path, and returns the paths sorted.
func groupByPath(refs []mountRef, keep func(*mountRef) bool) ([]string, map[string][]*mountRef) {
	byPath := map[string][]*mountRef{}
	var paths []string
	for i := range refs {
		r := &refs[i]
		if keep != nil && !keep(r) {
			continue
		}
		if byPath[r.file.Path] == nil {
			paths = append(paths, r.file.Path)
		}
		byPath[r.file.Path] = append(byPath[r.file.Path], r)
	}
	slices.Sort(paths)
	return paths, byPath
}
