package org

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/cachefile"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

func pipelineRequests(env *sandboxtest.Env) int {
	n := 0
	for _, r := range env.Sandbox.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(strings.SplitN(r.Path, "?", 2)[0], "/pipelines") {
			n++
		}
	}
	return n
}

// LoadNext fetches one page a call, in order, and says when the list has
// no more; the rows are merged by id, so a page that repeats one (a
// filter's answer, say) does not show it twice.
func TestLoadNextFetchesOnePageACall(t *testing.T) {
	t.Parallel()
	// Ten pages are as many as 100 for paging one at a time, and seed in a
	// tenth of the time.
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 1000}, nil)
	s := New(env.Client, func() time.Time { return sandboxtest.Now }, nil)
	pc := s.Pipelines
	ctx := context.Background()
	for want := 1; want <= 3; want++ {
		pages, ok := pc.LoadNext(ctx, env.Client, Interactive)
		if !ok {
			t.Fatalf("page %d did not start", want)
		}
		if _, again := pc.LoadNext(ctx, env.Client, Interactive); again {
			t.Fatal("a second page started while one was on its way")
		}
		drain(pc, pages, nil)
		if pc.Pages != want || !pc.More || len(pc.Items) != want*api.PerPage || pc.Loaded {
			t.Fatalf("after page %d: pages %d, more %v, %d rows, loaded %v", want, pc.Pages, pc.More, len(pc.Items), pc.Loaded)
		}
		if n := pipelineRequests(env); n != want {
			t.Fatalf("%d requests for %d pages", n, want)
		}
	}
	if pc.Last != 10 {
		t.Fatalf("last page %d, want 10", pc.Last)
	}
	// r fetches the first page again: one request; the pages further
	// down stay, and the next LoadNext goes on from them.
	pages, _ := pc.Reload(ctx, env.Client, Fresh)
	drain(pc, pages, nil)
	if n := pipelineRequests(env); n != 4 || pc.Pages != 3 || !pc.More || len(pc.Items) != 3*api.PerPage {
		t.Fatalf("after r: %d requests, pages %d, more %v, %d rows", n, pc.Pages, pc.More, len(pc.Items))
	}
	// A filter's answer: rows already in are replaced, not repeated.
	found, err := Search(ctx, env.Client, pc.Items[0].Name)
	if err != nil || len(found.Pipelines) == 0 {
		t.Fatalf("search: %v, %d found", err, len(found.Pipelines))
	}
	rev := pc.Revision
	pc.Merge(found.Pipelines)
	seen := map[string]bool{}
	for _, p := range pc.Items {
		if seen[p.ID] {
			t.Fatalf("%s shows twice", p.Name)
		}
		seen[p.ID] = true
	}
	if pc.Revision == rev {
		t.Fatal("replacing a row did not change the revision: screens would not rebuild")
	}
}

// Text that looks like part of a repository is asked of both filters;
// a complete answer spares the longer texts typed after it a request.
func TestSearchAsksTheRepositoryFilterAndRemembersCompleteAnswers(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 1000}, nil)
	ctx := context.Background()
	for text, want := range map[string]bool{"payments core": false, "acme-inc/ads": true, "git@github.com:acme": true, "ads.git": true} {
		if got := LooksLikeRepository(text); got != want {
			t.Errorf("LooksLikeRepository(%q) = %v", text, got)
		}
	}
	found, err := Search(ctx, env.Client, "acme-inc/ads-ledger")
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Pipelines) == 0 || pipelineRequests(env) != 2 {
		t.Fatalf("%d found with %d requests, want some with 2", len(found.Pipelines), pipelineRequests(env))
	}
	for _, p := range found.Pipelines {
		if !strings.Contains(strings.ToLower(p.Repository), "acme-inc/ads-ledger") && !strings.Contains(strings.ToLower(p.Name), "acme-inc/ads-ledger") {
			t.Fatalf("%s (%s) does not match", p.Name, p.Repository)
		}
	}
	var ss Searches
	if !ss.Needed("web stream") {
		t.Fatal("a new text is not needed")
	}
	ss.Answered(Found{Text: "web stream", Complete: true})
	if ss.Needed("web stream worker") {
		t.Fatal("a longer text asked again after a complete answer")
	}
	ss.Answered(Found{Text: "api", Complete: false})
	if !ss.Needed("api gateway") {
		t.Fatal("an incomplete answer spared a request it cannot")
	}
}

