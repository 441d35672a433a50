package org

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// LooksLikeRepository reports whether typed text is more likely part of a
// repository's URL than of a pipeline's name: it has a '/', a ':', or a
// ".git". Such text is also asked of the server's
// repository filter.
func LooksLikeRepository(text string) bool {
	t := strings.ToLower(text)
	return strings.ContainsAny(t, "/:") || strings.Contains(t, ".git") ||
		strings.HasPrefix(t, "git@")
}

// Found is what the server's filters found for text: the first page of
// each filter asked, merged by id. Complete says no filter had more
// pages, so a longer text (which matches fewer pipelines) needs no
// request of its own.
type Found struct {
	Text      string
	Pipelines []model.Pipeline
	Complete  bool
}

// Search asks the server for the pipelines whose name (and, for text
// that looks like a repository, whose repository) contains text: one
// request, or two. Each is a person's look, made in ctx's lane.
func Search(ctx context.Context, client *api.Client, text string) (Found, error) {
	out := Found{Text: text, Complete: true}
	seen := map[string]bool{}
	add := func(ps []model.Pipeline, more bool) {
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				out.Pipelines = append(out.Pipelines, p)
			}
		}
		out.Complete = out.Complete && !more
	}
	ps, more, err := client.FindPipelines(ctx, api.PipelineFilter{Name: text})
	if err != nil {
		return out, err
	}
	add(ps, more)
	if LooksLikeRepository(text) {
		ps, more, err := client.FindPipelines(ctx, api.PipelineFilter{Repository: text})
		if err != nil {
			return out, err
		}
		add(ps, more)
	}
	return out, nil
}

// Searches remembers the texts the server has answered in full, so that
// typing on ("dep" → "depl" → "deploy") costs no request while a shorter
// text's answer already holds every match.
type Searches struct {
	complete []string
}

// Needed reports whether text must be asked of the server.
func (s *Searches) Needed(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return false
	}
	for _, c := range s.complete {
		if strings.Contains(t, c) {
			return false
		}
	}
	return true
}

// Answered records the server's answer for f.Text.
func (s *Searches) Answered(f Found) {
	if f.Complete {
		s.complete = append(s.complete, strings.ToLower(strings.TrimSpace(f.Text)))
	}
}

// IndexFiller completes and refreshes the on-disk index in the
// background lane: a few pages at a time, within the background share of
// the API budget (a deferred page is tried again at the next step), from
// page 1 to the last, then again once the listing is older than
// RefreshAfter. In a 10,000-pipeline organisation that takes minutes,
// which is fine: the index only has to be there at the next start.
//
// It writes only to the index, which is safe for concurrent use, never to
// the console's state, so it runs off the event loop.
//
// One listing is bounded: at most MaxPages pages, never more pipelines
// than an index holds. A listing that reaches the bound (a server whose
// pages never end) stops, keeps what it read, and is not tried again
// before RefreshAfter.
//
// The consoles that share an index (SSH sessions) share its listing too:
// each has its own IndexFiller, with its own client, and a step of any of
// them goes on from where the last one stopped; one step runs at a time.
type IndexFiller struct {
	Index        *pipelineindex.Index
	Client       *api.Client
	RefreshAfter time.Duration
	// PagesPerStep bounds the pages one step reads (default 4).
	PagesPerStep int
	// MaxPages bounds the pages of one listing (default: the pages that
	// hold pipelineindex.MaxEntries).
	MaxPages int

	// stepDone is closed when the last step started has ended (Wait).
	mu       sync.Mutex
	stepDone chan struct{}
	// saver is the index's, shared with the consoles' own saves.
	saver *indexSaver
	// progress is the listing's, shared by the consoles of the index.
	progress *fillProgress
}

// fillProgress is a listing in progress.
type fillProgress struct {
	running atomic.Bool
	// next and seen are the listing in progress; stoppedAt and stopped
	// say when and why the last one stopped at its bound. Only the step
	// that holds running touches them.
	next      int
	seen      []pipelineindex.Entry
	stoppedAt time.Time
	stopped   string
}

