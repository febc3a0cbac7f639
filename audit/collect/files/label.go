package files

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/cyphar/filepath-securejoin/pathrs-lite/procfs"
	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// xattrName is the extended attribute that stores a file's SELinux context.
const xattrName = "security.selinux"

// File kinds, as FileLabel.Kind records them.
const (
	kindDir     = "dir"
	kindFile    = "file"
	kindSymlink = "symlink"
	kindSocket  = "socket"
	kindOther   = "other"
)

// xattrFunc has the signature of unix.Getxattr and unix.Lgetxattr.
type xattrFunc func(path, attr string, dest []byte) (int, error)

// collector holds the state of one Collect call.
type collector struct {
	opts    Options
	log     *slog.Logger
	selinux inventory.SELinuxState

	// root is an O_PATH handle to the host root; every lookup starts there.
	root *os.File
	// rootReal is the host root as the kernel names it, without symlinks,
	// the prefix that turns a handle's path back into a host path.
	rootReal string

	euid int
	now  func() time.Time
	// getxattr reads the label of a path resolved to a handle (through
	// /proc/self/fd); lgetxattr reads the label of a sample entry without
	// following it. Tests replace them to count reads or inject errors.
	getxattr  xattrFunc
	lgetxattr xattrFunc
	buf       []byte

	// labels and samples cache results by resolved host path, so that a
	// directory reached under two names, such as /lib/modules and
	// /usr/lib/modules, is read once.
	labels  map[string]inventory.Label
	samples map[sampleKey]*inventory.Sample
	gaps    []inventory.Gap
}

func newCollector(opts Options, state inventory.SELinuxState) (*collector, error) {
	rootPath, err := filepath.Abs(opts.HostRoot)
	if err != nil {
		return nil, fmt.Errorf("host root %q is invalid: %w", opts.HostRoot, err)
	}
	root, err := os.OpenFile(rootPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening host root %q failed: %w", opts.HostRoot, err)
	}
	rootReal, err := procfs.ProcSelfFdReadlink(root)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("reading the path of host root %q through /proc/self/fd failed (is /proc mounted?): %w",
			opts.HostRoot, err)
	}
	return &collector{
		opts:      opts,
		log:       opts.Logger.With("source", string(inventory.SourceFileLabels), "hostRoot", opts.HostRoot),
		selinux:   state,
		root:      root,
		rootReal:  rootReal,
		euid:      os.Geteuid(),
		now:       time.Now,
		getxattr:  unix.Getxattr,
		lgetxattr: unix.Lgetxattr,
		buf:       make([]byte, 256),
		labels:    map[string]inventory.Label{},
		samples:   map[sampleKey]*inventory.Sample{},
	}, nil
}

func (c *collector) close() {
	c.root.Close()
}

// open resolves a host path inside the host root and returns an O_PATH
// handle to what it leads to. Symlinks, absolute ones included, are
// followed as if the host root were "/", so no lookup leaves the host
// root. It uses openat2(RESOLVE_IN_ROOT) where the kernel has it (Linux
// 5.6 and later) and a component-by-component walk elsewhere, both from
// filepath-securejoin, and neither races with a symlink swapped in.
func (c *collector) open(hostPath string) (*os.File, error) {
	return pathrs.OpenatInRoot(c.root, hostPath)
}

// fileInfo describes the file behind a handle.
type fileInfo struct {
	// resolved is the host path the lookup led to.
	resolved string
	kind     string
	dev      uint64
}

// describe returns what h refers to. It reads the resolved path through
// /proc/self/fd with a plain readlink: the path only names the file in the
// report, and the label is read through the descriptor itself, so the
// hardened procfs lookup used once for the host root (which re-checks the
// procfs mount on every call and took most of the collector's time at
// 10,000 containers) buys nothing here.
func (c *collector) describe(h *os.File) (fileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return fileInfo{}, err
	}
	kernelPath, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(h.Fd())))
	if err != nil {
		return fileInfo{}, err
	}
	resolved, ok := c.hostPath(kernelPath)
	if !ok {
		return fileInfo{}, fmt.Errorf("resolved to %q, outside the host root %q", kernelPath, c.rootReal)
	}
	return fileInfo{resolved: resolved, kind: kindOf(st.Mode), dev: uint64(st.Dev)}, nil
}

