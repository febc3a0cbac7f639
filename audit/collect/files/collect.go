// Package files reads the SELinux labels of the host paths that decide
// container isolation. It reads the source of every container mount and
// each container's root file system. It also reads a fixed list of host
// system paths and home directories, because a ":z" relabel changes them
// for good, long after its container was removed.
//
// Every path is resolved inside the host root, so a symlink such as
// /lib -> usr/lib or /srv/data -> /etc leads to the file under the host
// root, never to the auditor's own file. Below each writable mount source
// a bounded sample walk counts the distinct labels, which shows a shared
// volume whose files carry several containers' private levels.
//
// Labels are read with getxattr("security.selinux"). Nothing is written or
// relabeled, and directories are opened with O_NOATIME where the kernel
// allows it. The kernel still updates the access time of a symlink that a
// lookup follows, as it does for any process:
//
//	snap := inventory.New("host-1", time.Now())
//	files.Collect(ctx, files.Options{HostRoot: "/host"}, snap)
//	for _, f := range snap.Files {
//		fmt.Println(f.Path, f.Resolved, f.Label.State, f.Label.Value)
//	}
package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Default limits of the sample walk below one writable mount source. They
// bound the walk on a volume with millions of files while still reading
// the files that containers create near the top of a shared volume.
const (
	// DefaultSampleDepth is how many directory levels below the source
	// are read; entries directly inside the source are level 1.
	DefaultSampleDepth = 4
	// DefaultSampleEntries is the maximum number of entries read below
	// one source.
	DefaultSampleEntries = 2000
	// DefaultSampleTime is the maximum time spent walking one source.
	DefaultSampleTime = 2 * time.Second
)

// Names of the limit that stopped a sample walk, as Sample.Limit records
// them.
const (
	// LimitDepth means directories at the depth limit had entries that
	// were not read. The walk itself went on.
	LimitDepth = "depth"
	// LimitEntries means the walk stopped at the maximum number of entries.
	LimitEntries = "entries"
	// LimitTime means the walk stopped at the time limit.
	LimitTime = "time"
	// LimitCancelled means the context of Collect ended during the walk.
	LimitCancelled = "cancelled"
)

// homeSampleDepth is the depth of the sample read inside each home
// directory. Level 1 finds a relabeled ~/.aws or ~/.ssh, and deeper
// levels would walk every user's files on hosts with many users.
const homeSampleDepth = 1

// Options configures one file-label collection. Zero or negative limits
// take the defaults above.
type Options struct {
	// HostRoot is the directory where the host's file system is mounted:
	// "/" on the host itself, "/host" when mcsaudit runs in a container.
	HostRoot string
	// SampleDepth is how many directory levels below a writable mount
	// source the sample walk reads.
	SampleDepth int
	// SampleEntries is the maximum number of entries read below one source.
	SampleEntries int
	// SampleTime is the maximum time spent walking one source. It applies
	// to each source in turn; ctx bounds the whole collection.
	SampleTime time.Duration
	Logger     *slog.Logger
}

