package audit

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/collect/podman"
	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/internal/apireplay"
	"github.com/mcsaudit/mcsaudit/internal/fixturesnap"
)

// readTSV returns the rows of a fixture table as maps keyed by its header.
func readTSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(fields) {
				row[h] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// copyTree copies the files and directories below src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
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
	if err != nil {
		t.Fatal(err)
	}
}

// assembleRecordedHost builds a host root from what was recorded on the
// SELinux-enforcing Debian 12 VM: its selinuxfs and config files, the
// procfs of its 49 running containers, and its mount sources and rootfs
// directories with their labels set as real xattrs.
func assembleRecordedHost(t *testing.T) (root string, labels map[string]string) {
	t.Helper()
	root = t.TempDir()
	copyTree(t, filepath.Join(fixturesnap.Dir(), "hostroot", "debian12-enforcing"), root)
	copyTree(t, filepath.Join(fixturesnap.Dir(), "procfs", "debian12-selinux-cli", "proc"), filepath.Join(root, "proc"))

	labels = map[string]string{}
	for _, row := range readTSV(t, filepath.Join(fixturesnap.Dir(), "files", "debian12-mount-labels.tsv")) {
		path := filepath.Join(root, row["path"])
		var err error
		if row["kind"] == "dir" {
			err = os.MkdirAll(path, 0o755)
		} else {
			err = os.WriteFile(path, []byte("recorded\n"), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Lsetxattr(path, "security.selinux", []byte(row["label"]+"\x00"), 0); err != nil {
			t.Skipf("cannot set security.selinux here: %v", err)
		}
		labels[row["path"]] = row["label"]
	}
	return root, labels
}

// A scan of the recorded API plus a host root assembled from the same real
// SELinux host records what the kernel enforced there: every container's
// process labels from /proc, every mount source's label, and the policy.
func TestCollectRecordedSELinuxHost(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting security.selinux xattrs needs root")
	}
	t.Setenv("CONTAINER_HOST", "")
	root, labels := assembleRecordedHost(t)
	api, err := apireplay.Load(filepath.Join(fixturesnap.Dir(), "podman-api", "debian12-selinux"))
	if err != nil {
		t.Fatal(err)
	}
	srv := apireplay.Start(t, api)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := Collect(ctx, Options{
		HostRoot: root, PodmanURLs: []string{srv.URL()}, IsRoot: true,
		Podman: podman.Options{Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}

	se := snap.Host.SELinux
	if se.State != inventory.SELinuxEnforcing || se.PolicyType != "default" || len(se.Booleans) != 17 {
		t.Errorf("host policy = %s/%s with %d booleans, want enforcing/default with 17", se.State, se.PolicyType, len(se.Booleans))
	}

	// Each recorded container's process carries the label the kernel
	// reported for it, which for label=disable is the caller's domain.
	byID := map[string][]inventory.Process{}
	for _, p := range snap.Processes {
		byID[p.ContainerID] = append(byID[p.ContainerID], p)
	}
	apiIDs := map[string]bool{}
	for _, c := range snap.Containers {
		if c.DiscoveredBy == inventory.DiscoveredByAPI {
			apiIDs[c.ID] = true
		}
	}
	checked := 0
	for _, row := range readTSV(t, filepath.Join(fixturesnap.Dir(), "procfs", "debian12-selinux-cli", "containers.tsv")) {
		if !apiIDs[row["id"]] {
			continue // the rootless containers: no root API lists them
		}
		checked++
		procs := byID[row["id"]]
		if len(procs) == 0 {
			t.Errorf("%s: no process tied to the container", row["name"])
			continue
		}
		if got := procs[0].Label; got.State != inventory.Labeled || got.Value != row["label"] {
			t.Errorf("%s: process label %+v, want %s", row["name"], got, row["label"])
		}
	}
	if checked < 40 {
		t.Errorf("checked %d containers against their recorded process labels, want the 40-odd the API lists", checked)
	}

	// Every mount source the recorded containers use has its real label.
	files := map[string]inventory.FileLabel{}
	for _, f := range snap.Files {
		files[f.Path] = f
	}
	sources := 0
	for _, c := range snap.Containers {
		for _, m := range c.Mounts {
			want, ok := labels[m.Source]
			if !ok {
				continue
			}
			sources++
			got := files[m.Source].Label
			if got.State != inventory.Labeled || got.Value != want {
				t.Errorf("%s mount %s: label %+v, want %s", c.Name, m.Source, got, want)
			}
		}
	}
	if sources < 10 {
		t.Errorf("checked %d mount sources, want every recorded one", sources)
	}

	for _, s := range snap.Coverage.Sources {
		if s.Source == inventory.SourceProcfs && s.Status != inventory.StatusComplete {
			t.Errorf("procfs coverage = %s (%s), want complete", s.Status, s.Detail)
		}
	}
}
