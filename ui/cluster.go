package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
)

// clusterScreen shows a cluster's fields above tabs of what belongs to
// it: its queues, its agent tokens and its pipelines, each a list on the
// list host.
type clusterScreen struct {
	screenBase
	cluster model.Cluster
	tabs    tabs
	queues  *list[model.Queue]
	tokens  *list[model.Token]
	pipes   *pipelineList
}

const (
	tabQueues = iota
	tabTokens
	tabPipelines
)

// pane is what a tab shows: a list on the list host.
type pane interface {
	update(msg tea.Msg, top int) (bool, tea.Cmd)
	view(width, height int) string
	capturing() bool
	help() []key.Binding
}

type tokensLoaded struct {
	tokens []model.Token
	err    error
}

type queuesLoaded struct {
	queues []model.Queue
	err    error
}

type clusterLoaded struct {
	cluster model.Cluster
	err     error
}

func newClusterScreen(c *Common, cl model.Cluster, queues []model.Queue) *clusterScreen {
	s := &clusterScreen{screenBase: newBase(c), cluster: cl,
		tabs: tabs{c: c, names: []string{"Queues", "Tokens", "Pipelines"}}}
	s.queues = newList(c, s.queueSpec())
	s.tokens = newList(c, tokenSpec(c, &s.cluster))
	s.pipes = newPipelineList(c, cl.ID)
	if queues != nil {
		// What the home screen listed, until the cluster's own list comes.
		s.queues.items, s.queues.known = queues, true
		s.queues.rebuild()
	}
	return s
}

func (s *clusterScreen) queueSpec() listSpec[model.Queue] {
	c, st, k := s.c, s.c.Styles, s.c.Keys
	ref := func(q model.Queue) queueRef {
		return queueRef{ClusterID: s.cluster.ID, ClusterName: s.cluster.Name, Queue: q}
	}
	return listSpec[model.Queue]{
		noun: "queues", empty: "no queues yet: n creates one",
		columns: []listColumn[model.Queue]{
			col("KEY", 12, 1, 0, func(q model.Queue) string {
				if q.ID == model.Value(s.cluster.DefaultQueueID) {
					return clean(q.Key) + st.Muted.Render(" ★")
				}
				return clean(q.Key)
			}),
			col("DESCRIPTION", 8, 2, 100, func(q model.Queue) string { return st.Muted.Render(queueDescription(q)) }),
			col("STATE", 22, 3, 0, func(q model.Queue) string { return queueState(c, q) }),
			col("AGENTS", 24, 0, 0, shapeLabel),
		},
		key: func(q model.Queue) string { return q.ID },
		match: func(q model.Queue) (string, int) {
			key := clean(q.Key)
			return key + " " + queueDescription(q), len(key)
		},
		marked: func(q model.Queue) bool { _, marked := c.marks[q.ID]; return marked },
		toggleMark: func(q model.Queue) {
			if _, marked := c.marks[q.ID]; marked {
				delete(c.marks, q.ID)
			} else {
				c.marks[q.ID] = ref(q)
			}
		},
		keys: []listKey[model.Queue]{
			shown[model.Queue](k.NextTab),
			onItem(k.Open, func(q model.Queue) tea.Cmd { return c.push(newQueueScreen(c, s.cluster, q)) }),
			onItem(k.Pause, func(q model.Queue) tea.Cmd { return pauseOrResume(c, ref(q)) }),
			shown[model.Queue](k.Mark),
			shown[model.Queue](k.Filter),
			onList[model.Queue](k.New, func() tea.Cmd { return pushForm(c, newQueueForm(c, s.cluster, nil)) }),
			onItem(k.Edit, func(q model.Queue) tea.Cmd { return pushForm(c, newQueueForm(c, s.cluster, &q)) }),
			onItem(k.Delete, func(q model.Queue) tea.Cmd { return confirmDeleteQueue(c, s.cluster, q) }),
			shown[model.Queue](k.Back),
		},
		link: func(q model.Queue) (string, string, string) { return "queue", q.WebURL, q.ID },
	}
}

