package screen

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// pipelineList is the pipelines list over org's shared pipelines: all of
// the organisation's, or one cluster's. Archived pipelines are hidden
// until H. The rows come from org: the first load shows each page as it
// comes (progressive), a refresh the new list when it is complete.
type pipelineList struct {
	*component.List[*model.Pipeline]
	c            *common.Common
	clusterID    string // "" for every cluster
	ShowArchived bool
	built        int // how many of org's pipelines the rows were made from
	revision     int // org's pipelines' Revision the rows were made from
}

func newPipelineList(c *common.Common, clusterID string) *pipelineList {
	l := &pipelineList{c: c, clusterID: clusterID}
	k := c.Keys
	muted := func(text func(p *model.Pipeline) string) func(p *model.Pipeline) present.Cell {
		return func(p *model.Pipeline) present.Cell { return present.As(present.Muted, text(p)) }
	}
	cols := []component.ListColumn[*model.Pipeline]{
		component.Col("NAME", 16, 2, 0, func(p *model.Pipeline) string { return c.Org.Pipelines.Name(p) }),
		component.Col("SLUG", 12, 1, 100, muted(func(p *model.Pipeline) string { return p.Slug })),
		component.Col("REPOSITORY", 16, 2, 130, muted(func(p *model.Pipeline) string { return p.Repository })),
	}
	if clusterID == "" {
		cols = append(cols, component.Col("CLUSTER", 14, 0, 70, func(p *model.Pipeline) present.Cell {
			if cl := c.ClusterName(model.Value(p.ClusterID)); cl != "" {
				return present.Text(cl)
			}
			return present.As(present.Muted, "—")
		}))
	}
	cols = append(cols,
		component.Col("BRANCH", 8, 0, 100, func(p *model.Pipeline) string { return p.DefaultBranch }),
		component.Col("RUN/SCH/WAIT", 12, 0, 0, func(p *model.Pipeline) present.Cell {
			if c.Org.Pipelines.FromIndex(p) {
				// Known from the on-disk index only: its counts come with
				// the page that holds it.
				return present.As(present.Muted, "·")
			}
			counts := fmt.Sprintf("%d/%d/%d", p.RunningBuildsCount, p.ScheduledBuildsCount, p.WaitingJobsCount)
			if p.RunningBuildsCount > 0 {
				return present.As(present.Running, counts)
			}
			return present.As(present.Muted, counts)
		}),
		component.Col("VISIBILITY", 10, 0, 120, func(p *model.Pipeline) string {
			if p.Archived() {
				return "archived"
			}
			return p.Visibility
		}),
	)
	l.List = component.NewList(c, component.ListSpec[*model.Pipeline]{
		Legend: present.LegendPipelines,
		Noun:   "pipelines", Empty: "no pipelines", Columns: cols,
		Key: func(p *model.Pipeline) string { return p.Slug },
		Match: func(p *model.Pipeline) (string, int) {
			name := c.Org.Pipelines.Name(p)
			if p.Archived() {
				// Said in words: a dim colour does not show on the
				// selected row, nor without colours (NO_COLOR).
				name += " (archived)"
			}
			return org.SearchText(p, name), len(name)
		},
		Dim: func(p *model.Pipeline) bool { return p.Archived() },
		Keys: []component.ListKey[*model.Pipeline]{
			component.OnItem(k.Open, func(p *model.Pipeline) common.Reply { return Open(c, "pipeline", *p) }),
			component.Shown[*model.Pipeline](k.Filter),
			component.OnList[*model.Pipeline](k.ShowArchived, l.toggleArchived),
			component.OnList[*model.Pipeline](k.New, func() common.Reply { return component.PushForm(c, newPipelineForm(c, nil, clusterID)) }).Needs(api.ActionChangePipeline),
			component.OnItem(k.Edit, func(p *model.Pipeline) common.Reply { return editPipeline(c, *p) }).Needs(api.ActionChangePipeline),
			component.OnItem(k.Archive, func(p *model.Pipeline) common.Reply { return archiveOrUnarchive(c, *p) }),
			component.OnItem(k.Delete, func(p *model.Pipeline) common.Reply { return confirmDeletePipeline(c, *p) }).Needs(api.ActionChangePipeline),
			component.Shown[*model.Pipeline](k.Browse),
			component.Shown[*model.Pipeline](k.Back),
			notOnThisList[*model.Pipeline](k.Pause, pausesQueues, "pipelines"),
			notOnThisList[*model.Pipeline](k.Mark, marksQueues, "pipelines"),
		},
		Link: func(p *model.Pipeline) (string, string, string) { return "pipeline", p.WebURL, p.ID },
		Shared: func() (bool, error, error) {
			pc := c.Org.Pipelines
			return pc.Loaded || len(pc.Items) > 0, pc.Err, pc.Partial
		},
		Gap: l.gap,
	})
	l.Rebuild()
	return l
}

