package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
)

// pipelineList is the pipelines list over org's shared pipelines: all of
// the organisation's, or one cluster's. Archived pipelines are hidden
// until H. The rows come from org: the first load shows each page as it
// comes (progressive), a refresh the new list when it is complete.
type pipelineList struct {
	*list[*model.Pipeline]
	c            *Common
	clusterID    string // "" for every cluster
	showArchived bool
	built        int // how many of org's pipelines the rows were made from
}

func newPipelineList(c *Common, clusterID string) *pipelineList {
	l := &pipelineList{c: c, clusterID: clusterID}
	st, k := c.Styles, c.Keys
	muted := func(text func(p *model.Pipeline) string) func(p *model.Pipeline) string {
		return func(p *model.Pipeline) string { return st.Muted.Render(clean(text(p))) }
	}
	cols := []listColumn[*model.Pipeline]{
		col("NAME", 16, 2, 0, func(p *model.Pipeline) string { return c.org.Pipelines.Name(p) }),
		col("SLUG", 12, 1, 100, muted(func(p *model.Pipeline) string { return p.Slug })),
		col("REPOSITORY", 16, 2, 130, muted(func(p *model.Pipeline) string { return p.Repository })),
	}
	if clusterID == "" {
		cols = append(cols, col("CLUSTER", 14, 0, 70, func(p *model.Pipeline) string {
			if cl := c.clusterName(model.Value(p.ClusterID)); cl != "" {
				return cl
			}
			return st.Muted.Render("—")
		}))
	}
	cols = append(cols,
		col("BRANCH", 8, 0, 100, func(p *model.Pipeline) string { return clean(p.DefaultBranch) }),
		col("RUN/SCH/WAIT", 12, 0, 0, func(p *model.Pipeline) string {
			counts := fmt.Sprintf("%d/%d/%d", p.RunningBuildsCount, p.ScheduledBuildsCount, p.WaitingJobsCount)
			if p.RunningBuildsCount > 0 {
				return st.Running.Render(counts)
			}
			return st.Muted.Render(counts)
		}),
		col("VISIBILITY", 10, 0, 120, func(p *model.Pipeline) string {
			if p.Archived() {
				return "archived"
			}
			return clean(p.Visibility)
		}),
	)
	l.list = newList(c, listSpec[*model.Pipeline]{
		noun: "pipelines", empty: "no pipelines", columns: cols,
		key: func(p *model.Pipeline) string { return p.Slug },
		match: func(p *model.Pipeline) (string, int) {
			name := c.org.Pipelines.Name(p)
			return org.SearchText(p, name), len(name)
		},
		dim: func(p *model.Pipeline) bool { return p.Archived() },
		keys: []listKey[*model.Pipeline]{
			onItem(k.Open, func(p *model.Pipeline) tea.Cmd { return c.push(newPipelineScreen(c, *p)) }),
			shown[*model.Pipeline](k.Filter),
			onList[*model.Pipeline](k.ShowArchived, l.toggleArchived),
			onList[*model.Pipeline](k.New, func() tea.Cmd { return pushForm(c, newPipelineForm(c, nil, clusterID)) }),
			onItem(k.Edit, func(p *model.Pipeline) tea.Cmd { return editPipeline(c, *p) }),
			onItem(k.Archive, func(p *model.Pipeline) tea.Cmd { return archiveOrUnarchive(c, *p) }),
			onItem(k.Delete, func(p *model.Pipeline) tea.Cmd { return confirmDeletePipeline(c, *p) }),
			shown[*model.Pipeline](k.Browse),
			shown[*model.Pipeline](k.Back),
		},
		link: func(p *model.Pipeline) (string, string, string) { return "pipeline", p.WebURL, p.ID },
	})
	l.rebuild()
	return l
}

// shows reports whether the list shows p.
func (l *pipelineList) shows(p *model.Pipeline) bool {
	return (l.clusterID == "" || model.Value(p.ClusterID) == l.clusterID) && (l.showArchived || !p.Archived())
}

// rebuild makes the rows again from org's pipelines.
func (l *pipelineList) rebuild() {
	items := l.c.org.Pipelines.Items
	ps := make([]*model.Pipeline, 0, len(items))
	for i := range items {
		if l.shows(&items[i]) {
			ps = append(ps, &items[i])
		}
	}
	l.built = len(items)
	l.list.setItems(ps)
}

// grow adds the rows of the pipelines that arrived since the last build.
func (l *pipelineList) grow() {
	items := l.c.org.Pipelines.Items
	if l.built > len(items) {
		l.rebuild()
		return
	}
	var ps []*model.Pipeline
	for i := l.built; i < len(items); i++ {
		if l.shows(&items[i]) {
			ps = append(ps, &items[i])
		}
	}
	l.built = len(items)
	l.list.appendItems(ps)
}

