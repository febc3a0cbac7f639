package seclabel

import (
	"encoding/json"
	"testing"
)

// Labels as a Podman 4.3.1 host with SELinux enforcing reported them, plus
// non-canonical spellings that the kernel also accepts.
var contextCases = []struct {
	input     string
	user      string
	role      string
	typ       string
	low       string
	high      string
	canonical string
}{
	{
		input: "system_u:system_r:container_t:s0:c74,c276",
		user:  "system_u", role: "system_r", typ: "container_t",
		low: "s0:c74,c276", high: "s0:c74,c276",
		canonical: "system_u:system_r:container_t:s0:c74,c276",
	},
	{
		input: "system_u:system_r:container_t:s0:c294,c449",
		user:  "system_u", role: "system_r", typ: "container_t",
		low: "s0:c294,c449", high: "s0:c294,c449",
		canonical: "system_u:system_r:container_t:s0:c294,c449",
	},
	{
		input: "system_u:object_r:container_file_t:s0:c74,c276",
		user:  "system_u", role: "object_r", typ: "container_file_t",
		low: "s0:c74,c276", high: "s0:c74,c276",
		canonical: "system_u:object_r:container_file_t:s0:c74,c276",
	},
	{
		// Mount label of privileged containers and of label=disable.
		input: "system_u:object_r:container_file_t:s0:c1022,c1023",
		user:  "system_u", role: "object_r", typ: "container_file_t",
		low: "s0:c1022,c1023", high: "s0:c1022,c1023",
		canonical: "system_u:object_r:container_file_t:s0:c1022,c1023",
	},
	{
		input: "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023",
		user:  "unconfined_u", role: "unconfined_r", typ: "unconfined_t",
		low: "s0", high: "s0:c0.c1023",
		canonical: "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023",
	},
	{
		input: "system_u:system_r:spc_t:s0",
		user:  "system_u", role: "system_r", typ: "spc_t",
		low: "s0", high: "s0",
		canonical: "system_u:system_r:spc_t:s0",
	},
	{
		input: "system_u:object_r:etc_t:s0",
		user:  "system_u", role: "object_r", typ: "etc_t",
		low: "s0", high: "s0",
		canonical: "system_u:object_r:etc_t:s0",
	},
	{
		input: "system_u:object_r:user_home_t:s0",
		user:  "system_u", role: "object_r", typ: "user_home_t",
		low: "s0", high: "s0",
		canonical: "system_u:object_r:user_home_t:s0",
	},
	{
		input: "system_u:system_r:my_container.process:s0:c270,c963",
		user:  "system_u", role: "system_r", typ: "my_container.process",
		low: "s0:c270,c963", high: "s0:c270,c963",
		canonical: "system_u:system_r:my_container.process:s0:c270,c963",
	},
	{
		input: "system_u:system_r:container_t:s0-s0",
		user:  "system_u", role: "system_r", typ: "container_t",
		low: "s0", high: "s0",
		canonical: "system_u:system_r:container_t:s0",
	},
	{
		input: "system_u:system_r:container_t:s0:c276,c74",
		user:  "system_u", role: "system_r", typ: "container_t",
		low: "s0:c74,c276", high: "s0:c74,c276",
		canonical: "system_u:system_r:container_t:s0:c74,c276",
	},
	{
		input: "staff_u:staff_r:staff_t:s0:c0.c1-s15:c0,c1,c2,c5",
		user:  "staff_u", role: "staff_r", typ: "staff_t",
		low: "s0:c0,c1", high: "s15:c0.c2,c5",
		canonical: "staff_u:staff_r:staff_t:s0:c0,c1-s15:c0.c2,c5",
	},
}

