// Package cachefile reads and writes the console's cache files (the
// pipelines index, shell completion's names) under $XDG_CACHE_HOME, a
// directory other programs, and other people on a shared machine, may
// have written to. What is found there is only ever read if it is a
// regular file of this user, and only up to a bound: a FIFO must not
// block the read, a link to /dev/zero must not fill the memory, a link
// planted where the file will be written must not redirect the write.
// A file refused is the cache's miss, never a reason to fail.
package cachefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// ErrRefused is a file that is not read: not a regular file, not this
// user's, or larger than the bound. A RefusedError says which.
var ErrRefused = errors.New("not read")

// RefusedError is why a file was not read, in words that do not name
// it: what a console says may reach an SSH session, which has no
// business learning the server's paths.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// Is makes a RefusedError ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func refused(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// Read reads the regular file at path, of this user, of at most limit
// bytes. The last element of path is never followed if it is a symbolic
// link, and opening it never waits (a FIFO, a device): such a file is
// refused with ErrRefused, as is one larger than limit, found by its size
// or by reading past limit (a file that grows while it is read). A
// missing file is os.ErrNotExist.
func Read(path string, limit int64) ([]byte, error) {
	fh, err := openNoFollow(path)
	if err != nil {
		if isLink(path) {
			return nil, refused("it is a symbolic link")
		}
		return nil, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, refused("it is not a regular file (%s)", info.Mode().Type())
	}
	if !ownedByUs(info) {
		return nil, refused("it belongs to another user")
	}
	if info.Size() > limit {
		return nil, refused("it is %d bytes, more than %s", info.Size(), SizeText(limit))
	}
	var buf bytes.Buffer
	buf.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(fh, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, refused("it grew past %s while it was read", SizeText(limit))
	}
	return buf.Bytes(), nil
}

// isLink reports whether path itself is a symbolic link.
func isLink(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.Mode()&os.ModeSymlink != 0
}

// Write replaces the file at path with data, atomically: data goes to a
// new file of mode 0600 with a random name in the same directory (made
// 0700 when missing), synced, then renamed over path. The new file is
// created exclusively, so nothing planted in the directory is written
// through; the rename replaces whatever entry path was (a link, a FIFO),
// never what it pointed at; a reader sees the old file or the new one,
// never half of one.
func Write(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file 0600 already; say so for any umask.
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SizeText writes a byte count for a person: "16 MB", "97 KB".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
