package org

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

// Pipelines is the organisation's pipelines as far as they are known,
// shared by every screen that shows them: the pipelines screen, each
// cluster's Pipelines tab and the palette. The API cannot list one
// cluster's pipelines, so sharing one list is what keeps the tabs cheap.
//
// The rows come from three places, merged by id: the pages of the list
// (the pipelines screen asks for one page at a time, as the person
// scrolls: LoadNext; a cluster's tab for every page: Load), the server's
// answers to a typed filter (Merge), and the on-disk index of an earlier
// start (UseIndex), whose rows carry only id, slug, name, repository,
// cluster and archived until a page brings the rest.
//
// A first whole load shows each page as it comes; a refresh of the whole
// list gathers it aside and shows it when complete, so the list on screen
// never shrinks to a first page.
type Pipelines struct {
	Items []model.Pipeline
	// Loaded says every pipeline of the organisation is in Items: a whole
	// list was read, or the index holds a complete listing.
	Loaded   bool
	Loading  bool
	Err      error
	LoadedAt time.Time
	// Page and Last say how far the load in progress is: page Page of
	// about Last.
	Page, Last int
	// Partial is set when the list was loaded but is not whole: pipelines
	// that could not be read (api.SkippedError) or pages that could not
	// be followed (api.ErrPagination). Items holds what was read; a
	// screen shows it with this said above it.
	Partial error
	// Pages is how many pages of the list, from the first, are in Items;
	// More says the list has pages after them.
	Pages int
	More  bool
	// Tail is the first page of the run read from the end back (G: the
	// last page, which the Link header names with rel="last", then the
	// page before it as the person goes up), 0 when none. Its rows are
	// the end of Items, from tailAt; the pages between Pages and Tail are
	// not loaded yet: the gap (Gap). The head reaching the tail joins them.
	Tail int
	// Total is how many pipelines the list holds, known exactly once its
	// last page is in as a tail (every page before it is full); 0 when
	// not known.
	Total  int
	tailAt int
	// tailEnd is the tail's last page; tailMore says its reply named a
	// page after it: the list grew past the tail since G read it, and its
	// end is not known (TailBehind).
	tailEnd  int
	tailMore bool
	// tailEndFull says the tail's last page held a full page when read
	// (or named a page after it): else, the list having grown, rows were
	// added to it since, and it is read again before the pages after it.
	tailEndFull bool
	// Revision changes whenever rows already in Items were replaced or
	// removed (not only appended): a screen that grows its rows from
	// Items rebuilds them instead.
	Revision int

	display func(string) string
	now     func() time.Time
	// names are the pipelines' names made safe to draw, by id: made once
	// as pages arrive, not at every redraw.
	names map[string]string
	users map[string]*model.User
	// pos is each pipeline's place in Items, by id.
	pos      map[string]int
	gen      int
	incoming []model.Pipeline
	// fromIndex are the ids whose rows come from the index alone.
	fromIndex map[string]bool
	index     *pipelineindex.Index
	saver     *indexSaver
	searches  Searches
}

// PipelinesPage is one page of the list as it arrives. The last one of a
// whole load has Done set (and Err if the load failed); a page of
// LoadNext is Single, and Done.
type PipelinesPage struct {
	Gen          int
	Items        []model.Pipeline
	Number, Last int
	Done         bool
	Err          error
	// Single is a page LoadNext asked for; More says pages follow it.
	Single, More bool
	// Tail is a page of the run read from the end back (LoadLast,
	// LoadPrev): it goes after the gap, not after the head.
	Tail bool
	// Found is the server's answer to a filter (Search): its Text, and
	// whether it is Complete (no filter had more pages).
	Found    bool
	Text     string
	Complete bool
}

