// Package waiver reads an ignore file of waivers and matches them against
// findings. A waiver accepts a known finding for a stated reason, until an
// optional expiry date. A waived finding stays in the report, marked as
// waived, and does not count toward --fail-on. Waivers apply to findings
// only. Coverage gaps and "not evaluated" entries are never waived.
//
// The ignore file is YAML (JSON, being YAML too, also parses):
//
//	waivers:
//	  - check: TYPE-002
//	    container: "toolbox-*"
//	    label: com.github.containers.toolbox=true
//	    reason: toolbox containers run privileged by design; owned by the workstation team
//	    expires: 2027-06-30
//
// Use it like this:
//
//	file, err := waiver.Load("/etc/mcsaudit/ignore.yaml")
//	if err != nil {
//		return err // names the file, line and field
//	}
//	result := file.Apply(findings, snap.Containers, time.Now())
package waiver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// DateLayout is the layout of a waiver's expiry date.
const DateLayout = "2006-01-02"

// ErrInvalidFile is the sentinel for every rejected ignore file. Errors
// from Parse and Load are *FileError values, which unwrap to it.
var ErrInvalidFile = errors.New("invalid ignore file")

// FileError describes why an ignore file was rejected.
type FileError struct {
	// Name is the file's path, or the name the caller gave a reader.
	Name string
	// Line is the 1-based line of the offending value, 0 when the file
	// could not be read or parsed as YAML at all.
	Line int
	// Field is the waiver field at fault, such as "expires", or "".
	Field  string
	Reason string
}

func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid ignore file %s", e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns ErrInvalidFile so that errors.Is matches every FileError.
func (e *FileError) Unwrap() error { return ErrInvalidFile }

// File is a parsed ignore file.
type File struct {
	// Name is the path the file was loaded from.
	Name    string
	Waivers []Waiver
}

// Waiver is one entry of an ignore file. Check is required; the subject
// selectors Container, Label and Path are optional globs, and a waiver
// without any selector covers every finding of its check.
type Waiver struct {
	// Check is the check ID, in upper case.
	Check string
	// Container is a glob matched against the name of every container the
	// finding names.
	Container string
	// Label is a KEY=VALUE glob matched against the engine labels (not the
	// SELinux labels) of every container the finding names.
	Label string
	// Path is a glob matched against every host path the finding names.
	Path   string
	Reason string
	// Expires is the last day, YYYY-MM-DD, on which the waiver applies,
	// or "" when it does not expire.
	Expires string
	// Line is the 1-based number of the waiver's first line in the file.
	Line int

	// end is the first instant at which the waiver no longer applies:
	// midnight UTC after the Expires day. Zero when Expires is "".
	end time.Time
}

// ExpiredAt reports whether the waiver has expired at now. A waiver
// applies until the end of its Expires day in UTC.
func (w *Waiver) ExpiredAt(now time.Time) bool {
	return !w.end.IsZero() && !now.Before(w.end)
}

// Load reads and validates the ignore file at path against the check
// catalog.
func Load(filePath string) (*File, error) {
	f, err := os.Open(filePath)
	if err != nil {
		return nil, &FileError{Name: filePath, Reason: err.Error()}
	}
	defer f.Close()
	return Parse(f, filePath, knownCheck)
}

func knownCheck(id string) bool {
	_, ok := checks.Lookup(id)
	return ok
}

// fields are the keys a waiver may have, in the order errors list them.
var fields = []string{"check", "container", "label", "path", "reason", "expires"}

