package org

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// The list grows past the tail G read (pipelines made elsewhere, listed
// after the last one): the old last page is full now, and a page after
// it exists. r at the end (ReloadTail) reads the tail's last page again,
// which says more follow; the list's end is then not known, and says so
// (no total); G again (LoadLast) reads the new last page, after the
// tail; the gap and the total are true again, and the new pipelines are
// in. Grown by more than a page, the new last page starts the tail again
// and the old tail's pages join the gap. (Before, r read the old last
// page and kept the old total, and G with a tail in read nothing: the
// new pipelines were never reachable.)
func TestTheTailFollowsAListThatGrewPastIt(t *testing.T) {
	t.Parallel()
	// Ten full pages.
	const pipelines = 1000
	g := startAfterG(t, pipelines)
	env, ctx, pc := g.env, g.ctx, g.pc
	gap := func(wantAt, wantMissing int) {
		t.Helper()
		at, missing, ok := pc.Gap()
		if !ok || at != wantAt || missing != wantMissing {
			t.Fatalf("gap at %d of %d missing (%v), want at %d of %d missing", at, missing, ok, wantAt, wantMissing)
		}
	}
	if pc.Tail != 10 || pc.Total != pipelines {
		t.Fatalf("after G: tail %d, total %d", pc.Tail, pc.Total)
	}
	gap(100, 800)
	// Two made elsewhere and one here (which the list takes in at once),
	// listed last: page 11.
	g.made("zzz one", "zzz two", "zzz three")
	here, err := env.Client.GetPipeline(ctx, "zzz-three")
	if err != nil {
		t.Fatal(err)
	}
	pc.apply(PipelineChanged{Pipeline: here})
	if pc.Total != pipelines+1 || pc.Items[len(pc.Items)-1].Name != "zzz three" {
		t.Fatalf("made here: total %d, the last row %q", pc.Total, pc.Items[len(pc.Items)-1].Name)
	}
	from := pipelineRequests(env)
	g.load("r at the end", pc.ReloadTail)
	if !pc.TailBehind() || pc.Total != 0 {
		t.Fatalf("the tail's last page says more follow: behind %v, total %d (want no total)", pc.TailBehind(), pc.Total)
	}
	g.load("G again", pc.LoadLast)
	if n := pipelineRequests(env) - from; n != 2 {
		t.Fatalf("%d requests for r and G, want 2", n)
	}
	if pc.TailBehind() || pc.Total != pipelines+3 || pc.Tail != 10 {
		t.Fatalf("after G again: behind %v, total %d (want %d), tail %d", pc.TailBehind(), pc.Total, pipelines+3, pc.Tail)
	}
	gap(100, 800)
	end := pc.Items[len(pc.Items)-3:]
	if end[0].Name != "zzz one" || end[1].Name != "zzz three" || end[2].Name != "zzz two" || len(pc.Items) != 100+103 {
		t.Fatalf("%d rows, the list ends with %q, %q, %q", len(pc.Items), end[0].Name, end[1].Name, end[2].Name)
	}
	if _, again := pc.LoadLast(ctx, env.Client, Interactive); again {
		t.Fatal("G at the true end asked for a page")
	}

	// Grown by more than a page: the new last page starts the tail again;
	// the old tail's pages are in the gap.
	var more []string
	for i := range 250 {
		more = append(more, fmt.Sprintf("zzzz %03d", i))
	}
	g.made(more...)
	g.load("r at the end", pc.ReloadTail)
	g.load("G again", pc.LoadLast)
	if pc.TailBehind() || pc.Total != pipelines+253 || pc.Tail != 13 {
		t.Fatalf("after G again: behind %v, total %d (want %d), tail %d (want 13)", pc.TailBehind(), pc.Total, pipelines+253, pc.Tail)
	}
	gap(100, 1100)
	if last := pc.Items[len(pc.Items)-1]; last.Name != "zzzz 249" || len(pc.Items) != 100+53 {
		t.Fatalf("%d rows, the last %q", len(pc.Items), last.Name)
	}
	// Up from the end, the pages before the tail join the head: the
	// whole list, in the API's order.
	for pc.Tail > 0 {
		g.load("a page before the tail", pc.LoadPrev)
	}
	all, err := env.Client.ListPipelines(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if i := sameRun(ids(pc.Items), ids(all)); i >= 0 || !pc.Loaded {
		t.Fatalf("the joined list differs from the API's at row %d (loaded %v)", i, pc.Loaded)
	}
}

// afterG is a list of n pipelines with its first page and its last (G)
// read; load runs a load to its end; made makes pipelines elsewhere, in
// the first cluster, listed by name.
type afterG struct {
	t   *testing.T
	ctx context.Context
	env *sandboxtest.Env
	pc  *Pipelines
}

func startAfterG(t *testing.T, n int) *afterG {
	t.Helper()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: n}, nil)
	g := &afterG{t: t, ctx: context.Background(), env: env, pc: New(env.Client, func() time.Time { return sandboxtest.Now }, nil).Pipelines}
	g.load("page 1", g.pc.LoadNext)
	g.load("G", g.pc.LoadLast)
	return g
}