// Load fetches the whole list unless it is loaded or on its way; force
// fetches it again. The first page is a look in lane, the rest a bulk
// read (the api package's). The pages come on the channel, which is
// closed after the page with Done; each is to be given to Apply on the
// event loop. started is false when nothing was started (single flight:
// one load at a time).
func (pc *Pipelines) Load(ctx context.Context, client *api.Client, lane Lane, force bool) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading || (pc.Loaded && !force) {
		return nil, false
	}
	pc.Loading, pc.incoming, pc.Page, pc.Last = true, nil, 0, 0
	pc.gen++
	gen := pc.gen
	ch := make(chan PipelinesPage, 2)
	reqCtx := lane.Context(ctx)
	go func() {
		defer close(ch)
		_, err := client.ListPipelines(reqCtx, func(p api.Page[model.Pipeline]) error {
			select {
			case ch <- PipelinesPage{Gen: gen, Items: p.Items, Number: p.Number, Last: p.Last}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		select {
		case ch <- PipelinesPage{Gen: gen, Done: true, Err: err}:
		case <-ctx.Done():
		}
	}()
	return ch, true
}

// LoadNext fetches the next page of the list (the first, when none is
// in): one request, for a screen that shows what fills it and more as
// the person scrolls. The first page is a look in lane; a later one is a
// bulk read, which at the API budget's reserve waits for the window to
// reset (the client's Budget().WaitText says so meanwhile). started is
// false when a load is on its way or no page is left.
func (pc *Pipelines) LoadNext(ctx context.Context, client *api.Client, lane Lane) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading || (pc.Pages > 0 && !pc.More) {
		return nil, false
	}
	n := pc.Pages + 1
	return pc.loadPage(ctx, client, lane, n, n > 1, false), true
}

// LoadLast fetches the last page of the list, which the first page's
// Link header names (rel="last"): G reaches the true end with one
// request, however many pages lie between. The page starts the tail:
// what lies between is a gap until the person scrolls to it (LoadPrev
// from below, LoadNext from above). It is a person's look in lane, not
// a bulk read. When the last page is the next one (or the server names
// none, or more pages than a list may have), it is LoadNext. started is
// false when a load is on its way, the first page is not in, the tail is
// in already or no page is left.
//
// With a tail in that is no longer the end (TailBehind: the list grew
// past it), it reads the list's new last page, which goes after the tail
// (or, more than a page on, starts it again).
func (pc *Pipelines) LoadLast(ctx context.Context, client *api.Client, lane Lane) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading || pc.Pages == 0 || !pc.More {
		return nil, false
	}
	if pc.Tail > 0 {
		if !pc.TailBehind() {
			return nil, false
		}
		last := pc.tailEnd + 1
		if pc.Last > last && pc.Last <= api.DefaultListLimits.Pages {
			last = pc.Last
		}
		return pc.loadPage(ctx, client, lane, last, false, true), true
	}
	if pc.Last <= pc.Pages+1 || pc.Last > api.DefaultListLimits.Pages {
		// (A last page past what a list may hold is not trusted: a
		// hostile or broken server's gap would be a count made up.)
		return pc.LoadNext(ctx, client, lane)
	}
	return pc.loadPage(ctx, client, lane, pc.Last, false, true), true
}

// LoadPrev fetches the page before the tail (page Tail-1, which the
// tail's first page names as rel="prev"): the person goes up from the
// end. Like a later page of LoadNext, it is a bulk read. started is
// false when a load is on its way or there is no tail.
func (pc *Pipelines) LoadPrev(ctx context.Context, client *api.Client, lane Lane) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading || pc.Tail == 0 {
		return nil, false
	}
	return pc.loadPage(ctx, client, lane, pc.Tail-1, true, true), true
}

// Reload fetches the first page again (a person's r on a list loaded by
// pages): what shows at the top is current; the rows further down stay
// until the person scrolls to them.
func (pc *Pipelines) Reload(ctx context.Context, client *api.Client, lane Lane) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading {
		return nil, false
	}
	return pc.loadPage(ctx, client, lane, 1, false, false), true
}