func (l *pipelineList) toggleArchived() tea.Cmd {
	l.showArchived = !l.showArchived
	l.rebuild()
	if l.showArchived {
		return flash(flashInfo, "showing archived pipelines")
	}
	return flash(flashInfo, "archived pipelines hidden")
}

// sync keeps the list current with org's pipelines; it reports the
// messages that were only for it.
func (l *pipelineList) sync(msg tea.Msg, visible bool) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case pipelinesPage:
		// A first load shows each page as it comes; a refresh shows the
		// new list when it is complete.
		if !l.c.org.Pipelines.Loaded && !msg.Done {
			l.grow()
		}
		return nil, true
	case pipelinesLoaded:
		l.rebuild()
		if msg.err != nil && visible {
			return flash(flashError, "could not load pipelines: "+errorText(msg.err)), true
		}
		return nil, true
	case org.PipelineChanged:
		l.rebuild()
		l.table.selectKey(msg.Pipeline.Slug)
		return nil, true
	case org.PipelineRemoved:
		l.rebuild()
		return nil, true
	case org.ClusterChanged, org.ClusterRemoved:
		l.rebuild()
	}
	return nil, false
}

// view draws the list; until a first page is in, what is on its way or
// what went wrong.
func (l *pipelineList) view(width, height int) string {
	pc := l.c.org.Pipelines
	l.list.known = pc.Loaded || len(pc.Items) > 0
	l.list.err = pc.Err
	return l.list.view(width, height)
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
		return c.run(c.appCtx, org.Interactive, verb+" "+name, func(ctx context.Context) tea.Msg {
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
				ok: tea.Batch(send(org.PipelineChanged{Pipeline: out}), flash(flashOK, done+" "+name))}
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
	name := clean(p.Name)
	return confirmThen(c, confirmedChange{audit: "pipeline.delete", target: audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name},
		refused: "deleting pipelines", title: "Delete pipeline " + name + "?", expect: p.Slug, verb: "deletes",
		body:  "This deletes the pipeline with all of its builds, logs and artifacts. This cannot be undone; archiving keeps them.",
		doing: "deleting " + name, done: "deleted pipeline " + name,
		send:  func(ctx context.Context) error { return c.Client.DeletePipeline(ctx, p.Slug) },
		shows: org.PipelineRemoved{Slug: p.Slug}})
}

// pipelinesScreen is every pipeline of the organisation (:pipelines).
type pipelinesScreen struct {
	screenBase
	list *pipelineList
}

func newPipelinesScreen(c *Common) *pipelinesScreen {
	return &pipelinesScreen{screenBase: newBase(c), list: newPipelineList(c, "")}
}

func (s *pipelinesScreen) Crumb() string       { return "Pipelines" }
func (s *pipelinesScreen) Capturing() bool     { return s.list.capturing() }
func (s *pipelinesScreen) Help() []key.Binding { return s.list.help() }
func (s *pipelinesScreen) Init() tea.Cmd       { return s.c.loadPipelines(org.Interactive, false) }

func (s *pipelinesScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, used := s.list.sync(msg, true); used {
		return s, cmd
	}
	if used, cmd := s.list.update(msg, 1); used {
		return s, cmd
	}
	switch msg := msg.(type) {
	case refreshMsg:
		// The whole list is many requests: only a person's r reloads it.
		if !msg.auto {
			return s, s.c.loadPipelines(msg.lane, true)
		}
	case tea.KeyPressMsg:
		if key.Matches(msg, s.c.Keys.Back) {
			return s, s.c.post(popMsg{})
		}
	}
	return s, nil
}

func (s *pipelinesScreen) View() string {
	st := s.c.Styles
	title := st.Title.Render("Pipelines")
	if pc := s.c.org.Pipelines; !pc.Loaded && len(pc.Items) > 0 {
		title += st.Muted.Render("  " + progress(pc) + " · the cursor and / work meanwhile")
	} else if pc.Loaded {
		title += st.Muted.Render(fmt.Sprintf("  %d", s.list.count()))
		if !s.list.showArchived {
			title += st.Muted.Render("  (H shows archived)")
		}
	}
	return title + "\n" + s.list.view(s.c.Width, s.c.Height-1)
}

// addWebhook asks Buildkite to create the pipeline's GitHub webhook; the
// API's 422 says when it cannot (not GitHub, or one already made).
func addWebhook(c *Common, p model.Pipeline) tea.Cmd {
	target := audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
	if c.ReadOnly {
		return c.refuse("pipeline.webhook", target, "adding webhooks")
	}
	name := clean(p.Name)
	return c.run(c.appCtx, org.Interactive, "adding a webhook to "+name, func(ctx context.Context) tea.Msg {
		err := c.Client.AddWebhook(named(ctx, target), p.Slug)
		return mutationDone{what: "adding a webhook to " + name, err: err,
			ok: flash(flashOK, "webhook created: pushes to "+clean(p.Repository)+" now trigger builds of "+name)}
	})
}
