package procfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

// errVanished marks a process that exited while it was being read.
var errVanished = errors.New("process exited while it was read")

// proc is the collector's record of one process.
type proc struct {
	pid, ppid int
	comm      string
	state     byte
	startTime uint64

	// ref is the container or monitor the cgroup file names, valid when
	// hasRef.
	ref    cgroupRef
	hasRef bool
	// cgroupPath is the path that named the container or monitor, else
	// the process's main cgroup path.
	cgroupPath string

	// conmon holds the parsed command line of a conmon process.
	conmon *conmonArgs

	uid    int
	hasUID bool
	label  inventory.Label
	// labelErr is set when the label could not be read for a reason that
	// is a coverage gap (permission denied, I/O error).
	labelErr error

	// containerID, tiedBy and engine are set once the process is tied.
	containerID string
	tiedBy      string
	engine      string
}

// isConmon reports whether the process is a container monitor: conmon,
// which Podman and CRI-O both run.
func (p *proc) isConmon() bool {
	return p.comm == "conmon"
}

// procReader reads the files of one process at a time with one reusable
// buffer. It is not safe for concurrent use, so each worker has its own.
//
// It opens the process's directory once and every file relative to it.
// If the process exits and the kernel gives its pid to a new process
// meanwhile, the reads through the old directory fail instead of
// returning the new process's files, so one record never mixes two
// processes. The calls go to open, read and close directly: os.Open adds
// an fstat and a poller registration, which doubled the cost of reading
// the small files of a thousand processes.
type procReader struct {
	procDir string
	selinux inventory.SELinuxState
	buf     []byte
	// dirfd is the open directory of the current process, pid its name.
	dirfd int
	pid   string
}

