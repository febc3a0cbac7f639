package seclabel

import (
	"fmt"
	"iter"
	"math/bits"
	"strconv"
)

// MaxCategory is the highest category number, c1023. Refpolicy and Fedora
// policy both build MCS and MLS policies with 1024 categories (MCS_CATS and
// MLS_CATS in refpolicy's build.conf).
const MaxCategory = 1023

const categoryWords = (MaxCategory + 1) / 64

// CategorySet is a set of MCS categories c0 to c1023, stored as a 1024-bit
// bitmap. It is a value type: assignment copies it, and == compares two sets.
// The zero value is the empty set. Every value is a valid set.
type CategorySet struct {
	words [categoryWords]uint64
}

// checkCategory panics for a category outside 0 to MaxCategory, the same way
// an index out of range panics for a slice.
func checkCategory(c int) {
	if c < 0 || c > MaxCategory {
		panic(fmt.Sprintf("seclabel: category %d outside c0 to c%d", c, MaxCategory))
	}
}

// Add inserts category c. It panics if c is outside 0 to MaxCategory. Use
// ParseCategories for untrusted input.
func (s *CategorySet) Add(c int) {
	checkCategory(c)
	s.words[c>>6] |= 1 << (c & 63)
}

// AddRange inserts the categories lo to hi, both included. It panics if lo or
// hi is outside 0 to MaxCategory or if lo > hi.
func (s *CategorySet) AddRange(lo, hi int) {
	checkCategory(lo)
	checkCategory(hi)
	if lo > hi {
		panic(fmt.Sprintf("seclabel: reversed category interval c%d.c%d", lo, hi))
	}
	for w := lo >> 6; w <= hi>>6; w++ {
		s.words[w] |= wordMask(w, lo, hi)
	}
}

// Remove deletes category c. It panics if c is outside 0 to MaxCategory.
func (s *CategorySet) Remove(c int) {
	checkCategory(c)
	s.words[c>>6] &^= 1 << (c & 63)
}

// Has reports whether category c is in the set. It returns false for a c
// outside 0 to MaxCategory.
func (s CategorySet) Has(c int) bool {
	if c < 0 || c > MaxCategory {
		return false
	}
	return s.words[c>>6]&(1<<(c&63)) != 0
}

// Union returns the categories that are in s or in o.
func (s CategorySet) Union(o CategorySet) CategorySet {
	for i := range s.words {
		s.words[i] |= o.words[i]
	}
	return s
}

// Intersect returns the categories that are in both s and o.
func (s CategorySet) Intersect(o CategorySet) CategorySet {
	for i := range s.words {
		s.words[i] &= o.words[i]
	}
	return s
}

// IsSubsetOf reports whether every category of s is also in o.
func (s CategorySet) IsSubsetOf(o CategorySet) bool {
	return isSubset(&s, &o)
}

// isSubset is IsSubsetOf on pointers, so that Dominates does not copy two
// 128-byte sets. It checks all 16 words without branching. When the subset
// holds, the usual case, this took about half the time of a loop with an
// early exit (10 ns against 20 ns, Go 1.26 on a 2-core AMD EPYC VM).
func isSubset(s, o *CategorySet) bool {
	var extra uint64
	for i := range s.words {
		extra |= s.words[i] &^ o.words[i]
	}
	return extra == 0
}

// Equal reports whether s and o contain the same categories. It is the same
// as s == o.
func (s CategorySet) Equal(o CategorySet) bool {
	return s == o
}

