package audit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeTimers stands in for time.AfterFunc: the test fires what is due.
type fakeTimers struct {
	mu      sync.Mutex
	pending []*fakeTimer
}

type fakeTimer struct {
	f       func()
	stopped bool
}

func (ft *fakeTimers) after(_ time.Duration, f func()) func() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	t := &fakeTimer{f: f}
	ft.pending = append(ft.pending, t)
	return func() bool {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// fire runs every timer not stopped, as if their windows had all ended.
func (ft *fakeTimers) fire() {
	ft.mu.Lock()
	var due []func()
	for _, t := range ft.pending {
		if !t.stopped {
			t.stopped = true
			due = append(due, t.f)
		}
	}
	ft.pending = nil
	ft.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func openWithTimers(t *testing.T) (*Log, *fakeTimers, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	ft := &fakeTimers{}
	log.after = ft.after
	return log, ft, path
}

// A viewer who reconnects under a new user name for every refusal is
// still one person, the key: one line and one count per window, not a line
// per connection (265 lines in 30 s when keyed on the name).
func TestRotatingUserNamesShareOneCount(t *testing.T) {
	log, ft, path := openWithTimers(t)
	for i := range 265 {
		a := Actor{Who: fmt.Sprintf("user%d", i), WhoIs: WhoIsClientName, Via: "ssh", Fingerprint: "SHA256:vera"}
		log.Refused(a, "acme", "queue.pause", Target{QueueKey: "default"}, "")
	}
	if n := len(readEntries(t, path)); n != 1 {
		t.Fatalf("%d lines for 265 connections of one key, want 1", n)
	}
	ft.fire()
	entries := readEntries(t, path)
	if len(entries) != 2 || entries[1].Repeated != 264 || entries[1].Fingerprint != "SHA256:vera" {
		t.Fatalf("entries = %+v", entries)
	}
	// Without a key (a local actor) the name is the person.
	log.Refused(Actor{Who: "a", Via: "local"}, "acme", "queue.pause", Target{}, "")
	log.Refused(Actor{Who: "b", Via: "local"}, "acme", "queue.pause", Target{}, "")
	if n := len(readEntries(t, path)); n != 4 {
		t.Fatalf("%d lines, want two local people's own lines", n)
	}
}

// A window's count is written when the window ends, with nothing else
// written after it; a window ended by a later write is not written twice.
func TestACountIsWrittenWhenItsWindowEnds(t *testing.T) {
	log, ft, path := openWithTimers(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	log.now = func() time.Time { return now }
	vera := Actor{Who: "vera", Via: "ssh", Fingerprint: "SHA256:vera"}
	for range 3 {
		log.Refused(vera, "acme", "queue.pause", Target{}, "")
	}
	if n := len(readEntries(t, path)); n != 1 {
		t.Fatalf("%d lines before the window ends", n)
	}
	ft.fire()
	if e := readEntries(t, path); len(e) != 2 || e[1].Repeated != 2 {
		t.Fatalf("entries after the window = %+v", e)
	}
	// A new window ended by the next refusal: its timer, firing late,
	// writes nothing more.
	log.Refused(vera, "acme", "queue.pause", Target{}, "")
	log.Refused(vera, "acme", "queue.pause", Target{}, "")
	now = now.Add(RefusalWindow)
	log.Refused(vera, "acme", "queue.pause", Target{}, "")
	before := len(readEntries(t, path))
	ft.mu.Lock()
	stale := ft.pending[0]
	ft.mu.Unlock()
	stale.f()
	if n := len(readEntries(t, path)); n != before {
		t.Fatalf("a window's count was written twice: %d lines, then %d", before, n)
	}
}

// C1 controls, bidi overrides and zero-width characters in a name, a note
// or an API name are written as \u escapes: the line reads back the same,
// and its bytes drive no terminal.
func TestAuditLinesAreInertOnATerminal(t *testing.T) {
	log, _, path := openWithTimers(t)
	hostile := "\u009b2J\u009d0;owned\u009c\u202egnp.exe\u2066\u200b\ufeff\x1b[31m\x07"
	a := Actor{Who: "eve" + hostile, Via: "ssh", Fingerprint: "SHA256:eve"}
	log.Refused(a, "acme", "queue.pause", Target{ClusterName: hostile, QueueKey: hostile}, "note"+hostile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []rune{0x9b, 0x9d, 0x9c, 0x202e, 0x2066, 0x200b, 0xfeff, 0x1b, 0x07} {
		if bytes.ContainsRune(raw, r) {
			t.Errorf("U+%04X written raw: %q", r, raw)
		}
	}
	e := readEntries(t, path)
	if len(e) != 1 || e[0].Who != a.Who || e[0].Note != "note"+hostile || e[0].Target.ClusterName != hostile {
		t.Fatalf("the line does not read back the same: %+v", e)
	}
}