// ReloadTail fetches the tail's last page again (a person's r at the end
// of a list whose tail is in): what shows there is current; the rest of
// the tail stays until the person scrolls to it. Its reply says whether
// pages follow it now (TailBehind): LoadLast then reads the new end.
func (pc *Pipelines) ReloadTail(ctx context.Context, client *api.Client, lane Lane) (pages <-chan PipelinesPage, started bool) {
	if pc.Loading || pc.Tail == 0 {
		return nil, false
	}
	return pc.loadPage(ctx, client, lane, pc.tailEnd, false, true), true
}

// TailBehind reports a tail that is no longer the list's end: a reply
// named a page after it (the list grew since G read its last page).
// LoadLast reads the new end.
func (pc *Pipelines) TailBehind() bool {
	return pc.Tail > 0 && (pc.tailMore || pc.Last > pc.tailEnd)
}

func (pc *Pipelines) loadPage(ctx context.Context, client *api.Client, lane Lane, n int, bulk, tail bool) <-chan PipelinesPage {
	pc.Loading = true
	pc.gen++
	gen := pc.gen
	ch := make(chan PipelinesPage, 1)
	reqCtx := lane.Context(ctx)
	if bulk {
		reqCtx = api.AsBulk(reqCtx)
	}
	go func() {
		defer close(ch)
		page, more, err := client.PipelinesPageN(reqCtx, n)
		// A page with an unreadable item keeps its readable rows and the
		// error beside them (api.Partial): Apply shows both.
		select {
		case ch <- PipelinesPage{Gen: gen, Items: page.Items, Number: n, Last: page.Last, Done: true, Single: true, More: more, Tail: tail, Err: err}:
		case <-ctx.Done():
		}
	}()
	return ch
}

// NeedsSearch reports whether a filter's text, which matches matches of
// the pipelines known here, is worth asking the server: no shorter text's
// complete answer holds its matches already, and either not every
// pipeline is known or none known matches (a complete index may predate
// a pipeline made elsewhere since).
func (pc *Pipelines) NeedsSearch(text string, matches int) bool {
	return pc.searches.Needed(text) && (!pc.Loaded || matches == 0)
}

// Search asks the server for the pipelines a filter's text matches (see
// the package's Search), as a person's look in lane. The answer comes on
// the channel as a Found page, to be given to Apply like any other.
func (pc *Pipelines) Search(ctx context.Context, client *api.Client, lane Lane, text string) <-chan PipelinesPage {
	ch := make(chan PipelinesPage, 1)
	gen := pc.gen
	go func() {
		defer close(ch)
		found, err := Search(lane.Context(ctx), client, text)
		select {
		case ch <- PipelinesPage{Gen: gen, Items: found.Pipelines, Done: true, Found: true, Text: text, Complete: found.Complete, Err: err}:
		case <-ctx.Done():
		}
	}()
	return ch
}

// Current reports that a page belongs to the load in progress, not to
// one a switch of organisation or a newer load replaced.
func (pc *Pipelines) Current(p PipelinesPage) bool { return p.Gen == pc.gen }

