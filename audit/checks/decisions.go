package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Object classes that access decisions are asked for, as the policy and
// sys/fs/selinux/class name them.
const (
	ClassFile    = "file"
	ClassDir     = "dir"
	ClassProcess = "process"
)

// Permission groups that make a granted decision a reach. Metadata
// permissions such as getattr, open or a directory's search reach no
// content, so a decision that grants only those counts as a denial. The
// recorded Debian 12 kernel gave container_t exactly those three on a
// user_home_t directory.
var (
	readPermissions   = []string{"read"}
	writePermissions  = []string{"write", "append", "create", "unlink", "add_name", "remove_name"}
	signalPermissions = []string{"signal", "sigkill", "ptrace"}
)

// maxDecisionEvidence bounds the decisions listed in one finding's
// evidence; the rest are counted.
const maxDecisionEvidence = 10

type decisionKey struct {
	source, target, class string
}

// decision returns the kernel's decision recorded for the contexts and
// class, or nil when the kernel was not asked.
func (e *evaluation) decision(source, target, class string) *inventory.AccessDecision {
	if len(e.snap.Decisions) == 0 {
		return nil
	}
	if e.decisions == nil {
		e.decisions = make(map[decisionKey]*inventory.AccessDecision, len(e.snap.Decisions))
		for i := range e.snap.Decisions {
			d := &e.snap.Decisions[i]
			e.decisions[decisionKey{d.Source, d.Target, d.Class}] = d
		}
	}
	return e.decisions[decisionKey{source, target, class}]
}

// verdict is the kernel's judgement of one access, from one decision or
// from the file and dir decisions of one mount source.
type verdict struct {
	decisions []*inventory.AccessDecision
	// failed is true when a decision has an Error: the kernel rejected a
	// context, so the label model judges the access.
	failed bool
	// read, write and signal are true when a permission of the group is
	// in effect: granted, or denied but not enforced because the source
	// domain or the whole host is permissive.
	read, write, signal bool
	// unenforced is true when a permission is in effect only because the
	// denial is not enforced.
	unenforced bool
}

// decided reports whether the kernel's decisions judge the access.
func (a verdict) decided() bool { return len(a.decisions) > 0 && !a.failed }

// reaches reports whether the access reaches content or a process.
func (a verdict) reaches() bool { return a.read || a.write || a.signal }

// verdictOf combines the decisions that exist among ds; nil ones are
// skipped.
func (e *evaluation) verdictOf(ds ...*inventory.AccessDecision) verdict {
	var a verdict
	hostPermissive := e.snap.Host.SELinux.State == inventory.SELinuxPermissive
	for _, d := range ds {
		if d == nil {
			continue
		}
		a.decisions = append(a.decisions, d)
		if d.Error != "" {
			a.failed = true
			continue
		}
		notEnforced := d.Permissive || hostPermissive
		for _, g := range []struct {
			perms []string
			flag  *bool
		}{{readPermissions, &a.read}, {writePermissions, &a.write}, {signalPermissions, &a.signal}} {
			switch {
			case containsAny(d.Allowed, g.perms):
				*g.flag = true
			case notEnforced && containsAny(d.Denied, g.perms):
				*g.flag, a.unenforced = true, true
			}
		}
	}
	return a
}

func containsAny(list, perms []string) bool {
	for _, p := range perms {
		if slices.Contains(list, p) {
			return true
		}
	}
	return false
}

// mountVerdict returns the kernel's verdict on a container's process
// reaching a mount source, from the file and dir decisions recorded for
// the source's label.
func (e *evaluation) mountVerdict(v *containerView, fl *inventory.FileLabel) verdict {
	if v.label.State != inventory.Labeled || fl.Label.State != inventory.Labeled {
		return verdict{}
	}
	return e.verdictOf(e.decision(v.label.Value, fl.Label.Value, ClassFile), e.decision(v.label.Value, fl.Label.Value, ClassDir))
}

// describeDecision states one decision for evidence.
func (e *evaluation) describeDecision(d *inventory.AccessDecision) string {
	if d.Error != "" {
		return "no answer: " + d.Error + "; judged by the label model"
	}
	text := "allowed " + listOrNone(d.Allowed) + "; denied " + listOrNone(d.Denied)
	switch {
	case d.Permissive:
		text += "; the source domain is permissive, so the kernel logs these denials but does not enforce them"
	case e.snap.Host.SELinux.State == inventory.SELinuxPermissive && len(d.Denied) > 0:
		text += "; SELinux is permissive on the host, so the kernel logs these denials but does not enforce them"
	}
	return text
}

