package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// sampleKey identifies one sample walk: the same directory walked to the
// same depth gives the same sample.
type sampleKey struct {
	resolved string
	depth    int
}

// readdirBatch is how many names one getdents call returns at most, so
// that a directory with millions of entries is read only as far as the
// limits allow.
const readdirBatch = 256

// cachedSample walks below the directory behind h once per resolved path
// and depth, and records a gap when entries could not be read.
func (c *collector) cachedSample(ctx context.Context, h *os.File, t *target, info fileInfo) *inventory.Sample {
	key := sampleKey{resolved: info.resolved, depth: t.sampleDepth}
	if s, ok := c.samples[key]; ok {
		copied := *s
		copied.Labels = slices.Clone(s.Labels)
		return &copied
	}

	w := &walker{
		c:          c,
		base:       t.path,
		src:        int(h.Fd()),
		dev:        info.dev,
		maxDepth:   t.sampleDepth,
		maxEntries: c.opts.SampleEntries,
		deadline:   c.now().Add(c.opts.SampleTime),
		index:      map[string]int{},
	}
	s := w.walk(ctx)
	if reason := w.gapReason(); reason != "" {
		c.addGap(t.path, reason)
	}
	c.samples[key] = s
	return s
}

// walker is one breadth-first sample walk below a source directory.
//
// It reads level by level, so when a limit stops it the labels near the
// top of the tree, where containers write, are the ones read. It never
// follows a symlink and does not descend into a directory on another file
// system (such as /proc below a source of "/"), but it records the label
// of that directory's mount point.
type walker struct {
	c *collector
	// base is the host path of the source, the prefix of example paths.
	base string
	// src is the O_PATH descriptor of the source; every directory is
	// opened from it one component at a time with O_NOFOLLOW.
	src        int
	dev        uint64
	maxDepth   int
	maxEntries int
	deadline   time.Time

	sample inventory.Sample
	// index maps a label to its position in sample.Labels.
	index    map[string]int
	stopped  bool
	depthCut bool
	// unlisted counts directories that could not be opened or read.
	unlisted int
	firstErr string
	// denied is set when permission was refused, which root would lift.
	denied bool
}

// pendingDir is a directory waiting to be read; depth is the level of the
// entries inside it.
type pendingDir struct {
	rel   string
	depth int
}

func (w *walker) walk(ctx context.Context) *inventory.Sample {
	queue := []pendingDir{{rel: "", depth: 1}}
	for len(queue) > 0 && !w.stopped {
		if ctx.Err() != nil {
			w.stop(LimitCancelled)
			break
		}
		next := queue[0]
		queue = queue[1:]
		queue = w.readDir(next, queue)
	}

	if !w.sample.Truncated && w.depthCut {
		w.sample.Truncated = true
		w.sample.Limit = LimitDepth
	}
	if w.sample.Labels == nil {
		w.sample.Labels = []inventory.LabelCount{}
	}
	slices.SortFunc(w.sample.Labels, func(a, b inventory.LabelCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Label, b.Label)
	})
	return &w.sample
}

func (w *walker) stop(limit string) {
	w.stopped = true
	w.sample.Truncated = true
	w.sample.Limit = limit
}

// readDir reads the entries of one directory and returns the queue with
// its subdirectories appended.
func (w *walker) readDir(d pendingDir, queue []pendingDir) []pendingDir {
	dir, err := w.openDir(d.rel)
	if err != nil {
		w.unlisted++
		w.noteErr(d.rel, err)
		return queue
	}
	defer dir.Close()
	dirfd := int(dir.Fd())
	prefix := procFdPath(dir.Fd()) + "/"

	for {
		names, err := dir.Readdirnames(readdirBatch)
		for _, name := range names {
			if w.sample.Entries >= w.maxEntries {
				w.stop(LimitEntries)
				return queue
			}
			if w.c.now().After(w.deadline) {
				w.stop(LimitTime)
				return queue
			}
			queue = w.readEntry(d, dirfd, prefix, name, queue)
		}
		if errors.Is(err, io.EOF) || (err == nil && len(names) == 0) {
			return queue
		}
		if err != nil {
			w.unlisted++
			w.noteErr(d.rel, err)
			return queue
		}
	}
}

