package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

// The completion cache lives under XDG_CACHE_HOME, where anything may have
// been put: a FIFO, a link to /dev/zero, a link where a temporary file of
// a predictable name would go. Each is refused or stepped round, and Tab
// still completes, at once.

// completionCacheFile is the cache file of e's sandbox organisation.
func (e *cliEnv) completionCacheFile(t *testing.T) string {
	t.Helper()
	path := completionCachePath(e.getenv, strings.TrimRight(e.Server.URL, "/"), e.Sandbox.Org())
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// completeWithin asks for completions as the shell does, and fails if
// they do not come within 10 seconds; unblock then lets a stuck read end.
func (e *cliEnv) completeWithin(t *testing.T, unblock func(), words ...string) string {
	t.Helper()
	args := append([]string{"__complete", words[0], words[1], "--endpoint", e.Server.URL, "--org", e.Sandbox.Org()}, words[2:]...)
	done := make(chan string, 1)
	go func() {
		var out, errOut bytes.Buffer
		Execute(context.Background(), args, &out, &errOut, e.getenv)
		done <- out.String()
	}()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case out := <-done:
			return out
		default:
			time.Sleep(5 * time.Millisecond)
		}
	}
	if unblock != nil {
		unblock()
	}
	t.Fatal("completion did not answer within 10s")
	return ""
}

func TestCompletionCacheThatIsAFIFODoesNotBlock(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	path := e.completionCacheFile(t)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	out := e.completeWithin(t, func() {
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	}, "queue", "pause", "Mob")
	if !strings.Contains(out, "Mobile/") {
		t.Fatalf("completions: %q", out)
	}
	// The FIFO was replaced by the cache itself.
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		t.Fatalf("the cache after the completion: %v %v", info, err)
	}
}

// Run without the fix, this test reads /dev/zero until the memory is
// gone (3 GB in 10 s): try it under `ulimit -v`.
func TestCompletionCacheThatLinksToDevZeroIsNotRead(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	path := e.completionCacheFile(t)
	if err := os.Symlink("/dev/zero", path); err != nil {
		t.Fatal(err)
	}
	if out := e.completeWithin(t, nil, "queue", "pause", "Mob"); !strings.Contains(out, "Mobile/") {
		t.Fatalf("completions: %q", out)
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		t.Fatalf("the cache after the completion: %v %v", info, err)
	}
}

func TestCompletionCacheSaveDoesNotWriteThroughAPlantedTmpLink(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	path := e.completionCacheFile(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path+".tmp"); err != nil {
		t.Fatal(err)
	}
	if out := e.completeWithin(t, nil, "queue", "pause", "Mob"); !strings.Contains(out, "Mobile/") {
		t.Fatalf("completions: %q", out)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the planted link's target now holds %q", b)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "Mobile") {
		t.Fatalf("the cache: %q, %v", b, err)
	}
}
