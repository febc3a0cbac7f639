// Package seclabel models SELinux security contexts and the MCS rule that
// separates containers from each other. It parses raw contexts, ranges and
// levels with precise errors, prints them in the kernel's canonical form,
// compares levels without allocating, and classifies process and file
// types of container-selinux.
//
// The package does no I/O. Callers read a label from /proc/<pid>/attr/current
// or the security.selinux xattr, strip the trailing NUL byte, and parse it:
//
//	proc, err := seclabel.ParseContext("system_u:system_r:container_t:s0:c74,c276")
//	if err != nil {
//		return err // errors.Is(err, seclabel.ErrInvalidLabel) holds
//	}
//	file, err := seclabel.ParseContext("system_u:object_r:container_file_t:s0:c294,c449")
//	if err != nil {
//		return err
//	}
//	verdict := seclabel.DefaultClassifier().CheckMCS(proc, file) // VerdictDenied
//
// CanReach states the MCS rule and its source. The rule is only half of
// what the kernel decides, because type enforcement can deny an access
// that MCS allows.
package seclabel
