package org

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// ids are the pipelines' ids in order.
func ids(ps []model.Pipeline) []string {
	out := make([]string, len(ps))
	for i := range ps {
		out[i] = ps[i].ID
	}
	return out
}

// sameRun reports where got and want first differ, or -1.
func sameRun(got, want []string) int {
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			return i
		}
	}
	return -1
}

// The last page comes before the pages between it and the first (G: one
// request, by the Link header's rel="last"), and is held as the list's
// tail: the pages between are a gap that says how many it lacks; a page
// from above goes before the tail, the page before the tail (going up)
// goes at its start, rows a filter found move into the tail when their
// page comes; the head and the tail join into the whole list, in the
// API's order, each page read once.
func TestTheLastPageComesBeforeThePagesBetween(t *testing.T) {
	t.Parallel()
	// 950 pipelines: ten pages, the last of 50.
	const pipelines = 950
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: pipelines}, nil)
	all, err := env.Client.ListPipelines(context.Background(), nil)
	if err != nil || len(all) != pipelines {
		t.Fatalf("the whole list: %d pipelines, %v", len(all), err)
	}
	want := ids(all)
	listed := pipelineRequests(env)
	s := New(env.Client, func() time.Time { return sandboxtest.Now }, nil)
	pc := s.Pipelines
	ctx := context.Background()
	load := func(what string, pages <-chan PipelinesPage, ok bool) {
		t.Helper()
		if !ok {
			t.Fatalf("%s did not start", what)
		}
		drain(pc, pages, nil)
		if pc.Err != nil {
			t.Fatalf("%s: %v", what, pc.Err)
		}
	}
	gap := func(wantAt, wantMissing int) {
		t.Helper()
		at, missing, ok := pc.Gap()
		if !ok || at != wantAt || missing != wantMissing {
			t.Fatalf("gap at %d of %d missing (%v), want at %d of %d missing", at, missing, ok, wantAt, wantMissing)
		}
	}
	// head and tail: the rows in are the first head and the last tail of
	// the whole list, in its order.
	rows := func(head, tail int) {
		t.Helper()
		got := ids(pc.Items)
		if len(got) != head+tail {
			t.Fatalf("%d rows, want %d + %d", len(got), head, tail)
		}
		if i := sameRun(got[:head], want[:head]); i >= 0 {
			t.Fatalf("head row %d is not the list's", i)
		}
		if i := sameRun(got[head:], want[len(want)-tail:]); i >= 0 {
			t.Fatalf("tail row %d is not the list's", i)
		}
	}

	if _, ok := pc.LoadLast(ctx, env.Client, Interactive); ok {
		t.Fatal("the last page was asked for before the first named it")
	}
	pages, ok := pc.LoadNext(ctx, env.Client, Interactive)
	load("page 1", pages, ok)
	if pc.Last != 10 || pc.Total != 0 {
		t.Fatalf("after page 1: last %d, total %d", pc.Last, pc.Total)
	}
	pages, ok = pc.LoadLast(ctx, env.Client, Interactive)
	if _, again := pc.LoadLast(ctx, env.Client, Interactive); again {
		t.Fatal("a second page started while one was on its way")
	}
	load("the last page", pages, ok)
	if n := pipelineRequests(env) - listed; n != 2 {
		t.Fatalf("%d requests for the first page and the last, want 2", n)
	}
	if pc.Tail != 10 || pc.Total != pipelines || pc.Pages != 1 || !pc.More || pc.Loaded {
		t.Fatalf("after the last page: tail %d, total %d, pages %d, more %v, loaded %v", pc.Tail, pc.Total, pc.Pages, pc.More, pc.Loaded)
	}
	rows(100, 50)
	gap(100, 800)
	if _, again := pc.LoadLast(ctx, env.Client, Interactive); again {
		t.Fatal("the last page was asked for again with the tail in")
	}

	// From above: page 2 goes after the head, before the tail.
	pages, ok = pc.LoadNext(ctx, env.Client, Interactive)
	load("page 2", pages, ok)
	rows(200, 50)
	gap(200, 700)
	// From below: page 9 goes at the tail's start.
	pages, ok = pc.LoadPrev(ctx, env.Client, Interactive)
	load("page 9", pages, ok)
	if pc.Tail != 9 {
		t.Fatalf("tail from page %d, want 9", pc.Tail)
	}
	rows(200, 150)
	gap(200, 600)

	// A filter finds rows of page 8, not loaded: they show before the
	// tail, and move into it when page 8 comes, shown once.
	found := all[720:723]
	pc.Merge(found)
	if got := ids(pc.Items[200:203]); sameRun(got, ids(found)) >= 0 {
		t.Fatalf("found rows at %v, want before the tail", got)
	}
	gap(203, 597) // the three found are not missing
	pages, ok = pc.LoadPrev(ctx, env.Client, Interactive)
	load("page 8", pages, ok)
	rows(200, 250)
	gap(200, 500)

	// A pipeline deleted from the head (here, not on the server: the
	// pages' bounds stay): the gap and the total follow.
	removed := pc.Items[5]
	pc.apply(PipelineRemoved{Slug: removed.Slug})
	gap(199, 500)
	if pc.Total != pipelines-1 {
		t.Fatalf("total %d after a deletion, want %d", pc.Total, pipelines-1)
	}
	want = append(want[:5:5], want[6:]...)

	// Up to page 3: the tail meets the head, and the list is whole.
	for pc.Tail > 0 {
		pages, ok = pc.LoadPrev(ctx, env.Client, Interactive)
		load("a page before the tail", pages, ok)
	}
	if _, _, ok := pc.Gap(); ok || !pc.Loaded || pc.More || pc.Pages != 10 {
		t.Fatalf("joined: gap %v, loaded %v, more %v, pages %d", ok, pc.Loaded, pc.More, pc.Pages)
	}
	if i := sameRun(ids(pc.Items), want); i >= 0 {
		t.Fatalf("the joined list differs from the API's at row %d", i)
	}
	if n := pipelineRequests(env) - listed; n != 10 {
		t.Fatalf("%d requests for 10 pages", n)
	}
}

