package seclabel

import "testing"

func TestDominates(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"s0:c100,c200", "s0:c100,c200", true},
		{"s0:c100,c200,c300", "s0:c100,c200", true},
		{"s0:c100", "s0:c100,c200", false},
		{"s0:c74,c276", "s0:c100,c200", false},
		{"s0:c0.c1023", "s0:c100,c200", true},
		{"s0:c100,c200", "s0", true},
		{"s0", "s0", true},
		{"s0", "s0:c1", false},
		{"s1", "s0", true},
		{"s0", "s1", false},
		{"s1:c1", "s0:c1,c2", false},
		{"s15:c0.c1023", "s3:c5", true},
	}
	for _, tc := range cases {
		a, b := mustLevel(t, tc.a), mustLevel(t, tc.b)
		if got := Dominates(a, b); got != tc.want {
			t.Errorf("Dominates(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// The verdicts below were measured by the kernel on an SELinux-enforcing
// host with Podman 4.3.1: container_t processes forced to each level tried
// to read and write a directory labeled container_file_t:s0:c100,c200, and
// a container_file_t:s0 directory.
func TestCanReachMatchesKernelVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		process string
		object  string
		want    bool
	}{
		{"same level", "s0:c100,c200", "s0:c100,c200", true},
		{"superset", "s0:c100,c200,c300", "s0:c100,c200", true},
		{"subset", "s0:c100", "s0:c100,c200", false},
		{"random level", "s0:c74,c276", "s0:c100,c200", false},
		{"other random level", "s0:c294,c449", "s0:c100,c200", false},
		{"all categories as range", "s0-s0:c0.c1023", "s0:c100,c200", true},
		{"s0 process", "s0", "s0:c100,c200", false},
		{"shared s0 content", "s0:c74,c276", "s0", true},
		{"shared s0 content other level", "s0:c294,c449", "s0", true},
		{"shared s0 content subset level", "s0:c100", "s0", true},
		{"privileged mount label", "s0:c74,c276", "s0:c1022,c1023", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			process, object := mustRange(t, tc.process), mustRange(t, tc.object)
			if got := CanReach(process, object); got != tc.want {
				t.Errorf("CanReach(%s, %s) = %v, want %v", tc.process, tc.object, got, tc.want)
			}
		})
	}
}

// CanReach uses the high levels of both ranges (h1 dom h2), not the low
// ones.
func TestCanReachUsesHighLevels(t *testing.T) {
	process := mustRange(t, "s0-s0:c0.c1023") // low s0 dominates nothing
	object := mustRange(t, "s0:c5")
	if !CanReach(process, object) {
		t.Error("CanReach ignores the process's high level")
	}

	ranged := mustRange(t, "s0-s0:c0.c1023") // e.g. a device node
	if CanReach(mustRange(t, "s0:c5"), ranged) {
		t.Error("CanReach ignores the object's high level")
	}
}

func TestCheckMCS(t *testing.T) {
	classifier := DefaultClassifier()
	cases := []struct {
		name    string
		process string
		target  string
		want    Verdict
	}{
		{"container own files", "system_u:system_r:container_t:s0:c74,c276", "system_u:object_r:container_file_t:s0:c74,c276", VerdictAllowed},
		{"container other files", "system_u:system_r:container_t:s0:c74,c276", "system_u:object_r:container_file_t:s0:c294,c449", VerdictDenied},
		{"container signals container", "system_u:system_r:container_t:s0:c74,c276", "system_u:system_r:container_t:s0:c294,c449", VerdictDenied},
		{"container shared files", "system_u:system_r:container_t:s0:c74,c276", "system_u:object_r:container_file_t:s0", VerdictAllowed},
		{"container host etc", "system_u:system_r:container_t:s0:c74,c276", "system_u:object_r:etc_t:s0", VerdictAllowed},
		{"privileged container", "system_u:system_r:spc_t:s0", "system_u:object_r:container_file_t:s0:c294,c449", VerdictAllowed},
		{"unconfined user", "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023", "system_u:object_r:container_file_t:s0:c294,c449", VerdictAllowed},
		{"udica container", "system_u:system_r:my_container.process:s0:c270,c963", "system_u:object_r:container_file_t:s0:c294,c449", VerdictDenied},
		{"unknown type denied by level", "system_u:system_r:httpd_t:s0", "system_u:object_r:container_file_t:s0:c294,c449", VerdictUnknown},
		{"unknown type dominating", "system_u:system_r:httpd_t:s0:c294,c449", "system_u:object_r:container_file_t:s0:c294,c449", VerdictAllowed},
		{"process without range", "system_u:system_r:container_t", "system_u:object_r:container_file_t:s0", VerdictUnknown},
		{"target without range", "system_u:system_r:container_t:s0", "system_u:object_r:container_file_t", VerdictUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			process, target := mustContext(t, tc.process), mustContext(t, tc.target)
			if got := classifier.CheckMCS(process, target); got != tc.want {
				t.Errorf("CheckMCS(%s, %s) = %v, want %v", tc.process, tc.target, got, tc.want)
			}
		})
	}
}

func TestVerdictString(t *testing.T) {
	cases := map[Verdict]string{
		VerdictUnknown: "unknown",
		VerdictAllowed: "allowed",
		VerdictDenied:  "denied",
		Verdict(42):    "unknown",
	}
	for v, want := range cases {
		if got := v.String(); got != want {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(v), got, want)
		}
	}
}

func TestComparisonsDoNotAllocate(t *testing.T) {
	a := mustLevel(t, "s0:c100,c200,c300")
	b := mustLevel(t, "s0:c100,c200")
	process := mustRange(t, "s0-s0:c0.c1023")
	object := mustRange(t, "s0:c100,c200")

	checks := map[string]func(){
		"Dominates":  func() { _ = Dominates(a, b) },
		"CanReach":   func() { _ = CanReach(process, object) },
		"IsSubsetOf": func() { _ = b.Categories().IsSubsetOf(a.Categories()) },
		"Equal":      func() { _ = a.Categories().Equal(b.Categories()) },
		"Count":      func() { _ = a.Categories().Count() },
	}
	for name, check := range checks {
		if allocs := testing.AllocsPerRun(100, check); allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", name, allocs)
		}
	}
}
