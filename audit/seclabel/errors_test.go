package seclabel

import (
	"errors"
	"strings"
	"testing"
)

type rejectCase struct {
	name   string
	input  string
	offset int
	reason string // a fragment that the reason must contain
}

// ctx prefixes the 30 bytes "system_u:system_r:container_t:" so that
// range offsets in context cases are 30 + the offset in the range.
const ctx = "system_u:system_r:container_t:"

var contextRejects = []rejectCase{
	{"empty", "", 0, "empty context"},
	{"user only", "system_u", 8, "missing role and type"},
	{"no type", "system_u:system_r", 17, "missing type"},
	{"empty user", ":system_r:container_t:s0", 0, "empty user"},
	{"empty role", "system_u::container_t:s0", 9, "empty role"},
	{"empty type", "system_u:system_r::s0", 18, "empty type"},
	{"empty range", ctx, 30, "empty range"},
	{"sixth part", ctx + "s0:c1:c2", 35, "unexpected ':'"},
	{"leading space", " " + ctx + "s0", 0, "whitespace"},
	{"trailing space", ctx + "s0:c1 ", 35, "whitespace"},
	{"inner space", "system_u:system_r:container_t:s0:c1, c2", 36, "whitespace"},
	{"tab", ctx + "s0\t", 32, "whitespace"},
	{"newline", ctx + "s0\n", 32, "whitespace"},
	{"NUL terminator", ctx + "s0\x00", 32, "NUL byte"},
	{"control byte", ctx + "s0\x07", 32, "byte 0x07"},
	{"non-ASCII", "system_u:system_r:contäiner_t:s0", 22, "byte 0xc3"},
	{"slash in type", "system_u:system_r:container/t:s0", 27, "invalid character '/' in the type"},
	{"comma in user", "system,u:system_r:container_t:s0", 6, "invalid character ',' in the user"},
	{"SystemLow", ctx + "SystemLow", 30, "translated level name"},
	{"SystemLow-SystemHigh", ctx + "SystemLow-SystemHigh", 30, "translated level name"},
	{"s0-SystemHigh", ctx + "s0-SystemHigh", 33, "translated level name"},
	{"translated category", ctx + "s0:Payroll", 33, "translated category name"},
	{"reversed interval", ctx + "s0:c5.c1", 33, `reversed category interval "c5.c1"`},
	{"category above max", ctx + "s0:c74,c1024", 37, `category "c1024" is above the maximum c1023`},
	{"sensitivity above max", ctx + "s16:c1", 30, `sensitivity "s16" is above the maximum s15`},
	{"duplicate category", ctx + "s0:c74,c74", 37, "category c74"},
	{"high below low", ctx + "s0:c1,c2-s0:c1", 39, "does not dominate"},
}

var rangeRejects = []rejectCase{
	{"empty", "", 0, "empty range"},
	{"reversed interval", "s0:c5.c1", 3, `reversed category interval "c5.c1", so write "c1.c5"`},
	{"equal interval ends", "s0:c5.c5", 3, `equal ends, so write "c5"`},
	{"category 1024", "s0:c1024", 3, `category "c1024" is above the maximum c1023`},
	{"interval end 1024", "s0:c0.c1024", 6, `category "c1024" is above the maximum c1023`},
	{"huge category", "s0:c99999999999999999999999", 3, "above the maximum c1023"},
	{"sensitivity 16", "s16", 0, `sensitivity "s16" is above the maximum s15`},
	{"huge sensitivity", "s99999999999999999999", 0, "above the maximum s15"},
	{"high sensitivity 16", "s0-s16", 3, `sensitivity "s16" is above`},
	{"duplicate category", "s0:c1,c1", 6, `category c1 in "c1" is already listed`},
	{"interval overlaps", "s0:c0.c5,c3", 9, `category c3 in "c3" is already listed`},
	{"category inside later interval", "s0:c3,c0.c5", 6, `category c3 in "c0.c5" is already listed`},
	{"overlapping intervals", "s0:c0.c5,c5.c9", 9, `category c5 in "c5.c9"`},
	{"empty category list", "s0:", 3, "empty category list"},
	{"trailing comma", "s0:c1,", 6, "empty category"},
	{"leading comma", "s0:,c1", 3, "empty category"},
	{"double comma", "s0:c1,,c2", 6, "empty category"},
	{"interval without high end", "s0:c1.", 3, "has no high end"},
	{"interval without low end", "s0:.c1", 3, "has no low end"},
	{"two dots", "s0:c1.c2.c3", 8, "more than one '.'"},
	{"bare c", "s0:c", 3, `malformed category "c"`},
	{"double c", "s0:cc1", 3, `malformed category "cc1"`},
	{"uppercase C", "s0:C1", 3, `malformed category "C1"`},
	{"category leading zero", "s0:c01", 3, `malformed category "c01": leading zero`},
	{"negative category", "s0:c-1", 3, "malformed category"},
	{"plus sign", "s0:c+1", 3, `malformed category "c+1"`},
	{"category suffix", "s0:c1x", 3, `malformed category "c1x"`},
	{"sensitivity leading zero", "s00", 0, `malformed sensitivity "s00": leading zero`},
	{"bare s", "s", 0, `malformed sensitivity "s"`},
	{"other letter", "x0", 0, `malformed sensitivity "x0"`},
	{"sensitivity suffix", "s0x:c1", 0, `malformed sensitivity "s0x"`},
	{"empty sensitivity", ":c1", 0, "empty sensitivity"},
	{"empty low", "-s0", 0, "empty low level"},
	{"empty high", "s0-", 3, "empty high level"},
	{"two dashes", "s0-s0-s0", 5, "second '-'"},
	{"high lacks category", "s0:c1-s0", 6, `high level "s0" does not dominate low level "s0:c1"`},
	{"high sensitivity lower", "s1-s0", 3, `high level "s0" does not dominate low level "s1"`},
	{"incomparable", "s0:c1-s1:c2", 6, "does not dominate"},
	{"extra colon", "s0:c1:c2", 5, "unexpected ':'"},
	{"SystemHigh", "SystemHigh", 0, "translated level name"},
	{"whitespace", "s0 ", 2, "whitespace"},
}