// A pipeline made or deleted here while the list has a gap: a new one
// goes where the API lists it by name, before the gap or in the tail,
// and the gap stays before the tail's rows; the total follows.
func TestAChangeKeepsTheTailAndTheTotal(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 550}, nil)
	s := New(env.Client, func() time.Time { return sandboxtest.Now }, nil)
	pc := s.Pipelines
	ctx := context.Background()
	for _, load := range []func(context.Context, *api.Client, Lane) (<-chan PipelinesPage, bool){pc.LoadNext, pc.LoadLast} {
		pages, ok := load(ctx, env.Client, Interactive)
		if !ok {
			t.Fatal("a page did not start")
		}
		drain(pc, pages, nil)
	}
	at, missing, ok := pc.Gap()
	if !ok || at != 100 || missing != 400 || pc.Total != 550 {
		t.Fatalf("gap at %d of %d (%v), total %d; want at 100 of 400, total 550", at, missing, ok, pc.Total)
	}
	tailFirst := pc.Items[at].ID
	// Sorted first: before the gap, which moves down by one.
	pc.apply(PipelineChanged{Pipeline: model.Pipeline{ID: "new-first", Slug: "aaa-first", Name: "aaa first"}})
	// Sorted last: the tail's last row.
	pc.apply(PipelineChanged{Pipeline: model.Pipeline{ID: "new-last", Slug: "zzz-last", Name: "zzz last"}})
	if at, _, _ = pc.Gap(); pc.Items[at].ID != tailFirst || pc.Items[0].ID != "new-first" || pc.Items[len(pc.Items)-1].ID != "new-last" {
		t.Fatalf("after two new pipelines: first %s, gap before %s (want %s), last %s", pc.Items[0].ID, pc.Items[at].ID, tailFirst, pc.Items[len(pc.Items)-1].ID)
	}
	if pc.Total != 552 {
		t.Fatalf("total %d after two new pipelines, want 552", pc.Total)
	}
	pc.apply(PipelineRemoved{Slug: "aaa-first"})
	pc.apply(PipelineRemoved{Slug: "zzz-last"})
	if at, _, _ = pc.Gap(); pc.Items[at].ID != tailFirst || pc.Total != 550 || len(pc.Items) != 150 {
		t.Fatalf("after deleting them: gap before %s (want %s), total %d, %d rows", pc.Items[at].ID, tailFirst, pc.Total, len(pc.Items))
	}
}

// lastLinkSays rewrites the Link header's rel="last" to name page n.
func lastLinkSays(n int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(linkRewriter{ResponseWriter: w, last: n}, r)
		})
	}
}

type linkRewriter struct {
	http.ResponseWriter
	last int
}

var lastPage = regexp.MustCompile(`page=\d+(&[^>]*)?>; rel="last"`)

func (w linkRewriter) WriteHeader(code int) {
	if link := w.Header().Get("Link"); link != "" {
		w.Header().Set("Link", lastPage.ReplaceAllString(link, "page="+strconv.Itoa(w.last)+"${1}>; rel=\"last\""))
	}
	w.ResponseWriter.WriteHeader(code)
}

// A server whose Link header names a last page past what a list may hold
// (a million pages) is not trusted for G: the next page is asked for, as
// without rel="last", and no gap or total is made up from it.
func TestALastPagePastTheListsLimitIsNotTrusted(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 550}, lastLinkSays(1_000_000))
	s := New(env.Client, func() time.Time { return sandboxtest.Now }, nil)
	pc := s.Pipelines
	ctx := context.Background()
	for _, load := range []func(context.Context, *api.Client, Lane) (<-chan PipelinesPage, bool){pc.LoadNext, pc.LoadLast} {
		pages, ok := load(ctx, env.Client, Interactive)
		if !ok {
			t.Fatal("a page did not start")
		}
		drain(pc, pages, nil)
	}
	if pc.Last != 1_000_000 {
		t.Fatalf("the rewritten Link header names page %d", pc.Last)
	}
	if _, _, gap := pc.Gap(); gap || pc.Tail != 0 || pc.Total != 0 || pc.Pages != 2 {
		t.Fatalf("G on a million pages: gap %v, tail %d, total %d, pages %d; want page 2 and no gap", gap, pc.Tail, pc.Total, pc.Pages)
	}
	for _, r := range env.Sandbox.Requests() {
		if strings.Contains(r.Path, "page=1000000") {
			t.Fatalf("asked for %s", r.Path)
		}
	}
}