// Apply takes in a page of the load in progress.
func (pc *Pipelines) Apply(m PipelinesPage) {
	if m.Found {
		// A filter's answer joins whatever load is in progress.
		if m.Err == nil {
			pc.Merge(m.Items)
			pc.searches.Answered(Found{Text: m.Text, Complete: m.Complete})
		}
		return
	}
	if !pc.Current(m) {
		return
	}
	if pc.names == nil {
		pc.names = map[string]string{}
	}
	for i := range m.Items {
		pc.names[m.Items[i].ID] = pc.displayName(m.Items[i].Name)
		pc.compact(&m.Items[i])
	}
	if m.Single {
		pc.Loading = false
		if m.Number == 1 {
			pc.Partial = nil // the list starts again
		}
		if m.Err != nil {
			if _, skipped := api.Partial(m.Err); !skipped {
				pc.Err = m.Err
				return
			}
			// A page with an item it could not read: the rest of the
			// page is shown, with what was skipped said above it.
			pc.Partial = m.Err
		}
		pc.Err = nil
		pc.Page, pc.Last = m.Number, max(m.Last, m.Number, pc.Last)
		if m.Tail {
			pc.takeTail(m)
		} else {
			pc.merge(m.Items)
			if m.Number >= pc.Pages {
				// The furthest page says whether more follow; a first
				// page fetched again (r) does not.
				pc.Pages, pc.More = m.Number, m.More
			}
		}
		if pc.TailBehind() {
			// A page named a last page after the tail: the list grew, and
			// its size is not known until that page is read.
			pc.Total = 0
		}
		whole := !m.Tail && !m.More && m.Number == pc.Pages
		if pc.Tail > 0 && pc.Pages+1 >= pc.Tail {
			// The head reached the tail (or the tail the head): the
			// pages in are one run, the whole list unless the list grew
			// past the tail (the head goes on from it then).
			behind := pc.TailBehind()
			pc.Pages, pc.More, pc.Tail, whole = pc.tailEnd, behind, 0, !behind
			if behind && !pc.tailEndFull {
				// The tail's last page was short when read: the head
				// reads it again, for the rows added to it since.
				pc.Pages = pc.tailEnd - 1
			}
		}
		if whole && len(pc.fromIndex) == 0 {
			// Every page is in, and no row rests on the index alone.
			pc.Loaded, pc.LoadedAt = true, pc.now()
		}
		pc.saveIndex()
		return
	}
	if m.Done {
		pc.Loading = false
		_, skipped := api.Partial(m.Err)
		partial := skipped || errors.Is(m.Err, api.ErrPagination)
		if m.Err != nil && !partial {
			pc.Err = m.Err
			return
		}
		// The whole list: what it does not hold is gone.
		pc.setItems(pc.incoming)
		pc.Tail, pc.Total = 0, 0
		clear(pc.fromIndex)
		pc.incoming, pc.Loaded, pc.Err, pc.LoadedAt = nil, true, nil, pc.now()
		pc.Partial = nil
		if partial {
			pc.Partial = m.Err
		}
		pc.Pages, pc.More = pc.Page, false
		if pc.index != nil {
			entries := make([]pipelineindex.Entry, len(pc.Items))
			for i := range pc.Items {
				entries[i] = pipelineindex.FromPipeline(pc.Items[i])
			}
			pc.index.Replace(entries, pc.now())
			pc.saveIndex()
		}
		return
	}
	pc.Page, pc.Last = m.Number, m.Last
	if m.Number == 1 && m.Last > 1 { // room for the whole list at once
		pc.incoming = make([]model.Pipeline, 0, m.Last*len(m.Items))
		if !pc.Loaded && len(pc.Items) == 0 {
			pc.Items = make([]model.Pipeline, 0, m.Last*len(m.Items))
		}
	}
	pc.incoming = append(pc.incoming, m.Items...)
	if !pc.Loaded {
		// A first load shows each page as it comes.
		pc.merge(m.Items)
	}
}

// Merge takes in pipelines the server found for a filter: each replaces
// its row or is added.
func (pc *Pipelines) Merge(found []model.Pipeline) {
	if pc.names == nil {
		pc.names = map[string]string{}
	}
	for i := range found {
		pc.names[found[i].ID] = pc.displayName(found[i].Name)
		pc.compact(&found[i])
	}
	pc.merge(found)
	pc.saveIndex()
}

// merge replaces or appends rows by id, and records them in the index.
// With a tail in, new rows go before it: the tail stays the list's end.
func (pc *Pipelines) merge(ps []model.Pipeline) {
	if pc.pos == nil {
		pc.reindex()
	}
	replaced := false
	var before []model.Pipeline
	for _, p := range ps {
		if i, ok := pc.pos[p.ID]; ok {
			pc.Items[i] = p
			replaced = true
		} else if pc.Tail == 0 {
			pc.pos[p.ID] = len(pc.Items)
			pc.Items = append(pc.Items, p)
		} else {
			before = append(before, p)
		}
		delete(pc.fromIndex, p.ID)
		if pc.index != nil {
			pc.index.Upsert(pipelineindex.FromPipeline(p))
		}
	}
	if len(before) > 0 {
		pc.Items = slices.Insert(pc.Items, pc.tailAt, before...)
		pc.tailAt += len(before)
		pc.reindex()
		replaced = true // rows moved: a screen rebuilds
	}
	if replaced {
		pc.Revision++
	}
}

