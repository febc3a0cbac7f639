package verdict

import (
	"fmt"
	"slices"
	"strings"
)

// Prediction is what mcsaudit's findings imply about one probe.
type Prediction struct {
	Outcome Outcome
	// Basis names the finding or rule the prediction rests on.
	Basis string
	// OverReport is set when a finding claims a reach between containers
	// that share a level by design, which mcsaudit must not report.
	OverReport string
}

// Checks whose finding on a container means its process is not confined
// by MCS at all: TYPE-001 (an unconfined process type) and TYPE-002
// (labeling disabled, which runs the process in the engine's context).
var unconfinedChecks = []string{"TYPE-001", "TYPE-002"}

// Checks whose finding on a container's mount of a host path means the
// container can read and write that path: MOUNT-001 (shared :z label,
// container_file_t:s0), MOUNT-002 (another container's private level) and
// MOUNT-004 (an unconfined container with a writable host path).
var mountReachChecks = []string{"MOUNT-001", "MOUNT-002", "MOUNT-004"}

// MOUNT-005 (a writable source that kept a host type such as var_t) claims
// no reach of its own: the loaded policy's type rules decide the access.
// Where the scan asked the kernel, the finding carries the decisions, and
// those are the claim.
const hostTypeCheck = "MOUNT-005"

// Predict maps mcsaudit's findings to the outcome they imply for one
// probe. The rules, in order:
//
//   - A write through a mount that the report lists as read-only is
//     denied, whatever the labels.
//   - TYPE-001 or TYPE-002 on the subject: the subject reaches everything,
//     so the access is allowed.
//   - Another domain's object (RelationCross): allowed when MCS-001 names
//     subject and owner (one exact level), when MCS-002 has the subject
//     dominating the owner, or when MCS-003 names the owner (no
//     categories, so every confined container dominates it). Otherwise
//     denied: silence means the owner is isolated from the subject.
//     MCS-004 (fewer than two categories, or a range) makes no claim
//     about a particular pair.
//   - An object shared by design (RelationSameDomain, RelationOwn):
//     allowed. An MCS-001 finding about subject and owner alone (and
//     their pod's infra container), or an MCS-002 finding with one of them
//     dominating the other, is an over-report.
//   - A host directory bound into the subject (RelationHost): allowed
//     when MOUNT-001, -002 or -004 names the subject and the path. When
//     MOUNT-005 does, its recorded kernel decision decides: a read needs
//     "read" on the file class, a write "write" and "add_name" on the dir
//     class. A MOUNT-005 finding without decisions leaves the access to
//     the policy ("any"). Otherwise a write is denied and a read is "any",
//     because reading host types such as etc_t is the policy's business,
//     not an isolation finding.
func Predict(p Probe, rep *Report) Prediction {
	if p.Path != "" && p.Op == "write" {
		if m, ok := rep.mount(p.Subject, p.Path); ok && !m.RW {
			return Prediction{Outcome: Denied, Basis: "read-only mount"}
		}
	}
	if f, ok := rep.find(unconfinedChecks, p.Subject); ok {
		return Prediction{Outcome: Allowed, Basis: fmt.Sprintf("%s on %s", f.CheckID, p.Subject)}
	}

	switch p.Relation {
	case RelationCross:
		if basis, ok := rep.pairReach(p.Subject, p.Owner); ok {
			return Prediction{Outcome: Allowed, Basis: basis}
		}
		return Prediction{Outcome: Denied, Basis: fmt.Sprintf("no finding gives %s reach to %s", p.Subject, p.Owner)}

	case RelationSameDomain, RelationOwn:
		pred := Prediction{Outcome: Allowed, Basis: "shared by design"}
		if p.Relation == RelationOwn {
			pred.Basis = "the subject's own object"
		}
		if p.Owner != "" && p.Owner != p.Subject {
			pred.OverReport = rep.overReport(p.Subject, p.Owner)
		}
		return pred

	case RelationHost:
		for _, f := range rep.Findings {
			if slices.Contains(mountReachChecks, f.CheckID) && f.names(p.Subject) && f.namesPath(p.Path) {
				return Prediction{Outcome: Allowed, Basis: fmt.Sprintf("%s on %s's bind of %s", f.CheckID, p.Subject, p.Path)}
			}
		}
		for _, f := range rep.Findings {
			if f.CheckID == hostTypeCheck && f.names(p.Subject) && f.namesPath(p.Path) {
				return predictFromDecision(f, p)
			}
		}
		if p.Op == "write" {
			return Prediction{Outcome: Denied, Basis: fmt.Sprintf("no MOUNT finding on %s's bind of %s", p.Subject, p.Path)}
		}
		return Prediction{Outcome: Any, Basis: "no claim about reading a host type"}
	}
	return Prediction{Outcome: Any, Basis: fmt.Sprintf("unknown relation %q", p.Relation)}
}