// open makes pid the current process. It returns errVanished when the
// process no longer exists.
func (r *procReader) open(pid string) error {
	r.close()
	fd, err := retryEINTR(func() (int, error) {
		return unix.Open(r.procDir+"/"+pid, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		if isGone(err) {
			return errVanished
		}
		return &fs.PathError{Op: "open", Path: r.procDir + "/" + pid, Err: err}
	}
	r.dirfd, r.pid = fd, pid
	return nil
}

// close releases the current process's directory.
func (r *procReader) close() {
	if r.pid != "" {
		unix.Close(r.dirfd)
		r.pid = ""
	}
}

// path returns the path of the current process's file name, for messages.
func (r *procReader) path(name string) string {
	return r.procDir + "/" + r.pid + "/" + name
}

// readFile reads a file of the current process into the reader's buffer.
// The result is valid until the next call.
func (r *procReader) readFile(name string) ([]byte, error) {
	fd, err := retryEINTR(func() (int, error) {
		return unix.Openat(r.dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: r.path(name), Err: err}
	}
	defer unix.Close(fd)
	if r.buf == nil {
		r.buf = make([]byte, 8192)
	}
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		m, err := retryEINTR(func() (int, error) { return unix.Read(fd, r.buf[n:]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: r.path(name), Err: err}
		}
		n += m
		// A read that leaves room in the buffer has reached the end, so
		// the extra read that would return 0 is skipped. Regular files and
		// the kernel's readers of these proc files (seq_file, attr) return
		// everything they have, up to the buffer's size, in one call.
		if m == 0 || n < len(r.buf) {
			return r.buf[:n], nil
		}
	}
}

func retryEINTR(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// isGone reports whether err means the process no longer exists.
func isGone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH)
}

// readBase reads stat and cgroup of the current process, and the command
// line and uid of a conmon. It returns errVanished when the process exited
// meanwhile.
func (r *procReader) readBase() (proc, error) {
	var p proc
	data, err := r.readFile("stat")
	if err != nil {
		if isGone(err) {
			return p, errVanished
		}
		return p, fmt.Errorf("reading stat: %w", err)
	}
	st, err := parseStatBytes(data)
	if err != nil {
		return p, fmt.Errorf("%s: %w", r.path("stat"), err)
	}
	p.pid, p.ppid, p.comm, p.state, p.startTime = st.PID, st.PPID, st.Comm, st.State, st.StartTime

	data, err = r.readFile("cgroup")
	if err != nil {
		if isGone(err) {
			return p, errVanished
		}
		return p, fmt.Errorf("reading cgroup: %w", err)
	}
	lines, err := parseCgroupBytes(data)
	if err != nil {
		return p, fmt.Errorf("%s: %w", r.path("cgroup"), err)
	}
	if ref, path, ok := containerFromCgroup(lines); ok {
		p.ref, p.hasRef, p.cgroupPath = ref, true, path
	} else {
		p.cgroupPath = primaryCgroupPath(lines)
	}

	if p.isConmon() {
		// A conmon whose command line cannot be read still counts as a
		// monitor. Only the container ID it names is lost.
		if data, err := r.readFile("cmdline"); err == nil {
			if args, err := parseCmdline(bytes.NewReader(data)); err == nil {
				c := parseConmonArgs(args)
				p.conmon = &c
			}
		}
		r.readUID(&p)
	}
	return p, nil
}

// readDetails reads the label and the user of the current process, which
// is tied to a container. It returns errVanished when the process exited
// meanwhile.
func (r *procReader) readDetails(p *proc) error {
	label, labelErr, err := r.readLabel()
	if err != nil {
		return err
	}
	p.label, p.labelErr = label, labelErr
	if !r.readUID(p) {
		return errVanished
	}
	return nil
}

// readUID reads the real uid from status. It returns false when the
// process is gone. Other failures leave the uid unset.
func (r *procReader) readUID(p *proc) bool {
	data, err := r.readFile("status")
	if err != nil {
		return !isGone(err)
	}
	if uid, err := parseStatusBytes(data); err == nil {
		p.uid, p.hasUID = uid, true
	}
	return true
}

// readLabel reads attr/current. labelErr is set for a failure that is a
// coverage gap, and err is errVanished when the process exited.
func (r *procReader) readLabel() (label inventory.Label, labelErr, err error) {
	path := r.path("attr/current")
	data, readErr := r.readFile("attr/current")
	switch {
	case readErr == nil:
		return r.classifyValue(path, attrValue(data)), nil, nil
	case errors.Is(readErr, unix.ESRCH):
		return label, nil, errVanished
	case errors.Is(readErr, fs.ErrNotExist):
		// A kernel built without security module support has no attr
		// directory. Tell that apart from a process that exited.
		if _, statErr := r.readFile("stat"); statErr != nil {
			return label, nil, errVanished
		}
		return r.noSecurityModule(path, "it does not exist"), nil, nil
	case errors.Is(readErr, unix.EINVAL), errors.Is(readErr, unix.EOPNOTSUPP):
		// No security module provides attr/current.
		return r.noSecurityModule(path, "reading it failed: "+errText(readErr)), nil, nil
	case errors.Is(readErr, fs.ErrPermission):
		reason := fmt.Sprintf("reading %s failed: permission denied; run mcsaudit as root to read it", path)
		return inventory.Label{State: inventory.Unknown, Reason: reason}, readErr, nil
	default:
		reason := fmt.Sprintf("reading %s failed: %s", path, errText(readErr))
		return inventory.Label{State: inventory.Unknown, Reason: reason}, readErr, nil
	}
}

// classifyValue turns the text of attr/current into a label. The file
// belongs to whichever security module the kernel made the major one, so
// on a host without SELinux it can hold an AppArmor profile such as
// "docker-default (enforce)", which is no SELinux label.
func (r *procReader) classifyValue(path, value string) inventory.Label {
	if value == "" {
		return inventory.Label{State: inventory.NotLabeled, Reason: path + " is empty: no security module labels the process"}
	}
	if _, err := seclabel.ParseContext(value); err == nil {
		return inventory.Label{State: inventory.Labeled, Value: value}
	}
	if r.selinux == inventory.SELinuxDisabled {
		return inventory.Label{
			State:  inventory.NotLabeled,
			Reason: fmt.Sprintf("SELinux is disabled on the host; %s holds %q from another security module", path, value),
		}
	}
	return inventory.Label{
		State:  inventory.Unknown,
		Reason: fmt.Sprintf("%s holds %q, which is not an SELinux context; another security module such as AppArmor may own the file", path, value),
	}
}

// noSecurityModule is the label of a process whose attr/current no
// security module provides. With SELinux known to be disabled that is the
// expected state, and otherwise the label is unknown.
func (r *procReader) noSecurityModule(path, what string) inventory.Label {
	if r.selinux == inventory.SELinuxDisabled {
		return inventory.Label{
			State:  inventory.NotLabeled,
			Reason: fmt.Sprintf("SELinux is disabled on the host and no security module provides %s: %s", path, what),
		}
	}
	return inventory.Label{
		State: inventory.Unknown,
		Reason: fmt.Sprintf("no security module provides %s (%s), yet the host's SELinux state was not read as disabled",
			path, what),
	}
}

// errText returns the operating system's text for err without the path
// that *fs.PathError adds.
func errText(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}

// readResult is the outcome of reading one process in the first pass.
type readResult struct {
	proc proc
	err  error
}

// readAll runs the first pass over pids with the given number of workers:
// stat and cgroup of every process, then label and uid of every process
// whose cgroup names a container. It stops early when ctx ends.
func readAll(ctx context.Context, procDir string, selinux inventory.SELinuxState, pids []string, workers int) []readResult {
	results := make([]readResult, len(pids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &procReader{procDir: procDir, selinux: selinux}
			defer r.close()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(pids) || ctx.Err() != nil {
					return
				}
				results[i] = r.readProcess(pids[i])
			}
		}()
	}
	wg.Wait()
	return results
}

// readProcess reads stat and cgroup of one process, and label and uid when
// its cgroup names a container.
func (r *procReader) readProcess(pid string) readResult {
	if err := r.open(pid); err != nil {
		return readResult{err: err}
	}
	defer r.close()
	p, err := r.readBase()
	if err == nil && p.hasRef && p.ref.names() {
		err = r.readDetails(&p)
	}
	return readResult{proc: p, err: err}
}

// listPIDs returns the names of the numeric entries of procDir, unsorted.
//
// NOTE: these are thread-group leaders only. A thread that changed its own
// label (setcon on one thread) is not seen.
func listPIDs(procDir string) ([]string, error) {
	dir, err := os.Open(procDir)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	pids := names[:0]
	for _, name := range names {
		if isDecimal(name) {
			pids = append(pids, name)
		}
	}
	return pids, nil
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isPermission(err error) bool {
	return errors.Is(err, fs.ErrPermission)
}
