package verdict

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Outcome of one access, as the kernel decided it or as findings predict it.
type Outcome string

const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
	// Any means the findings make no claim about the access.
	Any Outcome = "any"
)

// Probe relations: how a probe's target relates to its subject.
const (
	// RelationCross is a file or process of another isolation domain.
	RelationCross = "cross"
	// RelationSameDomain is an object of a container that shares the
	// subject's level by design: a pod member, or the container whose IPC
	// or PID namespace the subject joined.
	RelationSameDomain = "same-domain"
	// RelationOwn is the subject's own object.
	RelationOwn = "own"
	// RelationHost is a host directory bound into the subject.
	RelationHost = "host"
)

// Probe is one access attempted inside a container in the guest: one row
// of probes.tsv.
type Probe struct {
	Scenario string
	ID       string
	Subject  string
	Relation string
	// Owner is the container whose object the probe targets; empty for
	// host directories.
	Owner string
	// Path is the bind source on the host, for RelationHost probes.
	Path string
	// Op is "read", "write" or "signal".
	Op       string
	Class    string
	SContext string
	TContext string
	// Kernel is the decision /sys/fs/selinux/access returned for SContext,
	// TContext, Class and the permissions Op needs: "allowed", "denied"
	// or "error".
	Kernel string
	// Observed is what the attempt inside the container did: "allowed",
	// "denied", or "missing" when no result came back.
	Observed string
	// Detail is the error message of a denied attempt.
	Detail string
}

var probeColumns = []string{
	"scenario", "probe", "subject", "relation", "owner", "path", "op", "class",
	"scontext", "tcontext", "kernel", "observed", "detail",
}

// ReadProbes parses probes.tsv: a header line naming the columns in
// probeColumns order, then one tab-separated line per probe.
func ReadProbes(r io.Reader) ([]Probe, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	if !sc.Scan() {
		return nil, fmt.Errorf("reading probes: %w", firstErr(sc.Err(), io.ErrUnexpectedEOF))
	}
	if header := strings.Split(sc.Text(), "\t"); !slices.Equal(header, probeColumns) {
		return nil, fmt.Errorf("reading probes: invalid header %q: want %q", sc.Text(), strings.Join(probeColumns, "\t"))
	}
	var probes []Probe
	for line := 2; sc.Scan(); line++ {
		if sc.Text() == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != len(probeColumns) {
			return nil, fmt.Errorf("reading probes: line %d has %d columns, want %d", line, len(f), len(probeColumns))
		}
		probes = append(probes, Probe{
			Scenario: f[0], ID: f[1], Subject: f[2], Relation: f[3], Owner: f[4], Path: f[5],
			Op: f[6], Class: f[7], SContext: f[8], TContext: f[9], Kernel: f[10], Observed: f[11], Detail: f[12],
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading probes: %w", err)
	}
	return probes, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Report is the part of mcsaudit's JSON report the comparison reads. It
// is decoded on its own, from the documented report format, so that the
// comparison keeps working while the report grows.
type Report struct {
	Containers []Container `json:"containers"`
	Findings   []Finding   `json:"findings"`
	Decisions  []Decision  `json:"decisions"`
	Coverage   Coverage    `json:"coverage"`
}

// Coverage is the report's account of what the scan could not see.
type Coverage struct {
	Gaps []Gap `json:"gaps"`
}

// Gap is one thing the scan could not read or decide.
type Gap struct {
	Source  string `json:"source"`
	Subject string `json:"subject"`
	Reason  string `json:"reason"`
}

// Container is a container as the report lists it.
type Container struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Pod is the pod ID, empty outside a pod.
	Pod     string  `json:"pod"`
	IsInfra bool    `json:"isInfra"`
	Mounts  []Mount `json:"mounts"`
}

// Mount is a container's mount as the report lists it.
type Mount struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
	RW          bool   `json:"rw"`
}

// Finding is one of mcsaudit's findings.
type Finding struct {
	CheckID string `json:"checkId"`
	Message string `json:"message"`
	// Basis is "kernel decision" when the kernel's answers back the
	// finding and "label model" when mcsaudit predicted it from labels.
	Basis    string     `json:"basis"`
	Subjects []Subject  `json:"subjects"`
	Evidence []Evidence `json:"evidence"`
}

// Subject is a container, path or host a finding names.
type Subject struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// Evidence is one fact a finding cites.
type Evidence struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ReadReport decodes mcsaudit's JSON report.
func ReadReport(r io.Reader) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("reading mcsaudit report: %w", err)
	}
	return &rep, nil
}

var checkIDPattern = regexp.MustCompile(`\b(?:HOST|TYPE|PROC|MCS|MOUNT)-[0-9]{3}\b`)

// ReadCatalog returns the set of check IDs in the output of
// "mcsaudit checks", whatever its table layout.
func ReadCatalog(r io.Reader) (map[string]bool, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading check catalog: %w", err)
	}
	ids := map[string]bool{}
	for _, id := range checkIDPattern.FindAllString(string(text), -1) {
		ids[id] = true
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("reading check catalog: no check ID found")
	}
	return ids, nil
}
