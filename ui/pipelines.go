package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
)

// pipelineList is the pipelines table over the shared cache: all of the
// organisation's, or one cluster's. Archived pipelines are hidden until H.
type pipelineList struct {
	c            *Common
	clusterID    string // "" for every cluster
	table        *table
	showArchived bool
	built        int // how many of the cache's items the rows were made from
}

func newPipelineList(c *Common, clusterID string) *pipelineList {
	cols := []column{
		{title: "NAME", width: 16, flex: 2},
		{title: "SLUG", width: 12, flex: 1, minTable: 100},
		{title: "REPOSITORY", width: 16, flex: 2, minTable: 130},
	}
	if clusterID == "" {
		cols = append(cols, column{title: "CLUSTER", width: 14, minTable: 70})
	}
	cols = append(cols,
		column{title: "BRANCH", width: 8, minTable: 100},
		column{title: "RUN/SCH/WAIT", width: 12},
		column{title: "VISIBILITY", width: 10, minTable: 120},
	)
	return &pipelineList{c: c, clusterID: clusterID, table: newTable(c, cols, 0, "no pipelines")}
}

// visible points at the pipelines the list shows, in the cache's order.
func (l *pipelineList) visible() []*model.Pipeline {
	items := l.c.pipelines.items
	out := make([]*model.Pipeline, 0, len(items))
	for i := range items {
		p := &items[i]
		if l.clusterID != "" && model.Value(p.ClusterID) != l.clusterID {
			continue
		}
		if p.Archived() && !l.showArchived {
			continue
		}
		out = append(out, p)
	}
	return out
}

// count is how many pipelines the list holds (before any filter).
func (l *pipelineList) count() int { return len(l.table.rows) }

func (l *pipelineList) rebuild() {
	l.table.setRows(l.rows(l.visible()))
	l.built = len(l.c.pipelines.items)
}

// rows makes the table's rows of ps; their cells are drawn only on screen.
func (l *pipelineList) rows(ps []*model.Pipeline) []row {
	rows := make([]row, 0, len(ps))
	pc := l.c.pipelines
	for _, p := range ps {
		name := pc.name(p)
		rows = append(rows, row{key: p.Slug, match: pc.searchText(p, name), matchLen: len(name), dim: p.Archived(),
			draw: func() []string { return l.cells(p) }})
	}
	return rows
}

// grow adds the rows of the pipelines that arrived since the last build.
func (l *pipelineList) grow() {
	items := l.c.pipelines.items
	if l.built > len(items) {
		l.rebuild()
		return
	}
	var ps []*model.Pipeline
	for i := l.built; i < len(items); i++ {
		p := &items[i]
		if l.clusterID != "" && model.Value(p.ClusterID) != l.clusterID {
			continue
		}
		if p.Archived() && !l.showArchived {
			continue
		}
		ps = append(ps, p)
	}
	l.built = len(items)
	l.table.appendRows(l.rows(ps))
}

// cells draws one pipeline's row; only rows on screen are drawn.
func (l *pipelineList) cells(p *model.Pipeline) []string {
	st := l.c.Styles
	name := l.c.pipelines.name(p)
	slug, repo := clean(p.Slug), clean(p.Repository)
	counts := fmt.Sprintf("%d/%d/%d", p.RunningBuildsCount, p.ScheduledBuildsCount, p.WaitingJobsCount)
	if p.RunningBuildsCount > 0 {
		counts = st.Running.Render(counts)
	} else {
		counts = st.Muted.Render(counts)
	}
	cells := []string{name, st.Muted.Render(slug), st.Muted.Render(repo)}
	if l.clusterID == "" {
		cl := l.c.clusterName(model.Value(p.ClusterID))
		if cl == "" {
			cl = st.Muted.Render("—")
		}
		cells = append(cells, cl)
	}
	vis := clean(p.Visibility)
	if p.Archived() {
		vis = "archived"
	}
	return append(cells, clean(p.DefaultBranch), counts, vis)
}

func (l *pipelineList) selected() (model.Pipeline, bool) {
	slug, ok := l.table.selectedKey()
	if !ok {
		return model.Pipeline{}, false
	}
	items := l.c.pipelines.items
	for i := range items {
		if items[i].Slug == slug {
			return items[i], true
		}
	}
	return model.Pipeline{}, false
}

