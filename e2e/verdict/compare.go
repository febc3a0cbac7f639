package verdict

import (
	"fmt"
	"slices"
	"strings"
)

// Status is the verdict on one scenario.
type Status string

const (
	// StatusAgree: every probe went the way mcsaudit's findings imply, and
	// the expected findings are there and the forbidden ones are not.
	StatusAgree Status = "agree"
	// StatusDisagree: a probe, an expected or a forbidden finding
	// contradicts the report, and every check the scenario needs exists.
	StatusDisagree Status = "disagree"
	// StatusNotCovered: a check the scenario needs is missing from the
	// build's catalog, so the report cannot speak for it.
	StatusNotCovered Status = "not covered"
	// StatusError: the evidence is incomplete or inconsistent (a probe
	// without a result, or an attempt that succeeded although the kernel's
	// decision denies it), so there is nothing to compare.
	StatusError Status = "error"
)

// ProbeResult is one probe with the outcome the findings imply.
type ProbeResult struct {
	Probe      Probe
	Prediction Prediction
	// Agrees is true when the prediction matches what the kernel did and
	// no finding over-reports.
	Agrees bool
	// Problem explains an unusable probe.
	Problem string
}

// ScenarioResult is the verdict on one scenario.
type ScenarioResult struct {
	Scenario Scenario
	Status   Status
	Probes   []ProbeResult
	// Decisions compare the probes with the kernel decisions the report
	// recorded for the same contexts and class.
	Decisions []DecisionCheck
	// MissingChecks are the needed checks absent from the catalog.
	MissingChecks []string
	// Problems explain a disagreement or an error, one sentence each.
	Problems []string
}

// Compare judges every scenario: it predicts each probe's outcome from
// the report's findings and compares it with what the kernel did.
// catalog holds the check IDs of the mcsaudit build that wrote the report.
func Compare(scenarios []Scenario, probes []Probe, rep *Report, catalog map[string]bool) []ScenarioResult {
	byScenario := map[string][]Probe{}
	for _, p := range probes {
		byScenario[p.Scenario] = append(byScenario[p.Scenario], p)
	}
	var results []ScenarioResult
	known := map[string]bool{}
	for _, s := range scenarios {
		known[s.ID] = true
		results = append(results, judge(s, byScenario[s.ID], rep, catalog))
	}
	for id, ps := range byScenario {
		if !known[id] {
			results = append(results, ScenarioResult{
				Scenario: Scenario{ID: id}, Status: StatusError,
				Problems: []string{fmt.Sprintf("%d probes name scenario %q, which has no definition in e2e/verdict", len(ps), id)},
			})
		}
	}
	return results
}

func judge(s Scenario, probes []Probe, rep *Report, catalog map[string]bool) ScenarioResult {
	res := ScenarioResult{Scenario: s}
	for _, id := range s.Needs {
		if !catalog[id] {
			res.MissingChecks = append(res.MissingChecks, id)
		}
	}

	var errs, disagreements []string
	if len(probes) == 0 {
		errs = append(errs, "no probe was recorded")
	}
	for _, p := range probes {
		pr := judgeProbe(p, rep, s.RejectedContext)
		res.Probes = append(res.Probes, pr)
		switch {
		case pr.Problem != "":
			errs = append(errs, fmt.Sprintf("%s: %s", p.ID, pr.Problem))
		case !pr.Agrees:
			disagreements = append(disagreements, describeDisagreement(pr))
		}
	}
	disagreements = append(disagreements, unlistedContainers(probes, rep)...)
	if s.RejectedContext != "" {
		disagreements = append(disagreements, rep.rejectionProblems(s.RejectedContext)...)
	}
	res.Decisions = CheckDecisions(probes, rep)
	for _, d := range res.Decisions {
		if !d.Matches {
			disagreements = append(disagreements, fmt.Sprintf("%s: kernel decision mismatch: %s", d.Probe.ID, d.Problem))
		}
	}
	for _, e := range s.Expect {
		if catalog[e.CheckID] && !rep.matches(e) {
			disagreements = append(disagreements, "expected "+e.describe()+", which the report lacks")
		}
	}
	for _, e := range s.Forbid {
		if rep.matches(e) {
			disagreements = append(disagreements, "the report has "+e.describe()+", which the scenario must not produce")
		}
	}

	switch {
	case len(errs) > 0:
		res.Status, res.Problems = StatusError, errs
	case len(res.MissingChecks) > 0:
		res.Status, res.Problems = StatusNotCovered, disagreements
	case len(disagreements) > 0:
		res.Status, res.Problems = StatusDisagree, disagreements
	default:
		res.Status = StatusAgree
	}
	return res
}

