package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestTableColour(t *testing.T) {
	var plain, colored bytes.Buffer
	doc := labDocument(t)
	if err := (TableWriter{}).Write(&plain, doc); err != nil {
		t.Fatal(err)
	}
	if err := (TableWriter{Color: true}).Write(&colored, doc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("the table without Color contains an ANSI escape sequence")
	}
	for _, want := range []string{colorHigh + "HIGH: 2 findings" + colorReset, colorWarning + "WARNING:" + colorReset, colorWaived + "WAIVED"} {
		if !strings.Contains(colored.String(), want) {
			t.Errorf("coloured table lacks %q", want)
		}
	}
	// Colour paints headings only, so stripping it gives the plain table.
	stripped := colored.String()
	for _, seq := range []string{colorCritical, colorHigh, colorMedium, colorLow, colorInfo, colorWarning, colorResolved, colorWaived, colorReset} {
		stripped = strings.ReplaceAll(stripped, seq, "")
	}
	if stripped != plain.String() {
		t.Error("the coloured table differs from the plain one in more than colour")
	}
}

func TestTableGroupsBySeverity(t *testing.T) {
	var buf bytes.Buffer
	if err := (TableWriter{}).Write(&buf, pathFindingDocument(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	critical := strings.Index(out, "CRITICAL: 1 finding\n")
	high := strings.Index(out, "HIGH: 2 findings\n")
	waived := strings.Index(out, "WAIVED: 1 finding")
	if critical < 0 || high < 0 || waived < 0 || !(critical < high && high < waived) {
		t.Errorf("want CRITICAL, then HIGH, then WAIVED sections:\n%s", out)
	}
}

func TestWrapLabel(t *testing.T) {
	tests := []struct {
		label string
		want  string
	}{
		{"system_u:object_r:container_file_t:s0:c1,c2", "system_u:object_r:\ncontainer_file_t:s0:c1,c2"},
		{"system_u:system_r:container_t:s0:c12,c345", "system_u:system_r:\ncontainer_t:s0:c12,c345"},
		{"short_t:s0", "short_t:s0"},
		{"(not labeled)", "(not labeled)"},
		// A level longer than the width breaks after a comma.
		{"u:r:container_t:s0:c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11", "u:r:container_t:s0:c1,c2,c3,\nc4,c5,c6,c7,c8,c9,c10,c11"},
	}
	for _, tt := range tests {
		got := wrapLabel(tt.label, labelWidth)
		if got != tt.want {
			t.Errorf("wrapLabel(%q) =\n%s\nwant\n%s", tt.label, got, tt.want)
		}
		if strings.ReplaceAll(got, "\n", "") != tt.label {
			t.Errorf("wrapLabel(%q) lost or added characters: %q", tt.label, got)
		}
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	if got := mdText("a|b *c* <d>\nnext"); got != `a\|b \*c\* \<d\> next` {
		t.Errorf("mdText = %q", got)
	}
	if got := mdCode("unix:///a`b|c"); got != `unix:///a'b\|c` {
		t.Errorf("mdCode = %q", got)
	}
}
