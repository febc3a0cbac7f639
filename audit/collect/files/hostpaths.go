package files

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// hostSystemPaths are read whether or not a container mounts them,
// because a ":z" or ":Z" relabel changes the host path for good and
// outlives the container that asked for it. /lib/modules is read through
// its symlink on merged-/usr systems, where it is /usr/lib/modules.
var hostSystemPaths = []string{
	"/", "/boot", "/etc", "/home", "/lib/modules", "/opt", "/root", "/run", "/srv", "/tmp",
	"/usr", "/usr/lib", "/usr/lib/modules", "/var", "/var/lib", "/var/lib/containers",
	"/var/log", "/var/tmp",
}

// Directories whose subdirectories are host paths too: one per installed
// kernel, one per user.
var (
	moduleParents = []string{"/usr/lib/modules", "/lib/modules"}
	homeParent    = "/home"
)

// maxChildren bounds the subdirectories read from one parent, so that a
// host with tens of thousands of home directories still gives a report of
// a reasonable size. A cut list is a gap.
const maxChildren = 1000

// minUserUID is the first UID of an ordinary user on Debian, Fedora and
// RHEL (UID_MIN in /etc/login.defs).
const minUserUID = 1000

// addHostPaths adds the host system paths, each kernel's module
// directory and each home directory. Home directories get a shallow
// sample, which finds a relabeled ~/.aws below a home directory that kept
// its own label.
func (c *collector) addHostPaths(ts targets) {
	for _, p := range hostSystemPaths {
		ts.add(p, roleHost, 0, "")
	}
	for _, parent := range moduleParents {
		for _, child := range c.childDirs(parent) {
			ts.add(child, roleHost, 0, "")
		}
	}

	ts.add("/root", roleHost, homeSampleDepth, "")
	for _, child := range c.childDirs(homeParent) {
		ts.add(child, roleHost, homeSampleDepth, "")
	}
	for _, home := range c.passwdHomes() {
		ts.add(home, roleHost, homeSampleDepth, "")
	}
}

// childDirs lists the subdirectories of a host directory (and symlinks,
// which may lead to one) as host paths under where the directory
// resolved, so that /lib/modules -> usr/lib/modules gives the same paths
// as /usr/lib/modules. A missing parent gives none.
func (c *collector) childDirs(parent string) []string {
	h, err := c.open(parent)
	if err != nil {
		if !isNotExist(err) {
			c.addGap(parent, c.withRootHint("listing the directory failed: ", err))
		}
		return nil
	}
	defer h.Close()
	info, err := c.describe(h)
	if err != nil || info.kind != kindDir {
		return nil // read and reported as a target of its own
	}

	fd, err := openNoatime(int(h.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		c.addGap(parent, c.withRootHint("listing the directory failed: ", err))
		return nil
	}
	dir := os.NewFile(uintptr(fd), parent)
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	if err != nil {
		c.addGap(parent, c.withRootHint("listing the directory failed: ", err))
	}

	var children []string
	for _, e := range entries {
		if e.Type()&(fs.ModeDir|fs.ModeSymlink) != 0 {
			children = append(children, path.Join(info.resolved, e.Name()))
		}
	}
	slices.Sort(children)
	if len(children) > maxChildren {
		c.addGap(parent, fmt.Sprintf("only the first %d of %d subdirectories were read", maxChildren, len(children)))
		children = children[:maxChildren]
	}
	return children
}

// passwdHomes returns the home directories of ordinary users (UID 1000
// and above) in the host's /etc/passwd. Users from LDAP or SSSD are not in
// that file, so their homes are found only when they are below /home.
func (c *collector) passwdHomes() []string {
	const passwd = "/etc/passwd"
	homes, err := c.readPasswd(passwd)
	if err != nil && !isNotExist(err) {
		c.addGap(passwd, c.withRootHint("reading home directories failed: ", err))
	}
	return homes
}

func (c *collector) readPasswd(name string) ([]string, error) {
	h, err := c.open(name)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}

	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_NOATIME)
	if errors.Is(err, unix.EPERM) {
		f, err = pathrs.Reopen(h, unix.O_RDONLY)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The limit guards against a huge or endless file. At about 100 bytes
	// a line (an estimate), 64 MiB is over 600,000 users.
	return parsePasswdHomes(io.LimitReader(f, 64<<20))
}

// parsePasswdHomes reads an /etc/passwd file and returns the home
// directories of users with a UID of 1000 or more, cleaned, sorted and
// without duplicates. Lines that are not seven colon-separated fields
// with a numeric UID and an absolute home directory are skipped.
func parsePasswdHomes(r io.Reader) ([]string, error) {
	var homes []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) != 7 {
			continue
		}
		uid, err := strconv.Atoi(fields[2])
		if err != nil || uid < minUserUID {
			continue
		}
		if home := fields[5]; filepath.IsAbs(home) {
			homes = append(homes, filepath.Clean(home))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading passwd file failed: %w", err)
	}
	slices.Sort(homes)
	return slices.Compact(homes), nil
}