// takeTail takes in a page of the tail: the last page (the tail's
// start, which makes the list's total known), the page before the tail,
// or, the list having grown past the tail, the page after it. The page
// before goes at the tail's start, after the gap; the page after at the
// end. Its rows that were known before the tail (a filter's answer, the
// index's, a head page the list has shifted since) move there, so the
// rows keep the API's order and each shows once; rows already in the
// tail are replaced.
func (pc *Pipelines) takeTail(m PipelinesPage) {
	if pc.pos == nil {
		pc.reindex()
	}
	if pc.Tail > 0 && m.Number > pc.tailEnd {
		if len(m.Items) == 0 {
			// Past the end after all: the list has shrunk back.
			pc.Last, pc.tailMore = pc.tailEnd, false
			return
		}
		if m.Number > pc.tailEnd+1 || !pc.tailEndFull {
			// More than a page on: the pages between are not in. Or the
			// tail's last page was short when read, and the rows added
			// to it since are not in. The tail starts again from this
			// page; the old tail's pages are part of the gap, read again
			// as the person goes up.
			for _, p := range pc.Items[pc.tailAt:] {
				delete(pc.pos, p.ID)
			}
			pc.Items, pc.Tail = pc.Items[:pc.tailAt], 0
		}
	}
	if pc.Tail == 0 {
		if len(m.Items) == 0 {
			// Past the end: the list has shrunk since its first page
			// named its last. The head goes on by LoadNext.
			pc.Last = max(pc.Pages, m.Number-1)
			return
		}
		pc.tailAt, pc.tailEnd = len(pc.Items), m.Number
	}
	// The tail's last page (read again by r, or after the tail) is the
	// list's end: its rows go last, in its order, whether the tail is one
	// page or several. A page before it goes at the tail's start.
	atEnd := m.Number >= pc.tailEnd
	if m.Number >= pc.tailEnd {
		// The tail's last page says whether it is the list's end: the
		// total is known while it is, not once the list has grown.
		pc.tailEnd, pc.tailMore = m.Number, m.More
		pc.tailEndFull = m.More || len(m.Items) >= api.PerPage
		pc.Total = 0
		if !m.More {
			pc.Last = m.Number
			pc.Total = (m.Number-1)*api.PerPage + len(m.Items)
		}
	}
	if pc.Tail == 0 || m.Number < pc.Tail {
		pc.Tail = m.Number
	}
	var page []model.Pipeline
	moved := map[string]bool{}
	above := 0
	for _, p := range m.Items {
		// A page after the tail is the list's end: its rows go there,
		// in its order, wherever they were (one made here is in the
		// tail already).
		if i, ok := pc.pos[p.ID]; ok && i >= pc.tailAt && !atEnd {
			pc.Items[i] = p
		} else {
			page = append(page, p)
			if ok {
				moved[p.ID] = true
				if i < pc.tailAt {
					above++
				}
			}
		}
		delete(pc.fromIndex, p.ID)
		if pc.index != nil {
			pc.index.Upsert(pipelineindex.FromPipeline(p))
		}
	}
	items, tailAt := pc.Items, pc.tailAt
	if len(moved) > 0 {
		items = make([]model.Pipeline, 0, len(pc.Items)+len(page)-len(moved))
		for _, p := range pc.Items {
			if !moved[p.ID] {
				items = append(items, p)
			}
		}
		tailAt -= above
	}
	if atEnd {
		pc.Items = append(items, page...)
	} else {
		pc.Items = slices.Insert(items, tailAt, page...)
	}
	pc.tailAt = tailAt
	pc.reindex()
	pc.Revision++
}