// Parse reads an ignore file from r and validates it. Errors name the
// file as name. known reports whether a check ID exists. A waiver for an
// unknown ID is an error, because a typo would otherwise waive nothing
// without a word.
func Parse(r io.Reader, name string, known func(id string) bool) (*File, error) {
	file := &File{Name: name, Waivers: []Waiver{}}
	dec := yaml.NewDecoder(r)
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return file, nil // an empty file waives nothing
		}
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &FileError{Name: name, Line: extra.Line, Reason: "more than one YAML document: keep every waiver under one \"waivers:\" list"}
	}

	if len(root.Content) == 0 {
		return file, nil // only comments
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, &FileError{Name: name, Line: doc.Line, Reason: "the file must be a mapping with a \"waivers\" list"}
	}
	var list *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, value := doc.Content[i], doc.Content[i+1]
		if key.Value != "waivers" {
			return nil, &FileError{Name: name, Line: key.Line, Reason: fmt.Sprintf("unknown top-level key %q: want \"waivers\"", key.Value)}
		}
		list = value
	}
	if list == nil || list.Tag == "!!null" {
		return file, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &FileError{Name: name, Line: list.Line, Field: "waivers", Reason: "must be a list of waivers"}
	}

	for i, item := range list.Content {
		w, err := parseWaiver(item, known)
		if err != nil {
			err.Name = name
			err.Reason = fmt.Sprintf("waiver %d: %s", i+1, err.Reason)
			return nil, err
		}
		file.Waivers = append(file.Waivers, w)
	}
	return file, nil
}

// parseWaiver reads one list item. The returned error has no Name yet.
func parseWaiver(node *yaml.Node, known func(string) bool) (Waiver, *FileError) {
	w := Waiver{Line: node.Line}
	if node.Kind != yaml.MappingNode {
		return w, &FileError{Line: node.Line, Reason: "must be a mapping with check, reason and optional container, label, path and expires"}
	}

	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		field := key.Value
		if seen[field] {
			return w, &FileError{Line: key.Line, Field: field, Reason: "given twice"}
		}
		seen[field] = true
		if value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
			return w, &FileError{Line: value.Line, Field: field, Reason: "must be a single value"}
		}
		if err := setField(&w, field, value.Value, known); err != nil {
			return w, &FileError{Line: value.Line, Field: field, Reason: err.Error()}
		}
	}

	if w.Check == "" {
		return w, &FileError{Line: node.Line, Field: "check", Reason: "missing: name the check ID the waiver applies to"}
	}
	if w.Reason == "" {
		return w, &FileError{Line: node.Line, Field: "reason", Reason: "missing: every waiver needs a reason"}
	}
	return w, nil
}

func setField(w *Waiver, field, value string, known func(string) bool) error {
	switch field {
	case "check":
		id := strings.ToUpper(strings.TrimSpace(value))
		if !known(id) {
			return fmt.Errorf("unknown check %q: run \"mcsaudit checks\" for the list", value)
		}
		w.Check = id
	case "container":
		if err := validateGlob(value); err != nil {
			return err
		}
		w.Container = value
	case "label":
		if !strings.Contains(value, "=") {
			return fmt.Errorf("invalid label selector %q: want KEY=VALUE, a glob over the container's engine labels", value)
		}
		if err := validateGlob(value); err != nil {
			return err
		}
		w.Label = value
	case "path":
		if err := validateGlob(value); err != nil {
			return err
		}
		w.Path = value
	case "reason":
		w.Reason = strings.TrimSpace(value)
		if w.Reason == "" {
			return errors.New("must not be empty")
		}
	case "expires":
		day, err := time.Parse(DateLayout, value)
		if err != nil {
			return fmt.Errorf("invalid date %q: want YYYY-MM-DD", value)
		}
		w.Expires = value
		w.end = day.AddDate(0, 0, 1)
	default:
		return fmt.Errorf("unknown field: want one of %s", strings.Join(fields, ", "))
	}
	return nil
}

// yamlLine matches the position that go.yaml.in/yaml/v3 puts at the start
// of a syntax error: "yaml: line 3: mapping values are not allowed here".
var yamlLine = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

func yamlError(name string, err error) *FileError {
	fe := &FileError{Name: name, Reason: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		fe.Reason = m[2]
	}
	if strings.Contains(fe.Reason, "mapping values are not allowed") {
		fe.Reason += ` (quote a value that contains ": ")`
	}
	return fe
}

func validateGlob(pattern string) error {
	if pattern == "" {
		return errors.New("must not be empty")
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("invalid glob %q: %w", pattern, err)
	}
	return nil
}
