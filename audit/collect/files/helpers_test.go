package files

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// labelDir returns an empty directory on a file system that stores
// security.selinux attributes set by root. On kernels without SELinux,
// ext4 and tmpfs store them as plain data (measured on Linux 6.18 with no
// LSM using the attribute), so a directory under t.TempDir() works.
// Where the temp directory refuses them, or MCSAUDIT_TEST_EXT4=1 is set,
// it creates a small ext4 image, loop-mounts it and unmounts it when the
// test ends. Tests skip when not root, because setting a security.*
// attribute needs CAP_SYS_ADMIN.
func labelDir(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("setting security.selinux attributes needs root (CAP_SYS_ADMIN)")
	}
	dir := t.TempDir()
	if os.Getenv("MCSAUDIT_TEST_EXT4") != "1" {
		probe := filepath.Join(dir, ".probe")
		if err := os.WriteFile(probe, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err := unix.Lsetxattr(probe, xattrName, []byte("system_u:object_r:container_file_t:s0\x00"), 0)
		os.Remove(probe)
		if err == nil {
			return dir
		}
		t.Logf("temp directory does not store %s (%v); using a loop-mounted ext4 image", xattrName, err)
	}
	return mountExt4(t, dir)
}

// mountExt4 loop-mounts a fresh 16 MiB ext4 image in dir and returns the
// mount point.
func mountExt4(t testing.TB, dir string) string {
	t.Helper()
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		t.Skip("mkfs.ext4 not found: install e2fsprogs to run the xattr tests here")
	}
	img := filepath.Join(dir, "labels.img")
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "truncate", "-s", "16M", img)
	run(t, "mkfs.ext4", "-q", "-F", img)
	// "mount -o loop" sets up the loop device with autoclear, so the
	// unmount below also releases the device.
	run(t, "mount", "-o", "loop", img, mnt)
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	return mnt
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// hostTree builds a fake host root.
type hostTree struct {
	t    testing.TB
	root string
}

func (h hostTree) path(p string) string {
	return filepath.Join(h.root, p)
}

// dir creates a directory and its parents and labels it, unless label is
// empty.
func (h hostTree) dir(p, label string) {
	h.t.Helper()
	if err := os.MkdirAll(h.path(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	h.label(p, label)
}

// file creates a file with content and its parent directories.
func (h hostTree) file(p, content, label string) {
	h.t.Helper()
	if err := os.MkdirAll(filepath.Dir(h.path(p)), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(h.path(p), []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
	h.label(p, label)
}

func (h hostTree) symlink(p, target string) {
	h.t.Helper()
	if err := os.MkdirAll(filepath.Dir(h.path(p)), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Symlink(target, h.path(p)); err != nil {
		h.t.Fatal(err)
	}
}

// label sets security.selinux the way the kernel stores it, with a
// trailing NUL. It does not follow a final symlink.
func (h hostTree) label(p, label string) {
	h.t.Helper()
	if label == "" {
		return
	}
	if err := unix.Lsetxattr(h.path(p), xattrName, []byte(label+"\x00"), 0); err != nil {
		h.t.Fatalf("setting %s on %s: %v", xattrName, p, err)
	}
}

// newTestCollector returns a collector over root as Collect would build
// it, for tests that replace its seams.
func newTestCollector(t testing.TB, opts Options, state inventory.SELinuxState) *collector {
	t.Helper()
	c, err := newCollector(withDefaults(opts), state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}

// collectTree runs a collection over root for the given containers.
func collectTree(t testing.TB, opts Options, state inventory.SELinuxState, containers ...inventory.Container) *inventory.Snapshot {
	t.Helper()
	snap := newSnap(state, containers...)
	newTestCollector(t, opts, state).run(context.Background(), snap)
	return snap
}

func newSnap(state inventory.SELinuxState, containers ...inventory.Container) *inventory.Snapshot {
	snap := inventory.New("test", testTime)
	snap.Host.SELinux.State = state
	snap.Containers = append(snap.Containers, containers...)
	return snap
}

// bindMount returns a container with one bind mount per source.
func bindMount(name string, rw bool, sources ...string) inventory.Container {
	c := inventory.Container{ID: name + "-id", Name: name}
	for _, s := range sources {
		c.Mounts = append(c.Mounts, inventory.Mount{Type: "bind", Source: s, Destination: "/mnt" + s, RW: rw})
	}
	return c
}

// fileAt returns the FileLabel for path, failing the test when absent.
func fileAt(t testing.TB, snap *inventory.Snapshot, path string) inventory.FileLabel {
	t.Helper()
	for _, f := range snap.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("no FileLabel for %s; have %v", path, filePaths(snap))
	return inventory.FileLabel{}
}

func hasFile(snap *inventory.Snapshot, path string) bool {
	for _, f := range snap.Files {
		if f.Path == path {
			return true
		}
	}
	return false
}

func filePaths(snap *inventory.Snapshot) []string {
	paths := make([]string, 0, len(snap.Files))
	for _, f := range snap.Files {
		paths = append(paths, f.Path)
	}
	return paths
}

func gapsFor(snap *inventory.Snapshot, subject string) []inventory.Gap {
	var gaps []inventory.Gap
	for _, g := range snap.Coverage.Gaps {
		if g.Subject == subject {
			gaps = append(gaps, g)
		}
	}
	return gaps
}

// readCounter wraps an xattr function and counts reads per file, named by
// where its /proc/self/fd path or entry path leads.
type readCounter struct {
	mu    sync.Mutex
	reads map[string]int
	next  xattrFunc
	// fail makes reads of files whose path ends in a key fail with the
	// errno it maps to.
	fail map[string]unix.Errno
}

func newReadCounter(next xattrFunc) *readCounter {
	return &readCounter{reads: map[string]int{}, next: next, fail: map[string]unix.Errno{}}
}

func (r *readCounter) get(path, attr string, dest []byte) (int, error) {
	target := path
	if rest, ok := strings.CutPrefix(path, "/proc/self/fd/"); ok {
		fd, entry, _ := strings.Cut(rest, "/")
		if link, err := os.Readlink("/proc/self/fd/" + fd); err == nil {
			target = filepath.Join(link, entry)
		}
	}
	r.mu.Lock()
	// Size queries (dest nil) after ERANGE are part of the same read.
	if dest != nil {
		r.reads[target]++
	}
	r.mu.Unlock()
	for suffix, errno := range r.fail {
		if strings.HasSuffix(target, suffix) {
			return 0, errno
		}
	}
	return r.next(path, attr, dest)
}

func (r *readCounter) count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reads[path]
}

// testTime is the collection time of every test snapshot.
var testTime = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