var levelRejects = []rejectCase{
	{"empty", "", 0, "empty level"},
	{"range", "s0-s0:c1", 2, "ParseRange"},
	{"reversed interval", "s0:c9.c2", 3, "reversed category interval"},
	{"translated", "SystemLow", 0, "translated level name"},
	{"newline", "s0\n", 2, "whitespace"},
}

var categoryRejects = []rejectCase{
	{"empty", "", 0, "empty category list"},
	{"duplicate", "c1,c1", 3, "already listed"},
	{"above max", "c2000", 0, "above the maximum"},
	{"with sensitivity", "s0:c1", 0, `malformed category "s0:c1"`},
}

func TestParseContextRejects(t *testing.T) {
	runRejects(t, "context", contextRejects, func(s string) error {
		_, err := ParseContext(s)
		return err
	})
}

func TestParseRangeRejects(t *testing.T) {
	runRejects(t, "range", rangeRejects, func(s string) error {
		_, err := ParseRange(s)
		return err
	})
}

// TestParseContextRejectsBadRanges checks that every range rejection also
// holds inside a context, with the offset moved by the context prefix.
func TestParseContextRejectsBadRanges(t *testing.T) {
	var cases []rejectCase
	for _, rc := range rangeRejects {
		if rc.input == "" {
			continue // "u:r:t:" is covered by the empty range case
		}
		rc.input = ctx + rc.input
		rc.offset += len(ctx)
		cases = append(cases, rc)
	}
	runRejects(t, "context", cases, func(s string) error {
		_, err := ParseContext(s)
		return err
	})
}

func TestParseLevelRejects(t *testing.T) {
	runRejects(t, "level", levelRejects, func(s string) error {
		_, err := ParseLevel(s)
		return err
	})
}

func TestParseCategoriesRejects(t *testing.T) {
	runRejects(t, "category set", categoryRejects, func(s string) error {
		_, err := ParseCategories(s)
		return err
	})
}

func runRejects(t *testing.T, kind string, cases []rejectCase, parse func(string) error) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := parse(tc.input)
			if err == nil {
				t.Fatalf("parsing %q succeeded, want an error", tc.input)
			}
			if !errors.Is(err, ErrInvalidLabel) {
				t.Errorf("errors.Is(%v, ErrInvalidLabel) = false", err)
			}

			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if perr.Kind != kind {
				t.Errorf("Kind = %q, want %q", perr.Kind, kind)
			}
			if perr.Input != tc.input {
				t.Errorf("Input = %q, want %q", perr.Input, tc.input)
			}
			if perr.Offset != tc.offset {
				t.Errorf("Offset = %d, want %d (reason: %s)", perr.Offset, tc.offset, perr.Reason)
			}
			if !strings.Contains(perr.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", perr.Reason, tc.reason)
			}
			if !strings.Contains(err.Error(), "invalid SELinux "+kind) {
				t.Errorf("Error() = %q, want it to name the kind %q", err.Error(), kind)
			}
		})
	}
}

func TestTranslatedNameReasonNamesRawSource(t *testing.T) {
	_, err := ParseRange("SystemLow-SystemHigh")
	var perr *ParseError
	if !errors.As(err, &perr) {
		t.Fatalf("ParseRange error %v is not a *ParseError", err)
	}
	if !strings.Contains(perr.Reason, "security.selinux") {
		t.Errorf("Reason = %q, want it to name where the raw label is", perr.Reason)
	}
}

func TestNewLevelRejectsSensitivity(t *testing.T) {
	for _, sensitivity := range []int{-1, 16, 255, 256} {
		_, err := NewLevel(sensitivity, CategorySet{})
		if !errors.Is(err, ErrInvalidLabel) {
			t.Errorf("NewLevel(%d) error = %v, want ErrInvalidLabel", sensitivity, err)
		}
	}
	if _, err := NewLevel(15, CategorySet{}); err != nil {
		t.Errorf("NewLevel(15) error = %v, want nil", err)
	}
}

func TestNewRangeRejectsHighBelowLow(t *testing.T) {
	low := mustLevel(t, "s0:c1,c2")
	high := mustLevel(t, "s0:c1")
	if _, err := NewRange(low, high); !errors.Is(err, ErrInvalidLabel) {
		t.Errorf("NewRange(%v, %v) error = %v, want ErrInvalidLabel", low, high, err)
	}

	r, err := NewRange(high, low)
	if err != nil {
		t.Fatalf("NewRange(%v, %v) error = %v", high, low, err)
	}
	if got := r.String(); got != "s0:c1-s0:c1,c2" {
		t.Errorf("String() = %q, want %q", got, "s0:c1-s0:c1,c2")
	}
}