// gap is where the organisation's list lacks the pipelines between the
// pages in (G fetched the last page, not those before it): before the
// first row of the tail this list shows. A cluster's tab reads the whole
// list, and says nothing of a gap in the organisation's.
func (l *pipelineList) gap() (component.GapRow, bool) {
	pc := l.c.Org.Pipelines
	at, missing, ok := pc.Gap()
	if !ok || l.clusterID != "" {
		return component.GapRow{}, false
	}
	for i := at; i < len(pc.Items); i++ {
		if l.shows(&pc.Items[i]) {
			return component.GapRow{Before: pc.Items[i].Slug, Missing: missing,
				Text: fmt.Sprintf("⋯ %s pipelines not loaded yet: they load as you scroll to them", common.Thousands(missing)),
				// Archived ones among them are hidden once loaded; and
				// with the list's end not known, neither is its total.
				About: !l.ShowArchived || pc.Total == 0}, true
		}
	}
	return component.GapRow{}, false
}

// shows reports whether the list shows p.
func (l *pipelineList) shows(p *model.Pipeline) bool {
	return (l.clusterID == "" || model.Value(p.ClusterID) == l.clusterID) && (l.ShowArchived || !p.Archived())
}

// Rebuild makes the rows again from org's pipelines.
func (l *pipelineList) Rebuild() {
	items := l.c.Org.Pipelines.Items
	ps := make([]*model.Pipeline, 0, len(items))
	for i := range items {
		if l.shows(&items[i]) {
			ps = append(ps, &items[i])
		}
	}
	l.built, l.revision = len(items), l.c.Org.Pipelines.Revision
	l.List.SetItems(ps)
}

// grow adds the rows of the pipelines that arrived since the last build.
func (l *pipelineList) grow() {
	items := l.c.Org.Pipelines.Items
	if l.built > len(items) || l.revision != l.c.Org.Pipelines.Revision {
		l.Rebuild()
		return
	}
	var ps []*model.Pipeline
	for i := l.built; i < len(items); i++ {
		if l.shows(&items[i]) {
			ps = append(ps, &items[i])
		}
	}
	l.built = len(items)
	l.List.AppendItems(ps)
}

func (l *pipelineList) toggleArchived() tea.Cmd {
	l.ShowArchived = !l.ShowArchived
	l.Rebuild()
	if l.ShowArchived {
		return common.Flash(common.FlashInfo, "showing archived pipelines")
	}
	return common.Flash(common.FlashInfo, "archived pipelines hidden")
}

// sync keeps the list current with org's pipelines; it reports the
// messages that were only for it.
func (l *pipelineList) sync(msg tea.Msg, visible bool) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.PipelinesPage:
		// A first load shows each page as it comes; a refresh shows the
		// new list when it is complete.
		if msg.Single || msg.Found || (!l.c.Org.Pipelines.Loaded && !msg.Done) {
			l.grow()
		}
		return nil, true
	case common.PipelinesLoaded:
		l.Rebuild()
		answered := l.Answered()
		switch note, partial := component.PartialNote(msg.Err, "pipeline"); {
		case !visible:
			return nil, true
		case partial:
			return common.Flash(common.FlashInfo, note), true
		case msg.Err != nil:
			return common.Flash(common.FlashError, "could not load pipelines: "+common.ErrorText(msg.Err)), true
		}
		return answered, true
	case org.PipelineChanged:
		l.Rebuild()
		l.Table.SelectKey(msg.Pipeline.Slug)
		return nil, true
	case org.PipelineRemoved:
		l.Rebuild()
		return nil, true
	case org.ClusterChanged, org.ClusterRemoved:
		l.Rebuild()
	}
	return nil, false
}

