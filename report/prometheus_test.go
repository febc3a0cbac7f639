package report

import (
	"bytes"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

func parseMetrics(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("the Prometheus text parser rejected the output: %v\n%s", err, text)
	}
	return families
}

// gaugeValue returns the value of the family's sample whose labels
// include want.
func gaugeValue(t *testing.T, families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	family, ok := families[name]
	if !ok {
		t.Fatalf("no metric family %s", name)
	}
	if family.GetType() != dto.MetricType_GAUGE || family.GetHelp() == "" {
		t.Errorf("%s: type %s, help %q; want a gauge with HELP text", name, family.GetType(), family.GetHelp())
	}
	for _, m := range family.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if labels[k] != v {
				match = false
			}
		}
		if match {
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("%s has no sample with labels %v", name, want)
	return 0
}

func TestPrometheusOutputParses(t *testing.T) {
	var buf bytes.Buffer
	if err := (PrometheusWriter{Catalog: goldenRules()}).Write(&buf, labDocument(t)); err != nil {
		t.Fatal(err)
	}
	families := parseMetrics(t, buf.Bytes())

	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"mcsaudit_findings", map[string]string{"check": "HOST-001", "severity": "critical"}, 0},
		{"mcsaudit_findings", map[string]string{"check": "HOST-002", "severity": "high"}, 1},
		{"mcsaudit_findings", map[string]string{"check": "TYPE-002", "severity": "high"}, 1},
		{"mcsaudit_waived_findings", map[string]string{"check": "TYPE-002"}, 1},
		{"mcsaudit_containers_audited", nil, 4},
		{"mcsaudit_coverage_gaps", nil, 1},
		{"mcsaudit_checks_not_evaluated", nil, 1},
		{"mcsaudit_expired_waivers", nil, 1},
		{"mcsaudit_last_run_timestamp_seconds", nil, float64(generatedAt.Unix())},
		{"mcsaudit_last_run_success", nil, 1},
		{"mcsaudit_build_info", map[string]string{"version": "test"}, 1},
	}
	for _, tt := range tests {
		if got := gaugeValue(t, families, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}

// TestPrometheusLabelsStayLowCardinality guards the textfile against
// labels that grow with the host: container names, IDs or paths.
func TestPrometheusLabelsStayLowCardinality(t *testing.T) {
	var buf bytes.Buffer
	if err := (PrometheusWriter{}).Write(&buf, goldenFixtureDocument(t)); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"check": true, "severity": true, "version": true}
	for name, family := range parseMetrics(t, buf.Bytes()) {
		for _, m := range family.GetMetric() {
			for _, l := range m.GetLabel() {
				if !allowed[l.GetName()] {
					t.Errorf("%s has label %q; only check, severity and version are allowed", name, l.GetName())
				}
			}
		}
	}
	doc := goldenFixtureDocument(t)
	for _, c := range doc.Containers {
		if c.Name != "" && strings.Contains(buf.String(), `"`+c.Name+`"`) {
			t.Errorf("container name %q appears in the metrics", c.Name)
		}
	}
}

func TestPrometheusFailureMetrics(t *testing.T) {
	var buf bytes.Buffer
	if err := (PrometheusWriter{}).WriteFailure(&buf, Tool{Name: "mcsaudit", Version: "test"}, generatedAt); err != nil {
		t.Fatal(err)
	}
	families := parseMetrics(t, buf.Bytes())
	if got := gaugeValue(t, families, "mcsaudit_last_run_success", nil); got != 0 {
		t.Errorf("mcsaudit_last_run_success = %v, want 0", got)
	}
	if got := gaugeValue(t, families, "mcsaudit_last_run_timestamp_seconds", nil); got != float64(generatedAt.Unix()) {
		t.Errorf("mcsaudit_last_run_timestamp_seconds = %v, want %d", got, generatedAt.Unix())
	}
	if _, ok := families["mcsaudit_findings"]; ok {
		t.Error("a failed run reports finding counts it never computed")
	}
}

func TestPrometheusLabelEscaping(t *testing.T) {
	got := promLabels([][2]string{{"version", "1.0 \"beta\"\\\nx"}})
	want := `{version="1.0 \"beta\"\\\nx"}`
	if got != want {
		t.Errorf("promLabels = %s, want %s", got, want)
	}
}

// TestPrometheusSeverityOverride covers a finding whose severity differs
// from its check's catalog severity, as --config overrides make it: the
// finding is counted under its own severity, and the catalog series stays.
func TestPrometheusSeverityOverride(t *testing.T) {
	doc := labDocument(t)
	for i := range doc.Findings {
		if doc.Findings[i].CheckID == "HOST-002" {
			doc.Findings[i].Severity = checks.SeverityCritical
		}
	}
	var buf bytes.Buffer
	if err := (PrometheusWriter{Catalog: goldenRules()}).Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	families := parseMetrics(t, buf.Bytes())
	if got := gaugeValue(t, families, "mcsaudit_findings", map[string]string{"check": "HOST-002", "severity": "critical"}); got != 1 {
		t.Errorf("HOST-002 critical = %v, want 1", got)
	}
	if got := gaugeValue(t, families, "mcsaudit_findings", map[string]string{"check": "HOST-002", "severity": "high"}); got != 0 {
		t.Errorf("HOST-002 high = %v, want 0", got)
	}
}
