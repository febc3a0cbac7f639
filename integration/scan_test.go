package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/report"
)

// scenarioNames are the containers scripts/podman-env.sh creates.
var scenarioNames = []string{
	"mcsaudit-bind", "mcsaudit-ipcjoin", "mcsaudit-nolabel", "mcsaudit-pidhost",
	"mcsaudit-plain", "mcsaudit-pod-a", "mcsaudit-pod-b", "mcsaudit-privileged",
}

func scanJSON(t *testing.T, extra ...string) (*report.Document, []byte) {
	t.Helper()
	args := []string{"scan", "--format", "json"}
	if !slices.Contains(extra, "--snapshot") {
		args = append(args, "--url", env.url)
	}
	args = append(args, extra...)
	res := mcsaudit(t, args...)
	if res.code != 0 {
		t.Fatalf("mcsaudit scan exit code = %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	var doc report.Document
	if err := json.Unmarshal(res.stdout, &doc); err != nil {
		t.Fatalf("decoding the JSON report: %v\n%s", err, res.stdout)
	}
	return &doc, res.stdout
}

// ours returns the containers the tests' own Podman service reported.
// Other Podman services on the machine show up too, found through /proc,
// and must not disturb the tests' expectations.
func ours(doc *report.Document) []inventory.Container {
	var mine []inventory.Container
	for _, c := range doc.Containers {
		if c.DiscoveredBy == inventory.DiscoveredByAPI && c.Engine.URL == env.url {
			mine = append(mine, c)
		}
	}
	return mine
}

func byName(doc *report.Document) map[string]inventory.Container {
	m := map[string]inventory.Container{}
	for _, c := range ours(doc) {
		m[c.Name] = c
	}
	return m
}

// podmanInspect is the part of "podman inspect" the report must carry.
type podmanInspect struct {
	ID           string `json:"Id"`
	Name         string
	Pod          string
	ProcessLabel string
	MountLabel   string
	HostConfig   struct {
		Privileged  bool
		SecurityOpt []string
		PidMode     string
		IpcMode     string
	}
	Mounts []struct {
		Source      string
		Destination string
		RW          bool
	}
}

func TestScanListsEveryRunningContainer(t *testing.T) {
	requirePodman(t)
	doc, _ := scanJSON(t)

	ids := strings.Fields(string(podmanRemote(t, "ps", "-q", "--no-trunc")))
	var got []string
	for _, c := range ours(doc) {
		got = append(got, c.ID)
	}
	slices.Sort(ids)
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Errorf("report container IDs = %v\npodman ps lists   %v", got, ids)
	}

	containers := byName(doc)
	for _, name := range scenarioNames {
		if _, ok := containers[name]; !ok {
			t.Errorf("scenario container %s missing from the report", name)
		}
	}
}

func TestScanCarriesInspectFields(t *testing.T) {
	requirePodman(t)
	doc, _ := scanJSON(t)
	containers := byName(doc)

	var inspected []podmanInspect
	out := podmanRemote(t, append([]string{"inspect"}, scenarioNames...)...)
	if err := json.Unmarshal(out, &inspected); err != nil {
		t.Fatal(err)
	}
	for _, want := range inspected {
		got, ok := containers[strings.TrimPrefix(want.Name, "/")]
		if !ok {
			t.Errorf("%s missing from the report", want.Name)
			continue
		}
		if got.ID != want.ID {
			t.Errorf("%s: id = %s, want %s", want.Name, got.ID, want.ID)
		}
		if got.Pod != want.Pod {
			t.Errorf("%s: pod = %q, want %q", want.Name, got.Pod, want.Pod)
		}
		if got.Privileged != want.HostConfig.Privileged {
			t.Errorf("%s: privileged = %v, want %v", want.Name, got.Privileged, want.HostConfig.Privileged)
		}
		if !slices.Equal(got.SecurityOpt, nonNil(want.HostConfig.SecurityOpt)) {
			t.Errorf("%s: securityOpt = %v, want %v", want.Name, got.SecurityOpt, want.HostConfig.SecurityOpt)
		}
		if got.PidMode != want.HostConfig.PidMode || got.IpcMode != want.HostConfig.IpcMode {
			t.Errorf("%s: pid/ipc mode = %s/%s, want %s/%s", want.Name,
				got.PidMode, got.IpcMode, want.HostConfig.PidMode, want.HostConfig.IpcMode)
		}
		checkLabel(t, want.Name+" process label", got.ProcessLabel, want.ProcessLabel)
		checkLabel(t, want.Name+" mount label", got.MountLabel, want.MountLabel)
		if len(got.Mounts) != len(want.Mounts) {
			t.Errorf("%s: %d mounts, want %d", want.Name, len(got.Mounts), len(want.Mounts))
			continue
		}
		for i, m := range want.Mounts {
			g := got.Mounts[i]
			if g.Source != m.Source || g.Destination != m.Destination || g.RW != m.RW {
				t.Errorf("%s: mount %d = %s:%s rw=%v, want %s:%s rw=%v", want.Name, i,
					g.Source, g.Destination, g.RW, m.Source, m.Destination, m.RW)
			}
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func checkLabel(t *testing.T, what string, got inventory.Label, want string) {
	t.Helper()
	if want == "" {
		if got.State != inventory.NotLabeled {
			t.Errorf("%s: state = %q, want not-labeled for an empty inspect label", what, got.State)
		}
		return
	}
	if got.State != inventory.Labeled || got.Value != want {
		t.Errorf("%s = %+v, want labeled %q", what, got, want)
	}
}

func TestScanScenarioShapes(t *testing.T) {
	requirePodman(t)
	doc, _ := scanJSON(t)
	c := byName(doc)

	if !c["mcsaudit-privileged"].Privileged {
		t.Error("mcsaudit-privileged: privileged = false")
	}
	if !slices.Contains(c["mcsaudit-nolabel"].SecurityOpt, "label=disable") {
		t.Errorf("mcsaudit-nolabel: securityOpt = %v, want label=disable", c["mcsaudit-nolabel"].SecurityOpt)
	}
	if c["mcsaudit-pidhost"].PidMode != "host" {
		t.Errorf("mcsaudit-pidhost: pidMode = %q, want host", c["mcsaudit-pidhost"].PidMode)
	}
	if want := "container:" + c["mcsaudit-plain"].ID; c["mcsaudit-ipcjoin"].IpcMode != want {
		t.Errorf("mcsaudit-ipcjoin: ipcMode = %q, want %q", c["mcsaudit-ipcjoin"].IpcMode, want)
	}
	podA, podB := c["mcsaudit-pod-a"], c["mcsaudit-pod-b"]
	if podA.Pod == "" || podA.Pod != podB.Pod {
		t.Errorf("pod members: pod = %q and %q, want one shared pod ID", podA.Pod, podB.Pod)
	}
	if podA.PodName != "mcsaudit-pod" {
		t.Errorf("mcsaudit-pod-a: podName = %q, want mcsaudit-pod", podA.PodName)
	}
	var rw, ro bool
	for _, m := range c["mcsaudit-bind"].Mounts {
		switch m.Destination {
		case "/data":
			rw = m.RW && m.Type == "bind"
		case "/data-ro":
			ro = !m.RW
		}
	}
	if !rw || !ro {
		t.Errorf("mcsaudit-bind mounts = %+v, want a writable bind at /data and a read-only one at /data-ro", c["mcsaudit-bind"].Mounts)
	}
}

// This machine's kernel has no SELinux: the expected findings are HOST-001
// and TYPE-002 for the three containers whose labeling is disabled, and
// nothing for the pod or the IPC join.
func TestScanFindingsOnThisHost(t *testing.T) {
	requirePodman(t)
	if _, err := os.Stat("/sys/fs/selinux/enforce"); err == nil {
		t.Skip("this host has SELinux; the expected findings are for a host without it")
	}
	doc, _ := scanJSON(t)

	if doc.Host.SELinux.State != inventory.SELinuxDisabled {
		t.Errorf("host SELinux state = %q (%s), want disabled", doc.Host.SELinux.State, doc.Host.SELinux.StateReason)
	}
	mine := map[string]bool{}
	for _, c := range ours(doc) {
		mine[c.ID] = true
	}
	var got []string
	severities := map[string]int{}
	for _, f := range doc.Findings {
		s := f.Subjects[0]
		if s.Kind != "host" && !mine[s.ID] {
			continue
		}
		got = append(got, f.CheckID+" "+s.Name)
		severities[f.Severity.String()]++
	}
	slices.Sort(got)
	want := []string{
		"HOST-001 " + doc.Host.Hostname,
		"TYPE-002 mcsaudit-nolabel",
		"TYPE-002 mcsaudit-pidhost",
		"TYPE-002 mcsaudit-privileged",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if severities["critical"] != 1 || severities["high"] != 3 {
		t.Errorf("critical/high findings = %d/%d, want 1/3", severities["critical"], severities["high"])
	}
	for _, g := range doc.Coverage.Gaps {
		// Other Podman services on the machine are seen through /proc
		// and named in one gap; nothing else may be missing.
		if g.Source == inventory.SourceProcfs && g.Subject == "containers without an engine API" {
			continue
		}
		t.Errorf("coverage gap %+v, want none", g)
	}
}

func TestScanReportMatchesSchema(t *testing.T) {
	requirePodman(t)
	_, raw := scanJSON(t)

	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(filepath.Join(repoRoot(), "docs", "report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("report does not match docs/report.schema.json: %v", err)
	}
}