func editPipeline(c *common.Common, p model.Pipeline) common.Reply {
	if p.Archived() {
		return common.Do(common.Flash(common.FlashInfo, "archived pipelines are read-only: a unarchives it first"))
	}
	return component.PushForm(c, newPipelineForm(c, &p, model.Value(p.ClusterID)))
}

// archiveOrUnarchive unarchives at once, and archives after a yes.
func archiveOrUnarchive(c *common.Common, p model.Pipeline) common.Reply {
	return actions.Start(c, actions.ArchivePipeline(c, p))
}

func confirmDeletePipeline(c *common.Common, p model.Pipeline) common.Reply {
	return actions.Start(c, actions.DeletePipeline(c, p))
}

// PipelinesScreen is every pipeline of the organisation (:pipelines): a
// ListScreen over the pipelines list, which reads org's shared pipelines.
// It costs little in a large organisation: opening it fetches the first
// page (what fills the screen and more), and the next page comes as the
// cursor nears the end of what is in; a typed filter also asks the
// server, once the typing pauses, and its answers join the rows. With a
// complete on-disk index every pipeline shows at once, without a request.
// List is the pipelines list the ListScreen hosts (for what reads it
// whole: the benchmarks).
type PipelinesScreen struct {
	*component.ListScreen[*model.Pipeline]
	List *pipelineList
}

// FilterDebounce and MaxFilterDebounce bound the pause typing must make
// before a filter is asked of the server (component.TypingPause, paced by
// the typing as the palette's search is): a name typed at 200–300 ms a key
// is a pause only at its end, asked for once, not at every key.
const (
	FilterDebounce    = component.MinTypingPause
	MaxFilterDebounce = component.MaxTypingPause
)

// filterSettled says typing paused on a filter.
type filterSettled struct {
	seq  int
	text string
}

// pipelinesPaging is what the screen adds to the list: the next page as
// the cursor nears the end, the server's search as typing pauses; G's
// last page (the true end, by rel="last"), and the pages of the gap
// between the head and that tail as the cursor nears it from either
// side.
type pipelinesPaging struct {
	c    *common.Common
	list *pipelineList
	// screen is the screen's base: whether it is shown.
	screen *common.ScreenBase
	// toEnd is set by G until the page it asked for came (endAsked: the
	// last, or the next when the last is not known) or another key moved
	// the cursor: the cursor then goes to the end of what is in.
	toEnd, endAsked bool
	// followEnd is set by r at the end until its page came: when that
	// page says the list grew past the tail, the new last page is read
	// (the cursor stays on its row, unless the list grew by more than a
	// page: the old tail's rows then join the gap, and the cursor goes to
	// the new end).
	followEnd bool
	// belowGap says the cursor last came to the gap row from below: the
	// page to fetch on it is the one before the tail.
	belowGap bool
	// typed is the filter the debounce waits on, as typed (a space
	// between words is a key of the name too, though the query it makes
	// is the same); typedAt when it was typed, on the console's clock.
	typed    string
	typedSeq int
	typedAt  time.Time
}

func NewPipelinesScreen(c *common.Common) *PipelinesScreen {
	l := newPipelineList(c, "")
	pg := &pipelinesPaging{c: c, list: l}
	s := component.NewListScreen(c, component.ListScreenSpec[*model.Pipeline]{
		Crumb: "Pipelines", Title: "Pipelines", Made: l.List,
		// The timer leaves the list alone: it is many requests.
		ManualOnly: true,
		Start:      pg.start,
		Heading:    func() string { return pipelinesHeading(c, l) },
		Used: func(_ *component.List[*model.Pipeline], msg tea.Msg) tea.Cmd {
			pg.moved(msg)
			return tea.Batch(pg.typing(), pg.more())
		},
		Update: func(_ *component.List[*model.Pipeline], msg tea.Msg) common.Reply { return pg.update(msg) },
	})
	pg.screen = &s.ScreenBase
	return &PipelinesScreen{ListScreen: s, List: l}
}

// start fetches the first page unless every pipeline is known already.
func (pg *pipelinesPaging) start() tea.Cmd {
	if pc := pg.c.Org.Pipelines; pc.Loaded || pc.Pages > 0 {
		return nil
	}
	return pg.c.LoadNextPipelines(org.Interactive)
}