func listOrNone(perms []string) string {
	if len(perms) == 0 {
		return "none"
	}
	return strings.Join(perms, ", ")
}

// decisionEvidence lists the decisions behind a verdict, each named by
// the subject of the question.
func (e *evaluation) decisionEvidence(subject string, a verdict) []Evidence {
	out := make([]Evidence, 0, len(a.decisions))
	for _, d := range a.decisions {
		out = append(out, Evidence{Name: fmt.Sprintf("kernel decision (%s) for %s", d.Class, subject), Value: e.describeDecision(d)})
	}
	return out
}

// describeAccess names the reach a verdict grants, such as "read and
// write".
func describeAccess(a verdict) string {
	var parts []string
	if a.read {
		parts = append(parts, "read")
	}
	if a.write {
		parts = append(parts, "write")
	}
	if a.signal {
		parts = append(parts, "signal or trace")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " and ")
}

// reachTally collects the kernel's verdicts on the accesses that one
// finding asserts.
type reachTally struct {
	// total counts the accesses the finding asserts.
	total int
	// complete is false when a bound left some accesses out of the
	// questions, because then the kernel cannot have decided them all.
	complete bool
	decided  int
	reached  int
	failed   int
	evidence []Evidence
	listed   int
}

func newReachTally() reachTally { return reachTally{complete: true} }

// addVerdict records the kernel's verdict on one asserted access.
func (e *evaluation) addVerdict(t *reachTally, subject string, a verdict) {
	t.total++
	switch {
	case a.failed:
		t.failed++
	case a.decided():
		t.decided++
		if a.reaches() {
			t.reached++
		}
	}
	if len(a.decisions) == 0 {
		return
	}
	for _, ev := range e.decisionEvidence(subject, a) {
		if t.listed < maxDecisionEvidence {
			t.evidence = append(t.evidence, ev)
		}
		t.listed++
	}
}

// basis returns BasisKernel when the kernel decided every access.
func (t reachTally) basis() string {
	if t.complete && t.total > 0 && t.decided == t.total {
		return BasisKernel
	}
	return BasisLabelModel
}

// contradicted reports whether the kernel decided every access and
// denied them all.
func (t reachTally) contradicted() bool {
	return t.basis() == BasisKernel && t.reached == 0
}

// apply sets a finding's message to fact + ": " + claim and adjusts it
// by the kernel's verdicts. The message of a confirmed finding states the
// confirmation. A contradicted finding states that the kernel denies the
// claim, and its severity drops to low. A finding the kernel decided only
// in part keeps the label model's severity and basis. Without any
// decision the finding stays as the label model made it.
func (t reachTally) apply(f *Finding, fact, claim string) {
	f.Message = fact + ": " + claim
	f.Basis = t.basis()
	if t.decided == 0 && t.failed == 0 {
		return
	}
	var summary string
	switch {
	case t.contradicted():
		f.Severity = SeverityLow
		f.Message = fmt.Sprintf("%s: the label model predicts that %s, but the kernel denies all %s",
			fact, claim, plural(t.total, "such access", "such accesses"))
		summary = fmt.Sprintf("denied all %d accesses asked", t.total)
	case f.Basis == BasisKernel && t.reached == t.total:
		f.Message += "; the kernel's access decisions confirm it"
		summary = fmt.Sprintf("allowed all %d accesses asked", t.total)
	case f.Basis == BasisKernel:
		f.Message += fmt.Sprintf("; the kernel allows %d of the %d accesses asked and denies the rest", t.reached, t.total)
		summary = fmt.Sprintf("allowed %d of %d accesses asked", t.reached, t.total)
	default:
		summary = fmt.Sprintf("decided %d of %d accesses (%d with a context the policy rejected); the rest are judged by the label model",
			t.decided, t.total, t.failed)
		if !t.complete {
			summary += ", and some were not asked because of the question bound"
		}
	}
	f.Evidence = append(f.Evidence, Evidence{Name: "label model", Value: claim}, Evidence{Name: "kernel", Value: summary})
	f.Evidence = append(f.Evidence, t.evidence...)
	if t.listed > len(t.evidence) {
		f.Evidence = append(f.Evidence, Evidence{Name: "further kernel decisions", Value: fmt.Sprint(t.listed - len(t.evidence))})
	}
}

// hasDecisions reports whether the snapshot holds any kernel decision,
// so that checks skip building reach pairs on hosts where none was asked.
func (e *evaluation) hasDecisions() bool { return len(e.snap.Decisions) > 0 }
