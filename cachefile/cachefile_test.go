package cachefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readWithin runs Read in the background and fails the test if it has not
// returned within a bound: a read that blocks (a FIFO) must fail, not hang
// the package's tests. unblock, if given, is run after a failure so that
// the blocked read can end.
func readWithin(t *testing.T, path string, limit int64, unblock func()) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := Read(path, limit)
		done <- result{data, err}
	}()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case r := <-done:
			return r.data, r.err
		default:
			time.Sleep(5 * time.Millisecond)
		}
	}
	if unblock != nil {
		unblock()
	}
	t.Fatalf("reading %s did not return within 5s", path)
	return nil, nil
}

func TestReadRefusesAFIFOAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := readWithin(t, path, 1<<20, func() {
		// A writer lets the blocked open return.
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("a FIFO: %v, want refused", err)
	}
}

func TestReadRefusesASymlinkToDevZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := os.Symlink("/dev/zero", path); err != nil {
		t.Fatal(err)
	}
	data, err := readWithin(t, path, 1<<20, nil)
	if !errors.Is(err, ErrRefused) || len(data) != 0 {
		t.Fatalf("a link to /dev/zero: %d bytes, %v; want refused", len(data), err)
	}
	// A device named directly is no regular file either.
	if _, err := readWithin(t, "/dev/zero", 1<<20, nil); !errors.Is(err, ErrRefused) {
		t.Fatalf("/dev/zero: %v, want refused", err)
	}
}

func TestReadRefusesASymlinkToARegularFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cache.json")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, 1<<20); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("a link: %v, want refused as a link", err)
	}
}

func TestReadRefusesAnotherUsersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := os.WriteFile(path, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, 1<<20); err != nil {
		t.Fatalf("our own file: %v", err)
	}
	me := uid()
	uid = func() int { return me + 1 }
	t.Cleanup(func() { uid = os.Geteuid })
	if _, err := Read(path, 1<<20); !errors.Is(err, ErrRefused) {
		t.Fatalf("another user's file: %v, want refused", err)
	}
}

// A file past the bound is refused by its size, before a byte is read:
// a sparse file of 1 GB costs the test no disk and no memory.
func TestReadRefusesAFileLargerThanTheBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Read(path, 1<<20); !errors.Is(err, ErrRefused) {
		t.Fatalf("a 1 GB file under a 1 MB bound: %v, want refused", err)
	}
	if err := os.Truncate(path, 1<<20); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(path, 1<<20); err != nil || len(data) != 1<<20 {
		t.Fatalf("a file of exactly the bound: %d bytes, %v", len(data), err)
	}
}

func TestReadMissingFile(t *testing.T) {
	if _, err := Read(filepath.Join(t.TempDir(), "none"), 1); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing file: %v", err)
	}
}

// A link planted where the temporary file of a predictable name would be
// written is never written through: its target keeps its content, and
// the cache file is written beside it.
func TestWriteNeverWritesThroughAPlantedLink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cache", "completion.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, planted := range []string{path + ".tmp", filepath.Join(filepath.Dir(path), ".completion.json.tmp")} {
		if err := os.Symlink(victim, planted); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(path, []byte(`{"clusters":[]}`)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target now holds %q", b)
	}
	got, err := Read(path, 1<<20)
	if err != nil || string(got) != `{"clusters":[]}` {
		t.Fatalf("the cache file: %q, %v", got, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("the cache file's mode is %v", info.Mode().Perm())
	}
}

// Write replaces a link, a FIFO or a file of another user found at the
// path itself: the entry is replaced, what it pointed at is not touched.
func TestWriteReplacesALinkOrFIFOAtThePath(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	link, fifo := filepath.Join(dir, "link.json"), filepath.Join(dir, "fifo.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{link, fifo} {
		if err := Write(path, []byte("new")); err != nil {
			t.Fatal(err)
		}
		if got, err := Read(path, 10); err != nil || !bytes.Equal(got, []byte("new")) {
			t.Fatalf("%s after the write: %q, %v", path, got, err)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target now holds %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("left in the directory: %v", entries)
	}
}
