package checks

import (
	"fmt"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

var proc001 = Check{
	ID:       "PROC-001",
	Title:    "Container process runs with a label other than the container's",
	Severity: SeverityHigh,
	Rationale: "The kernel enforces the label in /proc/PID/attr/current, not the one the engine " +
		"reports. A container process whose label differs from the container's ProcessLabel escaped " +
		"the engine's labeling: an exec session or runtime that did not apply the label, a process " +
		"that changed its own context, or a runtime built without SELinux support. The isolation " +
		"checks judge the kernel's label; this check reports the drift itself. High, because the " +
		"drifted process runs in a domain or at a level that no engine assigned.",
	Remediation: "Find how the process was started (ps -Z, the container's exec sessions, the " +
		"runtime's SELinux support) and restart the container with its engine's label. Check that " +
		"the runtime (crun, runc) was built with SELinux support.",
	References: []string{
		"https://github.com/containers/container-selinux",
		"https://docs.podman.io/en/latest/markdown/podman-exec.1.html",
	},
	Needs:    []inventory.Source{inventory.SourceProcfs, inventory.SourcePodman},
	evaluate: evaluateLabelDrift,
}

func evaluateLabelDrift(e *evaluation) Outcome {
	var out Outcome
	procs := e.processesByContainer()
	procfsRead := e.sourceRead(inventory.SourceProcfs)
	var notRead []string
	for i := range e.containerViews() {
		v := &e.views[i]
		c := v.c
		if !v.running() {
			continue
		}
		list := procs.of(c.ID)
		if len(list) == 0 {
			if procfsRead {
				out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: ContainerSubject(*c),
					Reason: "no process of the running container was found in /proc"})
			} else {
				notRead = append(notRead, containerName(*c))
			}
			continue
		}
		if c.ProcessLabel.State != inventory.Labeled {
			// Labeling disabled (TYPE-002) leaves nothing to compare with,
			// and an unknown inspect label cannot be compared either.
			if c.ProcessLabel.State != inventory.NotLabeled {
				out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: ContainerSubject(*c),
					Reason: "the engine's process label is unknown: " + describeLabel(c.ProcessLabel)})
			}
			continue
		}
		var drifted, unread []string
		for _, p := range list {
			switch {
			case p.Label.State != inventory.Labeled:
				unread = append(unread, fmt.Sprintf("pid %d (%s)", p.PID, p.Label.Reason))
			case p.Label.Value != c.ProcessLabel.Value:
				drifted = append(drifted, fmt.Sprintf("pid %d %s: %s", p.PID, p.Comm, p.Label.Value))
			}
		}
		if len(drifted) > 0 {
			out.Findings = append(out.Findings, Finding{
				Message: fmt.Sprintf("%d of %d processes of container %s run with a label other than its %s",
					len(drifted), len(list), containerName(*c), c.ProcessLabel.Value),
				Subjects: []Subject{ContainerSubject(*c)},
				Evidence: []Evidence{
					{Name: "process label (inspect)", Value: c.ProcessLabel.Value},
					{Name: "processes with another label (from /proc)", Value: strings.Join(drifted, "; ")},
				},
			})
		}
		if len(unread) > 0 {
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: ContainerSubject(*c),
				Reason: "labels of " + strings.Join(unread, ", ") + " not read"})
		}
	}
	if len(notRead) > 0 {
		out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Subject: HostSubject(e.snap),
			Reason: fmt.Sprintf("process labels were not collected from /proc, so the kernel's labels of %d running containers are unknown (%s)",
				len(notRead), strings.Join(truncateList(notRead, 10), ", "))})
	}
	return out
}
