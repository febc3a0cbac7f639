package files

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

const otherLabel = "system_u:object_r:container_file_t:s0:c3,c4"

// sampleOf collects a tree with one writable bind of src and returns the
// sample of src.
func sampleOf(t *testing.T, opts Options, src string, tune func(*collector)) *inventory.Sample {
	t.Helper()
	c := newTestCollector(t, opts, inventory.SELinuxEnforcing)
	if tune != nil {
		tune(c)
	}
	snap := newSnap(inventory.SELinuxEnforcing, bindMount("a", true, src))
	c.run(context.Background(), snap)
	s := fileAt(t, snap, src).Sample
	if s == nil {
		t.Fatalf("%s has no sample", src)
	}
	return s
}

func TestSampleMixedLevels(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	// A ":z" volume: the directory is shared, but each container's files
	// carry that container's private level.
	h.dir("srv/shared", sharedLabel)
	h.file("srv/shared/a", "", privateLabel)
	h.file("srv/shared/b", "", privateLabel)
	h.file("srv/shared/c", "", otherLabel)
	h.dir("srv/shared/sub", sharedLabel)
	h.file("srv/shared/sub/d", "", otherLabel)
	h.file("srv/shared/sub/unlabeled", "", "")
	h.symlink("srv/shared/escape", "/etc")
	h.label("srv/shared/escape", otherLabel)

	s := sampleOf(t, Options{HostRoot: h.root}, "/srv/shared", nil)

	want := []inventory.LabelCount{
		{Label: otherLabel, Count: 3},
		{Label: privateLabel, Count: 2},
		{Label: "", Count: 1},
		{Label: sharedLabel, Count: 1},
	}
	if len(s.Labels) != len(want) {
		t.Fatalf("Labels = %+v, want %d distinct labels", s.Labels, len(want))
	}
	for i, w := range want {
		got := s.Labels[i]
		if got.Label != w.Label || got.Count != w.Count {
			t.Errorf("Labels[%d] = %q x%d, want %q x%d", i, got.Label, got.Count, w.Label, w.Count)
		}
		if !strings.HasPrefix(got.Example, "/srv/shared/") {
			t.Errorf("Labels[%d].Example = %q, want a path below /srv/shared", i, got.Example)
		}
	}
	if s.Entries != 7 {
		t.Errorf("Entries = %d, want 7 (the symlink counted, /etc not followed)", s.Entries)
	}
	if s.Truncated || s.Limit != "" || s.Unreadable != 0 {
		t.Errorf("sample = %+v, want complete", s)
	}
}

func TestSampleEntriesLimit(t *testing.T) {
	for _, tt := range []struct {
		files     int
		truncated bool
	}{{30, true}, {10, false}} {
		t.Run(fmt.Sprint(tt.files, " files"), func(t *testing.T) {
			h := hostTree{t, t.TempDir()}
			for i := range tt.files {
				h.file(fmt.Sprintf("srv/big/f%03d", i), "", "")
			}

			s := sampleOf(t, Options{HostRoot: h.root, SampleEntries: 10}, "/srv/big", nil)

			if s.Entries != 10 {
				t.Errorf("Entries = %d, want 10", s.Entries)
			}
			if s.Truncated != tt.truncated {
				t.Errorf("Truncated = %v, want %v", s.Truncated, tt.truncated)
			}
			if tt.truncated && s.Limit != LimitEntries {
				t.Errorf("Limit = %q, want %q", s.Limit, LimitEntries)
			}
		})
	}
}

func TestSampleTimeLimit(t *testing.T) {
	h := hostTree{t, t.TempDir()}
	for i := range 50 {
		h.file(fmt.Sprintf("srv/big/f%03d", i), "", "")
	}
	// Every clock reading moves time on by 1 ms: the deadline is 10 ms
	// after the walk starts, so ten entries fit.
	var mu sync.Mutex
	clock := testTime
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Millisecond)
		return clock
	}

	s := sampleOf(t, Options{HostRoot: h.root, SampleTime: 10 * time.Millisecond}, "/srv/big",
		func(c *collector) { c.now = tick })

	if !s.Truncated || s.Limit != LimitTime {
		t.Errorf("Truncated = %v, Limit = %q, want true, %q", s.Truncated, s.Limit, LimitTime)
	}
	if s.Entries != 10 {
		t.Errorf("Entries = %d, want 10", s.Entries)
	}
}

