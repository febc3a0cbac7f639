// Package verdict compares mcsaudit's findings with what a real
// SELinux-enforcing kernel allowed and denied.
//
// The real-kernel tests (e2e/run.sh, "make e2e-selinux") boot a guest,
// start the containers of each Scenario, run "mcsaudit scan --format json"
// in it, and then try accesses from inside the containers. Each access is
// a Probe: a read or write of a file carrying another container's label,
// of a host directory bound into the container, or a signal to another
// container's process. For each probe the guest records what happened and
// what /sys/fs/selinux/access answered for the same contexts, class and
// permissions.
//
// Predict turns the findings into the outcome they imply for a probe (its
// comment lists the rules), and Compare gives every scenario one of four
// verdicts: agree, disagree, not covered (a check the scenario needs is not
// in the catalog yet) or error (the evidence is incomplete).
//
//	probes, _ := verdict.ReadProbes(probesFile)
//	report, _ := verdict.ReadReport(reportFile)
//	catalog, _ := verdict.ReadCatalog(checksFile)
//	results := verdict.Compare(verdict.Scenarios(), probes, report, catalog)
//	verdict.WriteTable(os.Stdout, results)
package verdict
