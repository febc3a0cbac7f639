package verdict

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable writes one line per scenario (verdict, agreeing probes, the
// findings it rests on or the reason it does not agree), then the reasons
// in full, the closing "N/M verdicts agree" line and the
// "N/M kernel decisions match" line.
func WriteTable(w io.Writer, results []ScenarioResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tVERDICT\tPROBES\tNOTE")
	for _, r := range results {
		agreeing := 0
		for _, p := range r.Probes {
			if p.Agrees {
				agreeing++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\n", r.Scenario.ID, r.Status, agreeing, len(r.Probes), note(r))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing verdict table: %w", err)
	}

	var details strings.Builder
	for _, r := range results {
		if len(r.Problems) == 0 {
			continue
		}
		fmt.Fprintf(&details, "\n%s (%s): %s\n", r.Scenario.ID, r.Status, r.Scenario.Title)
		for _, p := range r.Problems {
			fmt.Fprintf(&details, "  - %s\n", p)
		}
	}
	s := Summarize(results)
	fmt.Fprintf(&details, "\n%d/%d verdicts agree (%d disagree, %d not covered, %d error)\n",
		s.Agree, s.Total, s.Disagree, s.NotCovered, s.Errors)
	fmt.Fprintf(&details, "%d/%d kernel decisions match (probes whose contexts and class have a decision in the report)\n",
		s.DecisionsMatch, s.Decisions)
	if _, err := io.WriteString(w, details.String()); err != nil {
		return fmt.Errorf("writing verdict table: %w", err)
	}
	return nil
}

// note returns the table's last column. For a scenario that is not covered
// it lists the missing checks, for one that disagrees or errs it counts the
// problems, and for one that agrees it names the findings or rules behind
// its allowed probes.
func note(r ScenarioResult) string {
	switch r.Status {
	case StatusNotCovered:
		return "needs " + strings.Join(r.MissingChecks, ", ") + " (not in this build's catalog)"
	case StatusDisagree, StatusError:
		return fmt.Sprintf("%d problem(s), listed below", len(r.Problems))
	}
	var bases []string
	denied := 0
	for _, p := range r.Probes {
		b := p.Prediction.Basis
		switch {
		case p.Prediction.Outcome == Denied:
			denied++
		case p.Prediction.Outcome == Allowed || strings.Contains(b, "MOUNT-"):
			if !slices.Contains(bases, b) {
				bases = append(bases, b)
			}
		}
	}
	if denied > 0 {
		bases = append(bases, fmt.Sprintf("%d denied as predicted", denied))
	}
	return strings.Join(bases, "; ")
}
