package checks

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

// mountRef is one writable host mount of a container whose source label
// was read and parsed.
type mountRef struct {
	view  *containerView
	mount *inventory.Mount
	file  *inventory.FileLabel
	label seclabel.Context
	level seclabel.Range
}

// hasLevel reports whether the source label carries an MCS range.
func (m *mountRef) hasLevel() bool {
	_, ok := m.label.Range()
	return ok
}

// isHostMount reports whether a mount's source is a host path whose label
// the file collector reads: binds and volumes, not tmpfs or devpts.
func isHostMount(m *inventory.Mount) bool {
	return m.Type != "tmpfs" && m.Type != "devpts" && filepath.IsAbs(m.Source)
}

// writableMounts returns the writable host mounts whose source label was
// read, with a not-evaluated record for each other writable host mount.
// When file labels were not collected at all, it returns one host-wide
// record instead of one per mount.
func (e *evaluation) writableMounts() ([]mountRef, []NotEvaluated) {
	filesRead := e.sourceRead(inventory.SourceFileLabels)
	files := e.fileLabels()
	var refs []mountRef
	var notEvaluated []NotEvaluated
	var unread []string
	for i := range e.containerViews() {
		v := &e.views[i]
		for j := range v.c.Mounts {
			m := &v.c.Mounts[j]
			if !m.RW || !isHostMount(m) {
				continue
			}
			fl := files[filepath.Clean(m.Source)]
			if fl == nil && !filesRead {
				unread = append(unread, containerName(*v.c)+":"+m.Source)
				continue
			}
			ctx, reason := parseFileLabel(fl)
			if reason != "" {
				notEvaluated = append(notEvaluated, NotEvaluated{Subject: ContainerSubject(*v.c),
					Reason: fmt.Sprintf("label of writable mount source %s %s", m.Source, reason)})
				continue
			}
			ref := mountRef{view: v, mount: m, file: fl, label: ctx}
			ref.level, _ = ctx.Range()
			refs = append(refs, ref)
		}
	}
	if len(unread) > 0 {
		notEvaluated = append(notEvaluated, e.filesNotCollected(fmt.Sprintf("the labels of %d writable mount sources are unknown (%s)",
			len(unread), strings.Join(truncateList(unread, 10), ", "))))
	}
	return refs, notEvaluated
}

// filesNotCollected is the host-wide record for a check that needs file
// labels when the file collector did not run.
func (e *evaluation) filesNotCollected(what string) NotEvaluated {
	return NotEvaluated{Subject: HostSubject(e.snap), Reason: "file labels were not collected, so " + what}
}

// parseFileLabel parses a file's label. The reason is empty on success
// and names what is missing otherwise.
func parseFileLabel(fl *inventory.FileLabel) (seclabel.Context, string) {
	if fl == nil {
		return seclabel.Context{}, "was not read"
	}
	switch fl.Label.State {
	case inventory.Labeled:
	case inventory.NotLabeled:
		return seclabel.Context{}, "is absent: " + fl.Label.Reason
	default:
		return seclabel.Context{}, "is unknown: " + fl.Label.Reason
	}
	ctx, err := seclabel.ParseContext(fl.Label.Value)
	if err != nil {
		return seclabel.Context{}, "does not parse: " + err.Error()
	}
	return ctx, ""
}

// pathClass is the sensitivity of a host path.
type pathClass int

const (
	pathOrdinary pathClass = iota
	// pathHomeContent is a direct child of a home directory, such as
	// ~/.ssh or ~/.aws.
	pathHomeContent
	// pathSystem is a host system path or a home directory itself.
	pathSystem
)

// classifyPath judges a host path and, when it differs, the path it
// resolved to; the more sensitive of the two wins.
func (s *settings) classifyPath(p, resolved string) pathClass {
	class := s.classifyOne(p)
	if resolved != "" && resolved != p {
		class = max(class, s.classifyOne(resolved))
	}
	return class
}

func (s *settings) classifyOne(p string) pathClass {
	p = filepath.Clean(p)
	for _, pat := range s.systemPaths {
		if pat.match(p) {
			return pathSystem
		}
	}
	for _, pat := range s.homeDirectories {
		if pat.match(p) {
			return pathSystem
		}
		if pat.match(filepath.Dir(p)) {
			return pathHomeContent
		}
	}
	return pathOrdinary
}

// describePath returns the path and, when a symlink led elsewhere, where.
func describePath(p, resolved string) string {
	if resolved == "" || resolved == p {
		return p
	}
	return fmt.Sprintf("%s (resolved to %s)", p, resolved)
}