// update takes what the list did not: org's pipelines as they change,
// the debounce, and a person's r.
func (pg *pipelinesPaging) update(msg tea.Msg) common.Reply {
	// A page keeps the cursor on its pipeline, on its line of the screen,
	// whatever came above it; the cursor on the gap row stays where it
	// was going: on the first of the gap's rows from above, on the last
	// from below.
	l := pg.list
	anchor, step, line := "", 0, l.Table.CursorLine()
	page, isPage := msg.(common.PipelinesPage)
	if isPage {
		anchor, _ = l.Neighbour(0)
		if gap, ok := l.ToGap(); ok && gap == 0 {
			step = 1
			if pg.belowGap {
				step = -1
			}
			anchor, _ = l.Neighbour(-step)
		}
	}
	if cmd, used := l.sync(msg, true); used {
		if anchor != "" {
			l.Table.SelectAt(anchor, step, line)
		}
		if pc := pg.c.Org.Pipelines; pg.toEnd && isPage && !page.Found && l.Query() == "" {
			// G's last page came: the cursor goes to the true end. The
			// page in flight when G was pressed came: G's is asked for
			// now (more). G's next page came, the server naming no last:
			// the cursor stays, as for any page.
			end := (pc.Tail > 0 && !pc.TailBehind()) || !pc.More
			if end {
				l.Table.Move(l.Count() + 1)
			}
			if end || pg.endAsked {
				pg.toEnd, pg.endAsked = false, false
			}
		}
		if pc := pg.c.Org.Pipelines; pg.followEnd && isPage && !page.Found {
			// r's page at the end came: a list grown past the tail has
			// its new last page read, so the new pipelines are reachable.
			pg.followEnd = false
			if pc.TailBehind() {
				return common.Do(cmd, pg.c.LoadLastPipelines(org.Interactive), pg.more())
			}
		}
		return common.Do(cmd, pg.more())
	}
	switch msg := msg.(type) {
	case filterSettled:
		return common.Do(pg.search(msg))
	case common.RefreshMsg:
		// A person's r fetches the first page again (one request).
		if !msg.Auto {
			pg.list.StartLoadIn(msg.Lane)
			pc := pg.c.Org.Pipelines
			if pc.Loaded && pc.Pages > 0 && !pc.More && len(pc.Items) <= api.PerPage {
				return common.Do(pg.c.LoadPipelines(msg.Lane, true))
			}
			if gap, ok := pg.list.ToGap(); ok && gap < 0 {
				// At the end: what is shown there is made current, and
				// the list's end followed if it moved on.
				cmd := pg.c.ReloadTailPipelines(msg.Lane)
				pg.followEnd = cmd != nil
				return common.Do(cmd)
			}
			return common.Do(pg.c.ReloadPipelines(msg.Lane))
		}
	}
	return common.Reply{}
}

// moved notes what a key did to the cursor: G asks for the list's true
// end; any other key, or G typed into the filter, takes that back.
func (pg *pipelinesPaging) moved(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		pg.toEnd = key.Matches(msg, pg.c.Keys.Bottom) && !pg.list.Capturing() && pg.list.Query() == ""
	case tea.MouseWheelMsg, common.ClickMsg:
		pg.toEnd = false
	}
	pg.endAsked = false
}

