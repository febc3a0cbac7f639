package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// errMalformed is wrapped by every parse error of this package.
var errMalformed = errors.New("malformed proc file")

// cgroupLine is one line of proc/<pid>/cgroup: "hierarchy-ID:controllers:path".
type cgroupLine struct {
	Hierarchy   string
	Controllers string
	Path        string
}

// isSystemd reports whether the line is cgroup v1's name=systemd hierarchy.
func (l cgroupLine) isSystemd() bool {
	for rest := l.Controllers; rest != ""; {
		var c string
		c, rest, _ = strings.Cut(rest, ",")
		if c == "name=systemd" {
			return true
		}
	}
	return false
}

// isUnified reports whether the line is the cgroup v2 hierarchy "0::path".
func (l cgroupLine) isUnified() bool {
	return l.Hierarchy == "0" && l.Controllers == ""
}

// parseCgroup parses proc/<pid>/cgroup. A cgroup v2 host writes one line
// "0::/path", and a cgroup v1 or hybrid host writes one line per hierarchy,
// such as "4:memory:/libpod_parent/libpod-<id>". The path is the third
// field and may itself contain ':'.
func parseCgroup(r io.Reader) ([]cgroupLine, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading cgroup: %w", err)
	}
	return parseCgroupBytes(data)
}

func parseCgroupBytes(data []byte) ([]cgroupLine, error) {
	lines := make([]cgroupLine, 0, bytes.Count(data, []byte{'\n'})+1)
	for n := 1; len(data) > 0; n++ {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if len(line) == 0 {
			continue
		}
		hierarchy, rest, ok1 := bytes.Cut(line, []byte{':'})
		controllers, path, ok2 := bytes.Cut(rest, []byte{':'})
		if !ok1 || !ok2 || len(hierarchy) == 0 {
			return nil, fmt.Errorf("cgroup line %d %q: expected hierarchy-ID:controllers:path: %w", n, line, errMalformed)
		}
		lines = append(lines, cgroupLine{Hierarchy: string(hierarchy), Controllers: string(controllers), Path: string(path)})
	}
	return lines, nil
}

// statFields are the fields of proc/<pid>/stat that the collector uses.
type statFields struct {
	PID  int
	Comm string
	// State is the one-letter process state: R, S, D, Z, ...
	State byte
	PPID  int
	// StartTime is when the process started, in clock ticks after boot.
	StartTime uint64
}

// parseStat parses proc/<pid>/stat: "pid (comm) state ppid ...". The comm
// field is the raw executable name, up to 15 bytes, and may contain spaces
// and parentheses, so it runs from the first '(' to the last ')'.
func parseStat(r io.Reader) (statFields, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return statFields{}, fmt.Errorf("reading stat: %w", err)
	}
	return parseStatBytes(data)
}

// nextField returns the first space-separated field of data and the rest,
// or nil when data holds no more fields.
func nextField(data []byte) (field, rest []byte) {
	data = bytes.TrimLeft(data, " \n")
	if len(data) == 0 {
		return nil, nil
	}
	end := bytes.IndexAny(data, " \n")
	if end < 0 {
		return data, nil
	}
	return data[:end], data[end:]
}

func parseStatBytes(data []byte) (statFields, error) {
	var st statFields
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return st, fmt.Errorf("stat %q: no (comm) field: %w", truncate(data), errMalformed)
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil {
		return st, fmt.Errorf("stat %q: invalid pid: %w", truncate(data), errMalformed)
	}
	st.PID = pid
	st.Comm = string(data[open+1 : closing])

	// Fields after the comm, counted from 0: state, ppid, pgrp, session,
	// tty_nr, tpgid, flags, minflt, cminflt, majflt, cmajflt, utime, stime,
	// cutime, cstime, priority, nice, num_threads, itrealvalue, starttime.
	fields := data[closing+1:]
	const startTimeField = 19
	var field []byte
	for i := 0; i <= startTimeField; i++ {
		field, fields = nextField(fields)
		if field == nil {
			return st, fmt.Errorf("stat of pid %d: %d fields after comm, want at least %d: %w", pid, i, startTimeField+1, errMalformed)
		}
		switch i {
		case 0:
			if len(field) != 1 {
				return st, fmt.Errorf("stat of pid %d: invalid state %q: %w", pid, field, errMalformed)
			}
			st.State = field[0]
		case 1:
			if st.PPID, err = strconv.Atoi(string(field)); err != nil {
				return st, fmt.Errorf("stat of pid %d: invalid ppid %q: %w", pid, field, errMalformed)
			}
		case startTimeField:
			if st.StartTime, err = strconv.ParseUint(string(field), 10, 64); err != nil {
				return st, fmt.Errorf("stat of pid %d: invalid starttime %q: %w", pid, field, errMalformed)
			}
		}
	}
	return st, nil
}

