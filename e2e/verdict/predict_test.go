package verdict

import "testing"

func containerFinding(checkID string, names ...string) Finding {
	f := Finding{CheckID: checkID}
	for _, n := range names {
		f.Subjects = append(f.Subjects, Subject{Kind: "container", Name: n})
	}
	return f
}

func mountFinding(checkID, container, path string) Finding {
	f := containerFinding(checkID, container)
	f.Subjects = append(f.Subjects, Subject{Kind: "path", Path: path})
	return f
}

// hostTypeFinding is MOUNT-005 on m-plain's bind of path with the kernel
// decisions the scan recorded for the file and dir classes.
func hostTypeFinding(path, fileDecision, dirDecision string) Finding {
	f := mountFinding("MOUNT-005", "m-plain", path)
	f.Evidence = []Evidence{
		{Name: "kernel decision (file) for m-plain on " + path, Value: fileDecision},
		{Name: "kernel decision (dir) for m-plain on " + path, Value: dirDecision},
	}
	return f
}

// subsetFinding is MCS-002 as mcsaudit reports c1 and c2 (one level)
// dominating d-sub.
func subsetFinding() Finding {
	f := containerFinding("MCS-002", "c1", "c2", "d-sub")
	f.Evidence = []Evidence{
		{Name: "dominating level", Value: "s0:c100,c200"},
		{Name: "dominated levels", Value: "s0:c100"},
		{Name: "c1", Value: "system_u:system_r:container_t:s0:c100,c200 (process)"},
		{Name: "c2", Value: "system_u:system_r:container_t:s0:c100,c200 (process)"},
		{Name: "d-sub", Value: "system_u:system_r:container_t:s0:c100 (process)"},
	}
	return f
}

func cross(subject, owner, op string) Probe {
	return Probe{ID: subject + ":" + owner + ":" + op, Subject: subject, Owner: owner, Relation: RelationCross, Op: op, Class: "file"}
}

func TestPredictCrossAccess(t *testing.T) {
	tests := []struct {
		name     string
		findings []Finding
		probe    Probe
		want     Outcome
	}{
		{"silence means isolated", nil, cross("a1", "a2", "read"), Denied},
		{"MCS-001 either direction", []Finding{containerFinding("MCS-001", "c2", "c1")}, cross("c1", "c2", "write"), Allowed},
		{"MCS-001 on other pair", []Finding{containerFinding("MCS-001", "c1", "c2")}, cross("a1", "c2", "read"), Denied},
		{"MCS-002 dominating subject", []Finding{containerFinding("MCS-002", "d-super", "c1")}, cross("d-super", "c1", "read"), Allowed},
		{"MCS-002 dominated subject", []Finding{containerFinding("MCS-002", "d-super", "c1")}, cross("c1", "d-super", "read"), Denied},
		{"MCS-002 evidence dominating", []Finding{subsetFinding()}, cross("c2", "d-sub", "write"), Allowed},
		{"MCS-002 evidence dominated", []Finding{subsetFinding()}, cross("d-sub", "c1", "read"), Denied},
		{"MCS-002 both dominating", []Finding{subsetFinding()}, cross("c1", "c2", "read"), Denied},
		{"MCS-002 full range", []Finding{{
			CheckID:  "MCS-002",
			Subjects: []Subject{{Kind: "container", Name: "d-full"}, {Kind: "container", Name: "a1"}},
			Evidence: []Evidence{
				{Name: "dominating level", Value: "s0:c0.c1023"},
				{Name: "d-full", Value: "system_u:system_r:container_t:s0-s0:c0.c1023 (process)"},
				{Name: "a1", Value: "system_u:system_r:container_t:s0:c178,c484 (process)"},
			},
		}}, cross("d-full", "a1", "read"), Allowed},
		{"MCS-003 on owner", []Finding{containerFinding("MCS-003", "d-s0")}, cross("a1", "d-s0", "write"), Allowed},
		{"MCS-003 on subject", []Finding{containerFinding("MCS-003", "d-s0")}, cross("d-s0", "a1", "read"), Denied},
		{"MCS-004 makes no pair claim", []Finding{containerFinding("MCS-004", "d-full")}, cross("d-full", "a1", "read"), Denied},
		{"TYPE-002 on subject", []Finding{containerFinding("TYPE-002", "b-priv")}, cross("b-priv", "a1", "write"), Allowed},
		{"TYPE-001 on subject", []Finding{containerFinding("TYPE-001", "b-priv")}, cross("b-priv", "a1", "read"), Allowed},
		{"TYPE-002 on owner", []Finding{containerFinding("TYPE-002", "b-priv")}, cross("a1", "b-priv", "read"), Denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Predict(tt.probe, &Report{Findings: tt.findings})
			if got.Outcome != tt.want {
				t.Errorf("Predict = %s (%s), want %s", got.Outcome, got.Basis, tt.want)
			}
			if got.OverReport != "" {
				t.Errorf("unexpected over-report: %s", got.OverReport)
			}
		})
	}
}

