package files

import (
	"context"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

const (
	privateLabel = "system_u:object_r:container_file_t:s0:c1,c2"
	sharedLabel  = "system_u:object_r:container_file_t:s0"
	etcLabel     = "system_u:object_r:etc_t:s0"
)

func TestCollectReadsLabelExactly(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.dir("srv/data", privateLabel)

	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing, bindMount("web", false, "/srv/data"))

	f := fileAt(t, snap, "/srv/data")
	if f.Label.State != inventory.Labeled {
		t.Fatalf("Label = %+v, want labeled", f.Label)
	}
	if f.Label.Value != privateLabel {
		t.Errorf("Label.Value = %q, want %q", f.Label.Value, privateLabel)
	}
	if f.Kind != kindDir {
		t.Errorf("Kind = %q, want dir", f.Kind)
	}
	if f.Resolved != "" {
		t.Errorf("Resolved = %q, want empty for a path without symlinks", f.Resolved)
	}
	if !slices.Equal(f.Roles, []string{inventory.RoleMountSource}) {
		t.Errorf("Roles = %v, want [mount-source]", f.Roles)
	}
	if f.Sample != nil {
		t.Errorf("Sample = %+v, want none for a read-only mount", f.Sample)
	}
}

func TestCollectLongLabelGrowsBuffer(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	cats := make([]string, 200)
	for i := range cats {
		cats[i] = "c" + strconv.Itoa(i)
	}
	long := "system_u:object_r:container_file_t:s0:" + strings.Join(cats, ",")
	h.file("srv/long", "", long)

	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing, bindMount("a", false, "/srv/long"))

	if got := fileAt(t, snap, "/srv/long").Label.Value; got != long {
		t.Errorf("Label.Value has %d bytes, want the %d-byte label", len(got), len(long))
	}
}

func TestCollectMissingAttribute(t *testing.T) {
	tests := []struct {
		state      inventory.SELinuxState
		reasonPart string
	}{
		{inventory.SELinuxDisabled, "SELinux is disabled"},
		{inventory.SELinuxEnforcing, "unlabeled_t"},
		{inventory.SELinuxUnknown, "no security.selinux attribute"},
	}
	root := t.TempDir()
	h := hostTree{t, root}
	h.file("srv/plain", "x", "")
	if _, err := unix.Lgetxattr(h.path("srv/plain"), xattrName, make([]byte, 256)); err == nil {
		t.Skip("this kernel labels new files itself (an LSM serves security.selinux)")
	}

	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			snap := collectTree(t, Options{HostRoot: root}, tt.state, bindMount("a", false, "/srv/plain"))

			f := fileAt(t, snap, "/srv/plain")
			if f.Label.State != inventory.NotLabeled {
				t.Errorf("State = %q, want not-labeled", f.Label.State)
			}
			if !strings.Contains(f.Label.Reason, tt.reasonPart) {
				t.Errorf("Reason = %q, want it to contain %q", f.Label.Reason, tt.reasonPart)
			}
			if f.Kind != kindFile {
				t.Errorf("Kind = %q, want file", f.Kind)
			}
			if gaps := gapsFor(snap, "/srv/plain"); len(gaps) != 0 {
				t.Errorf("gaps = %v, want none: a missing attribute is a fact, not a gap", gaps)
			}
		})
	}
}