// parseStatus returns the real user ID from proc/<pid>/status, whose line
// is "Uid:\treal\teffective\tsaved\tfilesystem". The IDs are as the
// reader's user namespace sees them, so a rootless container's root shows
// as the user who started it.
func parseStatus(r io.Reader) (uid int, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return 0, fmt.Errorf("reading status: %w", err)
	}
	return parseStatusBytes(data)
}

func parseStatusBytes(data []byte) (int, error) {
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		rest, ok := bytes.CutPrefix(line, []byte("Uid:"))
		if !ok {
			continue
		}
		rest = bytes.TrimLeft(rest, " \t")
		end := bytes.IndexAny(rest, " \t")
		if end < 0 {
			end = len(rest)
		}
		uid, err := strconv.Atoi(string(rest[:end]))
		if err != nil || uid < 0 {
			return 0, fmt.Errorf("status Uid line %q: invalid real uid: %w", line, errMalformed)
		}
		return uid, nil
	}
	return 0, fmt.Errorf("status has no Uid line: %w", errMalformed)
}

// parseCmdline splits proc/<pid>/cmdline into its arguments. The kernel
// separates arguments with NUL and ends the last one with NUL. A process
// that rewrote its argv may leave one string without NULs, which is
// returned as one argument.
func parseCmdline(r io.Reader) ([]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading cmdline: %w", err)
	}
	data = bytes.TrimSuffix(data, []byte{0})
	if len(data) == 0 {
		return nil, nil
	}
	return strings.Split(string(data), "\x00"), nil
}

// parseAttr returns the context in proc/<pid>/attr/current. SELinux ends
// it with a NUL, and other security modules end it with a newline.
func parseAttr(r io.Reader) (string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("reading attr/current: %w", err)
	}
	return attrValue(data), nil
}

func attrValue(data []byte) string {
	return string(bytes.TrimRight(data, "\x00\n"))
}

// conmonArgs are the container details in a conmon command line.
type conmonArgs struct {
	// ID is the container ID from -c or --cid.
	ID string
	// Name is the container name from -n or --name.
	Name string
	// Exec is true for the conmon of a `podman exec` session (-e, --exec).
	Exec bool
	// Podman is true when the exit command is podman. CRI-O's conmons
	// have no exit command.
	Podman bool
}

// parseConmonArgs reads a conmon command line. conmon parses its options
// with GLib, so "-c ID", "-cID", "--cid ID" and "--cid=ID" are all valid
// spellings. An ID that is not 64 hex digits is ignored.
func parseConmonArgs(args []string) conmonArgs {
	var out conmonArgs
	for i := 1; i < len(args); i++ {
		arg := args[i]
		next := ""
		if i+1 < len(args) {
			next = args[i+1]
		}
		switch {
		case arg == "-c" || arg == "--cid":
			if isContainerID(next) && out.ID == "" {
				out.ID = next
			}
			i++
		case strings.HasPrefix(arg, "--cid="):
			if v := arg[len("--cid="):]; isContainerID(v) && out.ID == "" {
				out.ID = v
			}
		case strings.HasPrefix(arg, "-c") && isContainerID(arg[2:]):
			if out.ID == "" {
				out.ID = arg[2:]
			}
		case arg == "-n" || arg == "--name":
			out.Name = next
			i++
		case strings.HasPrefix(arg, "--name="):
			out.Name = arg[len("--name="):]
		case arg == "-e" || arg == "--exec":
			out.Exec = true
		case arg == "--exit-command":
			out.Podman = out.Podman || baseName(next) == "podman"
			i++
		case arg == "--exit-command-arg" || arg == "--runtime-arg":
			// Their values are another program's options ("-c" among
			// them), not conmon's.
			i++
		}
	}
	return out
}

func baseName(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// truncate shortens file contents quoted in an error message.
func truncate(data []byte) string {
	const maxLen = 80
	if len(data) > maxLen {
		return string(data[:maxLen]) + "..."
	}
	return string(data)
}