// Gap is where the list has pipelines not loaded yet, between the head
// (the pages from the first) and the tail (the pages read from the last
// back): before Items[at], missing of them. What is held is not missing:
// the head's pages, the tail's, and rows a filter or the index found
// (they sit just above the tail). With the total known (the tail's last
// page is the list's end, and follows what is made and deleted here)
// the rest of it is missing; else the pages before the tail are full,
// (Tail-1) pages' worth, less what is held above it. ok is false when
// the pages in are one run.
func (pc *Pipelines) Gap() (at, missing int, ok bool) {
	if pc.Tail == 0 || pc.Pages+1 >= pc.Tail || pc.Loaded {
		// (Loaded with a tail: a complete index filled the gap.)
		return 0, 0, false
	}
	missing = (pc.Tail-1)*api.PerPage - pc.tailAt
	if pc.Total > 0 {
		missing = pc.Total - len(pc.Items)
	}
	return pc.tailAt, max(0, missing), true
}

// setItems makes items the whole list.
func (pc *Pipelines) setItems(items []model.Pipeline) {
	pc.Items = items
	pc.reindex()
	pc.Revision++
}

func (pc *Pipelines) reindex() {
	pc.pos = make(map[string]int, len(pc.Items))
	for i := range pc.Items {
		pc.pos[pc.Items[i].ID] = i
	}
}

// IndexRows are an index's pipelines made ready to show: sorted, as
// pipelines, their names made ready to draw. Making them for 50,000
// pipelines takes a few hundred milliseconds, which is done off the
// event loop (State.PrepareIndex).
type IndexRows struct {
	ix          *pipelineindex.Index
	rows        []model.Pipeline
	names       []string
	completedAt time.Time
}

// prepareIndex makes ix's rows; it reads nothing of pc but its display
// function, so it runs off the event loop.
func (pc *Pipelines) prepareIndex(ix *pipelineindex.Index) *IndexRows {
	r := &IndexRows{ix: ix, completedAt: ix.CompletedAt()}
	all := ix.All()
	r.rows, r.names = make([]model.Pipeline, len(all)), make([]string, len(all))
	for i, e := range all {
		r.rows[i], r.names[i] = FromEntry(e), pc.displayName(e.Name)
	}
	return r
}

// useIndex shows the pipelines an earlier start recorded in the index
// of r, and keeps the index current with every page, filter answer and
// change from now on, saved by saver (the index's, shared by every
// console that uses it). A complete index makes the list Loaded: every
// pipeline is known without a request, and a filter need not ask the
// server.
//
// The index is read in the background, so pages may have come first:
// their rows are newer than the index's and stay, and go into the index;
// a whole list read first replaces the index.
func (pc *Pipelines) useIndex(r *IndexRows, saver *indexSaver) {
	ix := r.ix
	pc.index, pc.saver = ix, saver
	if pc.names == nil {
		pc.names = make(map[string]string, len(r.rows))
	}
	if pc.fromIndex == nil {
		pc.fromIndex = make(map[string]bool, len(r.rows))
	}
	if pc.pos == nil {
		pc.reindex()
	}
	if len(pc.Items) > 0 {
		entries := make([]pipelineindex.Entry, len(pc.Items))
		for i := range pc.Items {
			entries[i] = pipelineindex.FromPipeline(pc.Items[i])
		}
		if pc.Loaded {
			ix.Replace(entries, pc.LoadedAt)
			pc.saveIndex()
			return
		}
		ix.Upsert(entries...)
	}
	if len(pc.Items) == 0 {
		// The usual start: the rows, made for this console off the event
		// loop, become the list as they are.
		pc.Items = r.rows[:0]
	} else {
		pc.Items = slices.Grow(pc.Items, len(r.rows))
	}
	var tail []model.Pipeline
	if pc.Tail > 0 {
		// The index's rows go before the tail, which stays the end.
		tail = slices.Clone(pc.Items[pc.tailAt:])
		pc.Items = pc.Items[:pc.tailAt]
	}
	for i := range r.rows {
		id := r.rows[i].ID
		if _, seen := pc.pos[id]; seen {
			continue
		}
		pc.pos[id] = len(pc.Items)
		pc.Items = append(pc.Items, r.rows[i])
		pc.names[id] = r.names[i]
		pc.fromIndex[id] = true
	}
	if pc.Tail > 0 {
		pc.tailAt = len(pc.Items)
		pc.Items = append(pc.Items, tail...)
		pc.reindex()
	}
	pc.Revision++
	if !r.completedAt.IsZero() {
		pc.Loaded, pc.LoadedAt = true, r.completedAt
	}
}

