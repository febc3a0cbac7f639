package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

// PrometheusWriter writes the report as Prometheus text exposition format
// for node_exporter's textfile collector. Labels stay low in cardinality:
// check IDs and severities, never container names or paths. Every catalog
// check has a series, at 0 when it found nothing, so that the series of an
// alert does not vanish while all is well.
type PrometheusWriter struct {
	// Catalog lists the checks to write series for; nil means
	// checks.Catalog().
	Catalog []checks.Check
}

var (
	_ Writer        = PrometheusWriter{}
	_ FailureWriter = PrometheusWriter{}
)

// FailureWriter is a format that can also record a run that could not
// complete. The Prometheus textfile needs this: without it, the file of
// the last good run would keep reporting success.
type FailureWriter interface {
	WriteFailure(w io.Writer, tool Tool, failedAt time.Time) error
}

type promSample struct {
	labels [][2]string
	value  string
}

type promFamily struct {
	name, help string
	samples    []promSample
}

// Write writes the report's metrics.
func (p PrometheusWriter) Write(w io.Writer, doc *Document) error {
	open := map[checkSeverity]int{}
	waived := map[checkSeverity]int{}
	for _, f := range doc.Findings {
		key := checkSeverity{f.CheckID, f.Severity}
		if f.Open() {
			open[key]++
		} else {
			waived[key]++
		}
	}

	findings := promFamily{name: "mcsaudit_findings", help: "Findings of the last scan that no waiver covers, by check and severity."}
	waivedFamily := promFamily{name: "mcsaudit_waived_findings", help: "Findings of the last scan that a waiver covers, by check and severity."}
	for _, key := range seriesKeys(reportChecks(p.Catalog, doc.Findings), doc.Findings) {
		labels := [][2]string{{"check", key.check}, {"severity", key.severity.String()}}
		findings.samples = append(findings.samples, promSample{labels, fmt.Sprint(open[key])})
		waivedFamily.samples = append(waivedFamily.samples, promSample{labels, fmt.Sprint(waived[key])})
	}

	families := []promFamily{
		buildInfo(doc.Tool),
		findings,
		waivedFamily,
		gauge("mcsaudit_containers_audited", "Containers the last scan audited.", doc.Summary.Containers),
		gauge("mcsaudit_coverage_gaps", "Pieces of evidence the last scan could not read.", doc.Summary.Gaps),
		gauge("mcsaudit_checks_not_evaluated", "Check and subject pairs the last scan could not judge for lack of evidence.", doc.Summary.NotEvaluated),
		gauge("mcsaudit_expired_waivers", "Ignore-file entries past their expiry date, which no longer waive anything.", doc.Summary.ExpiredWaivers),
		gauge("mcsaudit_last_run_timestamp_seconds", "Time the last scan finished, in seconds since the Unix epoch.", doc.GeneratedAt.Unix()),
		gauge("mcsaudit_last_run_success", "1 when the last scan completed, 0 when it could not run.", 1),
	}
	return writeFamilies(w, families)
}

// WriteFailure writes the metrics of a scan that could not run: success 0
// and the time of the failure, with no finding counts.
func (PrometheusWriter) WriteFailure(w io.Writer, tool Tool, failedAt time.Time) error {
	families := []promFamily{
		buildInfo(tool),
		gauge("mcsaudit_last_run_timestamp_seconds", "Time the last scan finished, in seconds since the Unix epoch.", failedAt.Unix()),
		gauge("mcsaudit_last_run_success", "1 when the last scan completed, 0 when it could not run.", 0),
	}
	return writeFamilies(w, families)
}

type checkSeverity struct {
	check    string
	severity checks.Severity
}

// seriesKeys returns one series per check at its catalog severity, plus
// one for every other severity a finding of the check has (a check can
// rate one finding above its default, and --config can override it). The
// keys are sorted by check ID, then by severity, most serious first.
func seriesKeys(catalog []checks.Check, findings []Finding) []checkSeverity {
	seen := map[checkSeverity]bool{}
	var keys []checkSeverity
	add := func(k checkSeverity) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, c := range catalog {
		add(checkSeverity{c.ID, c.Severity})
	}
	for _, f := range findings {
		add(checkSeverity{f.CheckID, f.Severity})
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].check != keys[j].check {
			return keys[i].check < keys[j].check
		}
		return keys[i].severity > keys[j].severity
	})
	return keys
}

func buildInfo(tool Tool) promFamily {
	return promFamily{
		name: "mcsaudit_build_info", help: "Version of the mcsaudit that wrote these metrics; always 1.",
		samples: []promSample{{labels: [][2]string{{"version", tool.Version}}, value: "1"}},
	}
}

func gauge[N int | int64](name, help string, value N) promFamily {
	return promFamily{name: name, help: help, samples: []promSample{{value: fmt.Sprint(value)}}}
}

func writeFamilies(out io.Writer, families []promFamily) error {
	w := &errWriter{w: out}
	for _, f := range families {
		w.printf("# HELP %s %s\n# TYPE %s gauge\n", f.name, promEscapeHelp(f.help), f.name)
		for _, s := range f.samples {
			w.printf("%s%s %s\n", f.name, promLabels(s.labels), s.value)
		}
	}
	return w.err
}

func promLabels(labels [][2]string) string {
	if len(labels) == 0 {
		return ""
	}
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		parts = append(parts, fmt.Sprintf("%s=\"%s\"", l[0], promEscapeLabel(l[1])))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// promEscapeLabel escapes a label value as the text format requires:
// backslash, double quote and line feed.
func promEscapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// promEscapeHelp escapes HELP text: backslash and line feed.
func promEscapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