// judgeProbe compares one probe's prediction with the kernel's verdict.
// The verdict is the attempt inside the container. The decision from
// /sys/fs/selinux/access must be consistent with it, or else the probe
// tested something other than the labels it recorded. A probe whose
// target is the scenario's rejected context has no kernel decision to
// check the attempt against.
func judgeProbe(p Probe, rep *Report, rejected string) ProbeResult {
	pr := ProbeResult{Probe: p, Prediction: Predict(p, rep)}
	switch {
	case p.Observed != string(Allowed) && p.Observed != string(Denied):
		pr.Problem = "no result came back from inside the container"
		return pr
	case rejected != "" && p.TContext == rejected && p.Kernel == "error":
		// The kernel rejected the context, as the scenario intends.
	case p.Kernel != string(Allowed) && p.Kernel != string(Denied):
		pr.Problem = fmt.Sprintf("the kernel could not be asked about %s -> %s (%s)", p.SContext, p.TContext, p.Class)
		return pr
	case p.Kernel == string(Denied) && p.Observed == string(Allowed):
		pr.Problem = fmt.Sprintf("the attempt succeeded although the kernel's decision for %s -> %s denies it", p.SContext, p.TContext)
		return pr
	case p.Kernel == string(Allowed) && p.Observed == string(Denied) && !strings.Contains(p.Detail, "Read-only file system"):
		pr.Problem = fmt.Sprintf("the attempt failed although SELinux allows it: %s", p.Detail)
		return pr
	}
	out := pr.Prediction.Outcome
	pr.Agrees = (out == Any || string(out) == p.Observed) && pr.Prediction.OverReport == ""
	return pr
}

func describeDisagreement(pr ProbeResult) string {
	if pr.Prediction.OverReport != "" {
		return fmt.Sprintf("%s: over-report: %s", pr.Probe.ID, pr.Prediction.OverReport)
	}
	return fmt.Sprintf("%s: the kernel %s it, the findings imply %s (%s)",
		pr.Probe.ID, pr.Probe.Observed, pr.Prediction.Outcome, pr.Prediction.Basis)
}

// unlistedContainers names every probe subject or owner that the report
// does not list: mcsaudit did not see it, so its silence means nothing.
func unlistedContainers(probes []Probe, rep *Report) []string {
	var names []string
	for _, p := range probes {
		for _, name := range []string{p.Subject, p.Owner} {
			if name != "" && !rep.lists(name) && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	var problems []string
	for _, name := range names {
		problems = append(problems, fmt.Sprintf("the report does not list container %s", name))
	}
	return problems
}

// matches reports whether a finding meets the expectation.
func (r *Report) matches(e Expectation) bool {
	for _, f := range r.Findings {
		if f.CheckID != e.CheckID {
			continue
		}
		if e.Path != "" && !f.namesPath(e.Path) {
			continue
		}
		if e.Basis != "" && f.Basis != e.Basis {
			continue
		}
		if !slices.ContainsFunc(e.Containers, func(c string) bool { return !f.names(c) }) {
			return true
		}
	}
	return false
}

func (e Expectation) describe() string {
	var about []string
	about = append(about, e.Containers...)
	if e.Path != "" {
		about = append(about, e.Path)
	}
	text := e.CheckID
	if len(about) > 0 {
		text += " on " + strings.Join(about, ", ")
	}
	if e.Basis != "" {
		text += " (basis " + e.Basis + ")"
	}
	return text
}

// rejectionProblems lists what the report lacks for a context the kernel
// rejects: a decision with an error that names it, and a coverage gap.
func (r *Report) rejectionProblems(context string) []string {
	var problems []string
	hasDecision := slices.ContainsFunc(r.Decisions, func(d Decision) bool {
		return d.Error != "" && (d.Source == context || d.Target == context)
	})
	if !hasDecision {
		problems = append(problems, "the report has no decision with an error for "+context)
	}
	hasGap := slices.ContainsFunc(r.Coverage.Gaps, func(g Gap) bool {
		return strings.Contains(g.Subject, context) || strings.Contains(g.Reason, context)
	})
	if !hasGap {
		problems = append(problems, "the report has no coverage gap naming "+context)
	}
	return problems
}

// Summary counts the scenario verdicts by status.
type Summary struct {
	Total, Agree, Disagree, NotCovered, Errors int
	// Decisions counts the probes compared with a recorded kernel
	// decision, and DecisionsMatch those whose decision matched.
	Decisions, DecisionsMatch int
}

// Summarize counts results by status.
func Summarize(results []ScenarioResult) Summary {
	s := Summary{Total: len(results)}
	for _, r := range results {
		for _, d := range r.Decisions {
			s.Decisions++
			if d.Matches {
				s.DecisionsMatch++
			}
		}
		switch r.Status {
		case StatusAgree:
			s.Agree++
		case StatusDisagree:
			s.Disagree++
		case StatusNotCovered:
			s.NotCovered++
		default:
			s.Errors++
		}
	}
	return s
}
