package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the current output")

// formatExtensions names each format's golden file suffix.
var formatExtensions = map[string]string{
	"table": "txt", "json": "json", "sarif": "sarif.json", "junit": "junit.xml", "markdown": "md", "prometheus": "prom",
}

// compareGolden compares got with testdata/golden/name, or rewrites the
// file when the test runs with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run \"go test ./report -update\" to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; if the change is intended, run \"go test ./report -update\" and review the diff.\ngot:\n%s", path, got)
	}
}

func TestGoldenReports(t *testing.T) {
	docs := map[string]func(*testing.T) *Document{
		"lab":     labDocument,
		"fixture": goldenFixtureDocument,
	}
	for docName, build := range docs {
		for format, ext := range formatExtensions {
			// The fixture's JSON report carries the whole recorded
			// inventory, which the collectors keep extending; the schema
			// test covers it instead.
			if docName == "fixture" && format == "json" {
				continue
			}
			t.Run(docName+"/"+format, func(t *testing.T) {
				w, err := New(format, Options{Catalog: goldenRules()})
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := w.Write(&buf, build(t)); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, docName+"."+ext, buf.Bytes())
			})
		}
	}
}

func TestGoldenDiffs(t *testing.T) {
	for _, format := range DiffFormats() {
		t.Run(format, func(t *testing.T) {
			w, err := NewDiff(format, Options{Catalog: goldenRules()})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := w.WriteDiff(&buf, labDiff(t)); err != nil {
				t.Fatal(err)
			}
			compareGolden(t, "diff."+formatExtensions[format], buf.Bytes())
		})
	}
}

// TestGoldenOutputIsRepeatable writes each report twice: map iteration or
// unsorted input must not change a byte, or golden files would flake.
func TestGoldenOutputIsRepeatable(t *testing.T) {
	for _, format := range Formats() {
		w, err := New(format, Options{Catalog: goldenRules()})
		if err != nil {
			t.Fatal(err)
		}
		var first, second bytes.Buffer
		if err := w.Write(&first, labDocument(t)); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&second, labDocument(t)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("%s output differs between two runs on the same document", format)
		}
	}
}