// FromIndex reports whether p's row comes from the index alone: only its
// name, slug, repository, cluster and whether archived are known.
func (pc *Pipelines) FromIndex(p *model.Pipeline) bool { return pc.fromIndex[p.ID] }

// Index is the on-disk index in use, or nil.
func (pc *Pipelines) Index() *pipelineindex.Index { return pc.index }

// FromEntry is the pipeline an index entry describes, as far as it does.
func FromEntry(e pipelineindex.Entry) model.Pipeline {
	p := model.Pipeline{ID: e.ID, Slug: e.Slug, Name: e.Name, Repository: e.Repository}
	if e.ClusterID != "" {
		p.ClusterID = &e.ClusterID
	}
	if e.Archived {
		p.ArchivedAt = &model.Timestamp{Time: time.Unix(1, 0)}
	}
	return p
}

// saveIndex writes the index in the background: a save is a file write
// of up to a few megabytes, which the event loop must not wait for.
func (pc *Pipelines) saveIndex() {
	if pc.index != nil {
		pc.saver.save(pc.index)
	}
}

// indexSaver writes an index off the event loop, one save at a time: a
// save snapshots the index when it starts, so saves run in order and the
// last one holds the latest state (two at once could finish in the wrong
// order). Saves asked for while one runs become one more save.
type indexSaver struct {
	mu             sync.Mutex
	running, dirty bool
	// idle is closed when the saves asked for are done (nil before any).
	idle chan struct{}
}

// wait waits until what was asked to be saved is on disk.
func (s *indexSaver) wait() {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	if idle != nil {
		<-idle
	}
}

func (s *indexSaver) save(ix *pipelineindex.Index) {
	s.mu.Lock()
	s.dirty = true
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running = true
	idle := make(chan struct{})
	s.idle = idle
	s.mu.Unlock()
	go func() {
		for {
			s.mu.Lock()
			if !s.dirty {
				s.running = false
				close(idle)
				s.mu.Unlock()
				return
			}
			s.dirty = false
			s.mu.Unlock()
			_ = ix.Save() // a failed save costs the next start a request, nothing more
		}
	}()
}

func (pc *Pipelines) apply(c Change) {
	switch c := c.(type) {
	case PipelineChanged:
		if pc.names == nil {
			pc.names = map[string]string{}
		}
		pc.names[c.Pipeline.ID] = pc.displayName(c.Pipeline.Name)
		if pc.index != nil {
			if old, ok := pc.pos[c.Pipeline.ID]; ok && pc.Items[old].Slug != c.Pipeline.Slug {
				pc.index.Rename(c.Pipeline.ID, c.Pipeline.Name, c.Pipeline.Slug)
			}
		}
		if pc.pos == nil {
			pc.reindex()
		}
		if _, known := pc.pos[c.Pipeline.ID]; !known && len(pc.Items) > 0 {
			// A new pipeline goes where the API lists it, by name whatever
			// its case, not at the end of what is loaded.
			name := strings.ToLower(c.Pipeline.Name)
			i, _ := slices.BinarySearchFunc(pc.Items, name, func(p model.Pipeline, n string) int {
				return strings.Compare(strings.ToLower(p.Name), n)
			})
			pc.Items = slices.Insert(pc.Items, i, c.Pipeline)
			if pc.Tail > 0 && i <= pc.tailAt {
				// Before the tail, or where the gap is: the tail keeps
				// its rows.
				pc.tailAt++
			}
			if pc.Total > 0 {
				pc.Total++
			}
			pc.reindex()
			pc.Revision++
			if pc.index != nil {
				pc.index.Upsert(pipelineindex.FromPipeline(c.Pipeline))
			}
		} else {
			pc.merge([]model.Pipeline{c.Pipeline})
		}
		pc.saveIndex()
	case PipelineRemoved:
		if pc.index != nil {
			if e, ok := pc.index.BySlug(c.Slug); ok {
				pc.index.Remove(e.ID)
				pc.saveIndex()
			}
		}
		for i := range pc.Items {
			if pc.Items[i].Slug != c.Slug {
				continue
			}
			if pc.Tail > 0 && i < pc.tailAt {
				pc.tailAt--
			}
			if pc.Total > 0 {
				pc.Total--
			}
			break
		}
		pc.setItems(slices.DeleteFunc(pc.Items, func(p model.Pipeline) bool {
			if p.Slug == c.Slug {
				delete(pc.fromIndex, p.ID)
				return true
			}
			return false
		}))
	}
}