func (l *pipelineList) help() []key.Binding {
	k := l.c.Keys
	return []key.Binding{k.Open, k.Filter, k.ShowArchived, k.New, k.Edit, k.Archive, k.Delete, k.Browse, k.Back}
}

// update keeps the list current with the cache; it reports the messages
// that were only for it.
func (l *pipelineList) update(msg tea.Msg, visible bool) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case pipelinesPage:
		// A first load shows each page as it comes; a refresh shows the
		// new list when it is complete.
		if !l.c.pipelines.loaded && !msg.done {
			l.grow()
		}
		return nil, true
	case pipelinesLoaded:
		l.rebuild()
		if msg.err != nil && visible {
			return flash(flashError, "could not load pipelines: "+errorText(msg.err)), true
		}
		return nil, true
	case pipelineChanged:
		l.rebuild()
		l.table.selectKey(msg.Pipeline.Slug)
		return nil, true
	case pipelineRemoved:
		l.rebuild()
		return nil, true
	case clusterChanged, clusterRemoved:
		l.rebuild()
	}
	return nil, false
}

func (l *pipelineList) key(msg tea.KeyPressMsg) tea.Cmd {
	k := l.c.Keys
	p, ok := l.selected()
	switch {
	case key.Matches(msg, k.ShowArchived):
		l.showArchived = !l.showArchived
		l.rebuild()
		if l.showArchived {
			return flash(flashInfo, "showing archived pipelines")
		}
		return flash(flashInfo, "archived pipelines hidden")
	case key.Matches(msg, k.Open) && ok:
		return l.c.push(newPipelineScreen(l.c, p))
	case key.Matches(msg, k.New):
		return pushForm(l.c, newPipelineForm(l.c, nil, l.clusterID))
	case key.Matches(msg, k.Edit) && ok:
		return editPipeline(l.c, p)
	case key.Matches(msg, k.Archive) && ok:
		return archiveOrUnarchive(l.c, p)
	case key.Matches(msg, k.Delete) && ok:
		return confirmDeletePipeline(l.c, p)
	}
	if ok {
		cmd, _ := l.c.linkKey(msg, "pipeline", p.WebURL, p.ID)
		return cmd
	}
	return nil
}

// placeholder is what to draw instead of an empty table while the list
// is loading or after it failed.
func (l *pipelineList) placeholder() (string, bool) {
	st := l.c.Styles
	pc := l.c.pipelines
	switch {
	case !pc.loaded && pc.err != nil && len(pc.items) == 0:
		return st.FlashError.Render("  could not load pipelines: "+errorText(pc.err)) + "\n" + st.Muted.Render("  r tries again"), true
	case !pc.loaded && len(pc.items) == 0:
		return st.Muted.Render("  loading pipelines…"), true
	}
	return "", false
}

func editPipeline(c *Common, p model.Pipeline) tea.Cmd {
	if p.Archived() {
		return flash(flashInfo, "archived pipelines are read-only: a unarchives it first")
	}
	return pushForm(c, newPipelineForm(c, &p, model.Value(p.ClusterID)))
}

// archiveOrUnarchive unarchives at once, and archives after a yes.
func archiveOrUnarchive(c *Common, p model.Pipeline) tea.Cmd {
	if c.ReadOnly {
		return c.refuse("pipeline.archive", audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}, "archiving")
	}
	name := clean(p.Name)
	run := func(archive bool) tea.Cmd {
		verb := "unarchiving"
		if archive {
			verb = "archiving"
		}
		return c.run(c.appCtx, verb+" "+name, func(ctx context.Context) tea.Msg {
			ctx = named(ctx, audit.Target{PipelineName: p.Name})
			var out model.Pipeline
			var err error
			if archive {
				out, err = c.Client.ArchivePipeline(ctx, p.Slug)
			} else {
				out, err = c.Client.UnarchivePipeline(ctx, p.Slug)
			}
			done := "unarchived"
			if archive {
				done = "archived"
			}
			return mutationDone{what: verb + " " + name, err: err,
				ok: tea.Batch(send(pipelineChanged{Pipeline: out}), flash(flashOK, done+" "+name))}
		})
	}
	if p.Archived() {
		return run(false)
	}
	return c.post(askConfirmMsg{title: "Archive pipeline " + name + "?",
		body:   "Archived pipelines are read-only and hidden from pipeline lists; builds, logs and artifacts are kept. It can be unarchived later.",
		action: "archives", onConfirm: func() tea.Cmd { return run(true) }})
}

