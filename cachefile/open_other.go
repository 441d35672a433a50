//go:build !unix

package cachefile

import (
	"fmt"
	"os"
)

// openNoFollow refuses a symbolic link (looked at first, so not atomically:
// the platform has no O_NOFOLLOW) and opens what is there.
func openNoFollow(path string) (*os.File, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", path, ErrRefused)
	}
	return os.Open(path)
}

// ownedByUs is true: the platform's files carry no user id to compare.
func ownedByUs(os.FileInfo) bool { return true }
