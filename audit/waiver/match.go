package waiver

import (
	"path"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Result is the effect of an ignore file on one report's findings.
type Result struct {
	// ByFinding[i] is the waiver that waives findings[i], or nil.
	ByFinding []*Waiver
	// Statuses has one entry per waiver, in file order.
	Statuses []Status
}

// Status is one waiver's effect on a report.
type Status struct {
	Waiver  *Waiver
	Expired bool
	// Matches counts the findings that the waiver's check and selectors
	// match. An expired waiver waives none of them, and a finding that
	// two waivers match is waived by the first in the file.
	Matches int
}

// Expired returns the statuses of the waivers that have expired.
func (r Result) Expired() []Status {
	var out []Status
	for _, s := range r.Statuses {
		if s.Expired {
			out = append(out, s)
		}
	}
	return out
}

// Apply matches the waivers against findings at time now. containers are
// the audited containers, whose engine labels the label selector reads.
func (f *File) Apply(findings []checks.Finding, containers []inventory.Container, now time.Time) Result {
	byID := make(map[string]inventory.Container, len(containers))
	for _, c := range containers {
		byID[c.ID] = c
	}

	res := Result{ByFinding: make([]*Waiver, len(findings)), Statuses: make([]Status, len(f.Waivers))}
	for i := range f.Waivers {
		w := &f.Waivers[i]
		res.Statuses[i] = Status{Waiver: w, Expired: w.ExpiredAt(now)}
	}
	for fi, finding := range findings {
		for wi := range f.Waivers {
			w := &f.Waivers[wi]
			if !w.Matches(finding, byID) {
				continue
			}
			res.Statuses[wi].Matches++
			if res.ByFinding[fi] == nil && !res.Statuses[wi].Expired {
				res.ByFinding[fi] = w
			}
		}
	}
	return res
}

// Matches reports whether the waiver covers a finding, ignoring expiry.
// Each selector must match every subject of its kind, and the finding must
// name at least one such subject. So a waiver for container "toolbox-*"
// does not cover a finding about toolbox-1 and a database together,
// because the waiver does not accept the database's side of it. containers maps
// container IDs to the audited containers.
func (w *Waiver) Matches(f checks.Finding, containers map[string]inventory.Container) bool {
	if f.CheckID != w.Check {
		return false
	}
	if w.Container != "" && !allOfKind(f.Subjects, "container", func(s checks.Subject) bool {
		return globMatch(w.Container, s.Name)
	}) {
		return false
	}
	if w.Label != "" && !allOfKind(f.Subjects, "container", func(s checks.Subject) bool {
		return hasLabel(containers[s.ID], w.Label)
	}) {
		return false
	}
	if w.Path != "" && !allOfKind(f.Subjects, "path", func(s checks.Subject) bool {
		return globMatch(w.Path, s.Path)
	}) {
		return false
	}
	return true
}

// allOfKind reports whether subjects name at least one subject of kind and
// every such subject satisfies match.
func allOfKind(subjects []checks.Subject, kind string, match func(checks.Subject) bool) bool {
	found := false
	for _, s := range subjects {
		if s.Kind != kind {
			continue
		}
		if !match(s) {
			return false
		}
		found = true
	}
	return found
}

func hasLabel(c inventory.Container, pattern string) bool {
	for k, v := range c.Labels {
		if globMatch(pattern, k+"="+v) {
			return true
		}
	}
	return false
}

// globMatch matches a glob validated at parse time. As in path.Match, "*"
// and "?" do not match "/".
func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}
