package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

var typeReferences = []string{
	"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
	"https://github.com/containers/container-selinux",
	"https://github.com/containers/udica",
}

var type001 = Check{
	ID:       "TYPE-001",
	Title:    "Container process runs in an unconfined type",
	Severity: SeverityHigh,
	Rationale: "The MCS constraint applies only to types in the policy attribute mcs_constrained_type. " +
		"spc_t, unconfined_t, container_runtime_t, kernel_t, initrc_t and similar types are outside it. " +
		"A process in them reads and writes every container's files and signals every container " +
		"whatever its level: on a Debian 12 host spc_t got read, write, relabel, ptrace and sigkill on " +
		"a default container. The check judges the label the kernel reports in /proc/PID/attr/current " +
		"where a process was read, and the engine's ProcessLabel otherwise; the evidence says which. " +
		"High, because the container is outside label isolation entirely.",
	Remediation: "Run the container without --security-opt label=type:spc_t (or another unconfined " +
		"type), --privileged or label=disable (TYPE-002 names the setting). A workload that needs " +
		"host access can run confined with a policy made for it by udica. If the engine itself runs " +
		"unconfined (a daemon in kernel_t or a root shell), fix its own label so that its containers " +
		"transition to container_t. List a type that is in fact confined in confinedTypes of the " +
		"check configuration.",
	References: typeReferences,
	Needs:      []inventory.Source{inventory.SourcePodman, inventory.SourceProcfs},
	evaluate:   evaluateUnconfinedTypes,
}

var type002 = Check{
	ID:       "TYPE-002",
	Title:    "SELinux labeling disabled for a container",
	Severity: SeverityHigh,
	Rationale: "Podman and Docker assign no label to a container that is privileged, runs with " +
		"label=disable, or shares the host's PID or IPC namespace. Its processes then run in the " +
		"engine's own domain (spc_t under a confined engine, unconfined_t from a root shell), " +
		"which MCS does not constrain: it can read and write every other container's files. " +
		"High, because the container is outside label isolation entirely.",
	Remediation: "Remove --privileged, --security-opt label=disable, --pid host and --ipc host " +
		"unless the workload needs them. A workload that needs some host access can run confined " +
		"with a policy made for it (udica) and --security-opt label=type:<its type>.",
	References: []string{
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
		"https://github.com/containers/udica",
	},
	Needs:          []inventory.Source{inventory.SourcePodman},
	withoutSELinux: true,
	evaluate:       evaluateLabelingDisabled,
}

var type003 = Check{
	ID:       "TYPE-003",
	Title:    "Confined container in a non-default type",
	Severity: SeverityInfo,
	Rationale: "Engines run containers as container_t (container_init_t for systemd, container_kvm_t " +
		"for VM runtimes). Another confined type, such as a udica policy's <name>.process or one set " +
		"with label=type:, is still MCS-constrained, but its allow rules are whatever its policy " +
		"grants, which this audit does not read. Info, so that every such type has been reviewed; " +
		"list a reviewed type in confinedTypes of the check configuration to silence it.",
	Remediation: "Review the policy of the type (sesearch -A -s TYPE) and list it in confinedTypes " +
		"of the check configuration once it is accepted.",
	References: typeReferences,
	Needs:      []inventory.Source{inventory.SourcePodman, inventory.SourceProcfs},
	evaluate:   evaluateNonDefaultTypes,
}

var type004 = Check{
	ID:       "TYPE-004",
	Title:    "Malformed container process label",
	Severity: SeverityMedium,
	Rationale: "A process label needs a process role (system_r, not the file role object_r) and a " +
		"domain type. A label that does not parse, or names a file type such as container_file_t as " +
		"the process type, comes from a broken label=user:, label=role: or label=type: option or " +
		"engine configuration. The container fails to start or runs under an unintended label, and " +
		"the MCS checks cannot judge it. Medium, because its confinement is unknown.",
	Remediation: "Fix the container's --security-opt label=... options (label=type takes a process " +
		"type such as container_t; label=filetype takes the file type) and recreate it.",
	References: typeReferences,
	Needs:      []inventory.Source{inventory.SourcePodman, inventory.SourceProcfs},
	evaluate:   evaluateMalformedLabels,
}

