package files

import (
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// entryState is what a collection must leave unchanged on one entry.
type entryState struct {
	atime, mtime, ctime unix.Timespec
	mode                uint32
	xattrs              map[string][]byte
}

func statEntry(t *testing.T, path string) entryState {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	s := entryState{atime: st.Atim, mtime: st.Mtim, ctime: st.Ctim, mode: st.Mode, xattrs: map[string][]byte{}}

	names := make([]byte, 4096)
	n, err := unix.Llistxattr(path, names)
	if err != nil {
		t.Fatalf("listing xattrs of %s: %v", path, err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(names[:n]), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		value := make([]byte, 4096)
		vn, err := unix.Lgetxattr(path, name, value)
		if err != nil {
			t.Fatalf("reading %s of %s: %v", name, path, err)
		}
		s.xattrs[name] = value[:vn]
	}
	return s
}

func TestCollectChangesNothing(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.file("etc/passwd", "alice:x:1000:1000::/home/alice:/bin/sh\n", etcLabel)
	h.dir("home/alice/.aws", sharedLabel)
	h.file("home/alice/.aws/credentials", "secret", sharedLabel)
	h.dir("usr/lib/modules/6.1.0", "system_u:object_r:modules_object_t:s0")
	h.symlink("lib", "usr/lib")
	h.dir("srv/shared/sub/deeper", sharedLabel)
	h.file("srv/shared/a", "data", privateLabel)
	h.file("srv/shared/sub/b", "data", otherLabel)
	h.file("srv/shared/sub/deeper/c", "data", "")
	h.symlink("srv/shared/link", "/etc")
	h.symlink("srv/escape", "../../etc")

	var paths []string
	err := filepath.WalkDir(h.root, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)

	// Listing the tree above read every directory. Move each access time
	// an hour before its modification time: with relatime, any read that
	// is not O_NOATIME would then update it.
	for _, p := range paths {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			t.Fatal(err)
		}
		old := unix.NsecToTimespec(st.Mtim.Nano() - 3600e9)
		times := []unix.Timespec{old, {Nsec: unix.UTIME_OMIT}}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, times, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
	before := make(map[string]entryState, len(paths))
	for _, p := range paths {
		before[p] = statEntry(t, p)
	}

	ctr := bindMount("a", true, "/srv/shared", "/srv/escape", "/lib/modules", "/home/alice/.aws")
	ctr.UpperDir = "/srv/shared/sub"
	snap := newSnap(inventory.SELinuxEnforcing, ctr)
	Collect(context.Background(), Options{HostRoot: h.root}, snap)
	if len(snap.Files) < 10 {
		t.Fatalf("only %d files read: %v", len(snap.Files), filePaths(snap))
	}

	// The kernel updates the access time of a symlink that a path lookup
	// follows, and O_NOATIME does not cover it: resolving /lib/modules and
	// /srv/escape reads these two links, as any process's lookup would.
	followed := map[string]bool{"lib": true, "srv/escape": true}

	for _, p := range paths {
		after := statEntry(t, p)
		b := before[p]
		name, _ := filepath.Rel(h.root, p)
		if after.atime != b.atime && !followed[name] {
			t.Errorf("%s: atime changed from %v to %v", name, b.atime, after.atime)
		}
		if after.mtime != b.mtime {
			t.Errorf("%s: mtime changed", name)
		}
		if after.ctime != b.ctime {
			t.Errorf("%s: ctime changed", name)
		}
		if after.mode != b.mode {
			t.Errorf("%s: mode changed from %o to %o", name, b.mode, after.mode)
		}
		if len(after.xattrs) != len(b.xattrs) {
			t.Errorf("%s: xattrs changed from %v to %v", name, b.xattrs, after.xattrs)
		}
		for k, v := range b.xattrs {
			if !bytes.Equal(after.xattrs[k], v) {
				t.Errorf("%s: %s changed from %q to %q", name, k, v, after.xattrs[k])
			}
		}
	}
}
