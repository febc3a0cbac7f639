package checks

import (
	"fmt"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

var host001 = Check{
	ID:       "HOST-001",
	Title:    "SELinux disabled on the host",
	Severity: SeverityCritical,
	Rationale: "Container isolation by SELinux rests on the kernel enforcing type and MCS rules. " +
		"With SELinux disabled no label is checked, so nothing but namespaces, capabilities and " +
		"file permissions stands between one container and another or the host.",
	Remediation: "Set SELINUX=enforcing in /etc/selinux/config, relabel the file systems " +
		"(touch /.autorelabel) and reboot. On Fedora and RHEL also make sure the kernel command " +
		"line has no selinux=0.",
	References: []string{
		"https://docs.fedoraproject.org/en-US/quick-docs/selinux-changing-states-and-modes/",
		"https://github.com/containers/container-selinux",
	},
	Needs:          []inventory.Source{inventory.SourceHostSELinux},
	withoutSELinux: true,
	evaluate:       evaluateHostDisabled,
}

var host002 = Check{
	ID:       "HOST-002",
	Title:    "SELinux permissive on the host",
	Severity: SeverityHigh,
	Rationale: "In permissive mode the kernel computes every SELinux decision but only logs " +
		"denials, so a container that reaches another container's files or processes is let through.",
	Remediation: "Run setenforce 1 now and set SELINUX=enforcing in /etc/selinux/config so the " +
		"host boots enforcing. Investigate the logged denials (ausearch -m AVC) before switching.",
	References: []string{
		"https://docs.fedoraproject.org/en-US/quick-docs/selinux-changing-states-and-modes/",
	},
	Needs:          []inventory.Source{inventory.SourceHostSELinux},
	withoutSELinux: true,
	evaluate:       evaluateHostPermissive,
}

var host003 = Check{
	ID:       "HOST-003",
	Title:    "MLS policy in use",
	Severity: SeverityMedium,
	Rationale: "Container engines and container-selinux are written for the targeted (MCS) policy: " +
		"they give each container a pair of categories at sensitivity s0. Under the MLS policy the " +
		"Bell-La Padula rules (read down, write equal) and the sensitivities change what a level " +
		"grants, and container-selinux does not support it, so the MCS reasoning of this audit does " +
		"not hold. The check reads the policy name (SELINUXTYPE= in /etc/selinux/config), because " +
		"/sys/fs/selinux/mls reads 1 on MCS policies too. Medium, because isolation may still hold " +
		"but cannot be judged by the rules containers rely on.",
	Remediation: "Run containers on hosts with the targeted policy (SELINUXTYPE=targeted), or have " +
		"the MLS setup and its container policy reviewed by someone who owns it.",
	References: []string{
		"https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/8/html/using_selinux/using-multi-level-security-mls_using-selinux",
		"https://github.com/containers/container-selinux",
	},
	Needs:    []inventory.Source{inventory.SourceHostSELinux},
	evaluate: evaluateMLSPolicy,
}

var host004 = Check{
	ID:       "HOST-004",
	Title:    "SELinux boolean on that widens what containers reach",
	Severity: SeverityMedium,
	Rationale: "Policy booleans switch on allow rules for every container domain at once. " +
		"virt_use_nfs and container_use_nfs, for example, let every container read and write every " +
		"file on NFS, where all files carry nfs_t without categories, so MCS separates nothing there; " +
		"others grant all capabilities, device nodes or the cgroup file system. Each finding names " +
		"what its boolean allows. Medium, because the reach depends on what the host mounts and " +
		"exposes; accept a boolean the host needs with acceptedBooleans in the check configuration.",
	Remediation: "Turn the boolean off with setsebool -P NAME off unless a workload needs it, and " +
		"prefer a policy module for that workload (udica) over a host-wide boolean.",
	References: []string{
		"https://github.com/containers/container-selinux",
		"https://manpages.ubuntu.com/manpages/noble/man8/booleans.8.html",
	},
	Needs:    []inventory.Source{inventory.SourceBooleans},
	evaluate: evaluateWideningBooleans,
}

var host005 = Check{
	ID:       "HOST-005",
	Title:    "Container engine runs with SELinux labeling off",
	Severity: SeverityHigh,
	Rationale: "With label=false in containers.conf, or an engine built or started without SELinux " +
		"support, the engine labels no container. Every container then runs in the engine's own " +
		"domain (spc_t under a confined engine, unconfined_t from a root shell), which MCS does not " +
		"constrain, while the host enforces SELinux for everything else. The effective containers.conf " +
		"value is the last file that sets it. High, because every container of the engine is affected.",
	Remediation: "Remove label=false from containers.conf (or set label=true), check that \"podman " +
		"info\" reports host.security.selinuxEnabled: true, and recreate the containers.",
	References: []string{
		"https://github.com/containers/common/blob/main/docs/containers.conf.5.md",
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
	},
	Needs:    []inventory.Source{inventory.SourcePodman, inventory.SourceEngineConfig, inventory.SourceHostSELinux},
	evaluate: evaluateEngineLabeling,
}

var host006 = Check{
	ID:       "HOST-006",
	Title:    "No container on the host runs confined",
	Severity: SeverityHigh,
	Rationale: "SELinux separates containers only when their processes run in an MCS-constrained " +
		"type such as container_t. When every running container is unconfined (spc_t, " +
		"unconfined_t) or unlabeled, SELinux is on but separates no container from another; a " +
		"runtime built without SELinux support shows this, running every workload as spc_t. With " +
		"SELinux disabled, HOST-001 reports the same. High, because it voids the isolation of the " +
		"whole host; TYPE-001 and TYPE-002 name each container.",
	Remediation: "Find out why no container is labeled: check the engine's SELinux setting (HOST-005), " +
		"that the runtime was built with SELinux support, and that workloads do not all set " +
		"label=disable or --privileged (TYPE-002).",
	References: []string{
		"https://github.com/containers/container-selinux",
		"https://docs.podman.io/en/latest/markdown/podman-run.1.html#security-opt-option",
	},
	Needs:    []inventory.Source{inventory.SourcePodman, inventory.SourceProcfs, inventory.SourceHostSELinux},
	evaluate: evaluateNoneConfined,
}

func evaluateHostDisabled(e *evaluation) Outcome {
	return evaluateHostState(e.snap, inventory.SELinuxDisabled,
		"SELinux is disabled on host %s: no container is isolated by labels")
}

func evaluateHostPermissive(e *evaluation) Outcome {
	return evaluateHostState(e.snap, inventory.SELinuxPermissive,
		"SELinux is permissive on host %s: denials between containers are logged, not enforced")
}

// evaluateHostState reports when the host is in the given state, and
// reports "not evaluated" when the state could not be read.
func evaluateHostState(snap *inventory.Snapshot, want inventory.SELinuxState, format string) Outcome {
	se := snap.Host.SELinux
	subject := HostSubject(snap)
	switch se.State {
	case inventory.SELinuxUnknown, "":
		return Outcome{NotEvaluated: []NotEvaluated{{Subject: subject, Reason: "SELinux state unknown: " + se.StateReason}}}
	case want:
	default:
		return Outcome{}
	}

	evidence := []Evidence{{Name: "selinux state", Value: fmt.Sprintf("%s (%s)", se.State, se.StateReason)}}
	if se.ConfigMode != "" {
		evidence = append(evidence, Evidence{Name: "SELINUX= in etc/selinux/config", Value: se.ConfigMode})
	}
	return Outcome{Findings: []Finding{{
		Message:  fmt.Sprintf(format, snap.Host.Hostname),
		Subjects: []Subject{subject},
		Evidence: evidence,
	}}}
}

func evaluateMLSPolicy(e *evaluation) Outcome {
	se := e.snap.Host.SELinux
	subject := HostSubject(e.snap)
	if se.PolicyType == "" {
		if !e.selinuxOn() {
			return Outcome{}
		}
		return Outcome{NotEvaluated: []NotEvaluated{{Subject: subject, Reason: "SELINUXTYPE= not read from etc/selinux/config"}}}
	}
	if !strings.EqualFold(se.PolicyType, "mls") {
		return Outcome{}
	}
	evidence := []Evidence{{Name: "SELINUXTYPE= in etc/selinux/config", Value: se.PolicyType}}
	if se.MLSEnabled != nil {
		evidence = append(evidence, Evidence{Name: "sys/fs/selinux/mls", Value: fmt.Sprint(*se.MLSEnabled)})
	}
	return Outcome{Findings: []Finding{{
		Message:  fmt.Sprintf("host %s loads the MLS policy: container engines assume the targeted MCS policy", e.snap.Host.Hostname),
		Subjects: []Subject{subject},
		Evidence: evidence,
	}}}
}

func evaluateWideningBooleans(e *evaluation) Outcome {
	se := e.snap.Host.SELinux
	subject := HostSubject(e.snap)
	if se.Booleans == nil {
		if !e.selinuxOn() {
			return Outcome{}
		}
		return Outcome{NotEvaluated: []NotEvaluated{{Subject: subject, Reason: "SELinux booleans not read from sys/fs/selinux/booleans"}}}
	}
	var out Outcome
	for _, b := range se.Booleans {
		allows, widening := e.settings.wideningBooleans[b.Name]
		if !widening || !b.Current {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			Message:  fmt.Sprintf("SELinux boolean %s is on: %s", b.Name, allows),
			Subjects: []Subject{subject},
			Evidence: []Evidence{
				{Name: "boolean", Value: b.Name},
				{Name: "current, pending", Value: fmt.Sprintf("%t, %t", b.Current, b.Pending)},
			},
			Remediation: fmt.Sprintf("Run setsebool -P %s off unless a workload needs it; if one does, accept it with acceptedBooleans in the check configuration and prefer a policy module for that workload (udica).", b.Name),
		})
	}
	return out
}

