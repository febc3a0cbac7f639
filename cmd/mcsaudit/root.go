package main

import (
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// toolVersion returns the build's version: the linker-set value, else the
// module version Go recorded, else "dev".
func toolVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// globalOptions are the flags every command takes.
type globalOptions struct {
	logLevel string
	profile  profileOptions
}

func (o *globalOptions) addFlags(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&o.logLevel, "log-level", "warn",
		"minimum level of log messages written to stderr: debug, info, warn or error")
	o.profile.addFlags(cmd)
}

// logger returns a slog logger writing text to w at the chosen level.
func (o *globalOptions) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", o.logLevel)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), nil
}

func newRootCommand() *cobra.Command {
	global := &globalOptions{}
	cmd := &cobra.Command{
		Use:   "mcsaudit",
		Short: "Audit SELinux isolation between the containers on a Linux host",
		Long: strings.TrimSpace(`
mcsaudit finds where SELinux no longer keeps the containers on a host apart:
containers running unconfined or with labeling disabled, containers that
share or dominate each other's MCS categories, writable mounts labeled so
that containers reach each other or the host, and a host whose SELinux setup
defeats all of it.

It only reads: it never changes a label, a file or a container.`),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	global.addFlags(cmd)
	cmd.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		// Every command checks --log-level, even one that logs nothing,
		// so a typo in a shared alias or unit file shows at once.
		if _, err := global.logger(c.ErrOrStderr()); err != nil {
			return err
		}
		return global.profile.start()
	}
	cmd.PersistentPostRunE = func(*cobra.Command, []string) error { return global.profile.stop() }
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w\nRun \"%s --help\" for usage", err, c.CommandPath())
	})
	cmd.AddCommand(
		newScanCommand(global),
		newCollectCommand(global),
		newDiffCommand(global),
		newConvertCommand(),
		newChecksCommand(),
		newExplainCommand(),
		newVersionCommand(),
		newGendocsCommand(),
	)
	return cmd
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the mcsaudit version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "mcsaudit %s\n", toolVersion())
			return err
		},
	}
}