func TestCollectSymlinkEscapesStayInRoot(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	const inRootEtc = "system_u:object_r:etc_t:s0:c9"
	h.dir("etc", inRootEtc)
	h.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", etcLabel)
	h.dir("srv", "")
	h.symlink("srv/relative", "../../../../etc")
	h.symlink("srv/absolute", "/etc")
	h.symlink("srv/dotdot", "../../../../../../../etc/../../etc")
	h.symlink("srv/chain", "relative")

	// The auditor's own /etc must carry another label, or the test could
	// not tell which /etc was read.
	buf := make([]byte, 256)
	if n, err := unix.Lgetxattr("/etc", xattrName, buf); err == nil && string(trimNUL(buf[:n])) == inRootEtc {
		t.Fatalf("the real /etc carries %q too; pick another test label", inRootEtc)
	}

	sources := []string{"/srv/relative", "/srv/absolute", "/srv/dotdot", "/srv/chain"}
	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing, bindMount("a", true, sources...))

	for _, src := range sources {
		t.Run(src, func(t *testing.T) {
			f := fileAt(t, snap, src)
			if f.Resolved != "/etc" {
				t.Errorf("Resolved = %q, want /etc inside the host root", f.Resolved)
			}
			if f.Label.Value != inRootEtc {
				t.Errorf("Label = %+v, want the in-root /etc label %q", f.Label, inRootEtc)
			}
			if f.Sample == nil {
				t.Fatal("Sample = nil, want a walk of the in-root /etc")
			}
			// The in-root /etc holds one file; the real /etc holds many.
			if f.Sample.Entries != 1 {
				t.Errorf("Sample.Entries = %d, want 1 (only the in-root /etc/passwd)", f.Sample.Entries)
			}
		})
	}
}

func TestCollectLibModulesThroughSymlink(t *testing.T) {
	for _, link := range []string{"usr/lib", "/usr/lib"} {
		t.Run(link, func(t *testing.T) {
			h := hostTree{t, labelDir(t)}
			const kver = "6.1.0-13-amd64"
			h.dir("usr/lib/modules", "system_u:object_r:modules_object_t:s0")
			h.dir("usr/lib/modules/"+kver, sharedLabel)
			h.symlink("lib", link)

			compose := bindMount("compose-web", true, "/lib/modules")
			snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing, compose)

			mods := fileAt(t, snap, "/lib/modules")
			if mods.Resolved != "/usr/lib/modules" {
				t.Errorf("/lib/modules Resolved = %q, want /usr/lib/modules", mods.Resolved)
			}
			if want := []string{inventory.RoleHostPath, inventory.RoleMountSource}; !slices.Equal(mods.Roles, want) {
				t.Errorf("/lib/modules Roles = %v, want %v", mods.Roles, want)
			}

			kernel := fileAt(t, snap, "/usr/lib/modules/"+kver)
			if kernel.Label.Value != sharedLabel {
				t.Errorf("kernel module dir label = %q, want the relabeled %q", kernel.Label.Value, sharedLabel)
			}
			if !slices.Equal(kernel.Roles, []string{inventory.RoleHostPath}) {
				t.Errorf("kernel module dir Roles = %v, want [host-path]", kernel.Roles)
			}
			if hasFile(snap, "/lib/modules/"+kver) {
				t.Error("the kernel directory is listed twice, under /lib/modules too")
			}
		})
	}
}

func TestCollectHomeDirectories(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.file("etc/passwd", strings.Join([]string{
		"root:x:0:0:root:/root:/bin/bash",
		"svc:x:999:999::/var/lib/svc:/usr/sbin/nologin",
		"alice:x:1000:1000::/home/alice:/bin/bash",
		"bob:x:1001:1001::/srv/users/bob:/bin/sh",
		"nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin",
	}, "\n")+"\n", "")
	h.dir("root", "system_u:object_r:admin_home_t:s0")
	h.dir("home/alice", "system_u:object_r:user_home_dir_t:s0")
	// A ":z" bind of $HOME/.aws relabeled it long ago; no container runs.
	h.dir("home/alice/.aws", sharedLabel)
	h.file("home/alice/.aws/credentials", "", sharedLabel)
	h.dir("home/carol", "system_u:object_r:user_home_dir_t:s0")
	h.dir("srv/users/bob", "system_u:object_r:user_home_dir_t:s0")
	h.dir("var/lib/svc", "")

	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing)

	alice := fileAt(t, snap, "/home/alice")
	if alice.Sample == nil {
		t.Fatal("/home/alice has no sample")
	}
	var aws *inventory.LabelCount
	for i, lc := range alice.Sample.Labels {
		if lc.Label == sharedLabel {
			aws = &alice.Sample.Labels[i]
		}
	}
	if aws == nil || aws.Example != "/home/alice/.aws" {
		t.Errorf("/home/alice sample = %+v, want %s with example /home/alice/.aws", alice.Sample.Labels, sharedLabel)
	}
	if aws != nil && aws.Count != 1 {
		t.Errorf("shared label count = %d, want 1 (the sample stops at depth %d)", aws.Count, homeSampleDepth)
	}

	for _, p := range []string{"/root", "/home/carol", "/srv/users/bob"} {
		f := fileAt(t, snap, p)
		if !slices.Equal(f.Roles, []string{inventory.RoleHostPath}) {
			t.Errorf("%s Roles = %v, want [host-path]", p, f.Roles)
		}
	}
	if hasFile(snap, "/var/lib/svc") {
		t.Error("/var/lib/svc read, but its user has a UID below 1000")
	}
	if hasFile(snap, "/nonexistent") || len(gapsFor(snap, "/nonexistent")) > 0 {
		t.Error("a home directory that does not exist must be skipped silently")
	}
}

