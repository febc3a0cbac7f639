package seclabel

import (
	"slices"
	"testing"
)

func setOf(cats ...int) CategorySet {
	var s CategorySet
	for _, c := range cats {
		s.Add(c)
	}
	return s
}

func setRange(lo, hi int) CategorySet {
	var s CategorySet
	s.AddRange(lo, hi)
	return s
}

// The folding rule is that of mls_sid_to_context in the kernel and
// libsepol: two consecutive categories print as "cA,cB", three or more as
// "cA.cB".
func TestCategorySetStringFolding(t *testing.T) {
	cases := []struct {
		set  CategorySet
		want string
	}{
		{CategorySet{}, ""},
		{setOf(0), "c0"},
		{setOf(0, 1), "c0,c1"},
		{setOf(0, 1, 2), "c0.c2"},
		{setOf(0, 1, 2, 3, 7), "c0.c3,c7"},
		{setOf(0, 2), "c0,c2"},
		{setOf(5, 6, 8, 9, 10), "c5,c6,c8.c10"},
		{setOf(74, 276), "c74,c276"},
		{setOf(1022, 1023), "c1022,c1023"},
		{setOf(1021, 1022, 1023), "c1021.c1023"},
		{setOf(63, 64), "c63,c64"},
		{setOf(62, 63, 64), "c62.c64"},
		{setOf(0, 1023), "c0,c1023"},
		{setRange(0, 1023), "c0.c1023"},
		{setRange(64, 127), "c64.c127"},
		{setRange(0, 1022), "c0.c1022"},
	}
	for _, tc := range cases {
		if got := tc.set.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
		if tc.want == "" {
			continue
		}
		parsed, err := ParseCategories(tc.want)
		if err != nil {
			t.Errorf("ParseCategories(%q) error: %v", tc.want, err)
			continue
		}
		if parsed != tc.set {
			t.Errorf("ParseCategories(%q) = %v, want %v", tc.want, parsed, tc.set)
		}
	}
}

func TestParseCategoriesNonCanonical(t *testing.T) {
	cases := map[string]string{
		"c1,c0":          "c0,c1",
		"c0.c1":          "c0,c1",
		"c2,c0,c1":       "c0.c2",
		"c7,c0.c3":       "c0.c3,c7",
		"c3,c0.c2,c4":    "c0.c4",
		"c1023,c0.c1022": "c0.c1023",
	}
	for in, want := range cases {
		set, err := ParseCategories(in)
		if err != nil {
			t.Errorf("ParseCategories(%q) error: %v", in, err)
			continue
		}
		if got := set.String(); got != want {
			t.Errorf("ParseCategories(%q).String() = %q, want %q", in, got, want)
		}
	}
}

func TestCategorySetOperations(t *testing.T) {
	a := setOf(100, 200)
	b := setOf(100, 200, 300)
	c := setOf(100)
	d := setOf(74, 276)

	if got := a.Union(d); got != setOf(74, 100, 200, 276) {
		t.Errorf("Union = %v, want c74,c100,c200,c276", got)
	}
	if got := b.Intersect(a); got != a {
		t.Errorf("Intersect = %v, want %v", got, a)
	}
	if got := a.Intersect(d); !got.IsEmpty() {
		t.Errorf("Intersect of disjoint sets = %v, want empty", got)
	}
	if !a.IsSubsetOf(b) {
		t.Errorf("%v.IsSubsetOf(%v) = false, want true", a, b)
	}
	if b.IsSubsetOf(a) {
		t.Errorf("%v.IsSubsetOf(%v) = true, want false", b, a)
	}
	if !c.IsSubsetOf(a) || !a.IsSubsetOf(a) {
		t.Error("IsSubsetOf misses a proper or equal subset")
	}
	if !(CategorySet{}).IsSubsetOf(c) {
		t.Error("empty set is not a subset of a non-empty set")
	}
	if !a.Equal(setOf(200, 100)) || a.Equal(b) {
		t.Error("Equal compares wrongly")
	}
	if got := b.Count(); got != 3 {
		t.Errorf("Count() = %d, want 3", got)
	}
	if got := setRange(0, 1023).Count(); got != 1024 {
		t.Errorf("full set Count() = %d, want 1024", got)
	}
	if !(CategorySet{}).IsEmpty() || a.IsEmpty() {
		t.Error("IsEmpty is wrong")
	}

	// Union and Intersect return new sets and leave the receiver alone.
	if a != setOf(100, 200) {
		t.Errorf("Union or Intersect changed the receiver to %v", a)
	}
}

func TestCategorySetAddRemoveHas(t *testing.T) {
	var s CategorySet
	for _, c := range []int{0, 63, 64, 1023} {
		s.Add(c)
		if !s.Has(c) {
			t.Errorf("Has(%d) = false after Add", c)
		}
	}
	s.Remove(63)
	if s.Has(63) {
		t.Error("Has(63) = true after Remove")
	}
	for _, c := range []int{-1, 1024, 5000} {
		if s.Has(c) {
			t.Errorf("Has(%d) = true for a category out of range", c)
		}
	}

	var r CategorySet
	r.AddRange(60, 130)
	if got := r.String(); got != "c60.c130" {
		t.Errorf("AddRange(60, 130) = %q, want %q", got, "c60.c130")
	}
	r.AddRange(5, 5)
	if got := r.String(); got != "c5,c60.c130" {
		t.Errorf("AddRange(5, 5) = %q, want %q", got, "c5,c60.c130")
	}
}

func TestCategorySetPanicsOutOfRange(t *testing.T) {
	cases := map[string]func(){
		"Add(1024)":         func() { var s CategorySet; s.Add(1024) },
		"Add(-1)":           func() { var s CategorySet; s.Add(-1) },
		"Remove(1024)":      func() { var s CategorySet; s.Remove(1024) },
		"AddRange(5, 1)":    func() { var s CategorySet; s.AddRange(5, 1) },
		"AddRange(0, 1024)": func() { var s CategorySet; s.AddRange(0, 1024) },
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			call()
		})
	}
}

func TestCategorySetAll(t *testing.T) {
	s := setOf(1023, 0, 64, 63, 500)
	got := slices.Collect(s.All())
	want := []int{0, 63, 64, 500, 1023}
	if !slices.Equal(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}

	var first []int
	for c := range s.All() {
		first = append(first, c)
		if len(first) == 2 {
			break
		}
	}
	if !slices.Equal(first, []int{0, 63}) {
		t.Errorf("All() with break = %v, want [0 63]", first)
	}

	if n := len(slices.Collect(setRange(0, 1023).All())); n != 1024 {
		t.Errorf("All() on the full set yields %d categories, want 1024", n)
	}
	if n := len(slices.Collect(CategorySet{}.All())); n != 0 {
		t.Errorf("All() on the empty set yields %d categories, want 0", n)
	}
}