// Count returns the number of categories in the set.
func (s CategorySet) Count() int {
	n := 0
	for _, w := range s.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// IsEmpty reports whether the set has no categories.
func (s CategorySet) IsEmpty() bool {
	return s == CategorySet{}
}

// All returns an iterator over the categories in ascending order.
func (s CategorySet) All() iter.Seq[int] {
	return func(yield func(int) bool) {
		for c := s.nextSet(0); c >= 0; c = s.nextSet(c + 1) {
			if !yield(c) {
				return
			}
		}
	}
}

// String returns the set in the form the kernel prints: ascending, with a
// run of three or more categories folded to "cA.cB" and a run of two
// written as "cA,cB", for example "c0.c3,c7,c8". The empty set returns "".
func (s CategorySet) String() string {
	var buf [64]byte
	return string(s.appendTo(buf[:0]))
}

// appendTo appends the canonical form. The folding follows
// mls_sid_to_context in libsepol (src/mls.c, SELinux userspace 3.11) and the
// kernel's security/selinux/ss/mls.c: a run of exactly two categories is
// separated by ',' and a longer run by '.'.
func (s *CategorySet) appendTo(b []byte) []byte {
	first := true
	for c := s.nextSet(0); c >= 0; {
		last := s.nextClear(c) - 1
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendCategory(b, c)

		switch {
		case last == c+1:
			b = append(b, ',')
			b = appendCategory(b, last)
		case last > c+1:
			b = append(b, '.')
			b = appendCategory(b, last)
		}
		c = s.nextSet(last + 1)
	}
	return b
}

func appendCategory(b []byte, c int) []byte {
	b = append(b, 'c')
	return strconv.AppendInt(b, int64(c), 10)
}

// nextSet returns the smallest category >= from that is in the set, or -1.
func (s *CategorySet) nextSet(from int) int {
	if from > MaxCategory {
		return -1
	}
	w := from >> 6
	word := s.words[w] &^ (1<<(from&63) - 1)
	for {
		if word != 0 {
			return w<<6 + bits.TrailingZeros64(word)
		}
		w++
		if w == categoryWords {
			return -1
		}
		word = s.words[w]
	}
}

// nextClear returns the smallest category >= from that is not in the set, or
// MaxCategory+1 when every category from there on is set.
func (s *CategorySet) nextClear(from int) int {
	if from > MaxCategory {
		return MaxCategory + 1
	}
	w := from >> 6
	word := ^s.words[w] &^ (1<<(from&63) - 1)
	for {
		if word != 0 {
			return w<<6 + bits.TrailingZeros64(word)
		}
		w++
		if w == categoryWords {
			return MaxCategory + 1
		}
		word = ^s.words[w]
	}
}

// firstInRange returns the smallest category from lo to hi that is in the
// set, or -1.
func (s *CategorySet) firstInRange(lo, hi int) int {
	c := s.nextSet(lo)
	if c > hi {
		return -1
	}
	return c
}

// wordMask returns the bits of word w that lie between categories lo and hi,
// both included.
func wordMask(w, lo, hi int) uint64 {
	mask := ^uint64(0)
	if w == lo>>6 {
		mask &^= 1<<(lo&63) - 1
	}
	if w == hi>>6 && hi&63 != 63 {
		mask &= 1<<(hi&63+1) - 1
	}
	return mask
}

// ParseCategories parses a category list such as "c0.c3,c7" as it appears
// after the colon of a level. Tokens may come in any order. The rules and
// error forms are those of ParseLevel.
func ParseCategories(s string) (CategorySet, error) {
	p := parser{kind: "category set", input: s}
	if perr := p.checkBytes(0, len(s)); perr != nil {
		return CategorySet{}, perr
	}
	cats, perr := p.categories(0, len(s))
	if perr != nil {
		return CategorySet{}, perr
	}
	return cats, nil
}

// categories parses the comma list in p.input[start:end].
func (p *parser) categories(start, end int) (CategorySet, *ParseError) {
	var set CategorySet
	if start == end {
		return set, p.fail(start, "empty category list")
	}

	for tokenStart := start; tokenStart <= end; {
		tokenEnd := indexByteFrom(p.input, ',', tokenStart, end)
		token := p.input[tokenStart:tokenEnd]
		if token == "" {
			return set, p.fail(tokenStart, "empty category in the list")
		}

		lo, hi, perr := p.categoryToken(tokenStart, tokenEnd)
		if perr != nil {
			return set, perr
		}
		if dup := set.firstInRange(lo, hi); dup >= 0 {
			return set, p.fail(tokenStart, "category c%d in %q is already listed", dup, token)
		}
		set.AddRange(lo, hi)
		tokenStart = tokenEnd + 1
	}
	return set, nil
}

// categoryToken parses "cN" or the interval "cN.cM" and returns its ends.
func (p *parser) categoryToken(start, end int) (lo, hi int, perr *ParseError) {
	token := p.input[start:end]
	dot := indexByteFrom(p.input, '.', start, end)
	if dot == end {
		c, perr := p.category(start, end)
		return c, c, perr
	}

	if dot == start {
		return 0, 0, p.fail(start, "category interval %q has no low end", token)
	}
	if dot == end-1 {
		return 0, 0, p.fail(start, "category interval %q has no high end", token)
	}
	if second := indexByteFrom(p.input, '.', dot+1, end); second != end {
		return 0, 0, p.fail(second, "malformed category interval %q: more than one '.'", token)
	}

	lo, perr = p.category(start, dot)
	if perr != nil {
		return 0, 0, perr
	}
	hi, perr = p.category(dot+1, end)
	if perr != nil {
		return 0, 0, perr
	}
	// The kernel and libsepol reject an interval whose ends are equal or
	// reversed (mls_context_to_sid returns -EINVAL when low >= high).
	if lo == hi {
		return 0, 0, p.fail(start, "category interval %q has equal ends, so write \"c%d\"", token, lo)
	}
	if lo > hi {
		return 0, 0, p.fail(start, "reversed category interval %q, so write \"c%d.c%d\"", token, hi, lo)
	}
	return lo, hi, nil
}

// category parses one "cN" token in p.input[start:end].
func (p *parser) category(start, end int) (int, *ParseError) {
	token := p.input[start:end]
	if token[0] != 'c' || len(token) < 2 || !isDigit(token[1]) {
		if isTranslatedName(token, 'c') {
			return 0, p.fail(start, "%q is a translated category name from mcstrans, not a raw category, so %s", token, rawLabelHint)
		}
		return 0, p.fail(start, "malformed category %q: expected c0 to c%d", token, MaxCategory)
	}

	n, ok := parseDecimal(token[1:])
	if !ok {
		return 0, p.fail(start, "malformed category %q: expected c0 to c%d", token, MaxCategory)
	}
	if token[1] == '0' && len(token) > 2 {
		return 0, p.fail(start, "malformed category %q: leading zero", token)
	}
	if n > MaxCategory {
		return 0, p.fail(start, "category %q is above the maximum c%d", token, MaxCategory)
	}
	return n, nil
}
