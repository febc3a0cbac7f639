package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestGendocs generates the man pages and completion scripts and checks
// that every visible command has a page that carries its flags, so that a
// new command or flag shows up in the docs without anyone listing it.
func TestGendocs(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1796414400")
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "gendocs", dir)
	if code != exitOK {
		t.Fatalf("gendocs: exit code %d; %s", code, stderr)
	}

	root := newRootCommand()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() {
			continue
		}
		page := filepath.Join(dir, "man", "man1", "mcsaudit-"+c.Name()+".1")
		text := readText(t, page)
		// The man page may escape dashes (\-) or not, depending on the
		// version of go-md2man.
		text = strings.ReplaceAll(text, `\-`, "-")
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if !strings.Contains(text, "--"+f.Name) {
				t.Errorf("%s does not document --%s", page, f.Name)
			}
		})
	}
	scan := readText(t, filepath.Join(dir, "man", "man1", "mcsaudit-scan.1"))
	for _, want := range []string{"Exit codes", "--ignore-file", "Dec 2026"} {
		if !strings.Contains(strings.ReplaceAll(scan, `\-`, "-"), want) {
			t.Errorf("mcsaudit-scan.1 lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "man", "man1", "mcsaudit-gendocs.1")); err == nil {
		t.Error("the hidden gendocs command got a man page")
	}

	for _, name := range []string{"mcsaudit.bash", "_mcsaudit", "mcsaudit.fish"} {
		if text := readText(t, filepath.Join(dir, "completions", name)); !strings.Contains(text, "mcsaudit") {
			t.Errorf("completion script %s does not mention mcsaudit", name)
		}
	}
}

func TestFormatCompletion(t *testing.T) {
	tests := map[string][]string{
		"scan":    {"table", "json", "sarif", "junit", "markdown", "prometheus"},
		"convert": {"table", "json", "sarif", "junit", "markdown", "prometheus"},
		"diff":    {"table", "json", "sarif", "markdown"},
	}
	for command, want := range tests {
		code, stdout, stderr := runCLI(t, "__complete", command, "--format", "")
		if code != exitOK {
			t.Fatalf("__complete %s: exit code %d; %s", command, code, stderr)
		}
		got := strings.Fields(stdout)
		// The last line is cobra's completion directive, such as ":4".
		if len(got) == 0 || strings.Join(got[:len(got)-1], " ") != strings.Join(want, " ") {
			t.Errorf("%s --format completes to %q, want %q", command, got, want)
		}
	}
}
