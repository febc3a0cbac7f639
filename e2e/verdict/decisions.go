package verdict

import (
	"fmt"
	"slices"
	"strings"
)

// Decision is one of the kernel's access decisions that mcsaudit asked
// /sys/fs/selinux/access for during the scan and recorded in the report's
// "decisions".
type Decision struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Class  string `json:"class"`
	// Allowed and Denied split the permissions mcsaudit asked about.
	Allowed []string `json:"allowed"`
	Denied  []string `json:"denied"`
	// Permissive means the kernel grants the denied permissions anyway.
	Permissive bool `json:"permissive"`
	// Error is set when the kernel gave no answer.
	Error string `json:"error"`
}

// probePermissions are the permissions each probe's access needs, the
// same ones e2e/guest/guest-lib.sh (permissions_for) asks the kernel for.
var probePermissions = map[string][]string{
	"read/file":      {"read", "open"},
	"write/file":     {"write", "open"},
	"write/dir":      {"write", "add_name", "search"},
	"signal/process": {"signull"},
}

// DecisionCheck compares one probe with the decision mcsaudit recorded
// for the probe's source context, target context and class.
type DecisionCheck struct {
	Probe    Probe
	Decision Decision
	// Recorded is the outcome the recorded decision gives for the
	// permissions the probe needs, or "error" when the kernel gave
	// mcsaudit no answer.
	Recorded string
	// Matches is true when Recorded agrees with the probe's direct kernel
	// decision and with its attempt.
	Matches bool
	// Problem explains a mismatch.
	Problem string
}

// CheckDecisions compares every probe that has a recorded decision for
// its (source, target, class) with that decision. A probe without one, or
// whose needed permissions the decision does not cover at all, is left
// out. A write that failed only with "Read-only file system" is compared
// with the direct kernel decision alone, as judgeProbe does.
func CheckDecisions(probes []Probe, rep *Report) []DecisionCheck {
	var checks []DecisionCheck
	for _, p := range probes {
		d, ok := rep.decisionFor(p.SContext, p.TContext, p.Class)
		if !ok {
			continue
		}
		needed := probePermissions[p.Op+"/"+p.Class]
		recorded, covered := recordedOutcome(d, needed)
		if !covered {
			continue
		}
		checks = append(checks, compareDecision(p, d, recorded, needed))
	}
	return checks
}

// recordedOutcome returns what decision d says about the needed
// permissions. It returns "denied" when d denies one of them in an
// enforcing domain, "allowed" when d allows all of them, and false when d
// asked about none of them. When d allows only some of them, it returns
// "partial": the report makes no claim about the others.
func recordedOutcome(d Decision, needed []string) (string, bool) {
	if d.Error != "" {
		return "error", true
	}
	allowed, denied := 0, 0
	for _, perm := range needed {
		switch {
		case slices.Contains(d.Allowed, perm):
			allowed++
		case slices.Contains(d.Denied, perm):
			denied++
		}
	}
	switch {
	case allowed+denied == 0:
		return "", false
	case denied > 0 && !d.Permissive:
		return string(Denied), true
	case allowed+denied == len(needed):
		return string(Allowed), true
	default:
		return "partial", true
	}
}

func compareDecision(p Probe, d Decision, recorded string, needed []string) DecisionCheck {
	c := DecisionCheck{Probe: p, Decision: d, Recorded: recorded}
	readOnly := p.Observed == string(Denied) && strings.Contains(p.Detail, "Read-only file system")
	switch {
	case recorded == "error":
		c.Problem = fmt.Sprintf("mcsaudit got no decision for %s -> %s (%s): %s", d.Source, d.Target, d.Class, d.Error)
		if p.Kernel == "error" {
			// Both asks failed the same way: the report's answer is right.
			c.Matches, c.Problem = true, ""
		}
	case recorded == "partial":
		// Only a denial by the kernel or the attempt could contradict a
		// decision that allows part of what the probe needs. Neither does
		// when it is about a permission mcsaudit did not ask for.
		c.Matches = true
	case recorded != p.Kernel:
		c.Problem = fmt.Sprintf("mcsaudit recorded %s for %s on %s -> %s (%s), the kernel's direct decision is %s",
			recorded, strings.Join(needed, " "), d.Source, d.Target, d.Class, p.Kernel)
	case recorded != p.Observed && !readOnly:
		c.Problem = fmt.Sprintf("mcsaudit recorded %s for %s on %s -> %s (%s), the attempt was %s",
			recorded, strings.Join(needed, " "), d.Source, d.Target, d.Class, p.Observed)
	default:
		c.Matches = true
	}
	return c
}

// decisionFor returns the recorded decision for source, target and class.
func (r *Report) decisionFor(source, target, class string) (Decision, bool) {
	for _, d := range r.Decisions {
		if d.Source == source && d.Target == target && d.Class == class {
			return d, true
		}
	}
	return Decision{}, false
}