func (s *clusterScreen) Crumb() string { return clean(emojize(s.cluster.Name)) }

func (s *clusterScreen) Capturing() bool { return s.current().capturing() }

// current is the list of the tab on show.
func (s *clusterScreen) current() pane {
	switch s.tabs.current {
	case tabTokens:
		return s.tokens
	case tabPipelines:
		return s.pipes
	}
	return s.queues
}

func (s *clusterScreen) Help() []key.Binding {
	if s.tabs.current == tabPipelines {
		return append([]key.Binding{s.c.Keys.NextTab}, s.pipes.help()...)
	}
	return s.current().help()
}

func (s *clusterScreen) Init() tea.Cmd { return s.load(org.Interactive) }

// load reloads the cluster, its queues and the open tab.
func (s *clusterScreen) load(lane org.Lane) tea.Cmd {
	var tab tea.Cmd
	switch s.tabs.current {
	case tabTokens:
		tab = s.loadTokens(lane)
	case tabPipelines:
		tab = s.c.loadPipelines(lane, true)
	}
	id := s.cluster.ID
	return tea.Batch(tab, s.loadQueues(lane),
		s.run(lane, "loading cluster", func(ctx context.Context) tea.Msg {
			cl, err := s.c.Client.GetCluster(ctx, id)
			return clusterLoaded{cluster: cl, err: err}
		}),
	)
}

// refresh is the timer's reload: only what the open tab shows, one
// request; the pipelines tab (the organisation's whole list) reloads
// only when a person asks (r).
func (s *clusterScreen) refresh(lane org.Lane) tea.Cmd {
	switch s.tabs.current {
	case tabTokens:
		return s.loadTokens(lane)
	case tabPipelines:
		return nil
	}
	return s.loadQueues(lane)
}

func (s *clusterScreen) loadQueues(lane org.Lane) tea.Cmd {
	id := s.cluster.ID
	s.queues.startLoad()
	return s.run(lane, "loading queues", func(ctx context.Context) tea.Msg {
		qs, err := s.c.Client.ListQueues(ctx, id, nil)
		return queuesLoaded{queues: qs, err: err}
	})
}

func (s *clusterScreen) loadTokens(lane org.Lane) tea.Cmd {
	id := s.cluster.ID
	return s.run(lane, "loading tokens", func(ctx context.Context) tea.Msg {
		ts, err := s.c.Client.ListTokens(ctx, id, nil)
		return tokensLoaded{tokens: ts, err: err}
	})
}

// switchTab shows another tab, loading what it needs the first time.
func (s *clusterScreen) switchTab() tea.Cmd {
	switch s.tabs.current {
	case tabTokens:
		if !s.tokens.known {
			return s.loadTokens(org.Interactive)
		}
	case tabPipelines:
		s.pipes.rebuild()
		return s.c.loadPipelines(org.Interactive, false)
	}
	return nil
}