func TestParseContextRealLabels(t *testing.T) {
	for _, tc := range contextCases {
		t.Run(tc.input, func(t *testing.T) {
			c, err := ParseContext(tc.input)
			if err != nil {
				t.Fatalf("ParseContext(%q) error: %v", tc.input, err)
			}
			if c.User() != tc.user {
				t.Errorf("User() = %q, want %q", c.User(), tc.user)
			}
			if c.Role() != tc.role {
				t.Errorf("Role() = %q, want %q", c.Role(), tc.role)
			}
			if c.Type() != tc.typ {
				t.Errorf("Type() = %q, want %q", c.Type(), tc.typ)
			}

			r, ok := c.Range()
			if !ok {
				t.Fatalf("Range() reports no range for %q", tc.input)
			}
			if got := r.Low().String(); got != tc.low {
				t.Errorf("Low() = %q, want %q", got, tc.low)
			}
			if got := r.High().String(); got != tc.high {
				t.Errorf("High() = %q, want %q", got, tc.high)
			}
			if got := c.String(); got != tc.canonical {
				t.Errorf("String() = %q, want %q", got, tc.canonical)
			}

			again, err := ParseContext(c.String())
			if err != nil {
				t.Fatalf("ParseContext(String()) error: %v", err)
			}
			if again != c {
				t.Errorf("ParseContext(%q) = %v, want %v", c.String(), again, c)
			}
		})
	}
}

func TestParseContextWithoutRange(t *testing.T) {
	c, err := ParseContext("system_u:system_r:httpd_t")
	if err != nil {
		t.Fatalf("ParseContext error: %v", err)
	}
	if c.Type() != "httpd_t" {
		t.Errorf("Type() = %q, want %q", c.Type(), "httpd_t")
	}

	r, ok := c.Range()
	if ok {
		t.Errorf("Range() = %v, true; want absent range", r)
	}
	if r != (Range{}) {
		t.Errorf("Range() returned %v with ok=false, want the zero Range", r)
	}
	if got := c.String(); got != "system_u:system_r:httpd_t" {
		t.Errorf("String() = %q, want %q", got, "system_u:system_r:httpd_t")
	}

	withRange, err := ParseContext("system_u:system_r:httpd_t:s0")
	if err != nil {
		t.Fatalf("ParseContext error: %v", err)
	}
	if c == withRange {
		t.Error("context without range equals the same context at s0")
	}
}

func TestContextZeroValueString(t *testing.T) {
	var c Context
	if got := c.String(); got != "" {
		t.Errorf("zero Context String() = %q, want empty", got)
	}
	text, err := c.MarshalText()
	if err != nil || len(text) != 0 {
		t.Errorf("zero Context MarshalText() = %q, %v; want empty, nil", text, err)
	}
}

func TestContextTextRoundTripJSON(t *testing.T) {
	type record struct {
		Process Context `json:"process"`
		Level   Level   `json:"level"`
		Range   Range   `json:"range"`
	}
	in := record{
		Process: mustContext(t, "system_u:system_r:container_t:s0:c276,c74"),
		Level:   mustLevel(t, "s0:c2,c1,c0"),
		Range:   mustRange(t, "s0-s0:c0.c1023"),
	}

	data, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("json.Marshal error: %v", err)
	}
	want := `{"process":"system_u:system_r:container_t:s0:c74,c276","level":"s0:c0.c2","range":"s0-s0:c0.c1023"}`
	if string(data) != want {
		t.Errorf("json.Marshal = %s, want %s", data, want)
	}

	var out record
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("json.Unmarshal error: %v", err)
	}
	if out != in {
		t.Errorf("json round trip = %+v, want %+v", out, in)
	}

	bad := []byte(`{"process":"system_u:system_r:container_t:s0:c5.c1"}`)
	if err := json.Unmarshal(bad, &out); err == nil {
		t.Error("json.Unmarshal accepted a reversed category interval")
	}
}

func TestParseContextDoesNotAllocate(t *testing.T) {
	const label = "system_u:system_r:container_t:s0:c123,c456"
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseContext(label); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseContext allocates %v times per call, want 0", allocs)
	}
}

func mustContext(t testing.TB, s string) Context {
	t.Helper()
	c, err := ParseContext(s)
	if err != nil {
		t.Fatalf("ParseContext(%q) error: %v", s, err)
	}
	return c
}

func mustRange(t testing.TB, s string) Range {
	t.Helper()
	r, err := ParseRange(s)
	if err != nil {
		t.Fatalf("ParseRange(%q) error: %v", s, err)
	}
	return r
}

func mustLevel(t testing.TB, s string) Level {
	t.Helper()
	l, err := ParseLevel(s)
	if err != nil {
		t.Fatalf("ParseLevel(%q) error: %v", s, err)
	}
	return l
}
