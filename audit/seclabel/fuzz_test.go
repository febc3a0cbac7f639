package seclabel

import (
	"errors"
	"strings"
	"testing"

	"github.com/opencontainers/selinux/go-selinux"
)

var fuzzSeeds = []string{
	"system_u:system_r:container_t:s0:c74,c276",
	"system_u:system_r:container_t:s0:c294,c449",
	"system_u:object_r:container_file_t:s0:c74,c276",
	"system_u:object_r:container_file_t:s0:c1022,c1023",
	"unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023",
	"system_u:system_r:spc_t:s0",
	"system_u:object_r:etc_t:s0",
	"system_u:object_r:user_home_t:s0",
	"system_u:system_r:my_container.process:s0:c270,c963",
	"system_u:system_r:httpd_t",
	"s0:c100,c200",
	"s0:c100,c200,c300",
	"s0:c100",
	"s0",
	"s0-s0:c0.c1023",
	"s0:c0,c1",
	"s0:c0.c2,c7",
	"s2-s15:c0.c1023",
	"s0:c5.c1",
	"s0:c1024",
	"s16",
	"s0:c1,c1",
	"s0:c1-s0",
	"SystemLow-SystemHigh",
	"u:r:t:s0:c1:c2",
	"u:r:t:s0\x00",
	"",
}

// checkParseError verifies the error contract on rejected input.
func checkParseError(t *testing.T, input string, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidLabel) {
		t.Fatalf("error for %q does not wrap ErrInvalidLabel: %v", input, err)
	}
	var perr *ParseError
	if !errors.As(err, &perr) {
		t.Fatalf("error for %q is %T, not *ParseError", input, err)
	}
	if perr.Input != input {
		t.Fatalf("ParseError.Input = %q, want %q", perr.Input, input)
	}
	if perr.Offset < 0 || perr.Offset > len(input) {
		t.Fatalf("ParseError.Offset = %d outside the input %q", perr.Offset, input)
	}
	if perr.Reason == "" {
		t.Fatalf("ParseError for %q has no reason", input)
	}
}

func FuzzParseContext(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		c, err := ParseContext(input)
		if err != nil {
			checkParseError(t, input, err)
			return
		}

		text := c.String()
		again, err := ParseContext(text)
		if err != nil {
			t.Fatalf("ParseContext(%q) rejects the canonical form of %q: %v", text, input, err)
		}
		if again != c {
			t.Fatalf("ParseContext(%q) = %#v, want %#v", text, again, c)
		}
		if again.String() != text {
			t.Fatalf("canonical form is not stable: %q then %q", text, again.String())
		}

		// The input and its canonical form differ only in the range.
		prefix := c.User() + ":" + c.Role() + ":" + c.Type()
		if !strings.HasPrefix(input, prefix) || !strings.HasPrefix(text, prefix) {
			t.Fatalf("ParseContext(%q) names %q, which is not a prefix of the input", input, prefix)
		}

		oracle, err := selinux.NewContext(input)
		if err != nil {
			t.Fatalf("oracle NewContext(%q) error on accepted input: %v", input, err)
		}
		if oracle["user"] != c.User() || oracle["role"] != c.Role() || oracle["type"] != c.Type() {
			t.Fatalf("ParseContext(%q) splits differently from the oracle: %v", input, oracle)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		r, err := ParseRange(input)
		level, levelErr := ParseLevel(input)
		if err != nil {
			checkParseError(t, input, err)
			if levelErr == nil {
				t.Fatalf("ParseLevel accepts %q, which ParseRange rejects: %v", input, err)
			}
			return
		}
		if !dominates(&r.high, &r.low) {
			t.Fatalf("ParseRange(%q) = %v, whose high does not dominate its low", input, r)
		}

		text := r.String()
		again, err := ParseRange(text)
		if err != nil {
			t.Fatalf("ParseRange(%q) rejects the canonical form of %q: %v", text, input, err)
		}
		if again != r {
			t.Fatalf("ParseRange(%q) = %v, want %v", text, again, r)
		}
		if again.String() != text {
			t.Fatalf("canonical form is not stable: %q then %q", text, again.String())
		}

		if !strings.Contains(input, "-") {
			if levelErr != nil {
				t.Fatalf("ParseLevel rejects %q, which ParseRange accepts: %v", input, levelErr)
			}
			if r.Low() != level || r.High() != level {
				t.Fatalf("ParseLevel(%q) = %v, ParseRange = %v", input, level, r)
			}
		}

		// The oracle formats valid ranges in canonical form.
		want, err := selinux.CalculateGlbLub(input, input)
		if err != nil {
			t.Fatalf("oracle CalculateGlbLub(%q) error on accepted input: %v", input, err)
		}
		if text != want {
			t.Fatalf("ParseRange(%q).String() = %q, oracle prints %q", input, text, want)
		}
	})
}