func evaluateUnconfinedTypes(e *evaluation) Outcome {
	var out Outcome
	for i := range e.containerViews() {
		v := &e.views[i]
		switch v.class {
		case classUnknown, classUnknownType:
			n, _ := e.labelNotEvaluated(v)
			out.NotEvaluated = append(out.NotEvaluated, n)
			continue
		case classUnconfined:
		default:
			continue
		}
		evidence := []Evidence{v.labelEvidence()}
		if v.fromKernel {
			evidence = append(evidence, Evidence{Name: "process label (inspect)", Value: describeLabel(v.c.ProcessLabel)})
		}
		if causes := labelingDisabledCauses(*v.c, engineLabels(e.snap, v.c.Engine)); len(causes) > 0 {
			evidence = append(evidence, Evidence{Name: "labeling disabled by (TYPE-002)", Value: strings.Join(causes, ", ")})
		}
		out.Findings = append(out.Findings, Finding{
			Message: fmt.Sprintf("container %s runs as %s, which MCS does not constrain: it reaches every container's files and processes",
				containerName(*v.c), v.typeName()),
			Subjects: []Subject{ContainerSubject(*v.c)},
			Evidence: evidence,
		})
	}
	return out
}

func evaluateLabelingDisabled(e *evaluation) Outcome {
	var out Outcome
	views := e.containerViews()
	for i := range views {
		v := &views[i]
		c := *v.c
		if c.InspectError != "" {
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{
				Subject: ContainerSubject(c),
				Reason:  "container settings unknown: " + c.InspectError,
			})
			continue
		}
		// A container seen only through /proc has no engine settings to
		// judge; its kernel label is judged by TYPE-001 where SELinux runs.
		if c.DiscoveredBy == inventory.DiscoveredByProcfs {
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{
				Subject: ContainerSubject(c),
				Reason: "container settings unknown: seen only through /proc, no queried engine API reported it; " +
					"pass its engine's socket with --url to audit its settings",
			})
			continue
		}
		causes := labelingDisabledCauses(c, engineLabels(e.snap, c.Engine))
		if len(causes) == 0 {
			continue
		}
		evidence := []Evidence{
			{Name: "causes", Value: strings.Join(causes, ", ")},
			{Name: "process label (inspect)", Value: describeLabel(c.ProcessLabel)},
			{Name: "mount label (inspect)", Value: describeLabel(c.MountLabel)},
		}
		if v.fromKernel {
			evidence = append(evidence, v.labelEvidence())
		}
		out.Findings = append(out.Findings, Finding{
			Message: fmt.Sprintf("container %s runs with SELinux labeling disabled (%s): its processes are not confined by MCS",
				containerName(c), strings.Join(causes, ", ")),
			Subjects: []Subject{ContainerSubject(c)},
			Evidence: evidence,
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

func evaluateNonDefaultTypes(e *evaluation) Outcome {
	var out Outcome
	reviewed := &seclabel.Classifier{ConfinedTypes: e.settings.reviewedTypes}
	for i := range e.containerViews() {
		v := &e.views[i]
		switch v.class {
		case classUnknown, classUnknownType:
			n, _ := e.labelNotEvaluated(v)
			out.NotEvaluated = append(out.NotEvaluated, n)
			continue
		case classConfined:
		default:
			continue
		}
		t := v.typeName()
		if slices.Contains(defaultEngineTypes, t) || reviewed.ClassifyProcess(t) == seclabel.DomainConfined {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			Message: fmt.Sprintf("container %s runs confined as %s, not an engine's default type: its access is what that type's policy allows",
				containerName(*v.c), t),
			Subjects: []Subject{ContainerSubject(*v.c)},
			Evidence: []Evidence{v.labelEvidence(), {Name: "security options", Value: strings.Join(v.c.SecurityOpt, ", ")}},
		})
	}
	return out
}

func evaluateMalformedLabels(e *evaluation) Outcome {
	var out Outcome
	for i := range e.containerViews() {
		v := &e.views[i]
		if v.class == classUnknown {
			n, _ := e.labelNotEvaluated(v)
			out.NotEvaluated = append(out.NotEvaluated, n)
			continue
		}
		var problems []string
		if v.class == classMalformed {
			problems = append(problems, fmt.Sprintf("%s (%s): %s", quoteLabel(v.label), v.labelSource(), v.reason))
		}
		// An engine label the kernel never ran is still the engine's
		// configuration, so it is judged when the kernel's label differs.
		if v.fromKernel && v.c.ProcessLabel.State == inventory.Labeled && v.c.ProcessLabel.Value != v.label.Value {
			inspect := containerView{c: v.c, label: v.c.ProcessLabel}
			e.classify(&inspect)
			if inspect.class == classMalformed {
				problems = append(problems, fmt.Sprintf("%s (inspect ProcessLabel): %s", v.c.ProcessLabel.Value, inspect.reason))
			}
		}
		if len(problems) == 0 {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			Message:  fmt.Sprintf("container %s has a malformed process label: %s", containerName(*v.c), strings.Join(problems, "; ")),
			Subjects: []Subject{ContainerSubject(*v.c)},
			Evidence: []Evidence{v.labelEvidence(), {Name: "security options", Value: strings.Join(v.c.SecurityOpt, ", ")}},
		})
	}
	return out
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
