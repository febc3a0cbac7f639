package checks

import (
	"fmt"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

var type002 = Check{
	ID:       "TYPE-002",
	Title:    "SELinux labeling disabled for a container",
	Severity: SeverityHigh,
	Rationale: "Podman and Docker assign no label to a container that is privileged, runs with " +
		"label=disable, or shares the host's PID or IPC namespace. Its processes then run in the " +
		"engine's own domain (spc_t under a confined engine, unconfined_t from a root shell), " +
		"which MCS does not constrain: it can read and write every other container's files.",
	Remediation: "Remove --privileged, --security-opt label=disable, --pid host and --ipc host " +
		"unless the workload needs them. A workload that needs some host access can run confined " +
		"with a policy made for it (udica) and --security-opt label=type:<its type>.",
	References: []string{
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
		"https://github.com/containers/udica",
	},
	Needs:    []inventory.Source{inventory.SourcePodman},
	evaluate: evaluateLabelingDisabled,
}

func evaluateLabelingDisabled(snap *inventory.Snapshot) Outcome {
	var out Outcome
	for _, c := range snap.Containers {
		if c.InspectError != "" {
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{
				Subject: ContainerSubject(c),
				Reason:  "container settings unknown: " + c.InspectError,
			})
			continue
		}
		causes := labelingDisabledCauses(c, engineLabels(snap, c.Engine))
		if len(causes) == 0 {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			Message: fmt.Sprintf("container %s runs with SELinux labeling disabled (%s): its processes are not confined by MCS",
				c.Name, strings.Join(causes, ", ")),
			Subjects: []Subject{ContainerSubject(c)},
			Evidence: labelEvidence(c, causes),
		})
	}
	return out
}

// labelingDisabledCauses lists the container settings that make its engine
// skip labeling. Podman 4.3 reports --ipc host as "shareable" in the API,
// so a host IPC namespace shows only as an empty process label from an
// engine whose labeling is on (engineLabeling true).
func labelingDisabledCauses(c inventory.Container, engineLabeling bool) []string {
	var causes []string
	if c.Privileged {
		causes = append(causes, "privileged")
	}
	for _, opt := range c.SecurityOpt {
		// Podman writes label=disable; Docker accepts label:disable too.
		if opt == "label=disable" || opt == "label:disable" {
			causes = append(causes, "security-opt "+opt)
			break
		}
	}
	if c.PidMode == "host" {
		causes = append(causes, "host PID namespace")
	}
	if c.IpcMode == "host" {
		causes = append(causes, "host IPC namespace")
	}
	if len(causes) == 0 && engineLabeling && c.ProcessLabel.State == inventory.NotLabeled {
		causes = append(causes, "engine labels containers but assigned this one no process label")
	}
	return causes
}

// engineLabels reports whether the engine that runs a container reported its
// SELinux labeling is on. Unknown counts as off, so an empty label is
// never blamed on a setting nobody observed.
func engineLabels(snap *inventory.Snapshot, ref inventory.EngineRef) bool {
	for _, e := range snap.Engines {
		if e.Name == ref.Name && e.URL == ref.URL && e.SELinuxEnabled != nil {
			return *e.SELinuxEnabled
		}
	}
	return false
}

func labelEvidence(c inventory.Container, causes []string) []Evidence {
	return []Evidence{
		{Name: "causes", Value: strings.Join(causes, ", ")},
		{Name: "process label (inspect)", Value: describeLabel(c.ProcessLabel)},
		{Name: "mount label (inspect)", Value: describeLabel(c.MountLabel)},
	}
}

func describeLabel(l inventory.Label) string {
	switch l.State {
	case inventory.Labeled:
		return l.Value
	case "":
		return "unknown"
	default:
		if l.Reason == "" {
			return string(l.State)
		}
		return fmt.Sprintf("%s (%s)", l.State, l.Reason)
	}
}
