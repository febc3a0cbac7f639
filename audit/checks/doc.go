package checks

import (
	"fmt"
	"io"
	"strings"
)

//go:generate go test -run TestReferenceDocCurrent -update .

// WriteReference writes the check reference in Markdown: the catalog
// table, each check in full, and the built-in lists that a check
// configuration adds to. docs/checks.md is this output; a test fails when
// the committed file differs from it.
func WriteReference(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Check reference\n\n")
	b.WriteString("<!-- Generated from the check registry (audit/checks). Do not edit: run\n")
	b.WriteString("     go test ./audit/checks -run TestReferenceDocCurrent -update -->\n\n")
	b.WriteString("Every check has a stable ID: reports, waivers and scripts key on it, and an ID is\n")
	b.WriteString("never renumbered or reused. `mcsaudit checks` lists the catalog and\n")
	b.WriteString("`mcsaudit explain ID` prints one check. A check that lacks the evidence for a\n")
	b.WriteString("subject reports it as *not evaluated*, never as passed. When SELinux is disabled\n")
	b.WriteString("on the host, only the checks marked \"runs without SELinux\" run, because\n")
	b.WriteString("HOST-001 already reports that no label is enforced.\n\n")
	b.WriteString("Containers that share an MCS level by design form one isolation domain: the\n")
	b.WriteString("members of one Podman pod, containers joined with `--ipc container:X` or\n")
	b.WriteString("`--pid container:X` (not `--network container:X`), the containers of one CRI\n")
	b.WriteString("pod sandbox, and the pods of one OpenShift namespace. The MCS checks compare\n")
	b.WriteString("domains, never the members of one domain.\n\n")
	b.WriteString("Every finding has a basis. It is `kernel decision` when the audited host's kernel\n")
	b.WriteString("answered every access the finding asserts, and `label model` otherwise.\n")
	b.WriteString("MOUNT-001, MOUNT-002, MOUNT-005, MOUNT-006, MCS-001 and MCS-002 use the kernel's\n")
	b.WriteString("access decisions, which a scan asks for where SELinux runs; see\n")
	b.WriteString("[Kernel decisions](architecture.md#kernel-decisions).\n\n")

	b.WriteString("| ID | Severity | Title |\n| --- | --- | --- |\n")
	for _, c := range Catalog() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", c.ID, strings.ToLower(c.ID), c.Severity, c.Title)
	}
	for _, c := range Catalog() {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n\n", strings.ToLower(c.ID))
		writeCheck(&b, c, "## ")
	}
	writeDefaults(&b)
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

func writeCheck(b *strings.Builder, c Check, heading string) {
	fmt.Fprintf(b, "%s%s: %s\n\n", heading, c.ID, c.Title)
	fmt.Fprintf(b, "Severity: %s", c.Severity)
	if c.SeverityNote != "" {
		fmt.Fprintf(b, " (%s)", c.SeverityNote)
	}
	b.WriteString("\n\n")
	needs := make([]string, 0, len(c.Needs))
	for _, n := range c.Needs {
		needs = append(needs, string(n))
	}
	fmt.Fprintf(b, "Evidence needed: %s", strings.Join(needs, ", "))
	if c.withoutSELinux {
		b.WriteString(" (runs without SELinux)")
	}
	b.WriteString("\n\n")
	fmt.Fprintf(b, "Rationale: %s\n\n", c.Rationale)
	fmt.Fprintf(b, "Remediation: %s\n\n", c.Remediation)
	b.WriteString("References:\n\n")
	for _, r := range c.References {
		fmt.Fprintf(b, "- <%s>\n", r)
	}
}

func writeDefaults(b *strings.Builder) {
	d := BuiltinDefaults()
	b.WriteString("\n## Built-in lists\n\n")
	b.WriteString("A check configuration (`mcsaudit scan --config FILE`, see config.md) adds to\n")
	b.WriteString("these lists; it never replaces them.\n\n")
	writeList(b, "Confined process types (MCS-constrained; a leading `*` stands for any prefix)", d.ConfinedTypes, "confinedTypes")
	writeList(b, "Unconfined process types", d.UnconfinedTypes, "unconfinedTypes")
	writeList(b, "Engine default types (no TYPE-003)", d.EngineTypes, "")
	b.WriteString("### Widening booleans (HOST-004, `wideningBooleans`, `acceptedBooleans`)\n\n")
	b.WriteString("| boolean | when on |\n| --- | --- |\n")
	for _, w := range d.WideningBooleans {
		fmt.Fprintf(b, "| `%s` | %s |\n", w[0], w[1])
	}
	b.WriteString("\n")
	writeList(b, "Host system paths (MOUNT-003, MOUNT-004; `/**` matches everything below)", d.SystemPaths, "systemPaths")
	writeList(b, "Home directories (system paths; their direct children are home content)", d.HomeDirectories, "homeDirectories")
	writeList(b, "Engine sockets (MOUNT-007)", d.EngineSockets, "")
}

func writeList(b *strings.Builder, title string, items []string, field string) {
	fmt.Fprintf(b, "### %s\n\n", title)
	if field != "" {
		fmt.Fprintf(b, "Configuration field: `%s`.\n\n", field)
	}
	quoted := make([]string, len(items))
	for i, it := range items {
		quoted[i] = "`" + it + "`"
	}
	b.WriteString(strings.Join(quoted, ", "))
	b.WriteString("\n\n")
}
