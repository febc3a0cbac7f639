package seclabel

// CanReach reports whether the MCS constraints let a process whose type is
// MCS-constrained, running at range process, access an object at range
// object. It returns true when the process's high level dominates the
// object's high level, "h1 dom h2" in constraint notation.
//
// The rule comes from policy/mcs, which has the same expression in
// SELinuxProject/refpolicy (RELEASE_2_20260616) and in Fedora's
// fedora-selinux/selinux-policy (v41.24):
//
//	mlsconstrain file { read ... } (( h1 dom h2 ) or ( t1 != mcs_constrained_type ));
//	mlsconstrain file { write setattr append unlink link rename } (same)
//	mlsconstrain dir { search read ... add_name remove_name } (same)
//	mlsconstrain process { ptrace sigkill sigstop signal } (same)
//
// So the same test decides file and directory access (read, write, search,
// execute) and process-to-process access (signals, ptrace, transitions). In
// the process case, object is the target process's range. Most files are
// single-level, so h2 is their only level. For an object with a range, h2
// is the high end of that range.
//
// CanReach evaluates only the "h1 dom h2" half. A process whose type is not
// in mcs_constrained_type passes the constraint at any level, and type
// enforcement rules can still deny an access that MCS allows.
// Classifier.CheckMCS combines both halves.
func CanReach(process, object Range) bool {
	return dominates(&process.high, &object.high)
}

// Verdict is the outcome of the MCS constraint for one access.
type Verdict int

const (
	// VerdictUnknown means the outcome depends on facts the caller did not
	// give: the Classifier returns DomainUnknown for the process type, or a
	// context has no range.
	VerdictUnknown Verdict = iota
	// VerdictAllowed means the MCS constraint allows the access.
	VerdictAllowed
	// VerdictDenied means the MCS constraint denies the access.
	VerdictDenied
)

// String returns "unknown", "allowed" or "denied".
func (v Verdict) String() string {
	switch v {
	case VerdictAllowed:
		return "allowed"
	case VerdictDenied:
		return "denied"
	default:
		return "unknown"
	}
}

// CheckMCS evaluates the whole MCS constraint "(h1 dom h2) or (t1 !=
// mcs_constrained_type)" for a process acting on a target, which is a file,
// a directory or another process (see CanReach for the source). It returns
//
//   - VerdictAllowed when the process's high level dominates the target's
//     high level, whatever the process type;
//   - VerdictDenied when it does not and the process type is confined;
//   - VerdictAllowed when it does not and the process type is unconfined;
//   - VerdictUnknown when it does not and the process type is unknown, or
//     when either context has no range.
//
// It does not evaluate type enforcement, so VerdictAllowed does not mean
// that the kernel allows the access.
func (c *Classifier) CheckMCS(process, target Context) Verdict {
	processRange, ok := process.Range()
	if !ok {
		return VerdictUnknown
	}
	targetRange, ok := target.Range()
	if !ok {
		return VerdictUnknown
	}
	if CanReach(processRange, targetRange) {
		return VerdictAllowed
	}

	switch c.ClassifyProcess(process.Type()) {
	case DomainConfined:
		return VerdictDenied
	case DomainUnconfined:
		return VerdictAllowed
	default:
		return VerdictUnknown
	}
}