func withDefaults(opts Options) Options {
	if opts.HostRoot == "" {
		opts.HostRoot = "/"
	}
	if opts.SampleDepth <= 0 {
		opts.SampleDepth = DefaultSampleDepth
	}
	if opts.SampleEntries <= 0 {
		opts.SampleEntries = DefaultSampleEntries
	}
	if opts.SampleTime <= 0 {
		opts.SampleTime = DefaultSampleTime
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// Role bits of a target, turned into inventory role names on output.
const (
	roleMount = 1 << iota
	roleHost
	roleRootfs
)

// target is one distinct host path to read, with every reason to read it.
type target struct {
	path  string
	roles int
	// sampleDepth is the depth of the sample walk below the path, 0 for
	// none.
	sampleDepth int
	// users names the containers that mount the path or use it as rootfs,
	// for the reason of a "source missing" gap.
	users []string
}

// required reports whether a missing path is a gap: a container uses it,
// so its label decides that container's isolation. A host system path
// that does not exist is simply absent.
func (t *target) required() bool {
	return t.roles&(roleMount|roleRootfs) != 0
}

func (t *target) roleNames() []string {
	names := make([]string, 0, 3)
	if t.roles&roleHost != 0 {
		names = append(names, inventory.RoleHostPath)
	}
	if t.roles&roleMount != 0 {
		names = append(names, inventory.RoleMountSource)
	}
	if t.roles&roleRootfs != 0 {
		names = append(names, inventory.RoleRootfs)
	}
	return names
}

// targets collects the distinct paths to read, keyed by cleaned path.
type targets map[string]*target

func (ts targets) add(path string, role int, sampleDepth int, user string) {
	path = filepath.Clean(path)
	t, ok := ts[path]
	if !ok {
		t = &target{path: path}
		ts[path] = t
	}
	t.roles |= role
	t.sampleDepth = max(t.sampleDepth, sampleDepth)
	if user != "" && !slices.Contains(t.users, user) {
		t.users = append(t.users, user)
	}
}

// addContainers adds every container's mount sources and rootfs
// directories. Mounts whose source is not an absolute host path (tmpfs,
// devpts, image mounts) have no host file to read.
func (ts targets) addContainers(containers []inventory.Container, sampleDepth int) {
	for _, c := range containers {
		user := containerName(c)
		for _, m := range c.Mounts {
			if m.Type == "tmpfs" || !filepath.IsAbs(m.Source) {
				continue
			}
			depth := 0
			if m.RW {
				depth = sampleDepth
			}
			ts.add(m.Source, roleMount, depth, user)
		}
		for _, dir := range []string{c.UpperDir, c.MergedDir} {
			if filepath.IsAbs(dir) {
				ts.add(dir, roleRootfs, 0, user)
			}
		}
	}
}

func containerName(c inventory.Container) string {
	if c.Name != "" {
		return c.Name
	}
	if len(c.ID) > 12 {
		return c.ID[:12]
	}
	return c.ID
}

// Collect reads the label of every container mount source, every rootfs
// directory and every host system path that exists, and appends one
// FileLabel per distinct path to snap.Files, which it then sorts by path.
// It records its coverage under inventory.SourceFileLabels with a gap for
// each label it could not read and each mount source that is missing.
//
// Run the host collector first: Collect reads snap.Host.SELinux.State to
// explain a missing label. Collect returns no error. A host root it cannot
// open marks the source unavailable, and when ctx ends it stops, keeps
// what it read and marks the coverage partial.
func Collect(ctx context.Context, opts Options, snap *inventory.Snapshot) {
	opts = withDefaults(opts)
	c, err := newCollector(opts, snap.Host.SELinux.State)
	if err != nil {
		snap.SetSource(inventory.SourceStatus{
			Source: inventory.SourceFileLabels, Target: opts.HostRoot,
			Status: inventory.StatusUnavailable, Detail: err.Error(),
		})
		snap.AddGap(inventory.Gap{Source: inventory.SourceFileLabels, Subject: opts.HostRoot, Reason: err.Error()})
		opts.Logger.Warn("file labels not read", "hostRoot", opts.HostRoot, "error", err)
		return
	}
	defer c.close()
	c.run(ctx, snap)
}

// run reads every target in path order and records the results in snap.
func (c *collector) run(ctx context.Context, snap *inventory.Snapshot) {
	ts := targets{}
	ts.addContainers(snap.Containers, c.opts.SampleDepth)
	c.addHostPaths(ts)

	paths := make([]string, 0, len(ts))
	for p := range ts {
		paths = append(paths, p)
	}
	slices.Sort(paths)

	var files []inventory.FileLabel
	var unknown, sampled int
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			c.addGap(p, fmt.Sprintf("collection stopped before %d of %d paths were read: %v", len(paths)-i, len(paths), err))
			break
		}
		fl, ok := c.read(ctx, ts[p])
		if !ok {
			continue
		}
		if fl.Label.State == inventory.Unknown {
			unknown++
		}
		if fl.Sample != nil {
			sampled++
		}
		files = append(files, fl)
	}

	snap.Files = append(snap.Files, files...)
	slices.SortStableFunc(snap.Files, func(a, b inventory.FileLabel) int { return strings.Compare(a.Path, b.Path) })
	for _, g := range c.gaps {
		snap.AddGap(g)
	}

	status := inventory.StatusComplete
	detail := fmt.Sprintf("%s read, %d unknown, %s sampled",
		plural(len(files), "path", "paths"), unknown, plural(sampled, "directory", "directories"))
	if len(c.gaps) > 0 {
		status = inventory.StatusPartial
		detail += ", " + plural(len(c.gaps), "gap", "gaps")
	}
	snap.SetSource(inventory.SourceStatus{
		Source: inventory.SourceFileLabels, Target: c.opts.HostRoot, Status: status, Detail: detail,
	})
	c.log.Info("collected file labels", "paths", len(files), "unknown", unknown, "sampled", sampled, "gaps", len(c.gaps))
}

// read reads one target. It returns false for a host system path that
// does not exist, which is no gap.
func (c *collector) read(ctx context.Context, t *target) (inventory.FileLabel, bool) {
	fl := inventory.FileLabel{Path: t.path, Roles: t.roleNames()}

	h, err := c.open(t.path)
	if err != nil {
		if isNotExist(err) {
			if !t.required() {
				return fl, false
			}
			reason := "source missing: " + errnoText(err)
			if t.roles&roleMount == 0 {
				reason = "rootfs directory missing: " + errnoText(err)
			}
			if len(t.users) > 0 {
				reason += "; used by " + usersText(t.users)
			}
			fl.Label = inventory.Label{State: inventory.Unknown, Reason: reason}
			c.addGap(t.path, reason)
			return fl, true
		}
		fl.Label = inventory.Label{State: inventory.Unknown, Reason: c.withRootHint("resolving in the host root failed: ", err)}
		c.addGap(t.path, fl.Label.Reason)
		return fl, true
	}
	defer h.Close()

	info, err := c.describe(h)
	if err != nil {
		fl.Label = inventory.Label{State: inventory.Unknown, Reason: c.withRootHint("reading the resolved path and file type failed: ", err)}
		c.addGap(t.path, fl.Label.Reason)
		return fl, true
	}
	if info.resolved != t.path {
		fl.Resolved = info.resolved
	}
	fl.Kind = info.kind

	fl.Label = c.cachedLabel(h, info.resolved)
	if fl.Label.State == inventory.Unknown {
		c.addGap(t.path, fl.Label.Reason)
	}

	if t.sampleDepth > 0 && info.kind == kindDir {
		fl.Sample = c.cachedSample(ctx, h, t, info)
	}
	return fl, true
}

// maxUsersNamed bounds the container names in one gap reason.
const maxUsersNamed = 5

// usersText names the first few containers and counts the rest.
func usersText(users []string) string {
	if len(users) <= maxUsersNamed {
		return strings.Join(users, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(users[:maxUsersNamed], ", "), len(users)-maxUsersNamed)
}

func (c *collector) addGap(subject, reason string) {
	c.gaps = append(c.gaps, inventory.Gap{Source: inventory.SourceFileLabels, Subject: subject, Reason: reason})
	c.log.Debug("file label gap", "path", subject, "reason", reason)
}

// isNotExist reports whether a lookup failed because a component of the
// path does not exist (ENOENT) or is not a directory (ENOTDIR).
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR)
}
