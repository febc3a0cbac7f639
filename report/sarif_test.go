package report

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// sarifSchemaEnv names the file of the official SARIF 2.1.0 JSON schema
// (OASIS, errata 01, draft-04 JSON Schema; published at sarifSchemaURI).
// The schema is not part of this repository: its text is OASIS's, under
// OASIS's IPR policy.
const sarifSchemaEnv = "MCSAUDIT_SARIF_SCHEMA"

func writeSARIF(t *testing.T, doc *Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIFWriter{Catalog: goldenRules()}).Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeSARIFDiff(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (SARIFWriter{Catalog: goldenRules()}).WriteDiff(&buf, labDiff(t)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSARIFMatchesOfficialSchema(t *testing.T) {
	path := os.Getenv(sarifSchemaEnv)
	if path == "" {
		t.Skipf("%s is not set: set it to a copy of %s to validate against the official schema; TestSARIFStructure checks the required structure without it",
			sarifSchemaEnv, sarifSchemaURI)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	outputs := map[string][]byte{
		"lab report":     writeSARIF(t, labDocument(t)),
		"fixture report": writeSARIF(t, goldenFixtureDocument(t)),
		"path subject":   writeSARIF(t, pathFindingDocument(t)),
		"comparison":     writeSARIFDiff(t),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			if err := validateJSON(t, schema, out); err != nil {
				t.Errorf("SARIF output does not match the SARIF 2.1.0 schema: %v", err)
			}
		})
	}

	// The schema must be able to fail: a level SARIF does not define.
	var m map[string]any
	if err := json.Unmarshal(outputs["lab report"], &m); err != nil {
		t.Fatal(err)
	}
	m["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)["level"] = "fatal"
	broken, _ := json.Marshal(m)
	if err := validateJSON(t, schema, broken); err == nil {
		t.Errorf("%s accepted a result with level \"fatal\"", path)
	}
}

// pathFindingDocument adds a finding about a host path, which no check of
// the golden catalog produces yet.
func pathFindingDocument(t *testing.T) *Document {
	doc := labDocument(t)
	doc.Findings = append(doc.Findings, Finding{Finding: checks.Finding{
		CheckID: "MOUNT-003", Severity: checks.SeverityCritical, Title: "Host system path relabeled to a container type",
		Message:     "/home/alice carries container_file_t:s0",
		Subjects:    []checks.Subject{{Kind: "path", Path: "/home/alice/my docs"}},
		Evidence:    []checks.Evidence{{Name: "label", Value: "system_u:object_r:container_file_t:s0"}},
		Remediation: "restorecon -R /home/alice",
	}})
	return doc
}

// sarifOutput is the part of a SARIF log the structure test reads.
type sarifOutput struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string            `json:"id"`
					Name                 string            `json:"name"`
					ShortDescription     map[string]string `json:"shortDescription"`
					FullDescription      map[string]string `json:"fullDescription"`
					Help                 map[string]string `json:"help"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]map[string]string `json:"originalUriBaseIds"`
		Results            []struct {
			RuleID    string            `json:"ruleId"`
			RuleIndex int               `json:"ruleIndex"`
			Level     string            `json:"level"`
			Message   map[string]string `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
					Kind string `json:"kind"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			BaselineState       string            `json:"baselineState"`
			Suppressions        []struct {
				Kind          string `json:"kind"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
		} `json:"results"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, data []byte) sarifOutput {
	t.Helper()
	var out sarifOutput
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSARIFStructure checks, without the official schema, what SARIF 2.1.0
// requires and what GitHub code scanning needs to accept an upload.
func TestSARIFStructure(t *testing.T) {
	out := decodeSARIF(t, writeSARIF(t, pathFindingDocument(t)))
	if out.Version != "2.1.0" || out.Schema != sarifSchemaURI || len(out.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs; want 2.1.0, %s, 1 run", out.Version, out.Schema, len(out.Runs), sarifSchemaURI)
	}
	run := out.Runs[0]
	if run.Tool.Driver.Name != "mcsaudit" {
		t.Errorf("tool.driver.name = %q", run.Tool.Driver.Name)
	}
	if run.OriginalURIBaseIDs[sarifHostRoot]["uri"] != "file:///" {
		t.Errorf("originalUriBaseIds = %v, want %s at file:///", run.OriginalURIBaseIDs, sarifHostRoot)
	}

	wantLevels := map[string]string{"HOST-001": "error", "HOST-002": "error", "TYPE-002": "error", "MOUNT-003": "error"}
	wantSeverity := map[string]string{"HOST-001": "9.5", "HOST-002": "8.0", "TYPE-002": "8.0", "MOUNT-003": "9.5"}
	var ruleIDs []string
	for _, r := range run.Tool.Driver.Rules {
		ruleIDs = append(ruleIDs, r.ID)
		if r.Name == "" || r.ShortDescription["text"] == "" || r.FullDescription["text"] == "" || r.Help["text"] == "" {
			t.Errorf("rule %s lacks name, shortDescription, fullDescription or help: %+v", r.ID, r)
		}
		if r.DefaultConfiguration.Level != wantLevels[r.ID] {
			t.Errorf("rule %s level = %q, want %q", r.ID, r.DefaultConfiguration.Level, wantLevels[r.ID])
		}
		if r.Properties["security-severity"] != wantSeverity[r.ID] {
			t.Errorf("rule %s security-severity = %v, want %s", r.ID, r.Properties["security-severity"], wantSeverity[r.ID])
		}
		if tags, _ := r.Properties["tags"].([]any); !slices.Contains(tags, any("security")) {
			t.Errorf("rule %s lacks the \"security\" tag GitHub needs to rank it by security-severity", r.ID)
		}
	}
	if !slices.Equal(ruleIDs, []string{"HOST-001", "HOST-002", "TYPE-002", "MOUNT-003"}) {
		t.Errorf("rules = %v, want the catalog and then MOUNT-003, which only a finding names", ruleIDs)
	}

	suppressed := 0
	for _, res := range run.Results {
		if res.RuleIndex < 0 || res.RuleIndex >= len(ruleIDs) || ruleIDs[res.RuleIndex] != res.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is not its rule", res.RuleID, res.RuleIndex)
		}
		if res.Message["text"] == "" || res.PartialFingerprints[sarifFingerprint] == "" {
			t.Errorf("result %s lacks message text or fingerprint", res.RuleID)
		}
		if len(res.Locations) == 0 {
			t.Errorf("result %s has no location; GitHub rejects the whole upload", res.RuleID)
		}
		for _, loc := range res.Locations {
			if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI == "" {
				t.Errorf("result %s has a location without physicalLocation; GitHub rejects the whole upload", res.RuleID)
			}
		}
		if len(res.Suppressions) > 0 {
			suppressed++
			if res.Suppressions[0].Kind != "external" || res.Suppressions[0].Justification == "" {
				t.Errorf("suppression = %+v, want kind external with the waiver's reason", res.Suppressions[0])
			}
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed results, want 1 (the waived toolbox finding)", suppressed)
	}
}

func TestSARIFLocations(t *testing.T) {
	out := decodeSARIF(t, writeSARIF(t, pathFindingDocument(t)))
	byRule := map[string][]string{}
	for _, res := range out.Runs[0].Results {
		for _, loc := range res.Locations {
			desc := loc.PhysicalLocation.ArtifactLocation.URIBaseID + "|" + loc.PhysicalLocation.ArtifactLocation.URI
			for _, l := range loc.LogicalLocations {
				desc += "|" + l.Kind + ":" + l.Name
			}
			byRule[res.RuleID] = append(byRule[res.RuleID], desc)
		}
	}
	want := map[string][]string{
		"HOST-002":  {"|hosts/lab-host|resource:lab-host"},
		"TYPE-002":  {"|containers/podman/web-priv|resource:web-priv", "|containers/podman-rootless-uid1000/toolbox-alice|resource:toolbox-alice"},
		"MOUNT-003": {"HOSTROOT|home/alice/my%20docs"},
	}
	for rule, locs := range want {
		slices.Sort(locs)
		got := byRule[rule]
		slices.Sort(got)
		if !slices.Equal(got, locs) {
			t.Errorf("%s locations = %q, want %q", rule, got, locs)
		}
	}
}

func TestSARIFDiffBaselineStates(t *testing.T) {
	out := decodeSARIF(t, writeSARIFDiff(t))
	states := map[string]string{}
	for _, res := range out.Runs[0].Results {
		states[res.PartialFingerprints[sarifFingerprint]] = res.BaselineState
	}
	want := map[string]string{
		"TYPE-002 container:podman/web-priv":                       "new",
		"TYPE-002 container:podman/web-1":                          "absent",
		"HOST-002 host:lab-host":                                   "unchanged",
		"TYPE-002 container:podman-rootless-uid1000/toolbox-alice": "unchanged",
	}
	if len(states) != len(want) {
		t.Errorf("results = %v, want %v (the unverified finding is a notification, not a result)", states, want)
	}
	for key, state := range want {
		if states[key] != state {
			t.Errorf("%s baselineState = %q, want %q", key, states[key], state)
		}
	}
}

func TestRuleName(t *testing.T) {
	for title, want := range map[string]string{
		"SELinux disabled on the host":           "SELinuxDisabledOnTheHost",
		"engine or runtime socket mounted":       "EngineOrRuntimeSocketMounted",
		"writable mount of container_file_t:s0 ": "WritableMountOfContainerFileTS0",
	} {
		if got := ruleName(title); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", title, got, want)
		}
	}
}