func (g *afterG) load(what string, start func(context.Context, *api.Client, Lane) (<-chan PipelinesPage, bool)) {
	g.t.Helper()
	pages, ok := start(g.ctx, g.env.Client, Interactive)
	if !ok {
		g.t.Fatalf("%s did not start", what)
	}
	drain(g.pc, pages, nil)
	if g.pc.Err != nil {
		g.t.Fatalf("%s: %v", what, g.pc.Err)
	}
}

func (g *afterG) made(names ...string) {
	g.t.Helper()
	cls, err := g.env.Client.ListClusters(g.ctx, nil)
	if err != nil || len(cls) == 0 {
		g.t.Fatalf("clusters: %v", err)
	}
	for _, name := range names {
		if _, err := g.env.Client.CreatePipeline(g.ctx, model.PipelineCreate{Name: name, ClusterID: cls[0].ID,
			Repository: "git@github.com:acme/zz.git", Configuration: model.DefaultConfiguration}); err != nil {
			g.t.Fatal(err)
		}
	}
}

func (g *afterG) all() []model.Pipeline {
	g.t.Helper()
	all, err := g.env.Client.ListPipelines(g.ctx, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	return all
}

// r at the end of a tail of one page that is not full (G on a list whose
// last page has room): a pipeline made elsewhere, listed last, lands on
// that same page, and goes at the end of the rows, in the API's order, not
// at the tail's first row.
func TestROnAOnePageTailPutsANewPipelineWhereTheAPIListsIt(t *testing.T) {
	t.Parallel()
	const pipelines = 950
	g := startAfterG(t, pipelines)
	pc := g.pc
	if pc.Tail != 10 || pc.tailEnd != 10 || pc.Total != pipelines {
		t.Fatalf("after G: tail %d..%d, total %d", pc.Tail, pc.tailEnd, pc.Total)
	}
	g.made("zzz one")
	g.load("r at the end", pc.ReloadTail)
	want := ids(g.all()[900:])
	if got := ids(pc.Items[len(pc.Items)-len(want):]); sameRun(got, want) >= 0 || pc.Total != pipelines+1 {
		t.Fatalf("total %d; the tail's rows differ from the API's last page at row %d: the tail starts %q, ends %q",
			pc.Total, sameRun(got, want), pc.Items[100].Name, pc.Items[len(pc.Items)-1].Name)
	}
}

// Rows a filter or the index found between the head and the tail sit
// just above the tail: the gap lacks the rest, not every page between
// (it once said 800 missing beside 50 such rows, and the table's total
// was 50 more than the list's).
func TestAGapDoesNotCountTheRowsFoundAboveIt(t *testing.T) {
	t.Parallel()
	const pipelines = 1000
	g := startAfterG(t, pipelines)
	pc := g.pc
	if _, missing, ok := pc.Gap(); !ok || missing != 800 {
		t.Fatalf("after G: %d missing (%v), want 800", missing, ok)
	}
	pc.Merge(slices.Clone(g.all()[250:300])) // as a filter's answer comes
	at, missing, ok := pc.Gap()
	if !ok || missing != 750 || at != 150 || len(pc.Items)+missing != pipelines {
		t.Fatalf("with 50 found above the tail: gap at %d, %d missing (%v), %d rows; want at 150, 750 missing, 1,000 in all",
			at, missing, ok, len(pc.Items))
	}
}

// The tail's last page was short when G read it, and the list grew past
// it: going up, the head meets the tail, and the head goes on by reading
// that page again, for the rows added to it since, then the pages after
// it. The joined list is the API's.
func TestAHeadMeetingATailWhoseEndGrewReadsThatEndAgain(t *testing.T) {
	t.Parallel()
	const pipelines = 950
	g := startAfterG(t, pipelines)
	pc := g.pc
	var names []string
	for i := range 100 {
		names = append(names, fmt.Sprintf("zzzz %03d", i))
	}
	g.made(names...)
	for pc.Tail > 0 {
		g.load("a page before the tail", pc.LoadPrev)
	}
	for pc.More {
		g.load("a page after the head", pc.LoadNext)
	}
	all := g.all()
	if i := sameRun(ids(pc.Items), ids(all)); i >= 0 || len(all) != pipelines+100 {
		t.Fatalf("the joined list differs from the API's (%d) at row %d", len(all), i)
	}
}
