package checks

import (
	"fmt"

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
	Needs:    []inventory.Source{inventory.SourceHostSELinux},
	evaluate: evaluateHostDisabled,
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
	Needs:    []inventory.Source{inventory.SourceHostSELinux},
	evaluate: evaluateHostPermissive,
}

func evaluateHostDisabled(snap *inventory.Snapshot) Outcome {
	return evaluateHostState(snap, inventory.SELinuxDisabled,
		"SELinux is disabled on host %s: no container is isolated by labels")
}

func evaluateHostPermissive(snap *inventory.Snapshot) Outcome {
	return evaluateHostState(snap, inventory.SELinuxPermissive,
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
