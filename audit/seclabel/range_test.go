package seclabel

import "testing"

func TestParseRangeCanonical(t *testing.T) {
	cases := []struct {
		input     string
		low, high string
		canonical string
	}{
		// Levels that the Podman host forced on containers.
		{"s0:c100,c200", "s0:c100,c200", "s0:c100,c200", "s0:c100,c200"},
		{"s0:c100,c200,c300", "s0:c100,c200,c300", "s0:c100,c200,c300", "s0:c100,c200,c300"},
		{"s0:c100", "s0:c100", "s0:c100", "s0:c100"},
		{"s0", "s0", "s0", "s0"},
		{"s0-s0:c0.c1023", "s0", "s0:c0.c1023", "s0-s0:c0.c1023"},
		// A range whose ends are equal prints once.
		{"s0-s0", "s0", "s0", "s0"},
		{"s0:c1-s0:c1", "s0:c1", "s0:c1", "s0:c1"},
		{"s0:c2,c1-s0:c1.c2", "s0:c1,c2", "s0:c1,c2", "s0:c1,c2"},
		// Folding of consecutive categories.
		{"s0:c0,c1,c2,c3,c7", "s0:c0.c3,c7", "s0:c0.c3,c7", "s0:c0.c3,c7"},
		{"s0:c0.c1", "s0:c0,c1", "s0:c0,c1", "s0:c0,c1"},
		// MLS sensitivities.
		{"s2-s15:c0.c1023", "s2", "s15:c0.c1023", "s2-s15:c0.c1023"},
		{"s15", "s15", "s15", "s15"},
	}
	for _, tc := range cases {
		t.Run(tc.input, func(t *testing.T) {
			r := mustRange(t, tc.input)
			if got := r.Low().String(); got != tc.low {
				t.Errorf("Low() = %q, want %q", got, tc.low)
			}
			if got := r.High().String(); got != tc.high {
				t.Errorf("High() = %q, want %q", got, tc.high)
			}
			if got := r.String(); got != tc.canonical {
				t.Errorf("String() = %q, want %q", got, tc.canonical)
			}
			if again := mustRange(t, r.String()); again != r {
				t.Errorf("ParseRange(%q) = %v, want %v", r.String(), again, r)
			}
		})
	}
}

func TestParseLevelMatchesSingleLevelRange(t *testing.T) {
	for _, s := range []string{"s0", "s0:c74,c276", "s3:c0.c1023", "s0:c1023,c0"} {
		l := mustLevel(t, s)
		r := mustRange(t, s)
		if r.Low() != l || r.High() != l {
			t.Errorf("ParseRange(%q) = %v, want both ends %v", s, r, l)
		}
		if l.String() != r.String() {
			t.Errorf("Level %q and Range %q print differently", l.String(), r.String())
		}
	}
}

func TestLevelAccessors(t *testing.T) {
	l := mustLevel(t, "s3:c5,c9")
	if got := l.Sensitivity(); got != 3 {
		t.Errorf("Sensitivity() = %d, want 3", got)
	}
	if got := l.Categories(); got != setOf(5, 9) {
		t.Errorf("Categories() = %v, want c5,c9", got)
	}

	built, err := NewLevel(3, setOf(9, 5))
	if err != nil {
		t.Fatalf("NewLevel error: %v", err)
	}
	if built != l {
		t.Errorf("NewLevel(3, c5,c9) = %v, want %v", built, l)
	}

	var zero Level
	if got := zero.String(); got != "s0" {
		t.Errorf("zero Level String() = %q, want %q", got, "s0")
	}
	var zeroRange Range
	if got := zeroRange.String(); got != "s0" {
		t.Errorf("zero Range String() = %q, want %q", got, "s0")
	}
}

func TestLevelCategoriesReturnsCopy(t *testing.T) {
	l := mustLevel(t, "s0:c1")
	cats := l.Categories()
	cats.Add(2)
	if l.Categories().Has(2) {
		t.Error("changing the set from Categories() changed the level")
	}
}
