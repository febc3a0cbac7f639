package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcsaudit/mcsaudit/audit"
	"github.com/mcsaudit/mcsaudit/audit/collect/files"
	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/kernel"
)

// collectOptions are the flags that decide what evidence is gathered,
// shared by "scan" and "collect".
type collectOptions struct {
	hostRoot    string
	urls        []string
	timeout     time.Duration
	concurrency int
	sample      files.Options
	// kernelDecisions is false when the kernel must not be asked for
	// access decisions.
	kernelDecisions bool
}

func (o *collectOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.hostRoot, "host-root", "/",
		"where the audited host's file system is mounted (\"/host\" when mcsaudit runs in a container)")
	f.StringArrayVar(&o.urls, "url", nil,
		"Podman API address: unix:///path, tcp://host:port or ssh://user@host/path; repeat for several services "+
			"(default $CONTAINER_HOST, else "+podman.DefaultURL+" and, as root, every /run/user/UID/podman/podman.sock)")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit for each Podman API request")
	f.IntVar(&o.concurrency, "concurrency", podman.DefaultConcurrency, "number of containers inspected at once")
	f.IntVar(&o.sample.SampleDepth, "sample-depth", files.DefaultSampleDepth,
		"directory levels read below each writable mount source when sampling its labels (0 means the default)")
	f.IntVar(&o.sample.SampleEntries, "sample-entries", files.DefaultSampleEntries,
		"maximum entries read below each writable mount source (0 means the default)")
	f.DurationVar(&o.sample.SampleTime, "sample-time", files.DefaultSampleTime,
		"maximum time spent sampling below each writable mount source (0 means the default)")
	f.BoolVar(&o.kernelDecisions, "kernel-decisions", true,
		"ask the kernel (/sys/fs/selinux/access) for the access decisions that findings assert; false judges every access by the label model")
}

func (o *collectOptions) validate() error {
	info, err := os.Stat(o.hostRoot)
	switch {
	case err != nil:
		return fmt.Errorf("invalid --host-root %q: %w", o.hostRoot, err)
	case !info.IsDir():
		return fmt.Errorf("invalid --host-root %q: not a directory", o.hostRoot)
	}
	for _, u := range o.urls {
		if err := podman.ValidateURL(u); err != nil {
			return fmt.Errorf("invalid --url: %w", err)
		}
	}
	if env := os.Getenv("CONTAINER_HOST"); len(o.urls) == 0 && env != "" {
		if err := podman.ValidateURL(env); err != nil {
			return fmt.Errorf("invalid CONTAINER_HOST: %w", err)
		}
	}
	if o.timeout <= 0 {
		return fmt.Errorf("invalid --timeout %s: must be positive", o.timeout)
	}
	if o.concurrency < 1 {
		return fmt.Errorf("invalid --concurrency %d: must be at least 1", o.concurrency)
	}
	if o.sample.SampleDepth < 0 || o.sample.SampleEntries < 0 || o.sample.SampleTime < 0 {
		return fmt.Errorf("invalid sampling limits: --sample-depth, --sample-entries and --sample-time must not be negative")
	}
	return nil
}

func (o *collectOptions) collect(ctx context.Context, log *slog.Logger) (*inventory.Snapshot, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return audit.Collect(ctx, audit.Options{
		HostRoot:   o.hostRoot,
		PodmanURLs: o.urls,
		Podman:     podman.Options{Timeout: o.timeout, Concurrency: o.concurrency, Logger: log},
		IsRoot:     os.Geteuid() == 0,
		Files:      o.sample,
		Kernel:     kernel.Options{Skip: !o.kernelDecisions},
		Logger:     log,
	})
}

func newCollectCommand(global *globalOptions) *cobra.Command {
	opts := &collectOptions{}
	var output string
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Record the host's evidence in a snapshot file, without judging it",
		Long: strings.TrimSpace(`
Collect gathers what scan reads (the host's SELinux state, every container of
the host's Podman services) and writes it as one JSON snapshot. Audit it later
or on another machine with "mcsaudit scan --snapshot FILE".`),
		Example: "  sudo mcsaudit collect -o host1.snapshot.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := global.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			snap, err := opts.collect(cmd.Context(), log)
			if err != nil {
				return err
			}
			return writeReport(cmd.OutOrStdout(), output, func(w io.Writer) error { return snap.Write(w) })
		},
	}
	opts.addFlags(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the snapshot to FILE (replaced atomically) instead of stdout")
	return cmd
}

// readSnapshot loads a snapshot file written by "mcsaudit collect".
func readSnapshot(path string) (*inventory.Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading snapshot: %w", err)
	}
	defer f.Close()
	snap, err := inventory.Read(f)
	if err != nil {
		return nil, fmt.Errorf("reading snapshot %s: %w", path, err)
	}
	return snap, nil
}