func confirmDeletePipeline(c *Common, p model.Pipeline) tea.Cmd {
	if c.ReadOnly {
		return c.refuse("pipeline.delete", audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}, "deleting pipelines")
	}
	name := clean(p.Name)
	return c.post(askConfirmMsg{title: "Delete pipeline " + name + "?",
		body:   "This deletes the pipeline with all of its builds, logs and artifacts. This cannot be undone; archiving keeps them.",
		expect: p.Slug, action: "deletes",
		onConfirm: func() tea.Cmd {
			return c.run(c.appCtx, "deleting "+name, func(ctx context.Context) tea.Msg {
				err := c.Client.DeletePipeline(named(ctx, audit.Target{PipelineName: p.Name}), p.Slug)
				return mutationDone{what: "deleting " + name, err: err,
					ok: tea.Batch(send(pipelineRemoved{Slug: p.Slug}), flash(flashOK, "deleted pipeline "+name))}
			})
		}})
}

// pipelinesScreen is every pipeline of the organisation (:pipelines).
type pipelinesScreen struct {
	screenBase
	list *pipelineList
}

func newPipelinesScreen(c *Common) *pipelinesScreen {
	s := &pipelinesScreen{screenBase: newBase(c), list: newPipelineList(c, "")}
	s.list.rebuild()
	return s
}

func (s *pipelinesScreen) Crumb() string       { return "Pipelines" }
func (s *pipelinesScreen) Capturing() bool     { return s.list.table.capturing() }
func (s *pipelinesScreen) Help() []key.Binding { return s.list.help() }
func (s *pipelinesScreen) Init() tea.Cmd       { return s.c.loadPipelines(false) }

func (s *pipelinesScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, used := s.list.update(msg, true); used {
		return s, cmd
	}
	switch msg := msg.(type) {
	case refreshMsg:
		if !msg.auto {
			return s, s.c.loadPipelines(true)
		}
	case clickMsg:
		s.list.table.clickRow(msg.y - 1)
	case tea.MouseWheelMsg:
		s.list.table.update(msg)
	case tea.KeyPressMsg:
		if used, cmd := s.list.table.update(msg); used {
			return s, cmd
		}
		k := s.c.Keys
		switch {
		case key.Matches(msg, k.Back):
			return s, s.c.post(popMsg{})
		case key.Matches(msg, k.Refresh):
			return s, s.c.loadPipelines(true)
		}
		return s, s.list.key(msg)
	}
	return s, nil
}

func (s *pipelinesScreen) View() string {
	st := s.c.Styles
	title := st.Title.Render("Pipelines")
	if pc := s.c.pipelines; !pc.loaded && len(pc.items) > 0 {
		title += st.Muted.Render("  " + pc.progress() + " · the cursor and / work meanwhile")
	} else if pc.loaded {
		n := s.list.count()
		title += st.Muted.Render(fmt.Sprintf("  %d", n))
		if !s.list.showArchived {
			title += st.Muted.Render("  (H shows archived)")
		}
	}
	if body, ok := s.list.placeholder(); ok {
		return title + "\n" + body
	}
	s.list.table.setSize(s.c.Width, s.c.Height-1)
	return title + "\n" + s.list.table.render()
}

// addWebhook asks Buildkite to create the pipeline's GitHub webhook; the
// API's 422 says when it cannot (not GitHub, or one already made).
func addWebhook(c *Common, p model.Pipeline) tea.Cmd {
	target := audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
	if c.ReadOnly {
		return c.refuse("pipeline.webhook", target, "adding webhooks")
	}
	name := clean(p.Name)
	return c.run(c.appCtx, "adding a webhook to "+name, func(ctx context.Context) tea.Msg {
		err := c.Client.AddWebhook(named(ctx, target), p.Slug)
		return mutationDone{what: "adding a webhook to " + name, err: err,
			ok: flash(flashOK, "webhook created: pushes to "+clean(p.Repository)+" now trigger builds of "+name)}
	})
}
