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
)

// Write calls write with a temporary file in path's directory, syncs it,
// and renames it over path. On any error the temporary file is removed and
// path is left as it was.
//
// The new file belongs to the caller. It keeps the mode of the file it
// replaces, without group or other write permission, so a private report
// stays private and no other user can edit one written by root; a new file
// gets mode 0644. A symlink at path is replaced, never followed: root
// writing a report into /tmp must not overwrite the file another user's
// link points to.
func Write(path string, write func(io.Writer) error) (err error) {
	mode := os.FileMode(0o644)
	if info, err := os.Lstat(path); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm() &^ 0o022
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
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, errors.Unwrap(err))
	}
	return nil
}
