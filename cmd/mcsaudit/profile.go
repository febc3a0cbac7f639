package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// profileOptions are hidden flags for measuring mcsaudit itself: they
// write Go pprof profiles that "go tool pprof" reads.
type profileOptions struct {
	cpuFile string
	memFile string
	cpu     *os.File
}

func (o *profileOptions) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.cpuFile, "cpu-profile", "", "write a CPU profile of the run to FILE")
	f.StringVar(&o.memFile, "mem-profile", "", "write a heap profile, taken at the end of the run, to FILE")
	_ = f.MarkHidden("cpu-profile")
	_ = f.MarkHidden("mem-profile")
}

func (o *profileOptions) start() error {
	if o.cpuFile == "" {
		return nil
	}
	f, err := os.Create(o.cpuFile)
	if err != nil {
		return fmt.Errorf("creating CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("starting CPU profile: %w", err)
	}
	o.cpu = f
	return nil
}

func (o *profileOptions) stop() error {
	if o.cpu != nil {
		pprof.StopCPUProfile()
		if err := o.cpu.Close(); err != nil {
			return fmt.Errorf("writing CPU profile: %w", err)
		}
	}
	if o.memFile == "" {
		return nil
	}
	f, err := os.Create(o.memFile)
	if err != nil {
		return fmt.Errorf("creating heap profile: %w", err)
	}
	defer f.Close()
	// The allocation profile records every allocation site since the
	// start, which shows what drove the peak, not only what is live now.
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("writing heap profile: %w", err)
	}
	return nil
}
