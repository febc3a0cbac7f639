package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"

	"github.com/mcsaudit/mcsaudit/audit/checks"
)

func newChecksCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "checks",
		Short: "List every check mcsaudit runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t := tablewriter.NewWriter(cmd.OutOrStdout())
			t.Header("ID", "Severity", "Title")
			for _, c := range checks.Catalog() {
				if err := t.Append(c.ID, c.Severity.String(), c.Title); err != nil {
					return fmt.Errorf("writing check list: %w", err)
				}
			}
			if err := t.Render(); err != nil {
				return fmt.Errorf("writing check list: %w", err)
			}
			return nil
		},
	}
}

func newExplainCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "explain CHECK-ID",
		Short: "Print one check in full: rationale, remediation and references",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := strings.ToUpper(args[0])
			c, ok := checks.Lookup(id)
			if !ok {
				return fmt.Errorf("unknown check %q: run \"mcsaudit checks\" for the list", args[0])
			}
			return writeExplanation(cmd.OutOrStdout(), c)
		},
	}
}

func writeExplanation(w io.Writer, c checks.Check) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\nSeverity: %s\n", c.ID, c.Title, c.Severity)
	if c.SeverityNote != "" {
		fmt.Fprintf(&b, "  %s\n", c.SeverityNote)
	}
	needs := make([]string, 0, len(c.Needs))
	for _, n := range c.Needs {
		needs = append(needs, string(n))
	}
	fmt.Fprintf(&b, "Evidence needed: %s\n", strings.Join(needs, ", "))
	if !c.RunsWithoutSELinux() {
		b.WriteString("  (skipped when SELinux is disabled on the host)\n")
	}
	fmt.Fprintf(&b, "\nRationale:\n  %s\n\nRemediation:\n  %s\n", c.Rationale, c.Remediation)
	if len(c.References) > 0 {
		b.WriteString("\nReferences:\n")
		for _, r := range c.References {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
