package checks

import (
	"fmt"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

var mcsReferences = []string{
	"https://github.com/SELinuxProject/selinux-notebook/blob/main/src/mls_mcs.md",
	"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
	"https://github.com/containers/container-selinux",
}

var mcsNeeds = []inventory.Source{inventory.SourcePodman, inventory.SourceProcfs}

var mcs001 = Check{
	ID:           "MCS-001",
	Title:        "Containers of different isolation domains share one MCS level",
	Severity:     SeverityHigh,
	SeverityNote: "low when the kernel, asked on the audited host, denies every access the finding asserts",
	Rationale: "The MCS constraint lets a confined process read and write a file, and signal or trace a " +
		"process, only when its high level dominates the target's. Two containers at the same level " +
		"dominate each other, so each reaches all of the other's files and processes. On an enforcing " +
		"Debian 12 host (Podman 4.3.1) the kernel let a container read and write another container's rootfs at the " +
		"same level and denied it at another level. Engines reserve levels only among their own " +
		"containers, so root Podman, each rootless user's Podman, Docker and CRI-O can hand out the " +
		"same pair, and a level forced with label=level is never reserved. Members of one pod, " +
		"IPC or PID namespace joins, one CRI pod sandbox and one OpenShift namespace share a level by " +
		"design and are compared as one domain. High, because the overlap gives full read and write " +
		"access across the two workloads. " + kernelReachRationale,
	Remediation: "Recreate one of the containers so that its engine picks a new random level: drop " +
		"--security-opt label=level:... unless the two are meant to share, and put containers that are " +
		"meant to share in one pod. Across engines and users, give each engine a disjoint category " +
		"range where it supports one, or run the workloads under one engine.",
	References: mcsReferences,
	Needs:      mcsNeeds,
	evaluate:   evaluateLevelCollisions,
}

var mcs002 = Check{
	ID:           "MCS-002",
	Title:        "A container's MCS categories dominate another container's",
	Severity:     SeverityHigh,
	SeverityNote: "low when the kernel, asked on the audited host, denies every access the finding asserts",
	Rationale: "A confined process reaches an object when its high level dominates the object's: its " +
		"category set is a superset. On an enforcing Debian 12 host a container at s0:c100,c200,c300 " +
		"read and wrote a directory at s0:c100,c200, while a container at s0:c100 was denied. A " +
		"container whose categories are a superset of another's, or that runs with a range such as " +
		"s0-s0:c0.c1023, therefore reads and writes the other's files and signals its processes, one " +
		"way. The levels of unconfined types such as spc_t are ignored, because MCS does not constrain " +
		"them. High, because the dominating container has full access to the dominated one. " + kernelReachRationale,
	Remediation: "Recreate the dominating container without --security-opt label=level:..., or with a " +
		"level of exactly two categories that no other container's level is contained in. Never give a " +
		"container a range such as s0-s0:c0.c1023 unless it is meant to reach every container.",
	References: mcsReferences,
	Needs:      mcsNeeds,
	evaluate:   evaluateDominance,
}

var mcs003 = Check{
	ID:       "MCS-003",
	Title:    "Confined container with no MCS categories (s0)",
	Severity: SeverityHigh,
	Rationale: "Every level dominates s0, so the files of a container at s0 are open to every confined " +
		"container on the host, and the container itself reaches every object at s0, such as every " +
		"volume relabeled with :z. A policy that pins level s0 on every workload makes all of them " +
		"one domain. The evidence counts the confined containers at s0. High, because the container's " +
		"own files have no MCS protection at all.",
	Remediation: "Remove --security-opt label=level:s0 (or seLinuxOptions.level: s0 in Kubernetes) so " +
		"that the engine picks a random pair of categories, or set a unique two-category level.",
	References: mcsReferences,
	Needs:      mcsNeeds,
	evaluate:   evaluateNoCategories,
}

var mcs004 = Check{
	ID:       "MCS-004",
	Title:    "Container level with fewer than two categories, or a range",
	Severity: SeverityMedium,
	Rationale: "Engines give each container two random categories out of 1024, so no container's set " +
		"contains another's. A single category is contained in every level that has it, so any " +
		"container with that category reaches it. A range such as s0-s0:c0.c1023 has a high level that " +
		"dominates many containers, and by default the kernel labels files the process creates with " +
		"its low level. MCS-002 reports each actual domination; this check reports the setting. " +
		"Medium, because harm needs another container with a matching category.",
	Remediation: "Drop --security-opt label=level:... so that the engine picks two random categories, " +
		"or give the container a single level with two categories, such as s0:c123,c456.",
	References: mcsReferences,
	Needs:      mcsNeeds,
	evaluate:   evaluateWeakLevels,
}

var mcs005 = Check{
	ID:       "MCS-005",
	Title:    "Members of one pod or sandbox run at different MCS levels",
	Severity: SeverityLow,
	Rationale: "Podman gives the members of a pod the infra container's label, and CRI runtimes give " +
		"the containers of a sandbox one label, so they can share volumes and IPC. A pod created with " +
		"--infra=false, or a member with its own label=level, gets a level of its own: SELinux then " +
		"denies the members each other's files, which pushes users toward :z (level s0, readable by " +
		"every container) or label=disable. Low, because the split itself isolates more, not less.",
	Remediation: "Create the pod with an infra container (the default), or drop label=level from its " +
		"members, so that all of them take one level.",
	References: []string{
		"https://docs.podman.io/en/latest/markdown/podman-pod-create.1.html",
		"https://github.com/containers/container-selinux",
	},
	Needs:    mcsNeeds,
	evaluate: evaluatePodLevels,
}

// kernelReachRationale explains how MCS-001 and MCS-002 use the kernel's
// access decisions.
const kernelReachRationale = "Where the scan asked the kernel, each finding lists its decisions on " +
	"the accesses the finding asserts: the process contexts of one side against the mount labels " +
	"(file) and process contexts (process) of the other, at most four contexts of each kind per " +
	"level. A finding the kernel denies entirely stays, at low, with the label model's prediction " +
	"beside the kernel's answer: the levels still overlap, and a policy module or boolean, not MCS, " +
	"keeps the workloads apart."

// mcsNotEvaluated returns a not-evaluated record for each container whose
// level an MCS check cannot judge.
func (e *evaluation) mcsNotEvaluated() []NotEvaluated {
	var out []NotEvaluated
	for i := range e.containerViews() {
		if n, ok := e.labelNotEvaluated(&e.views[i]); ok {
			out = append(out, n)
		}
	}
	return out
}

func evaluateLevelCollisions(e *evaluation) Outcome {
	out := Outcome{NotEvaluated: e.mcsNotEvaluated()}
	domains := e.isolationDomains()
	for _, g := range e.collisionGroups() {
		members := g.members()
		f := Finding{
			Subjects: e.subjects(members),
			Evidence: append([]Evidence{{Name: "shared level", Value: g.name()}}, e.levelEvidence(g, members)...),
		}
		t := newReachTally()
		if e.hasDecisions() {
			pairs, complete := e.collisionPairs(g)
			e.tallyPairs(&t, pairs, complete)
		}
		t.apply(&f,
			fmt.Sprintf("%d containers in %d isolation domains share the MCS level %s (%s)",
				len(members), distinctDomains(domains, members), g.name(), e.nameList(members)),
			"each confined one reads and writes the files of the others and signals their processes")
		out.Findings = append(out.Findings, f)
	}
	return out
}

func evaluateDominance(e *evaluation) Outcome {
	out := Outcome{NotEvaluated: e.mcsNotEvaluated()}
	for _, r := range e.dominanceReaches() {
		d, dominating := r.level, r.dominating
		var targets []int
		var levels []string
		var evidence []Evidence
		t := newReachTally()
		for _, target := range r.reached {
			targets = append(targets, target.members...)
			levels = append(levels, target.group.name())
			evidence = append(evidence, e.levelEvidence(target.group, target.members)...)
			if e.hasDecisions() {
				pairs, complete := e.dominancePairs(d, dominating, target)
				e.tallyPairs(&t, pairs, complete)
			}
		}
		f := Finding{
			Subjects: e.subjects(append(append([]int(nil), dominating...), targets...)),
			Evidence: append(append([]Evidence{
				{Name: "dominating level", Value: d.name()},
				{Name: "dominated levels", Value: strings.Join(levels, "; ")},
			}, e.levelEvidence(d, dominating)...), evidence...),
		}
		t.apply(&f,
			fmt.Sprintf("%s with the high level %s %s %s at %s (%s)",
				e.nameList(dominating), d.name(), pick(len(dominating), "dominates", "dominate"),
				plural(len(targets), "container", "containers"), plural(len(levels), "lower level", "lower levels"),
				strings.Join(truncateList(levels, 5), ", ")),
			fmt.Sprintf("%s those containers' files and %s their processes",
				pick(len(dominating), "it reads and writes", "they read and write"), pick(len(dominating), "signals", "signal")))
		out.Findings = append(out.Findings, f)
	}
	return out
}

func evaluateNoCategories(e *evaluation) Outcome {
	out := Outcome{NotEvaluated: e.mcsNotEvaluated()}
	var atS0 []int
	for i := range e.containerViews() {
		v := &e.views[i]
		if v.class == classConfined && v.hasLevel && v.level().High().Categories().IsEmpty() {
			atS0 = append(atS0, i)
		}
	}
	confined := 0
	for i := range e.views {
		if e.views[i].class == classConfined {
			confined++
		}
	}
	for _, i := range atS0 {
		v := &e.views[i]
		out.Findings = append(out.Findings, Finding{
			Message: fmt.Sprintf("container %s runs confined at %s with no MCS categories: every confined container on the host reads and writes its files, and it reaches every object at s0",
				containerName(*v.c), v.level()),
			Subjects: []Subject{ContainerSubject(*v.c)},
			Evidence: []Evidence{
				v.labelEvidence(),
				{Name: "confined containers without categories", Value: fmt.Sprintf("%d of %d confined containers", len(atS0), confined)},
			},
		})
	}
	return out
}

func evaluateWeakLevels(e *evaluation) Outcome {
	out := Outcome{NotEvaluated: e.mcsNotEvaluated()}
	for i := range e.containerViews() {
		v := &e.views[i]
		if v.class != classConfined || !v.hasLevel {
			continue
		}
		high := v.level().High()
		n := high.Categories().Count()
		isRange := v.level().Low() != high
		var problem string
		switch {
		case n == 0 && !isRange:
			continue // MCS-003
		case isRange:
			problem = fmt.Sprintf("runs with the range %s: its high level dominates every level inside %s, and files it creates get the low level %s",
				v.level(), high, v.level().Low())
		case n == 1:
			problem = fmt.Sprintf("runs at %s with a single category: every container whose level contains it reaches this container's files", high)
		default:
			continue
		}
		out.Findings = append(out.Findings, Finding{
			Message:  fmt.Sprintf("container %s %s", containerName(*v.c), problem),
			Subjects: []Subject{ContainerSubject(*v.c)},
			Evidence: []Evidence{v.labelEvidence(), {Name: "categories in the high level", Value: fmt.Sprint(n)}},
		})
	}
	return out
}

func evaluatePodLevels(e *evaluation) Outcome {
	var out Outcome
	views := e.containerViews()
	domains := e.isolationDomains().domains
	for di := range domains {
		d := &domains[di]
		if !d.grouped || len(d.members) < 2 {
			continue
		}
		levels := map[string][]int{}
		var confined []int
		for _, i := range d.members {
			v := &views[i]
			if n, ok := e.labelNotEvaluated(v); ok {
				out.NotEvaluated = append(out.NotEvaluated, n)
				continue
			}
			if v.class == classConfined {
				text := v.level().High().String()
				levels[text] = append(levels[text], i)
				confined = append(confined, i)
			}
		}
		if len(levels) < 2 {
			continue
		}
		evidence := []Evidence{{Name: "shared by design", Value: d.describe}}
		for _, i := range confined {
			evidence = append(evidence, views[i].labelEvidence())
		}
		out.Findings = append(out.Findings, Finding{
			Message: fmt.Sprintf("%s: its %d confined containers run at %d different MCS levels (%s), so SELinux denies them each other's files",
				d.describe, len(confined), len(levels), strings.Join(sortedKeys(levels), ", ")),
			Subjects: e.subjects(confined),
			Evidence: evidence,
		})
	}
	return out
}

// levelEvidence describes how each container is at a level: by its
// process, its files, or both.
func (e *evaluation) levelEvidence(g *levelGroup, members []int) []Evidence {
	domains := e.isolationDomains()
	out := make([]Evidence, 0, len(members))
	for _, i := range members {
		v := &e.views[i]
		var value string
		if v.class == classConfined && v.hasLevel && v.level().High() == g.level {
			value = quoteLabel(v.label) + " (" + v.labelSource() + ")"
		} else {
			value = "files at this level: mount label " + quoteLabel(v.c.MountLabel) + "; process label " + quoteLabel(v.label)
		}
		if d := domains.domainOf(i); d.grouped {
			value += "; shares by design: " + d.describe
		}
		out = append(out, Evidence{Name: containerName(*v.c), Value: value})
	}
	return out
}

func (e *evaluation) subjects(members []int) []Subject {
	out := make([]Subject, 0, len(members))
	for _, i := range members {
		out = append(out, ContainerSubject(e.snap.Containers[i]))
	}
	return out
}

// nameList returns the names of up to ten containers, then how many more.
func (e *evaluation) nameList(members []int) string {
	names := make([]string, 0, min(len(members), 11))
	for _, i := range members {
		names = append(names, containerName(e.snap.Containers[i]))
	}
	return strings.Join(truncateList(names, 10), ", ")
}

func truncateList(items []string, limit int) []string {
	if len(items) <= limit {
		return items
	}
	return append(items[:limit:limit], fmt.Sprintf("and %d more", len(items)-limit))
}

func distinctDomains(domains *domainSet, members []int) int {
	seen := map[int]bool{}
	for _, i := range members {
		seen[domains.byContainer[i]] = true
	}
	return len(seen)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// pick returns one when n is 1 and many otherwise.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
