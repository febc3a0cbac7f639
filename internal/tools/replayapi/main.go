// Command replayapi serves a synthetic Podman API of N containers, cloned
// from API answers recorded on a real SELinux host, on a unix socket, and
// writes a host root whose procfs and selinuxfs match it. The scan
// benchmark (scripts/bench.sh) times "mcsaudit scan" against it.
//
//	replayapi -count 1000 -socket /tmp/r.sock -host-root /tmp/r-root
//
// It prints "ready" on stdout once the socket accepts connections and
// serves until SIGINT or SIGTERM.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/internal/apireplay"
)

func main() {
	var (
		count    = flag.Int("count", 1000, "number of synthetic containers")
		socket   = flag.String("socket", "", "unix socket path to serve on (required)")
		hostRoot = flag.String("host-root", "", "directory to write the matching host root into (optional)")
		fixtures = flag.String("fixtures", "fixtures", "the repository's fixtures directory")
	)
	flag.Parse()
	if *socket == "" {
		fmt.Fprintln(os.Stderr, "replayapi: -socket is required")
		os.Exit(2)
	}
	if err := run(*count, *socket, *hostRoot, *fixtures); err != nil {
		fmt.Fprintf(os.Stderr, "replayapi: %v\n", err)
		os.Exit(1)
	}
}

func run(count int, socket, hostRoot, fixtures string) error {
	recorded, err := apireplay.Load(filepath.Join(fixtures, "podman-api", "debian12-selinux"))
	if err != nil {
		return err
	}
	api, err := apireplay.Synthetic(recorded, count)
	if err != nil {
		return err
	}
	if hostRoot != "" {
		if err := writeHostRoot(api, hostRoot, filepath.Join(fixtures, "hostroot", "debian12-enforcing")); err != nil {
			return fmt.Errorf("writing host root: %w", err)
		}
	}

	os.Remove(socket)
	srv, err := apireplay.Listen(socket, api)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println("ready")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	return nil
}

// inspectFields are the parts of an inspect document the host root needs.
type inspectFields struct {
	ID           string `json:"Id"`
	Name         string
	ProcessLabel string
	MountLabel   string
	State        struct{ Pid int }
	Mounts       []struct{ Source string }
	GraphDriver  struct{ Data map[string]string }
}

// writeHostRoot writes one process per running container, with the cgroup
// path Podman's systemd manager gives it and its label in attr/current,
// plus the recorded host's selinuxfs and config files, every mount source
// and every rootfs directory.
func writeHostRoot(api *apireplay.API, root, recordedRoot string) error {
	if err := copyTree(recordedRoot, root); err != nil {
		return err
	}
	for _, lc := range api.Listed() {
		var doc inspectFields
		if err := json.Unmarshal(api.Inspect(lc.ID), &doc); err != nil {
			return err
		}
		// A rootfs carries its container's mount label; a mount source
		// carries the shared label a ":z" relabel leaves.
		labels := map[string]string{
			doc.GraphDriver.Data["UpperDir"]:  doc.MountLabel,
			doc.GraphDriver.Data["MergedDir"]: doc.MountLabel,
		}
		for _, m := range doc.Mounts {
			labels[m.Source] = sharedLabel
		}
		for dir, label := range labels {
			if dir == "" {
				continue
			}
			if err := makeLabeledDir(filepath.Join(root, dir), label); err != nil {
				return err
			}
		}
		if doc.State.Pid == 0 {
			continue
		}
		if err := writeProcess(root, doc); err != nil {
			return err
		}
	}
	return nil
}

// sharedLabel is the label ":z" gives a mount source.
const sharedLabel = "system_u:object_r:container_file_t:s0"

// makeLabeledDir creates dir and, when run as root, sets its
// security.selinux attribute (with the trailing NUL the kernel stores),
// which a kernel without SELinux keeps as a plain extended attribute.
func makeLabeledDir(dir, label string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if label == "" || os.Geteuid() != 0 {
		return nil
	}
	return unix.Lsetxattr(dir, "security.selinux", []byte(label+"\x00"), 0)
}

func writeProcess(root string, doc inspectFields) error {
	dir := filepath.Join(root, "proc", fmt.Sprint(doc.State.Pid))
	if err := os.MkdirAll(filepath.Join(dir, "attr"), 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"stat":         fmt.Sprintf("%d (sleep) S 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 0 0\n", doc.State.Pid, doc.State.Pid, doc.State.Pid),
		"status":       "Name:\tsleep\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
		"comm":         "sleep\n",
		"cgroup":       fmt.Sprintf("0::/machine.slice/libpod-%s.scope/container\n", doc.ID),
		"cmdline":      "sleep\x00infinity\x00",
		"attr/current": doc.ProcessLabel + "\x00",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copyTree copies the regular files and directories below src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
