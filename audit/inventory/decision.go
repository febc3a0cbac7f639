package inventory

// SourceKernelAccess is the coverage source for kernel access decisions.
const SourceKernelAccess Source = "kernel-access"

// AccessDecision is the kernel's response to "may Source do Perms to Target
// of Class", obtained from selinuxfs on the audited host. Checks prefer it
// to the label model's prediction, and a snapshot keeps it so an offline
// audit reproduces it.
type AccessDecision struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Class  string `json:"class"`
	// Allowed and Denied split the requested permissions by the kernel's
	// response, each sorted.
	Allowed []string `json:"allowed"`
	Denied  []string `json:"denied"`
	// Permissive is true when the source domain is permissive: the kernel
	// logs the denied permissions but grants them.
	Permissive bool `json:"permissive,omitempty"`
	// Error is set when the kernel returned no decision, such as a context the
	// loaded policy does not know.
	Error string `json:"error,omitempty"`
}
