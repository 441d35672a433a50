package pipelineindex_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// openWithin opens the index in the background and fails the test if it
// has not returned within a bound; unblock then lets a stuck read end.
func openWithin(t *testing.T, dir string, unblock func()) *pipelineindex.Index {
	t.Helper()
	done := make(chan *pipelineindex.Index, 1)
	go func() { done <- pipelineindex.Open(dir, endpoint, "acme") }()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case ix := <-done:
			return ix
		default:
			time.Sleep(5 * time.Millisecond)
		}
	}
	if unblock != nil {
		unblock()
	}
	t.Fatal("opening the index did not return within 5s")
	return nil
}

// A FIFO where the index should be is refused at once, and replaced by
// the next save.
func TestAFIFOIsNotReadAsTheIndex(t *testing.T) {
	dir := t.TempDir()
	path := pipelineindex.Path(dir, endpoint, "acme")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	ix := openWithin(t, dir, func() {
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	})
	if ix.Len() != 0 || !strings.Contains(ix.Discarded(), "not a regular file") {
		t.Fatalf("a FIFO: %d entries, discarded %q", ix.Len(), ix.Discarded())
	}
	// What a console may say over SSH does not name the server's paths.
	if strings.Contains(ix.Discarded(), dir) {
		t.Fatalf("the reason names the file: %q", ix.Discarded())
	}
	ix.Upsert(entries()...)
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	if again := pipelineindex.Open(dir, endpoint, "acme"); again.Len() != 3 {
		t.Fatalf("after the save: %d entries, discarded %q", again.Len(), again.Discarded())
	}
}

func TestALinkIsNotReadAsTheIndex(t *testing.T) {
	dir := t.TempDir()
	// A valid index elsewhere, linked to: not read either.
	elsewhere := t.TempDir()
	valid := pipelineindex.Open(elsewhere, endpoint, "acme")
	valid.Upsert(entries()...)
	if err := valid.Save(); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/dev/zero", valid.Path()} {
		path := pipelineindex.Path(dir, endpoint, "acme")
		os.Remove(path)
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		ix := openWithin(t, dir, nil)
		if ix.Len() != 0 || ix.Discarded() == "" {
			t.Fatalf("a link to %s: %d entries, discarded %q", target, ix.Len(), ix.Discarded())
		}
	}
}

// writeIndex writes a valid index file of n pipelines whose names are
// nameLen bytes long, as a later version of the console might have.
func writeIndex(t *testing.T, dir string, n, nameLen int) int {
	t.Helper()
	f, err := os.Create(pipelineindex.Path(dir, endpoint, "acme"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	size := 0
	write := func(s string) {
		k, err := w.WriteString(s)
		if err != nil {
			t.Fatal(err)
		}
		size += k
	}
	write(fmt.Sprintf(`{"version":%d,"endpoint":%q,"org":"acme","completed_at":"2026-06-01T12:00:00Z","pipelines":[`, pipelineindex.FormatVersion, endpoint))
	chunk := strings.Repeat("x", 1<<16)
	for i := range n {
		if i > 0 {
			write(",")
		}
		write(fmt.Sprintf(`{"id":"%d","slug":"p-%d","name":"`, i, i))
		for left := nameLen; left > 0; left -= len(chunk) {
			write(chunk[:min(left, len(chunk))])
		}
		write(`"}`)
	}
	write("]}")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return size
}

// A valid index past the bounds — larger than MaxFileSize, or of more
// than MaxEntries pipelines — is ignored, said, and rewritten. The first
// is refused by its size alone, before it is read.
func TestAnIndexPastTheBoundsIsIgnored(t *testing.T) {
	pipelineindex.SetMaxEntries(t, 1000)
	for name, shape := range map[string]struct{ n, nameLen int }{
		"larger than MaxFileSize": {1, pipelineindex.MaxFileSize + 1},
		"more than MaxEntries":    {pipelineindex.MaxEntriesNow() + 1, 1},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			size := writeIndex(t, dir, shape.n, shape.nameLen)
			ix := pipelineindex.Open(dir, endpoint, "acme")
			t.Logf("%d pipelines, %d bytes: discarded %q", shape.n, size, ix.Discarded())
			if ix.Len() != 0 || !ix.CompletedAt().IsZero() || ix.Discarded() == "" {
				t.Fatalf("%d pipelines, %d bytes: read %d, discarded %q", shape.n, size, ix.Len(), ix.Discarded())
			}
			ix.Upsert(entries()...)
			if err := ix.Save(); err != nil {
				t.Fatal(err)
			}
			if again := pipelineindex.Open(dir, endpoint, "acme"); again.Len() != 3 || again.Discarded() != "" {
				t.Fatalf("rewritten: %d entries, discarded %q", again.Len(), again.Discarded())
			}
		})
	}
}

// The index never holds more than MaxEntries, and never says a listing
// past it was complete; a file it would not read is not written.
func TestTheIndexHoldsAtMostMaxEntries(t *testing.T) {
	pipelineindex.SetMaxEntries(t, 1000)
	ix := pipelineindex.Open(t.TempDir(), endpoint, "acme")
	many := make([]pipelineindex.Entry, pipelineindex.MaxEntriesNow()+10)
	for i := range many {
		many[i] = pipelineindex.Entry{ID: fmt.Sprint(i), Slug: fmt.Sprint("p-", i), Name: fmt.Sprint("P ", i)}
	}
	ix.Replace(many, when)
	if ix.Len() != pipelineindex.MaxEntriesNow() || !ix.CompletedAt().IsZero() {
		t.Fatalf("replaced by %d: %d entries, completed %v", len(many), ix.Len(), ix.CompletedAt())
	}
	if ix.Upsert(pipelineindex.Entry{ID: "one more"}) || ix.Len() != pipelineindex.MaxEntriesNow() {
		t.Fatalf("an entry past the bound: %d entries", ix.Len())
	}
	if !ix.Upsert(pipelineindex.Entry{ID: "0", Name: "renamed"}) {
		t.Fatal("an entry already held was refused")
	}
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	// One long name: the file would be past the bound.
	pipelineindex.SetMaxFileSize(t, 64<<10)
	ix.Upsert(pipelineindex.Entry{ID: "0", Name: strings.Repeat("x", 64<<10)})
	if err := ix.Save(); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("saving a file past MaxFileSize: %v", err)
	}
}