// predictFromDecision predicts a host-bind probe from the kernel decision
// that a MOUNT-005 finding recorded for the subject and the path.
func predictFromDecision(f Finding, p Probe) Prediction {
	class, needed := "file", []string{"read"}
	if p.Op == "write" {
		class, needed = "dir", []string{"write", "add_name"}
	}
	allowed, ok := f.kernelDecision(class, p.Subject, p.Path)
	if !ok {
		return Prediction{Outcome: Any, Basis: fmt.Sprintf("%s on %s's bind of %s, without a kernel decision", f.CheckID, p.Subject, p.Path)}
	}
	basis := fmt.Sprintf("%s's kernel decision (%s) for %s on %s", f.CheckID, class, p.Subject, p.Path)
	for _, perm := range needed {
		if !slices.Contains(allowed, perm) {
			return Prediction{Outcome: Denied, Basis: basis}
		}
	}
	return Prediction{Outcome: Allowed, Basis: basis}
}

// kernelDecision returns the permissions that a finding's evidence item
// "kernel decision (CLASS) for SUBJECT on PATH" lists as allowed. Its value
// reads "allowed read, open; denied write" or "allowed none; denied ...".
func (f Finding) kernelDecision(class, subject, path string) ([]string, bool) {
	name := fmt.Sprintf("kernel decision (%s) for %s on %s", class, subject, path)
	for _, e := range f.Evidence {
		if e.Name != name {
			continue
		}
		allowedPart, _, _ := strings.Cut(e.Value, ";")
		list, found := strings.CutPrefix(strings.TrimSpace(allowedPart), "allowed ")
		if !found {
			return nil, false
		}
		var perms []string
		for _, perm := range strings.Split(list, ",") {
			if perm = strings.TrimSpace(perm); perm != "" && perm != "none" {
				perms = append(perms, perm)
			}
		}
		return perms, true
	}
	return nil, false
}

// pairReach reports whether a finding gives subject reach to owner's
// objects, and which.
func (r *Report) pairReach(subject, owner string) (string, bool) {
	for _, f := range r.Findings {
		switch f.CheckID {
		case "MCS-001":
			if f.names(subject) && f.names(owner) {
				pair := []string{subject, owner}
				slices.Sort(pair)
				return fmt.Sprintf("MCS-001 on %s and %s", pair[0], pair[1]), true
			}
		case "MCS-002":
			if f.dominates(subject) && f.names(owner) && !f.dominates(owner) {
				return fmt.Sprintf("MCS-002: %s dominates %s", subject, owner), true
			}
		case "MCS-003":
			if f.names(owner) {
				return fmt.Sprintf("MCS-003 on %s", owner), true
			}
		}
	}
	return "", false
}