func (s *clusterScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, used := s.pipes.sync(msg, s.tabs.current == tabPipelines); used {
		return s, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && !s.current().capturing() && s.tabs.key(k) {
		return s, s.switchTab()
	}
	if used, cmd := s.current().update(msg, s.tableTop()); used {
		return s, cmd
	}
	switch msg := msg.(type) {
	case tokensLoaded:
		return s, s.tokens.loaded(msg.tokens, msg.err)
	case queuesLoaded:
		if cmd := s.queues.loaded(msg.queues, msg.err); cmd != nil || msg.err != nil {
			return s, cmd
		}
		return s, s.c.post(org.QueuesSeen{ClusterID: s.cluster.ID, Queues: msg.queues})
	case clusterLoaded:
		if msg.err == nil {
			s.cluster = msg.cluster
		}
	case org.TokenChanged:
		if msg.ClusterID == s.cluster.ID {
			s.tokens.upsert(msg.Token)
			s.tokens.table.selectKey(msg.Token.ID)
		}
	case org.TokenRemoved:
		s.tokens.remove(msg.TokenID)
	case org.QueueChanged:
		if msg.ClusterID == s.cluster.ID {
			s.queues.upsert(msg.Queue)
		}
	case org.QueueRemoved:
		s.queues.remove(msg.QueueID)
	case org.ClusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
			s.queues.rebuild()
		}
	case org.ClusterRemoved:
		if msg.ClusterID == s.cluster.ID {
			return s, s.c.post(popMsg{})
		}
	case marksChanged:
		s.queues.rebuild()
	case refreshMsg:
		if msg.auto {
			return s, s.refresh(msg.lane)
		}
		return s, s.load(msg.lane)
	case tea.KeyPressMsg:
		if key.Matches(msg, s.c.Keys.Back) {
			return s, s.c.post(popMsg{})
		}
	}
	return s, nil
}

// pauseOrResume is the one key: a running queue asks for a note, a
// paused one resumes at once.
func pauseOrResume(c *Common, ref queueRef) tea.Cmd {
	if ref.Queue.DispatchPaused {
		return c.post(resumeMsg{targets: []queueRef{ref}})
	}
	return c.post(askNoteMsg{targets: []queueRef{ref}})
}

// details are the cluster's fields above the tabs.
func (s *clusterScreen) details() []string {
	st := s.c.Styles
	cl := s.cluster
	title := strings.TrimSpace(emojiCell(model.Value(cl.Emoji)) + " " + st.Title.Render(clean(emojize(cl.Name))))
	if color := validColor(model.Value(cl.Color)); color != "" {
		title += "  " + st.Swatch(color) + " " + st.Muted.Render(color)
	}
	lines := []string{title}
	if d := clean(emojize(model.Value(cl.Description))); d != "" {
		lines = append(lines, d)
	}
	paused := 0
	for _, q := range s.queues.items {
		if q.DispatchPaused {
			paused++
		}
	}
	def := "none"
	if id := model.Value(cl.DefaultQueueID); id != "" {
		def = "…"
		if k, ok := s.c.org.QueueKey(id); ok {
			def = clean(k)
		}
	}
	facts := []string{"default queue " + st.Bold.Render(def), plural(len(s.queues.items), "queue", "queues")}
	if paused > 0 {
		facts = append(facts, st.Paused.Render(fmt.Sprintf("%d paused", paused)))
	}
	if cl.CreatedAt != nil {
		created := "created " + ago(s.c.Now(), cl.CreatedAt.Time)
		if by := clean(cl.CreatedBy.DisplayName()); by != "" {
			created += " by " + by
		}
		facts = append(facts, created)
	}
	lines = append(lines, st.Muted.Render(strings.Join(facts, " · ")))
	if age, stale := s.queues.stale(); stale {
		lines = append(lines, st.Warning.Render("refresh failed; showing queues from "+age+" (r tries again)"))
	}
	return lines
}

func (s *clusterScreen) tabLine() string {
	return s.tabs.view(func(i int, name string) string {
		switch {
		case i == tabQueues:
			return fmt.Sprintf("%s (%d)", name, len(s.queues.items))
		case i == tabTokens && s.tokens.known:
			return fmt.Sprintf("%s (%d)", name, len(s.tokens.items))
		case i == tabPipelines && s.c.org.Pipelines.Loaded:
			return fmt.Sprintf("%s (%d)", name, s.pipes.count())
		}
		return name
	})
}

func (s *clusterScreen) tableTop() int { return len(s.details()) + 2 }

func (s *clusterScreen) View() string {
	out := append(s.details(), "", s.tabLine())
	return strings.Join(out, "\n") + "\n" + s.current().view(s.c.Width, s.c.Height-len(out))
}
