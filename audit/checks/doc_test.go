package checks

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the check registry")

// docs/checks.md is generated from the registry; it must match the code.
func TestReferenceDocCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReference(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "checks.md")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v; create it with: go test ./audit/checks -run TestReferenceDocCurrent -update", path, err)
	}
	if !bytes.Equal(committed, buf.Bytes()) {
		t.Errorf("docs/checks.md is stale: regenerate it with\n  go test ./audit/checks -run TestReferenceDocCurrent -update")
	}
}

func TestReferenceDocListsEveryCheck(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReference(&buf); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	for _, c := range Catalog() {
		if !strings.Contains(doc, "## "+c.ID+": "+c.Title) {
			t.Errorf("reference lacks the section of %s", c.ID)
		}
	}
	for _, want := range []string{"virt_use_nfs", "/usr/**", "/home/*", "docker.sock", "*.process"} {
		if !strings.Contains(doc, want) {
			t.Errorf("reference lacks the built-in entry %q", want)
		}
	}
}