func TestCollectMissingSourceIsGap(t *testing.T) {
	h := hostTree{t, t.TempDir()}
	h.dir("srv", "")

	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing, bindMount("db", true, "/srv/gone"))

	f := fileAt(t, snap, "/srv/gone")
	if f.Label.State != inventory.Unknown || !strings.HasPrefix(f.Label.Reason, "source missing") {
		t.Errorf("Label = %+v, want unknown with reason \"source missing\"", f.Label)
	}
	gaps := gapsFor(snap, "/srv/gone")
	if len(gaps) != 1 {
		t.Fatalf("gaps for /srv/gone = %v, want 1", gaps)
	}
	if !strings.Contains(gaps[0].Reason, "db") {
		t.Errorf("gap reason = %q, want it to name the container db", gaps[0].Reason)
	}
	if hasFile(snap, "/boot") || len(gapsFor(snap, "/boot")) > 0 {
		t.Error("a host system path that does not exist must be skipped silently")
	}
	src := snap.Coverage.Sources[0]
	if src.Status != inventory.StatusPartial {
		t.Errorf("coverage status = %q, want partial", src.Status)
	}
}

func TestCollectSharedSourceReadOnce(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.dir("srv/shared", sharedLabel)
	h.file("srv/shared/a", "", privateLabel)
	h.dir("usr/lib/modules/6.1.0", sharedLabel)
	h.symlink("lib", "usr/lib")

	c := newTestCollector(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing)
	reads := newReadCounter(c.getxattr)
	c.getxattr = reads.get
	entryReads := newReadCounter(c.lgetxattr)
	c.lgetxattr = entryReads.get
	snap := newSnap(inventory.SELinuxEnforcing,
		bindMount("one", true, "/srv/shared"),
		bindMount("two", true, "/srv/shared"),
		bindMount("three", false, "/srv/shared/"),
	)
	c.run(context.Background(), snap)

	var shared []inventory.FileLabel
	for _, f := range snap.Files {
		if f.Path == "/srv/shared" {
			shared = append(shared, f)
		}
	}
	if len(shared) != 1 {
		t.Fatalf("FileLabels for /srv/shared = %d, want 1", len(shared))
	}
	if n := reads.count(h.path("srv/shared")); n != 1 {
		t.Errorf("label of /srv/shared read %d times, want 1", n)
	}
	if n := entryReads.count(h.path("srv/shared/a")); n != 1 {
		t.Errorf("label of /srv/shared/a read %d times, want 1 (one sample walk)", n)
	}
	// /lib/modules and /usr/lib/modules lead to one directory.
	if n := reads.count(h.path("usr/lib/modules")); n != 1 {
		t.Errorf("label of /usr/lib/modules read %d times, want 1", n)
	}
	if !slices.IsSortedFunc(snap.Files, func(a, b inventory.FileLabel) int { return strings.Compare(a.Path, b.Path) }) {
		t.Errorf("Files not sorted by path: %v", filePaths(snap))
	}
}