func (pc *Pipelines) displayName(name string) string {
	if pc.display == nil {
		return name
	}
	return pc.display(name)
}

// Name is the pipeline's name ready to draw.
func (pc *Pipelines) Name(p *model.Pipeline) string {
	if n, ok := pc.names[p.ID]; ok {
		return n
	}
	return pc.displayName(p.Name)
}

// Find is the pipeline with this slug.
func (pc *Pipelines) Find(slug string) (model.Pipeline, bool) {
	for i := range pc.Items {
		if pc.Items[i].Slug == slug {
			return pc.Items[i], true
		}
	}
	return model.Pipeline{}, false
}

var yes, no = true, false

// compact shares what thousands of pipelines hold alike — the users who
// created them, true and false, empty maps — so a large organisation's
// list takes less memory.
func (pc *Pipelines) compact(p *model.Pipeline) {
	if pc.users == nil {
		pc.users = map[string]*model.User{}
	}
	if u := p.CreatedBy; u != nil {
		if shared, ok := pc.users[u.ID]; ok {
			p.CreatedBy = shared
		} else {
			pc.users[u.ID] = u
		}
	}
	if len(p.Env) == 0 {
		p.Env = nil
	}
	for i := range p.Steps {
		if len(p.Steps[i].Env) == 0 {
			p.Steps[i].Env = nil
		}
	}
	ps := &p.Provider.Settings
	for _, b := range []**bool{&ps.FilterEnabled, &ps.BuildBranches, &ps.BuildPullRequests, &ps.BuildTags,
		&ps.CancelDeletedBranchBuilds, &ps.PublishCommitStatus, &ps.PublishCommitStatusPerStep,
		&ps.PullRequestBranchFilterEnabled, &ps.SkipBuildsForExistingCommits, &ps.SkipPullRequestBuildsForExistingCommits,
		&ps.BuildPullRequestForks, &ps.BuildPullRequestLabelsChanged, &ps.BuildPullRequestReadyForReview,
		&ps.PrefixPullRequestForkBranchNames, &ps.PublishBlockedAsPending, &ps.SeparatePullRequestStatuses, &ps.UseStepKeyAsCommitStatus} {
		if *b != nil {
			if **b {
				*b = &yes
			} else {
				*b = &no
			}
		}
	}
}

// SearchText is what a filter searches for a pipeline: its name, its
// slug where it is more than the name in lower case, and the repository's
// path. Leaving out what repeats keeps a keystroke over 10,000 pipelines
// within a frame.
func SearchText(p *model.Pipeline, name string) string {
	text := name
	if derived, err := model.DeriveSlug(p.Name); err != nil || derived != p.Slug {
		text += " " + p.Slug
	}
	return text + " " + RepoPath(p.Repository)
}

// RepoPath is a repository URL without its scheme, host and .git:
// git@github.com:acme-inc/app.git is acme-inc/app.
func RepoPath(repo string) string {
	r := strings.TrimSuffix(repo, ".git")
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if j := strings.IndexByte(r, '/'); j >= 0 {
			r = r[j+1:]
		}
		return r
	}
	if i := strings.IndexByte(r, ':'); i >= 0 {
		return r[i+1:]
	}
	return r
}