func TestSampleDepthLimit(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.dir("srv/deep/a/b/c", privateLabel)
	h.file("srv/deep/a/b/c/file", "", otherLabel)
	h.dir("srv/shallow/a/b", privateLabel)

	deep := sampleOf(t, Options{HostRoot: h.root, SampleDepth: 2}, "/srv/deep", nil)
	if !deep.Truncated || deep.Limit != LimitDepth {
		t.Errorf("deep: Truncated = %v, Limit = %q, want true, %q", deep.Truncated, deep.Limit, LimitDepth)
	}
	if deep.Entries != 2 {
		t.Errorf("deep: Entries = %d, want 2 (a and a/b)", deep.Entries)
	}
	for _, lc := range deep.Labels {
		if lc.Label == otherLabel {
			t.Errorf("deep: label %q of a/b/c/file read beyond the depth limit", lc.Label)
		}
	}

	// a/b is at the depth limit but empty, so nothing was left unread.
	shallow := sampleOf(t, Options{HostRoot: h.root, SampleDepth: 2}, "/srv/shallow", nil)
	if shallow.Truncated {
		t.Errorf("shallow: Truncated with Limit %q, want a complete sample", shallow.Limit)
	}
}

func TestSampleUnreadableEntries(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.dir("srv/vol", sharedLabel)
	h.file("srv/vol/ok", "", privateLabel)
	h.file("srv/vol/denied", "", privateLabel)
	h.file("srv/vol/broken", "", privateLabel)

	var reads *readCounter
	c := newTestCollector(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing)
	reads = newReadCounter(c.lgetxattr)
	reads.fail["/srv/vol/denied"] = unix.EACCES
	reads.fail["/srv/vol/broken"] = unix.EIO
	c.lgetxattr = reads.get
	snap := newSnap(inventory.SELinuxEnforcing, bindMount("a", true, "/srv/vol"))
	c.run(context.Background(), snap)

	f := fileAt(t, snap, "/srv/vol")
	if f.Sample.Unreadable != 2 {
		t.Errorf("Unreadable = %d, want 2", f.Sample.Unreadable)
	}
	if f.Sample.Entries != 3 {
		t.Errorf("Entries = %d, want 3", f.Sample.Entries)
	}
	if len(f.Sample.Labels) != 1 || f.Sample.Labels[0].Count != 1 {
		t.Errorf("Labels = %+v, want only the readable entry", f.Sample.Labels)
	}
	gaps := gapsFor(snap, "/srv/vol")
	if len(gaps) != 1 || !strings.Contains(gaps[0].Reason, "2 entries with unreadable labels") {
		t.Errorf("gaps = %v, want one counting 2 unreadable entries", gaps)
	}
}

func TestSampleStaysOnFileSystem(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.dir("srv/vol/mnt", "")
	run(t, "mount", "-t", "tmpfs", "-o", "size=1m", "mcsaudit-test", h.path("srv/vol/mnt"))
	t.Cleanup(func() {
		if out, err := exec.Command("umount", h.path("srv/vol/mnt")).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	h.label("srv/vol/mnt", otherLabel)
	h.file("srv/vol/mnt/inside", "", privateLabel)

	s := sampleOf(t, Options{HostRoot: h.root}, "/srv/vol", nil)

	if s.Entries != 1 {
		t.Errorf("Entries = %d, want 1 (the mount point only)", s.Entries)
	}
	labels := make([]string, 0, len(s.Labels))
	for _, lc := range s.Labels {
		labels = append(labels, lc.Label)
	}
	if !slices.Equal(labels, []string{otherLabel}) {
		t.Errorf("labels = %q, want only the mount point's %q", labels, otherLabel)
	}
}

func TestParsePasswdHomes(t *testing.T) {
	in := strings.Join([]string{
		"root:x:0:0:root:/root:/bin/bash",
		"# a comment",
		"+@netgroup::::::",
		"alice:x:1000:1000:Alice,,,:/home/alice/:/bin/bash",
		"bob:x:1001:1001::/home/bob:/bin/sh",
		"twin:x:1002:1002::/home/bob:/bin/sh",
		"relative:x:1003:1003::home/rel:/bin/sh",
		"short:x:1004",
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
	}, "\n")

	homes, err := parsePasswdHomes(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/home/alice", "/home/bob", "/nonexistent"}
	if !slices.Equal(homes, want) {
		t.Errorf("homes = %q, want %q", homes, want)
	}
}