// more fetches the next page when fewer than a screenful of rows are
// left below the cursor and the list has more. Not while filtering: the
// server answers a filter by itself. G fetches the last page instead,
// and then the pages between come as the cursor nears the gap row that
// stands for them: the page after the head from above, the page before
// the tail from below; never the pages between one after another. Only
// for a screen a person sees.
func (pg *pipelinesPaging) more() tea.Cmd {
	pc, l := pg.c.Org.Pipelines, pg.list
	if pc.Loading || (pc.Pages > 0 && !pc.More) || l.Query() != "" || (pg.screen != nil && !pg.screen.Shown()) {
		return nil
	}
	if pg.toEnd && pc.Pages > 0 && (pc.Tail == 0 || pc.TailBehind()) && !pg.endAsked {
		// One page for G: the last (or the next, when the server does
		// not name the last), never a walk; with a tail in, the list's
		// new last page once a reply said the list grew past it.
		cmd := pg.c.LoadLastPipelines(org.Interactive)
		pg.endAsked = cmd != nil
		return cmd
	}
	if gap, ok := l.ToGap(); ok {
		if gap != 0 {
			pg.belowGap = gap < 0
		}
		switch {
		case gap < 0 && -gap <= l.Page(), gap == 0 && pg.belowGap:
			return pg.c.LoadPrevPipelines(org.Interactive)
		case gap >= 0 && gap <= l.Page():
			return pg.c.LoadNextPipelines(org.Interactive)
		}
		return nil
	}
	if pc.Pages > 0 && l.RowsBelow() >= l.Page() {
		return nil
	}
	if pc.Pages == 0 && pc.Loaded && l.RowsBelow() >= l.Page() {
		// The index knows every pipeline: pages come only when the cursor
		// reaches the end.
		return nil
	}
	return pg.c.LoadNextPipelines(org.Interactive)
}

// typing starts the debounce again when the filter's text changed as
// typed: a space between words, which leaves the query as it was, still
// says the typing goes on (taken as no key, it let the wait of the word
// before it run out and ask for "web" while "web stream" was typed).
func (pg *pipelinesPaging) typing() tea.Cmd {
	if pg.list.Typed() == pg.typed {
		return nil
	}
	pg.typed = pg.list.Typed()
	text := pg.list.Query()
	pg.typedSeq++
	now := pg.c.Clock.Now()
	wait := component.TypingPause(pg.typedAt, now)
	pg.typedAt = now
	if text == "" || !pg.c.Org.Pipelines.NeedsSearch(text, pg.list.Shown()) {
		return nil
	}
	seq := pg.typedSeq
	return pg.c.Tick(wait, func(time.Time) tea.Msg { return filterSettled{seq: seq, text: text} })
}

// search asks the server for a filter the typing paused on.
func (pg *pipelinesPaging) search(m filterSettled) tea.Cmd {
	if m.seq != pg.typedSeq || m.text != pg.list.Query() || !pg.c.Org.Pipelines.NeedsSearch(m.text, pg.list.Shown()) {
		return nil
	}
	return pg.c.SearchPipelines(m.text)
}

// pipelinesHeading is the title with how many pipelines are in and how
// the rest comes.
func pipelinesHeading(c *common.Common, l *pipelineList) string {
	st := c.Styles
	title := st.Title.Render("Pipelines")
	pc := c.Org.Pipelines
	switch {
	case pc.Loaded:
		title += st.Muted.Render(fmt.Sprintf("  %d", l.Count()))
		if !l.ShowArchived {
			title += st.Muted.Render("  (H shows archived)")
		}
	case pc.Pages > 0 && pc.More && pc.Total > 0:
		// The last page is in: the list's true size is known.
		title += st.Muted.Render(fmt.Sprintf("  %s · %s loaded · more as you scroll", common.Thousands(pc.Total), common.Thousands(l.Count())))
	case pc.Pages > 0:
		title += st.Muted.Render(fmt.Sprintf("  %d", l.Count()))
		if pc.More {
			title += st.Muted.Render(fmt.Sprintf(" of about %s · more as you scroll", common.Thousands(max(pc.Last, pc.Pages+1)*api.PerPage)))
		}
	case len(pc.Items) > 0:
		title += st.Muted.Render("  " + common.Progress(pc) + " · the cursor and / work meanwhile")
	}
	// A bulk read waiting at the budget's reserve says so; the rows in
	// stay usable.
	if pc.Loading {
		if w := c.Client.Budget().WaitText(c.Client.Now()); w != "" {
			title += "  " + st.Warning.Render(w)
		}
	}
	return title
}

// addWebhook asks Buildkite to create the pipeline's GitHub webhook; the
// API's 422 says when it cannot (not GitHub, or one already made).
func addWebhook(c *common.Common, p model.Pipeline) common.Reply {
	return actions.Start(c, actions.AddWebhook(c, p))
}

func init() {
	Register(Registration[NoArg]{Name: "pipelines", Command: "pipelines", Place: 20,
		Open: func(c *common.Common, _ NoArg) common.Screen { return NewPipelinesScreen(c).ListScreen }})
}