func TestCollectRootfsAndSocket(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	upper := "/var/lib/containers/storage/overlay/abc/diff"
	h.dir(upper, privateLabel)
	h.dir("run/podman", "")
	l, err := net.Listen("unix", h.path("run/podman/podman.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h.label("run/podman/podman.sock", "system_u:object_r:container_var_run_t:s0")

	ctr := bindMount("tools", true, "/run/podman/podman.sock")
	ctr.UpperDir = upper
	ctr.MergedDir = "/var/lib/containers/storage/overlay/abc/merged"
	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing, ctr)

	rootfs := fileAt(t, snap, upper)
	if !slices.Equal(rootfs.Roles, []string{inventory.RoleRootfs}) || rootfs.Label.Value != privateLabel {
		t.Errorf("rootfs = %+v, want role rootfs with %q", rootfs, privateLabel)
	}
	if rootfs.Sample != nil {
		t.Error("rootfs sampled, want only its own label")
	}
	sock := fileAt(t, snap, "/run/podman/podman.sock")
	if sock.Kind != kindSocket {
		t.Errorf("socket Kind = %q, want socket", sock.Kind)
	}
	if sock.Sample != nil {
		t.Error("socket sampled, want a sample for directories only")
	}
	gaps := gapsFor(snap, ctr.MergedDir)
	if len(gaps) != 1 || !strings.HasPrefix(gaps[0].Reason, "rootfs directory missing") {
		t.Errorf("gaps for the unmounted MergedDir = %v, want one saying the rootfs directory is missing", gaps)
	}
}

func TestCollectUnreadableLabel(t *testing.T) {
	h := hostTree{t, labelDir(t)}
	h.dir("srv/locked", privateLabel)

	for _, euid := range []int{0, 1000} {
		c := newTestCollector(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing)
		reads := newReadCounter(c.getxattr)
		reads.fail["/srv/locked"] = unix.EACCES
		c.getxattr = reads.get
		c.euid = euid
		snap := newSnap(inventory.SELinuxEnforcing, bindMount("a", false, "/srv/locked"))
		c.run(context.Background(), snap)

		f := fileAt(t, snap, "/srv/locked")
		if f.Label.State != inventory.Unknown {
			t.Errorf("euid %d: State = %q, want unknown", euid, f.Label.State)
		}
		gaps := gapsFor(snap, "/srv/locked")
		if len(gaps) != 1 || !strings.Contains(gaps[0].Reason, "EACCES") {
			t.Fatalf("euid %d: gaps = %v, want one naming EACCES", euid, gaps)
		}
		if hint := strings.Contains(gaps[0].Reason, "as root"); hint != (euid != 0) {
			t.Errorf("euid %d: gap reason %q, root hint shown = %v", euid, gaps[0].Reason, hint)
		}
		if !strings.Contains(snap.Coverage.Sources[0].Detail, "1 unknown") {
			t.Errorf("euid %d: coverage detail %q, want it to count 1 unknown", euid, snap.Coverage.Sources[0].Detail)
		}
	}
}

func TestCollectCoverage(t *testing.T) {
	h := hostTree{t, t.TempDir()}
	h.dir("etc", "")
	h.dir("srv/data", "")

	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxDisabled, bindMount("a", true, "/srv/data"))

	if len(snap.Coverage.Sources) != 1 {
		t.Fatalf("coverage sources = %v, want 1", snap.Coverage.Sources)
	}
	src := snap.Coverage.Sources[0]
	if src.Source != inventory.SourceFileLabels || src.Target != h.root {
		t.Errorf("coverage source = %+v, want file-labels for %s", src, h.root)
	}
	if src.Status != inventory.StatusComplete {
		t.Errorf("status = %q, want complete", src.Status)
	}
	// "/", "/etc", "/srv" and "/srv/data".
	if want := "4 paths read, 0 unknown, 1 directory sampled"; src.Detail != want {
		t.Errorf("detail = %q, want %q", src.Detail, want)
	}
}