func evaluateEngineLabeling(e *evaluation) Outcome {
	if !e.selinuxOn() {
		return Outcome{}
	}
	var out Outcome
	state := string(e.snap.Host.SELinux.State)
	for _, eng := range e.snap.Engines {
		if eng.SELinuxEnabled == nil || *eng.SELinuxEnabled {
			continue
		}
		subject := HostSubject(e.snap)
		subject.Engine, subject.Rootless, subject.UID = eng.Name, eng.Rootless, eng.UID
		out.Findings = append(out.Findings, Finding{
			Message:  fmt.Sprintf("%s at %s reports SELinux labeling off while the host is %s: its containers run unlabeled", eng.Name, eng.URL, state),
			Subjects: []Subject{subject},
			Evidence: []Evidence{
				{Name: "engine", Value: fmt.Sprintf("%s %s at %s", eng.Name, eng.Version, eng.URL)},
				{Name: "host.security.selinuxEnabled", Value: "false"},
				{Name: "host SELinux state", Value: state},
			},
		})
	}

	// Files apply in order, so the last one that sets label= decides.
	effective := map[string]inventory.EngineConfig{}
	var names []string
	for _, cfg := range e.snap.Host.EngineConfigs {
		if cfg.Label == "" {
			continue
		}
		if _, seen := effective[cfg.Engine]; !seen {
			names = append(names, cfg.Engine)
		}
		effective[cfg.Engine] = cfg
	}
	for _, name := range names {
		cfg := effective[name]
		if cfg.Label != "false" {
			continue
		}
		subject := HostSubject(e.snap)
		subject.Engine = name
		out.Findings = append(out.Findings, Finding{
			Message:  fmt.Sprintf("%s configuration %s sets label=false while the host is %s: the engine labels no container", name, cfg.Path, state),
			Subjects: []Subject{subject, PathSubject(cfg.Path)},
			Evidence: []Evidence{
				{Name: "label= in " + cfg.Path, Value: cfg.Label},
				{Name: "host SELinux state", Value: state},
			},
		})
	}
	return out
}

