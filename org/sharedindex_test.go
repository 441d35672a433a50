package org

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// useIndexNow starts reading s's index in dir, waits for it and takes it,
// as the console does over a few messages.
func useIndexNow(s *State, dir string) string {
	s.UseIndex(dir)
	<-s.IndexReady()
	return s.TakeIndex(s.PrepareIndex())
}

// forgetIndexes drops the process's shared indexes: the next console
// reads its file as a new process would.
func forgetIndexes() {
	indexes.mu.Lock()
	clear(indexes.m)
	indexes.mu.Unlock()
}

// UseIndex returns before the file is read: a console never waits for
// its index, however slow the read. Here the read is held until the test
// lets it go.
func TestUseIndexDoesNotWaitForTheFile(t *testing.T) {
	forgetIndexes()
	release := make(chan struct{})
	openIndex = func(dir, endpoint, org string) *pipelineindex.Index {
		<-release
		return pipelineindex.Open(dir, endpoint, org)
	}
	t.Cleanup(func() { openIndex = pipelineindex.Open })
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	s := New(env.Client, func() time.Time { return sandboxtest.Now }, nil)
	returned := make(chan struct{})
	go func() {
		s.UseIndex(t.TempDir())
		close(returned)
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		select {
		case <-returned:
		default:
			if time.Now().After(deadline) {
				close(release)
				t.Fatal("UseIndex waited for the file")
			}
			continue
		}
		break
	}
	select {
	case <-s.IndexReady():
		t.Fatal("the index is ready before its file was read")
	default:
	}
	if s.Filler.Step(context.Background(), sandboxtest.Now) {
		t.Fatal("the filler stepped before the index was read")
	}
	close(release)
	<-s.IndexReady()
	s.TakeIndex(s.PrepareIndex())
	if s.Filler == nil || s.Pipelines.Index() == nil {
		t.Fatal("the index was not taken")
	}
}

// A FIFO where the index should be: the console starts, the file is
// refused (said once), and the first save replaces it.
func TestAFIFOAsTheIndexDoesNotHangTheStart(t *testing.T) {
	forgetIndexes()
	dir := t.TempDir()
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	path := pipelineindex.Path(dir, env.Client.Endpoint(), env.Client.Org())
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Let a read stuck on the FIFO (without the fix) end.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	now := func() time.Time { return sandboxtest.Now }
	s := New(env.Client, now, nil)
	s.UseIndex(dir)
	select {
	case <-s.IndexReady():
	case <-time.After(5 * time.Second):
		t.Fatal("the index was not read within 5s")
	}
	if note := s.TakeIndex(s.PrepareIndex()); note == "" {
		t.Fatal("the refused FIFO was not said")
	}
	other := New(env.Client, now, nil)
	if note := useIndexNow(other, dir); note != "" {
		t.Fatalf("said twice: %q", note)
	}
	pages, _ := s.Pipelines.LoadNext(context.Background(), env.Client, Interactive)
	drain(s.Pipelines, pages, nil)
	waitSaved(t, s.Pipelines.Index(), len(s.Pipelines.Items))
	waitSaverIdle(s)
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		t.Fatalf("the index file after a save: %v, %v", info, err)
	}
}

// The consoles of one process (an SSH server's sessions) share one index:
// the file is read once, and what one console learns the others have.
func TestConsolesShareOneIndex(t *testing.T) {
	forgetIndexes()
	dir := t.TempDir()
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	now := func() time.Time { return sandboxtest.Now }
	// A file to read.
	seed := pipelineindex.Open(dir, env.Client.Endpoint(), env.Client.Org())
	seed.Upsert(pipelineindex.Entry{ID: "p1", Slug: "one", Name: "One"})
	if err := seed.Save(); err != nil {
		t.Fatal(err)
	}
	before := pipelineindex.Loads()
	sessions := make([]*State, 3)
	for i := range sessions {
		sessions[i] = New(env.Client, now, nil)
		useIndexNow(sessions[i], dir)
	}
	if n := pipelineindex.Loads() - before; n != 1 {
		t.Fatalf("three consoles read the file %d times, want once", n)
	}
	for i, s := range sessions[1:] {
		if s.Pipelines.Index() != sessions[0].Pipelines.Index() {
			t.Fatalf("console %d has an index of its own", i+2)
		}
		if _, ok := s.Pipelines.Find("one"); !ok {
			t.Fatalf("console %d does not show the index's pipeline", i+2)
		}
	}
	// One listing for all: a step of one console is a step of each.
	if !sessions[0].Filler.Step(context.Background(), sandboxtest.Now) {
		t.Fatal("a step did not start")
	}
	if sessions[1].Filler.Step(context.Background(), sandboxtest.Now) {
		t.Fatal("a second console's step ran beside the first's")
	}
	for sessions[0].Filler.Running() {
		time.Sleep(time.Millisecond)
	}
	waitSaverIdle(sessions[0])
}

// waitSaverIdle waits for s's index saves to end: the test's directory
// is removed after it.
func waitSaverIdle(s *State) {
	for {
		sv := s.index.saver
		sv.mu.Lock()
		busy := sv.running
		sv.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// endlessPipelines is an API whose pipelines list never ends: every page
// has one pipeline and links to the next.
func endlessPipelines(t *testing.T) (*api.Client, *atomic.Int64) {
	t.Helper()
	var pages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		next := *r.URL
		q := next.Query()
		var p int
		fmt.Sscan(page, &p)
		q.Set("page", fmt.Sprint(p+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next.String()))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `[{"id":"p-%d","slug":"p-%d","name":"P %d","repository":"git@example.com:r.git"}]`, n, n, n)
	}))
	t.Cleanup(srv.Close)
	client, err := api.New(api.Config{Org: "acme", Endpoint: srv.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return client, &pages
}

// Finding 10: the filler followed a list whose pages never end past
// 1,000 pages. One listing reads at most MaxPages, keeps what it read,
// and does not start again before RefreshAfter.
func TestIndexFillerStopsAtItsBound(t *testing.T) {
	forgetIndexes()
	client, pages := endlessPipelines(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := New(client, func() time.Time { return now }, nil)
	useIndexNow(s, filepath.Join(t.TempDir(), "cache"))
	f := s.Filler
	f.MaxPages, f.PagesPerStep = 30, 7
	for steps := 0; f.Step(context.Background(), now); steps++ {
		for f.Running() {
			time.Sleep(time.Millisecond)
		}
		if steps > 50 {
			t.Fatalf("the filler still lists after %d steps and %d pages", steps, pages.Load())
		}
	}
	if n := pages.Load(); n != 30 {
		t.Fatalf("the listing read %d pages, want 30", n)
	}
	if f.Index.Len() != 30 || !f.Index.CompletedAt().IsZero() || f.Stopped() == "" {
		t.Fatalf("after the bound: %d pipelines, completed %v, stopped %q", f.Index.Len(), f.Index.CompletedAt(), f.Stopped())
	}
	// RefreshAfter later, it tries again from page 1.
	now = now.Add(DefaultIndexRefresh)
	if !f.Step(context.Background(), now) {
		t.Fatal("no step after RefreshAfter")
	}
	for f.Running() {
		time.Sleep(time.Millisecond)
	}
	waitSaverIdle(s)
	if defaultFillPages != 500 {
		t.Fatalf("the default bound is %d pages", defaultFillPages)
	}
}
