// Package atomicfile writes a file so that readers see either the old
// contents or the whole new contents, never a partial write: a cron job
// killed mid-report leaves the previous report in place.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Write calls write with a temporary file in path's directory, syncs it,
// and renames it over path. On any error the temporary file is removed and
// path is left as it was. When path is a symlink, the file it points to is
// replaced and the link kept. A replaced file keeps its mode and, when the
// caller may set them, its owner and group, so a report that was private
// stays private; a new file gets mode 0644.
func Write(path string, write func(io.Writer) error) (err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	mode, owner := os.FileMode(0o644), (*syscall.Stat_t)(nil)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
		owner, _ = info.Sys().(*syscall.Stat_t)
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating temporary file for %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if owner != nil {
		// Only root may give a file away; for others the file stays theirs.
		_ = tmp.Chown(int(owner.Uid), int(owner.Gid))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, errors.Unwrap(err))
	}
	return nil
}