func evaluateNoneConfined(e *evaluation) Outcome {
	if !e.selinuxOn() {
		return Outcome{}
	}
	counts := map[labelClass]int{}
	total := 0
	for i := range e.containerViews() {
		v := &e.views[i]
		if !v.running() {
			continue
		}
		total++
		counts[v.class]++
		if v.class == classConfined {
			return Outcome{}
		}
	}
	if total == 0 {
		return Outcome{}
	}
	var names []string
	for i := range e.views {
		if v := &e.views[i]; v.running() {
			names = append(names, fmt.Sprintf("%s (%s)", containerName(*v.c), quoteLabel(v.label)))
		}
	}
	subject := HostSubject(e.snap)
	if unjudged := counts[classUnknown] + counts[classUnknownType]; unjudged > 0 {
		return Outcome{NotEvaluated: []NotEvaluated{{Subject: subject,
			Reason: fmt.Sprintf("no running container is known to be confined, but the labels of %d of %d cannot be judged (see TYPE-001)", unjudged, total)}}}
	}
	return Outcome{Findings: []Finding{{
		Message: fmt.Sprintf("SELinux is %s on host %s, but none of its %d running containers runs confined: %d unconfined, %d unlabeled, %d malformed",
			e.snap.Host.SELinux.State, e.snap.Host.Hostname, total, counts[classUnconfined], counts[classNotLabeled], counts[classMalformed]),
		Subjects: []Subject{subject},
		Evidence: []Evidence{{Name: "running containers", Value: strings.Join(truncateList(names, 20), "; ")}},
	}}}
}