// The index: a first start records what it sees; a second start shows
// it without a request; the console's own changes update it; a corrupt
// file is ignored and rewritten.
func TestThePipelinesIndexAcrossStarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 1000}, nil)
	now := func() time.Time { return sandboxtest.Now }
	ctx := context.Background()

	first := New(env.Client, now, nil)
	useIndexNow(first, dir)
	pages, _ := first.Pipelines.LoadNext(ctx, env.Client, Interactive)
	drain(first.Pipelines, pages, nil)
	renamed := first.Pipelines.Items[3]
	renamed.Name, renamed.Slug = "renamed here", "renamed-here"
	first.Apply(PipelineChanged{Pipeline: renamed})
	gone := first.Pipelines.Items[5]
	first.Apply(PipelineRemoved{Slug: gone.Slug})
	waitSaved(t, first.Pipelines.Index(), api.PerPage-1)

	before := pipelineRequests(env)
	forgetIndexes() // a start of another process
	second := New(env.Client, now, nil)
	useIndexNow(second, dir)
	if len(second.Pipelines.Items) != api.PerPage-1 || pipelineRequests(env) != before {
		t.Fatalf("the second start shows %d pipelines, after %d requests", len(second.Pipelines.Items), pipelineRequests(env)-before)
	}
	if p, ok := second.Pipelines.Find("renamed-here"); !ok || p.Name != "renamed here" || !second.Pipelines.FromIndex(&p) {
		t.Fatalf("the rename is not in the index: %+v %v", p, ok)
	}
	if _, ok := second.Pipelines.Find(gone.Slug); ok {
		t.Fatal("the deleted pipeline is still in the index")
	}
	if second.Pipelines.Loaded {
		t.Fatal("an index of one page claims every pipeline")
	}

	// A corrupt file is ignored, then rewritten.
	path := second.Pipelines.Index().Path()
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	forgetIndexes()
	third := New(env.Client, now, nil)
	useIndexNow(third, dir)
	if len(third.Pipelines.Items) != 0 || third.Pipelines.Index().Discarded() == "" {
		t.Fatalf("a corrupt index gave %d pipelines (discarded: %q)", len(third.Pipelines.Items), third.Pipelines.Index().Discarded())
	}
	pages, _ = third.Pipelines.LoadNext(ctx, env.Client, Interactive)
	drain(third.Pipelines, pages, nil)
	waitSaved(t, third.Pipelines.Index(), api.PerPage)
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the rewritten index: %v %v", info, err)
	}
}

// waitSaved waits for the background save to put n pipelines on disk.
func waitSaved(t *testing.T, ix *pipelineindex.Index, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if disk := reopen(ix); disk == n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the index on disk never held %d pipelines", n)
}

// reopen counts the pipelines of ix's file as a new start would read it
// (never waiting on a FIFO there).
func reopen(ix *pipelineindex.Index) int {
	b, err := cachefile.Read(ix.Path(), pipelineindex.MaxFileSize)
	if err != nil {
		return -1
	}
	return strings.Count(string(b), `"slug"`)
}