// readEntry records the label of one entry and queues it when it is a
// directory to descend into. The entry's relative path is built only when
// it is needed, which keeps the walk at a few allocations per entry.
func (w *walker) readEntry(d pendingDir, dirfd int, prefix, name string, queue []pendingDir) []pendingDir {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return queue // removed since the directory was listed
		}
		w.sample.Entries++
		w.sample.Unreadable++
		w.noteErr(path.Join(d.rel, name), err)
		return queue
	}
	w.sample.Entries++

	value, err := w.c.readXattr(w.c.lgetxattr, prefix+name)
	switch {
	case err == nil:
		w.count(value, d.rel, name)
	case w.c.noLabel(err):
		w.count(nil, d.rel, name)
	default:
		w.sample.Unreadable++
		w.noteErr(path.Join(d.rel, name), err)
	}

	if st.Mode&unix.S_IFMT != unix.S_IFDIR || uint64(st.Dev) != w.dev {
		return queue
	}
	if d.depth < w.maxDepth {
		return append(queue, pendingDir{rel: path.Join(d.rel, name), depth: d.depth + 1})
	}
	if !w.depthCut {
		w.depthCut = hasEntries(dirfd, name)
	}
	return queue
}

// count adds one entry with the given label. An entry without a label is
// counted under the empty label.
func (w *walker) count(value []byte, dirRel, name string) {
	// Indexing with string(value) does not allocate; only a new label does.
	i, ok := w.index[string(value)]
	if !ok {
		label := string(value)
		i = len(w.sample.Labels)
		w.index[label] = i
		example := path.Join(w.base, dirRel, name)
		w.sample.Labels = append(w.sample.Labels, inventory.LabelCount{Label: label, Example: example})
	}
	w.sample.Labels[i].Count++
}

func (w *walker) noteErr(rel string, err error) {
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		w.denied = true
	}
	if w.firstErr == "" {
		w.firstErr = fmt.Sprintf("%s: %s", path.Join(w.base, rel), errnoText(err))
	}
}

func (w *walker) gapReason() string {
	if w.sample.Unreadable == 0 && w.unlisted == 0 {
		return ""
	}
	reason := fmt.Sprintf("sample walk: %s with unreadable labels, %s not listed (first: %s)",
		plural(w.sample.Unreadable, "entry", "entries"), plural(w.unlisted, "directory", "directories"), w.firstErr)
	if w.denied && w.c.euid != 0 {
		reason += "; run mcsaudit as root to read them"
	}
	return reason
}

// openDir opens a directory below the source for reading. Each component
// is opened with O_NOFOLLOW relative to the one before, so a directory
// replaced by a symlink since it was listed fails with ELOOP instead of
// leading out of the source.
func (w *walker) openDir(rel string) (*os.File, error) {
	parent := w.src
	last := "."
	var parts []string
	if rel != "" {
		parts = strings.Split(rel, "/")
		last = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for _, part := range parts {
		fd, err := unix.Openat(parent, part, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			closeUnlessSource(parent, w.src)
			return nil, err
		}
		closeUnlessSource(parent, w.src)
		parent = fd
	}
	fd, err := openNoatime(parent, last, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	closeUnlessSource(parent, w.src)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), rel), nil
}

func closeUnlessSource(fd, src int) {
	if fd != src {
		unix.Close(fd)
	}
}

// openNoatime opens with O_NOATIME so that reading a directory leaves its
// access time alone. The kernel allows O_NOATIME only to the file's owner
// and to CAP_FOWNER (EPERM otherwise); the open is then retried without it.
func openNoatime(dirfd int, name string, flags int) (int, error) {
	fd, err := unix.Openat(dirfd, name, flags|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) {
		fd, err = unix.Openat(dirfd, name, flags, 0)
	}
	return fd, err
}

// hasEntries reports whether the directory name in dirfd has at least one
// entry. A directory that cannot be read counts as having entries, so the
// sample is marked truncated.
func hasEntries(dirfd int, name string) bool {
	fd, err := openNoatime(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		return true
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	names, err := f.Readdirnames(1)
	return len(names) > 0 || (err != nil && !errors.Is(err, io.EOF))
}

// plural formats a count with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