// overReport describes a finding that reports subject and owner, which
// share a level by design, as reaching each other; "" when there is none.
func (r *Report) overReport(subject, owner string) string {
	for _, f := range r.Findings {
		if !f.names(subject) || !f.names(owner) {
			continue
		}
		switch {
		case f.CheckID == "MCS-001" && r.onlyDomain(f, subject, owner):
			return fmt.Sprintf("MCS-001 reports %s and %s, which share a level by design", subject, owner)
		case f.CheckID == "MCS-002" && f.dominates(subject) != f.dominates(owner):
			return fmt.Sprintf("MCS-002 reports one of %s and %s dominating the other, but they share a level by design", subject, owner)
		}
	}
	return ""
}

// onlyDomain reports whether every container the finding names is
// subject, owner or the infra container of subject's pod.
func (r *Report) onlyDomain(f Finding, subject, owner string) bool {
	pod := ""
	for _, c := range r.Containers {
		if c.Name == subject {
			pod = c.Pod
		}
	}
	for _, s := range f.Subjects {
		if s.Kind != "container" || s.Name == subject || s.Name == owner {
			continue
		}
		if !slices.ContainsFunc(r.Containers, func(c Container) bool { return c.Name == s.Name && c.IsInfra && pod != "" && c.Pod == pod }) {
			return false
		}
	}
	return true
}

// dominates reports whether container is on the dominating side of an
// MCS-002 finding. The finding names the dominating level in an evidence
// item "dominating level". Each container has an evidence item named after
// it whose value starts with its label, and a container dominates when the
// high part of its label's level is that level. A finding without a
// "dominating level" counts its first container subject as dominating.
func (f Finding) dominates(container string) bool {
	level := ""
	for _, e := range f.Evidence {
		if e.Name == "dominating level" {
			level = e.Value
		}
	}
	if level == "" {
		i := slices.IndexFunc(f.Subjects, func(s Subject) bool { return s.Kind == "container" })
		return i >= 0 && f.Subjects[i].Name == container
	}
	for _, e := range f.Evidence {
		label, _, _ := strings.Cut(strings.TrimSpace(e.Value), " ")
		if e.Name == container && highLevel(label) == level {
			return true
		}
	}
	return false
}

// highLevel returns the high level of an SELinux context: for
// "system_u:system_r:container_t:s0-s0:c0.c1023" it is "s0:c0.c1023".
// It returns "" for a string with fewer than four fields.
func highLevel(context string) string {
	parts := strings.SplitN(context, ":", 4)
	if len(parts) < 4 {
		return ""
	}
	level := parts[3]
	if i := strings.Index(level, "-"); i >= 0 {
		level = level[i+1:]
	}
	return level
}

// find returns the first finding of one of checkIDs that names container.
func (r *Report) find(checkIDs []string, container string) (Finding, bool) {
	for _, f := range r.Findings {
		if slices.Contains(checkIDs, f.CheckID) && f.names(container) {
			return f, true
		}
	}
	return Finding{}, false
}

// mount returns container's mount whose source is path.
func (r *Report) mount(container, path string) (Mount, bool) {
	for _, c := range r.Containers {
		if c.Name != container {
			continue
		}
		for _, m := range c.Mounts {
			if m.Source == path {
				return m, true
			}
		}
	}
	return Mount{}, false
}

// lists reports whether the report's container list contains name.
func (r *Report) lists(name string) bool {
	return slices.ContainsFunc(r.Containers, func(c Container) bool { return c.Name == name })
}

// names reports whether a container subject of the finding is called name.
func (f Finding) names(name string) bool {
	return slices.ContainsFunc(f.Subjects, func(s Subject) bool { return s.Kind == "container" && s.Name == name })
}

// namesPath reports whether the finding names path, as a subject or as
// an evidence value.
func (f Finding) namesPath(path string) bool {
	for _, s := range f.Subjects {
		if s.Path == path || (s.Kind == "path" && s.Name == path) {
			return true
		}
	}
	return slices.ContainsFunc(f.Evidence, func(e Evidence) bool { return e.Value == path })
}
