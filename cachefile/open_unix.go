//go:build unix

package cachefile

import (
	"os"
	"syscall"
)

// openNoFollow opens path for reading without following a final symbolic
// link (O_NOFOLLOW) and without waiting for a writer (O_NONBLOCK: a FIFO
// opens at once, and is then refused as not a regular file).
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// uid is the user whose files are read; tests change it.
var uid = os.Geteuid

func ownedByUs(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid()
}