// The filler completes the index in the background lane under the
// user's window of 50: each step spends at most the background share and
// nothing is refused; the windows reset on the test's clock. Thirty
// pages take three windows; 10,000 pipelines would cost seconds more
// under the race detector and show nothing more.
func TestIndexFillerStaysWithinTheBackgroundShare(t *testing.T) {
	t.Parallel()
	const pipelines = 3000
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, Clock: clock, LargePipelines: pipelines,
		RateLimit: sandbox.RateLimit{Limit: 200, Window: time.Minute}, UserRateLimit: sandbox.RateLimit{Limit: 50, Window: time.Minute}}, nil)
	client := env.ClientWith(t, api.Config{Now: clock.Now})
	s := New(client, clock.Now, nil)
	useIndexNow(s, t.TempDir())
	f := s.Filler
	f.PagesPerStep = 100
	windows := 0
	for s.Filler.Index.CompletedAt().IsZero() {
		before := pipelineRequests(env)
		if !f.Step(context.Background(), clock.Now()) {
			t.Fatal("a step did not start")
		}
		for f.Running() {
			time.Sleep(time.Millisecond)
		}
		spent := pipelineRequests(env) - before
		if share := 50 / 4; spent > share {
			t.Fatalf("a step spent %d requests of a window of 50, more than the background share of %d", spent, share)
		}
		clock.Add(61 * time.Second)
		windows++
		if windows > 20 {
			t.Fatalf("not complete after %d windows: %d pipelines", windows, f.Index.Len())
		}
	}
	for _, r := range env.Sandbox.Requests() {
		if r.Status == http.StatusTooManyRequests {
			t.Fatal("a request was refused")
		}
	}
	if f.Index.Len() != pipelines || windows < 3 {
		t.Fatalf("the index holds %d pipelines after %d windows, want %d after three or more", f.Index.Len(), windows, pipelines)
	}
	// Complete and recent: no step.
	if f.Step(context.Background(), clock.Now()) {
		t.Fatal("a step started on a complete, recent index")
	}
	t.Logf("complete after %d windows", windows)
}

// A console whose index is empty takes the listing a console of another
// process completed in the same file since, rather than list the
// pipelines again.
func TestIndexFillerTakesAnotherConsolesListing(t *testing.T) {
	dir := t.TempDir()
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	now := func() time.Time { return sandboxtest.Now }
	late := New(env.Client, now, nil)
	useIndexNow(late, dir) // read while the file is still empty
	forgetIndexes()        // the other console is another process's
	early := New(env.Client, now, nil)
	useIndexNow(early, dir)
	step := func(f *IndexFiller) {
		if !f.Step(context.Background(), sandboxtest.Now) {
			t.Fatal("a step did not start")
		}
		for f.Running() {
			time.Sleep(time.Millisecond)
		}
	}
	step(early.Filler)
	waitSaved(t, early.Filler.Index, early.Filler.Index.Len())
	before := pipelineRequests(env)
	step(late.Filler)
	if n := pipelineRequests(env) - before; n != 0 {
		t.Fatalf("the second console listed the pipelines again: %d requests", n)
	}
	if late.Filler.Index.Len() != early.Filler.Index.Len() || late.Filler.Index.CompletedAt().IsZero() {
		t.Fatalf("the second console's index: %d pipelines, completed %v", late.Filler.Index.Len(), late.Filler.Index.CompletedAt())
	}
}

// Issue 17, 4: a pipeline made here joins the list where the API would
// list it, by name, not after the rows loaded so far.
func TestANewPipelineIsPlacedByName(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	now := func() time.Time { return sandboxtest.Now }
	s := New(env.Client, now, nil)
	pages, _ := s.Pipelines.LoadNext(context.Background(), env.Client, Interactive)
	drain(s.Pipelines, pages, nil)
	if len(s.Pipelines.Items) < 3 {
		t.Fatalf("only %d pipelines", len(s.Pipelines.Items))
	}
	s.Apply(PipelineChanged{Pipeline: model.Pipeline{ID: "new-1", Slug: "b-new", Name: "B new pipeline"}})
	items := s.Pipelines.Items
	for i := 1; i < len(items); i++ {
		if strings.ToLower(items[i-1].Name) > strings.ToLower(items[i].Name) {
			t.Fatalf("out of order at %d: %q before %q", i, items[i-1].Name, items[i].Name)
		}
	}
	if items[len(items)-1].ID == "new-1" {
		t.Fatal("the new pipeline was appended")
	}
}
