// Package kernel asks a live SELinux kernel for access decisions through
// selinuxfs, the way libselinux's security_compute_av does: write
// "SCONTEXT TCONTEXT CLASS" to sys/fs/selinux/access and read back the
// access vectors the kernel enforces. The answer includes everything the
// label model cannot know: the loaded policy's allow rules, constraints,
// booleans and permissive domains.
//
//	fs := kernel.NewSelinuxfs("/")
//	classes, err := kernel.LoadClasses("/", "file")
//	d, err := fs.Query(scon, tcon, classes["file"].Index)
//	fmt.Println(classes["file"].Names(d.Allowed))
//
// A scan calls Collect, which asks the questions the checks need about a
// snapshot and records the answers in it:
//
//	kernel.Collect(ctx, kernel.Options{HostRoot: "/"}, snap)
//	fmt.Println(len(snap.Decisions), "decisions")
package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrInvalidContext is returned when the kernel rejects a context: the
// loaded policy does not know its user, role, type or level.
var ErrInvalidContext = errors.New("context not valid in the loaded policy")

// ErrUnavailable is wrapped when the access interface cannot be used at
// all (no selinuxfs, or no permission to open it).
var ErrUnavailable = errors.New("kernel access decisions unavailable")

// Decision is the kernel's response for one (scontext, tcontext, class).
type Decision struct {
	// Allowed has one bit per permission the kernel grants.
	Allowed uint32
	// Decided has a bit for each permission the response covers.
	Decided    uint32
	AuditAllow uint32
	AuditDeny  uint32
	// Seqno is the policy sequence number the response belongs to; it
	// changes when a policy or boolean change invalidates cached answers.
	Seqno uint32
	Flags uint32
}

// flagPermissive is AVD_FLAGS_PERMISSIVE from the kernel's
// security/selinux/include/security.h: the source domain is permissive,
// so denials are logged but not enforced.
const flagPermissive = 0x1

// Permissive reports whether the source domain is permissive, in which
// case every permission is granted in practice whatever Allowed contains.
func (d Decision) Permissive() bool { return d.Flags&flagPermissive != 0 }

// FormatRequest builds the text written to the access file.
func FormatRequest(scontext, tcontext string, class uint16) string {
	return fmt.Sprintf("%s %s %d", scontext, tcontext, class)
}

// ParseDecision reads the access file's response: allowed, decided,
// auditallow and auditdeny in hex, seqno in decimal, then flags in hex,
// as the kernel's sel_write_access prints them. Older kernels omit flags.
func ParseDecision(answer string) (Decision, error) {
	fields := strings.Fields(answer)
	if len(fields) != 5 && len(fields) != 6 {
		return Decision{}, fmt.Errorf("invalid access response %q: want 5 or 6 fields", answer)
	}
	var d Decision
	hex := []*uint32{&d.Allowed, &d.Decided, &d.AuditAllow, &d.AuditDeny}
	for i, dst := range hex {
		v, err := strconv.ParseUint(fields[i], 16, 32)
		if err != nil {
			return Decision{}, fmt.Errorf("invalid access response %q: field %d: %w", answer, i+1, err)
		}
		*dst = uint32(v)
	}
	seq, err := strconv.ParseUint(fields[4], 10, 32)
	if err != nil {
		return Decision{}, fmt.Errorf("invalid access response %q: seqno: %w", answer, err)
	}
	d.Seqno = uint32(seq)
	if len(fields) == 6 {
		flags, err := strconv.ParseUint(fields[5], 16, 32)
		if err != nil {
			return Decision{}, fmt.Errorf("invalid access response %q: flags: %w", answer, err)
		}
		d.Flags = uint32(flags)
	}
	return d, nil
}

// Querier asks for one access decision. Selinuxfs is the real one; tests
// substitute their own, because no plain file behaves like the kernel's
// write-then-read transaction file.
type Querier interface {
	Query(scontext, tcontext string, class uint16) (Decision, error)
}

// Selinuxfs queries the kernel through sys/fs/selinux/access under a host
// root.
type Selinuxfs struct {
	path string
}

// NewSelinuxfs returns a Querier for the selinuxfs under root.
func NewSelinuxfs(root string) *Selinuxfs {
	return &Selinuxfs{path: filepath.Join(root, "sys/fs/selinux/access")}
}

// Query opens the access file, writes one request and reads the response on
// the same descriptor, which is how the kernel's transaction files work.
func (s *Selinuxfs) Query(scontext, tcontext string, class uint16) (Decision, error) {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return Decision{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return Decision{}, err
	}
	defer f.Close()

	if _, err := f.WriteString(FormatRequest(scontext, tcontext, class)); err != nil {
		switch {
		case errors.Is(err, syscall.EINVAL):
			return Decision{}, fmt.Errorf("asking for %s -> %s: %w", scontext, tcontext, ErrInvalidContext)
		case errors.Is(err, fs.ErrPermission):
			// The policy denies the caller security compute_av, which
			// the kernel checks on every write, so no question can pass.
			return Decision{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return Decision{}, fmt.Errorf("asking for %s -> %s: %w", scontext, tcontext, err)
	}
	buf := make([]byte, 256)
	n, err := f.Read(buf)
	if err != nil {
		return Decision{}, fmt.Errorf("reading the decision for %s -> %s: %w", scontext, tcontext, err)
	}
	return ParseDecision(string(buf[:n]))
}
