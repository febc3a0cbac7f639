package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newGendocsCommand returns the hidden command that packagers and
// "make docs" run to generate man pages and shell completion scripts from
// the command tree, so that they never disagree with --help.
func newGendocsCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "gendocs DIR",
		Short:  "Write man pages and shell completion scripts under DIR",
		Hidden: true,
		Long: strings.TrimSpace(`
Gendocs writes DIR/man/man1/mcsaudit*.1 and DIR/completions/ (mcsaudit.bash,
_mcsaudit for zsh, mcsaudit.fish). Set SOURCE_DATE_EPOCH for a reproducible
date in the man pages.`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return generateDocs(cmd.Root(), args[0])
		},
	}
}

func generateDocs(root *cobra.Command, dir string) error {
	manDir := filepath.Join(dir, "man", "man1")
	completionDir := filepath.Join(dir, "completions")
	for _, d := range []string{manDir, completionDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating docs directory: %w", err)
		}
	}

	// The man pages name the "completion" command cobra adds; it exists
	// only once the root command has been initialised for execution.
	root.InitDefaultCompletionCmd()
	header := &doc.GenManHeader{
		Title:   "MCSAUDIT",
		Section: "1",
		Source:  "mcsaudit " + toolVersion(),
		Manual:  "mcsaudit manual",
	}
	if err := doc.GenManTree(root, header, manDir); err != nil {
		return fmt.Errorf("writing man pages to %s: %w", manDir, err)
	}

	completions := []struct {
		file string
		gen  func(path string) error
	}{
		{"mcsaudit.bash", func(p string) error { return root.GenBashCompletionFileV2(p, true) }},
		{"_mcsaudit", root.GenZshCompletionFile},
		{"mcsaudit.fish", func(p string) error { return root.GenFishCompletionFile(p, true) }},
	}
	for _, c := range completions {
		path := filepath.Join(completionDir, c.file)
		if err := c.gen(path); err != nil {
			return fmt.Errorf("writing completion script %s: %w", path, err)
		}
	}
	return nil
}
