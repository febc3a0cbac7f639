package seclabel

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/selinux/go-selinux"
)

// The tests in this file compare results on valid input with
// opencontainers/selinux, which formats ranges with the kernel's folding
// rule. The oracle is never asked whether an input is valid, because it
// accepts inputs that the kernel rejects, such as "c5.c1".

// randomRangeText returns a valid range in a random non-canonical spelling:
// tokens in random order, runs written as intervals or as single
// categories, and sometimes "low-high" with equal ends.
func randomRangeText(rng *rand.Rand, mls bool) string {
	low := randomCategorySet(rng)
	high := low.Union(randomCategorySet(rng))
	lowSens, highSens := 0, 0
	if mls {
		lowSens = rng.IntN(MaxSensitivity + 1)
		highSens = lowSens + rng.IntN(MaxSensitivity-lowSens+1)
	}

	lowText := spellLevel(rng, lowSens, low)
	switch rng.IntN(3) {
	case 0:
		return lowText
	case 1:
		return lowText + "-" + spellLevel(rng, lowSens, low)
	default:
		return lowText + "-" + spellLevel(rng, highSens, high)
	}
}

func randomCategorySet(rng *rand.Rand) CategorySet {
	var s CategorySet
	for range rng.IntN(4) {
		s.Add(rng.IntN(MaxCategory + 1))
	}
	for range rng.IntN(3) {
		lo := rng.IntN(MaxCategory + 1)
		hi := min(MaxCategory, lo+rng.IntN(6))
		s.AddRange(lo, hi)
	}
	if rng.IntN(20) == 0 {
		s.AddRange(0, MaxCategory)
	}
	return s
}

func spellLevel(rng *rand.Rand, sensitivity int, cats CategorySet) string {
	var tokens []string
	for c := cats.nextSet(0); c >= 0; {
		last := cats.nextClear(c) - 1
		if last > c && rng.IntN(2) == 0 {
			tokens = append(tokens, "c"+strconv.Itoa(c)+".c"+strconv.Itoa(last))
		} else {
			for i := c; i <= last; i++ {
				tokens = append(tokens, "c"+strconv.Itoa(i))
			}
		}
		c = cats.nextSet(last + 1)
	}
	rng.Shuffle(len(tokens), func(i, j int) { tokens[i], tokens[j] = tokens[j], tokens[i] })

	text := "s" + strconv.Itoa(sensitivity)
	if len(tokens) > 0 {
		text += ":" + strings.Join(tokens, ",")
	}
	return text
}

func TestCanonicalFormMatchesOracle(t *testing.T) {
	inputs := []string{
		"s0", "s0-s0", "s0:c74,c276", "s0:c1022,c1023", "s0-s0:c0.c1023",
		"s0:c0,c1", "s0:c0.c2", "s0:c0.c3,c7", "s0:c100,c200,c300",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		inputs = append(inputs, randomRangeText(rng, i%2 == 0))
	}

	for _, in := range inputs {
		r, err := ParseRange(in)
		if err != nil {
			t.Fatalf("ParseRange(%q) error: %v", in, err)
		}
		// The greatest lower bound of a range with itself is the range,
		// printed in canonical form.
		want, err := selinux.CalculateGlbLub(in, in)
		if err != nil {
			t.Fatalf("oracle CalculateGlbLub(%q) error: %v", in, err)
		}
		if got := r.String(); got != want {
			t.Errorf("ParseRange(%q).String() = %q, oracle prints %q", in, got, want)
		}
	}
}

// glb computes the greatest lower bound the way CalculateGlbLub documents
// it: the greater low sensitivity, the lesser high sensitivity and the
// intersection of the category sets of each end. It returns false when the
// ranges share no sensitivity. Otherwise the result is a valid range,
// because each low level is dominated by its high level.
func glb(a, b Range) (Range, bool) {
	if a.High().Sensitivity() < b.Low().Sensitivity() || b.High().Sensitivity() < a.Low().Sensitivity() {
		return Range{}, false
	}
	low, _ := NewLevel(max(a.Low().Sensitivity(), b.Low().Sensitivity()), a.Low().Categories().Intersect(b.Low().Categories()))
	high, _ := NewLevel(min(a.High().Sensitivity(), b.High().Sensitivity()), a.High().Categories().Intersect(b.High().Categories()))
	r, err := NewRange(low, high)
	return r, err == nil
}

func TestIntersectMatchesOracleGlb(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	compared := 0
	for i := range 5000 {
		aText, bText := randomRangeText(rng, i%2 == 0), randomRangeText(rng, i%2 == 0)
		a, b := mustRange(t, aText), mustRange(t, bText)

		want, oracleErr := selinux.CalculateGlbLub(aText, bText)
		got, ok := glb(a, b)
		if !ok {
			if oracleErr == nil {
				t.Errorf("glb(%q, %q) has no common sensitivity, oracle returns %q", aText, bText, want)
			}
			continue
		}
		if oracleErr != nil {
			t.Errorf("oracle CalculateGlbLub(%q, %q) error %v, want %q", aText, bText, oracleErr, got)
			continue
		}
		// Compare values, not text: the oracle prints "s0-s0" when one end
		// had no categories and the other lost all of them in the
		// intersection, where the kernel prints "s0".
		if mustRange(t, want) != got {
			t.Errorf("glb(%q, %q) = %q, oracle returns %q", aText, bText, got, want)
		}
		compared++
	}
	if compared < 1000 {
		t.Errorf("only %d of 5000 pairs compared with the oracle, want at least 1000", compared)
	}
}

func TestContextFieldsMatchOracle(t *testing.T) {
	inputs := []string{"system_u:system_r:httpd_t"}
	for _, tc := range contextCases {
		inputs = append(inputs, tc.input)
	}

	for _, in := range inputs {
		c := mustContext(t, in)
		oracle, err := selinux.NewContext(in)
		if err != nil {
			t.Fatalf("oracle NewContext(%q) error: %v", in, err)
		}
		if oracle["user"] != c.User() || oracle["role"] != c.Role() || oracle["type"] != c.Type() {
			t.Errorf("ParseContext(%q) = %s:%s:%s, oracle splits %s:%s:%s", in,
				c.User(), c.Role(), c.Type(), oracle["user"], oracle["role"], oracle["type"])
		}

		r, ok := c.Range()
		if ok != (oracle["level"] != "") {
			t.Errorf("ParseContext(%q) range present = %v, oracle level %q", in, ok, oracle["level"])
			continue
		}
		if ok && mustRange(t, oracle["level"]) != r {
			t.Errorf("ParseContext(%q) range %v differs from oracle level %q", in, r, oracle["level"])
		}
	}
}