// DefaultIndexRefresh is how old a complete index may be before the
// filler lists the pipelines again.
const DefaultIndexRefresh = time.Hour

// defaultFillPages is the pages that hold the most pipelines an index
// keeps.
const defaultFillPages = pipelineindex.MaxEntries / api.PerPage

// Step starts reading the next few pages unless a step is running or the
// index is complete and recent. It reports whether it started one.
func (f *IndexFiller) Step(ctx context.Context, now time.Time) bool {
	if f == nil || f.Index == nil || f.Client == nil {
		return false
	}
	every := f.RefreshAfter
	if every <= 0 {
		every = DefaultIndexRefresh
	}
	if f.progress == nil {
		f.progress = &fillProgress{}
	}
	p := f.progress
	if !p.running.CompareAndSwap(false, true) {
		return false
	}
	// The progress is the running step's: read only once this step holds
	// running.
	if done := f.Index.CompletedAt(); p.next == 0 && !done.IsZero() && now.Sub(done) < every {
		p.running.Store(false)
		return false
	}
	if p.next == 0 && !p.stoppedAt.IsZero() && now.Sub(p.stoppedAt) < every {
		p.running.Store(false)
		return false
	}
	done := make(chan struct{})
	f.mu.Lock()
	f.stepDone = done
	f.mu.Unlock()
	go func() {
		defer close(done)
		defer p.running.Store(false)
		f.step(api.InBackground(ctx), now, every)
	}()
	return true
}

// Running reports whether a step is reading pages now.
func (f *IndexFiller) Running() bool { return f.progress != nil && f.progress.running.Load() }

// Stopped says why the last listing stopped before its end (its bound),
// or "". Call it between steps.
func (f *IndexFiller) Stopped() string {
	if f.progress == nil {
		return ""
	}
	return f.progress.stopped
}

// Wait waits for the step under way, if any, and for the index's save
// that it started to reach the disk.
func (f *IndexFiller) Wait() {
	f.mu.Lock()
	done := f.stepDone
	f.mu.Unlock()
	if done == nil {
		return
	}
	<-done
	if f.saver != nil { // set by the step, which has ended
		f.saver.wait()
	}
}

func (f *IndexFiller) step(ctx context.Context, now time.Time, every time.Duration) {
	p := f.progress
	pages := f.PagesPerStep
	if pages <= 0 {
		pages = 4
	}
	maxPages := f.MaxPages
	if maxPages <= 0 {
		maxPages = defaultFillPages
	}
	if p.next == 0 {
		// Another process may have completed the same file since this
		// one read it (the consoles of this one share the index): take
		// that listing rather than make one more.
		disk := pipelineindex.Open(filepath.Dir(f.Index.Path()), f.Client.Endpoint(), f.Client.Org())
		if done := disk.CompletedAt(); !done.IsZero() && now.Sub(done) < every && done.After(f.Index.CompletedAt()) {
			f.Index.Replace(disk.All(), done)
			return
		}
		p.next, p.seen = 1, nil
	}
	for range pages {
		if p.next > maxPages || len(p.seen) >= pipelineindex.MaxEntries {
			// A list no index holds, or pages that never end: what was
			// read stays, and the listing waits for RefreshAfter.
			p.stoppedAt, p.stopped = now, fmt.Sprintf("the pipelines list went past %d pages (%d pipelines); the index keeps what was read", maxPages, len(p.seen))
			p.next, p.seen = 0, nil
			break
		}
		page, more, err := f.Client.PipelinesPageN(ctx, p.next)
		if _, partial := api.Partial(err); err != nil && !partial {
			// Deferred, or failed: the next step tries this page again.
			break
		}
		for _, pl := range page.Items {
			e := pipelineindex.FromPipeline(pl)
			p.seen = append(p.seen, e)
			f.Index.Upsert(e)
		}
		if !more {
			// Every page is read: what the listing did not see is gone.
			f.Index.Replace(p.seen, now)
			p.next, p.seen, p.stoppedAt, p.stopped = 0, nil, time.Time{}, ""
			break
		}
		p.next++
	}
	if f.saver == nil {
		f.saver = &indexSaver{}
	}
	f.saver.save(f.Index)
}