func TestCollectHostRootMissing(t *testing.T) {
	snap := newSnap(inventory.SELinuxEnforcing)
	Collect(context.Background(), Options{HostRoot: "/nonexistent-host-root"}, snap)

	if src := snap.Coverage.Sources[0]; src.Status != inventory.StatusUnavailable {
		t.Errorf("status = %q, want unavailable", src.Status)
	}
	if len(snap.Coverage.Gaps) != 1 {
		t.Errorf("gaps = %v, want 1", snap.Coverage.Gaps)
	}
}

func TestCollectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	snap := newSnap(inventory.SELinuxEnforcing)
	Collect(ctx, Options{HostRoot: t.TempDir()}, snap)

	if len(snap.Files) != 0 {
		t.Errorf("Files = %v, want none after cancellation", filePaths(snap))
	}
	if src := snap.Coverage.Sources[0]; src.Status != inventory.StatusPartial {
		t.Errorf("status = %q, want partial", src.Status)
	}
	if len(snap.Coverage.Gaps) != 1 || !strings.Contains(snap.Coverage.Gaps[0].Reason, "stopped") {
		t.Errorf("gaps = %v, want one saying the collection stopped", snap.Coverage.Gaps)
	}
}

func TestCollectRealHostRoot(t *testing.T) {
	if _, err := os.Stat("/etc"); err != nil {
		t.Skip("no /etc on this machine")
	}
	snap := newSnap(inventory.SELinuxUnknown)
	Collect(context.Background(), Options{}, snap)

	root := fileAt(t, snap, "/")
	if root.Kind != kindDir || root.Resolved != "" {
		t.Errorf("/ = %+v, want a dir with no Resolved", root)
	}
	fileAt(t, snap, "/etc")
	if os.Geteuid() == 0 {
		for _, f := range snap.Files {
			if f.Label.State == inventory.Unknown {
				t.Errorf("%s unknown as root: %s", f.Path, f.Label.Reason)
			}
		}
	}
}

func TestCollectPermissionDeniedAsUser(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads past directory permissions; run the test binary as an ordinary user to cover this")
	}
	h := hostTree{t, t.TempDir()}
	h.dir("srv/locked/data", "")
	h.dir("srv/vol/closed/inner", "")
	h.file("srv/vol/open", "", "")
	for _, dir := range []string{"srv/locked", "srv/vol/closed"} {
		if err := os.Chmod(h.path(dir), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(h.path(dir), 0o755) })
	}

	snap := collectTree(t, Options{HostRoot: h.root}, inventory.SELinuxEnforcing,
		bindMount("a", true, "/srv/locked/data", "/srv/vol"))

	locked := fileAt(t, snap, "/srv/locked/data")
	if locked.Label.State != inventory.Unknown {
		t.Errorf("State = %q, want unknown", locked.Label.State)
	}
	for _, part := range []string{"EACCES", "as root"} {
		if !strings.Contains(locked.Label.Reason, part) {
			t.Errorf("Reason = %q, want it to contain %q", locked.Label.Reason, part)
		}
	}
	if gaps := gapsFor(snap, "/srv/locked/data"); len(gaps) != 1 {
		t.Errorf("gaps = %v, want 1", gaps)
	}

	vol := fileAt(t, snap, "/srv/vol")
	if vol.Sample == nil || vol.Sample.Entries != 2 {
		t.Fatalf("sample = %+v, want the two entries of /srv/vol", vol.Sample)
	}
	gaps := gapsFor(snap, "/srv/vol")
	if len(gaps) != 1 || !strings.Contains(gaps[0].Reason, "1 directory not listed") {
		t.Errorf("gaps = %v, want one counting the unlisted directory", gaps)
	}
}

func TestUsersTextBounded(t *testing.T) {
	users := []string{"a", "b", "c", "d", "e", "f", "g"}
	if got, want := usersText(users), "a, b, c, d, e and 2 more"; got != want {
		t.Errorf("usersText = %q, want %q", got, want)
	}
	if got, want := usersText(users[:2]), "a, b"; got != want {
		t.Errorf("usersText = %q, want %q", got, want)
	}
}