// hostPath turns a path under the auditor's / into the host path it is
// under the host root.
func (c *collector) hostPath(kernelPath string) (string, bool) {
	switch {
	case c.rootReal == "/":
		return kernelPath, true
	case kernelPath == c.rootReal:
		return "/", true
	case strings.HasPrefix(kernelPath, c.rootReal+"/"):
		return kernelPath[len(c.rootReal):], true
	}
	return "", false
}

func kindOf(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return kindDir
	case unix.S_IFREG:
		return kindFile
	case unix.S_IFLNK:
		return kindSymlink
	case unix.S_IFSOCK:
		return kindSocket
	}
	return kindOther
}

// procFdPath names an open file through /proc/self/fd. Getxattr on it
// reads the file the descriptor refers to. This works for O_PATH
// descriptors, which fgetxattr rejects with EBADF (Linux 6.18 still does).
func procFdPath(fd uintptr) string {
	return "/proc/self/fd/" + strconv.FormatUint(uint64(fd), 10)
}

// cachedLabel reads the label of the file behind h, once per resolved path.
func (c *collector) cachedLabel(h *os.File, resolved string) inventory.Label {
	if l, ok := c.labels[resolved]; ok {
		return l
	}
	value, err := c.readXattr(c.getxattr, procFdPath(h.Fd()))
	l := c.labelFrom(value, err)
	c.labels[resolved] = l
	return l
}

// readXattr reads security.selinux with get. The result aliases c.buf and
// is valid until the next call. When the label is longer than the buffer
// (ERANGE), it asks for the size and retries. The retries are bounded
// because the label can change between the calls.
func (c *collector) readXattr(get xattrFunc, path string) ([]byte, error) {
	for range 4 {
		n, err := get(path, xattrName, c.buf)
		if err == nil {
			return trimNUL(c.buf[:n]), nil
		}
		if !errors.Is(err, unix.ERANGE) {
			return nil, err
		}
		size, err := get(path, xattrName, nil)
		if err != nil {
			return nil, err
		}
		c.buf = make([]byte, max(size, 2*len(c.buf)))
	}
	return nil, unix.ERANGE
}

// trimNUL drops the NUL byte that ends a label written by the kernel or
// by libselinux.
func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// selinuxOn reports whether the host's kernel runs SELinux, as the host
// collector recorded it.
func (c *collector) selinuxOn() bool {
	return c.selinux == inventory.SELinuxEnforcing || c.selinux == inventory.SELinuxPermissive
}

// noLabel reports whether a read error means the file carries no label,
// as opposed to a label that could not be read. A missing attribute
// (ENODATA) always does. A file system without extended attributes
// (ENOTSUP) does only when SELinux is off, because on an SELinux kernel
// the attribute is served by SELinux itself for every file.
func (c *collector) noLabel(err error) bool {
	return errors.Is(err, unix.ENODATA) || (errors.Is(err, unix.ENOTSUP) && !c.selinuxOn())
}

// labelFrom turns the result of a read into a Label.
func (c *collector) labelFrom(value []byte, err error) inventory.Label {
	switch {
	case err == nil && len(value) > 0:
		return inventory.Label{State: inventory.Labeled, Value: string(value)}
	case err == nil:
		return inventory.Label{State: inventory.Unknown, Reason: "the security.selinux attribute is empty"}
	case c.noLabel(err):
		return inventory.Label{State: inventory.NotLabeled, Reason: c.noLabelReason(err)}
	}
	return inventory.Label{State: inventory.Unknown, Reason: c.withRootHint("reading security.selinux failed: ", err)}
}

func (c *collector) noLabelReason(err error) string {
	reason := "no security.selinux attribute"
	if errors.Is(err, unix.ENOTSUP) {
		reason = "the file system does not support extended attributes"
	}
	switch c.selinux {
	case inventory.SELinuxDisabled:
		return reason + "; SELinux is disabled on the host"
	case inventory.SELinuxEnforcing, inventory.SELinuxPermissive:
		return reason + "; the kernel treats the file as unlabeled_t"
	}
	return reason
}

// withRootHint formats err after prefix. When permission was denied to a
// caller that is not root, it adds that root can read the label.
func (c *collector) withRootHint(prefix string, err error) string {
	text := prefix + errnoText(err)
	if c.euid != 0 && (errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM)) {
		text += "; run mcsaudit as root to read it"
	}
	return text
}

// errnoText names the errno inside err, such as "permission denied
// (EACCES)", or returns err's text when it carries none.
func errnoText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		if name := unix.ErrnoName(errno); name != "" {
			return fmt.Sprintf("%s (%s)", errno.Error(), name)
		}
		return errno.Error()
	}
	return err.Error()
}