func TestPredictSameDomain(t *testing.T) {
	probe := Probe{ID: "p1-a:p1-b:read", Subject: "p1-a", Owner: "p1-b", Relation: RelationSameDomain, Op: "read"}

	got := Predict(probe, &Report{})
	if got.Outcome != Allowed || got.OverReport != "" {
		t.Errorf("silent report: Predict = %+v, want allowed without over-report", got)
	}

	pod := []Container{{Name: "p1-a", Pod: "p1"}, {Name: "p1-b", Pod: "p1"}, {Name: "p1-infra", Pod: "p1", IsInfra: true}}
	got = Predict(probe, &Report{Containers: pod, Findings: []Finding{containerFinding("MCS-001", "p1-a", "p1-b", "p1-infra")}})
	if got.OverReport == "" {
		t.Errorf("MCS-001 between pod members: no over-report in %+v", got)
	}

	// One level shared with an outsider is a real finding about the
	// outsider, not about the pod.
	got = Predict(probe, &Report{Containers: pod, Findings: []Finding{containerFinding("MCS-001", "p1-a", "p1-b", "x")}})
	if got.OverReport != "" {
		t.Errorf("MCS-001 with an outsider: unexpected over-report %q", got.OverReport)
	}

	// A third container dominating both members is no finding about them.
	third := Finding{
		CheckID:  "MCS-002",
		Subjects: []Subject{{Kind: "container", Name: "d-full"}, {Kind: "container", Name: "p1-a"}, {Kind: "container", Name: "p1-b"}},
		Evidence: []Evidence{
			{Name: "dominating level", Value: "s0:c0.c1023"},
			{Name: "d-full", Value: "system_u:system_r:container_t:s0-s0:c0.c1023 (process)"},
			{Name: "p1-a", Value: "system_u:system_r:container_t:s0:c1,c2 (process)"},
			{Name: "p1-b", Value: "system_u:system_r:container_t:s0:c1,c2 (process)"},
		},
	}
	got = Predict(probe, &Report{Containers: pod, Findings: []Finding{third}})
	if got.OverReport != "" {
		t.Errorf("MCS-002 by a third container: unexpected over-report %q", got.OverReport)
	}

	between := containerFinding("MCS-002", "p1-a", "p1-b")
	got = Predict(probe, &Report{Containers: pod, Findings: []Finding{between}})
	if got.OverReport == "" {
		t.Errorf("MCS-002 from p1-a over p1-b: no over-report in %+v", got)
	}
}

func TestPredictHostBind(t *testing.T) {
	const path = "/srv/e2e/bind/var-plain"
	read := Probe{ID: "m:read", Subject: "m-plain", Relation: RelationHost, Path: path, Op: "read", Class: "file"}
	write := Probe{ID: "m:write", Subject: "m-plain", Relation: RelationHost, Path: path, Op: "write", Class: "dir"}
	rw := &Report{Containers: []Container{{Name: "m-plain", Mounts: []Mount{{Source: path, Destination: "/m/var", RW: true}}}}}
	ro := &Report{Containers: []Container{{Name: "m-plain", Mounts: []Mount{{Source: path, Destination: "/m/var", RW: false}}}}}

	tests := []struct {
		name     string
		report   *Report
		findings []Finding
		probe    Probe
		want     Outcome
	}{
		{"silent write", rw, nil, write, Denied},
		{"silent read", rw, nil, read, Any},
		{"MOUNT-001 write", rw, []Finding{mountFinding("MOUNT-001", "m-plain", path)}, write, Allowed},
		{"MOUNT-002 read", rw, []Finding{mountFinding("MOUNT-002", "m-plain", path)}, read, Allowed},
		{"MOUNT-004 write", rw, []Finding{mountFinding("MOUNT-004", "m-plain", path)}, write, Allowed},
		{"MOUNT-005 without decision", rw, []Finding{mountFinding("MOUNT-005", "m-plain", path)}, write, Any},
		{"MOUNT-005 decision denies read", rw, []Finding{hostTypeFinding(path, "allowed none; denied open, read", "allowed read, search; denied add_name, write")}, read, Denied},
		{"MOUNT-005 decision allows read", rw, []Finding{hostTypeFinding(path, "allowed open, read; denied write", "allowed read, search; denied add_name, write")}, read, Allowed},
		{"MOUNT-005 decision denies write", rw, []Finding{hostTypeFinding(path, "allowed open, read; denied write", "allowed read, search; denied add_name, write")}, write, Denied},
		{"MOUNT-005 decision allows write", rw, []Finding{hostTypeFinding(path, "allowed open, read, write; denied none", "allowed add_name, search, write; denied none")}, write, Allowed},
		{"MOUNT-001 other path", rw, []Finding{mountFinding("MOUNT-001", "m-plain", "/elsewhere")}, write, Denied},
		{"MOUNT-003 makes no claim", rw, []Finding{mountFinding("MOUNT-003", "m-plain", path)}, write, Denied},
		{"read-only beats findings", ro, []Finding{mountFinding("MOUNT-001", "m-plain", path)}, write, Denied},
		{"unconfined subject", rw, []Finding{containerFinding("TYPE-002", "m-plain")}, write, Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := *tt.report
			rep.Findings = tt.findings
			if got := Predict(tt.probe, &rep); got.Outcome != tt.want {
				t.Errorf("Predict = %s (%s), want %s", got.Outcome, got.Basis, tt.want)
			}
		})
	}
}

func TestPredictMountPathInEvidence(t *testing.T) {
	const path = "/srv/e2e/shared"
	f := containerFinding("MOUNT-001", "v1")
	f.Evidence = []Evidence{{Name: "source", Value: path}}
	probe := Probe{Subject: "v1", Relation: RelationHost, Path: path, Op: "write", Class: "dir"}
	if got := Predict(probe, &Report{Findings: []Finding{f}}); got.Outcome != Allowed {
		t.Errorf("Predict = %s (%s), want allowed from the evidence's path", got.Outcome, got.Basis)
	}
}
