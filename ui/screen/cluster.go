package screen

import (
	"cmp"
	"context"
	"fmt"
	"github.com/charmbracelet/x/ansi"
	"strings"

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

// clusterScreen shows a cluster's fields above tabs of what belongs to
// it: its queues, its agent tokens and its pipelines, each a list on the
// list host.
type clusterScreen struct {
	common.ScreenBase
	cluster model.Cluster
	tabs    component.Tabs
	queues  *component.List[model.Queue]
	tokens  *component.List[model.Token]
	pipes   *pipelineList
	// live is what the queues on screen are doing, from GraphQL: the
	// AGENTS and WAITING columns; act is the same from REST, read while
	// GraphQL cannot be had.
	live liveQueues
	act  activity
	// lastTick is the timer's last refresh, for the pace of act's reads.
	lastTick int64
}

const (
	tabQueues = iota
	tabTokens
	tabPipelines
)

type clusterLoaded struct {
	cluster model.Cluster
	err     error
}

func NewClusterScreen(c *common.Common, cl model.Cluster, queues []model.Queue) *clusterScreen {
	s := &clusterScreen{ScreenBase: common.NewBase(c), cluster: cl,
		tabs: component.Tabs{C: c, Names: []string{"Queues", "Tokens", "Pipelines"}}, live: newLiveQueues(),
		act: activity{shared: c.Org}}
	// AGENTS from REST at once, when the home screen has read the list.
	s.act.adopt()
	id := cl.ID
	qs := s.queueSpec()
	qs.OnScreen = func(ids []string, _ bool) tea.Cmd {
		if s.live.rest {
			return nil
		}
		return s.live.count(&s.ScreenBase, s.queuesOf(ids))
	}
	qs.Load = func(ctx context.Context) ([]model.Queue, error) { return c.Client.ListQueues(ctx, id, nil) }
	qs.Took = func(queues []model.Queue, _ org.Lane) common.Reply {
		return common.Ask(org.QueuesSeen{ClusterID: id, Queues: queues})
	}
	ts := tokenSpec(c, &s.cluster)
	ts.Load = func(ctx context.Context) ([]model.Token, error) { return c.Client.ListTokens(ctx, id, nil) }
	s.queues, s.tokens = component.NewList(c, qs), component.NewList(c, ts)
	s.queues.Attach(&s.ScreenBase)
	s.tokens.Attach(&s.ScreenBase)
	s.pipes = newPipelineList(c, cl.ID)
	s.tabs.Panes = []component.Pane{s.queues, s.tokens, s.pipes}
	if queues != nil {
		// What the home screen listed, until the cluster's own list comes.
		s.queues.Seed(queues)
	}
	return s
}

func (s *clusterScreen) queueSpec() component.ListSpec[model.Queue] {
	c, k := s.C, s.C.Keys
	ref := func(q model.Queue) common.QueueRef {
		return common.QueueRef{ClusterID: s.cluster.ID, ClusterName: s.cluster.Name, Queue: q}
	}
	return component.ListSpec[model.Queue]{
		Legend: present.LegendQueues,
		Noun:   "queues", Empty: "no queues yet: n creates one",
		Columns: []component.ListColumn[model.Queue]{
			component.Col("KEY", 12, 0, 0, func(q model.Queue) present.Cell {
				if q.ID == model.Value(s.cluster.DefaultQueueID) {
					return present.Text(q.Key).And(present.Muted, " ★")
				}
				return present.Text(q.Key)
			}),
			// From 140 columns: below that the width goes to STATE, whose
			// pause note is what the on-call engineer reads (at 120 the
			// muted description took 33 columns and left a note 3 letters).
			component.Col("DESCRIPTION", 8, 2, 140, func(q model.Queue) present.Cell { return present.As(present.Muted, queueDescription(q)) }),
			component.Col("STATE", 22, 6, 0, func(q model.Queue) present.Cell { return queueState(c, q) }),
			component.Col("AGENTS", 7, 0, 0, func(q model.Queue) present.Cell {
				if n, ok := s.live.of(q); ok {
					return liveAgentsCell(n)
				}
				return s.act.agentsCell(q)
			}),
			component.Col("WAITING", 8, 0, 0, func(q model.Queue) present.Cell {
				if n, ok := s.live.of(q); ok {
					return liveWaitingCell(c.Now(), q, n)
				}
				return s.act.waitingCell(c.Now(), q)
			}).Sort(s.compareWaiting),
			component.Col("RUNS ON", 24, 0, 100, present.ShapeLabel),
		},
		Key: func(q model.Queue) string { return q.ID },
		Match: func(q model.Queue) (string, int) {
			return q.Key + " " + queueDescription(q), len(q.Key)
		},
		Marked:     func(q model.Queue) bool { return c.Session.Marked(q.ID) },
		ToggleMark: func(q model.Queue) common.Reply { return common.Ask(org.MarkToggled{Ref: ref(q)}) },
		Keys: []component.ListKey[model.Queue]{
			component.Shown[model.Queue](k.NextTab),
			component.OnItem(k.Open, func(q model.Queue) common.Reply { return Open(c, "queue", QueueArg{Cluster: s.cluster, Queue: q}) }),
			component.OnItem(k.Pause, func(q model.Queue) common.Reply { return pauseOrResumeHolding(c, ref(q), s.holds(q)) }).Needs(api.ActionPauseQueue),
			component.Shown[model.Queue](k.Mark),
			component.Shown[model.Queue](k.Filter),
			component.OnList[model.Queue](k.New, func() common.Reply { return component.PushForm(c, newQueueForm(c, s.cluster, nil)) }).Needs(api.ActionChangeQueue),
			component.OnItem(k.Edit, func(q model.Queue) common.Reply { return component.PushForm(c, newQueueForm(c, s.cluster, &q)) }).Needs(api.ActionChangeQueue),
			component.OnItem(k.Delete, func(q model.Queue) common.Reply { return confirmDeleteQueue(c, s.cluster, q) }).Needs(api.ActionChangeQueue),
			component.Shown[model.Queue](k.Back),
		},
		Link: func(q model.Queue) (string, string, string) { return "queue", q.WebURL, q.ID },
	}
}

// queuesOf is the queues of ids, as listed.
func (s *clusterScreen) queuesOf(ids []string) []model.Queue {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var out []model.Queue
	for _, q := range s.queues.Items {
		if want[q.ID] {
			out = append(out, q)
		}
	}
	return out
}

// holds is what a pause of q will hold, from what the screen knows.
func (s *clusterScreen) holds(q model.Queue) string {
	if n, ok := s.live.of(q); ok {
		return liveHolds(n)
	}
	return s.act.holds(q)
}

// restCounts are the REST reads that stand in for GraphQL's counts: the
// organisation's active builds (WAITING) and, when agents, its agents
// (at tick: see activity.agentsDue).
func (s *clusterScreen) restCounts(lane org.Lane, agents bool, tick int64) tea.Cmd {
	if !agents {
		return loadQueueLoads(&s.ScreenBase, lane)
	}
	return tea.Batch(loadQueueLoads(&s.ScreenBase, lane), s.act.loadAgents(&s.ScreenBase, lane, tick))
}

func (s *clusterScreen) Crumb() string { return common.Emojize(s.cluster.Name) }

func (s *clusterScreen) Capturing() bool { return s.tabs.Capturing() }

// Legend and MoreHelp are the tab on show's, for the help.
func (s *clusterScreen) Legend() []string        { return s.tabs.Legend() }
func (s *clusterScreen) MoreHelp() []key.Binding { return s.tabs.MoreHelp() }

func (s *clusterScreen) Help() []key.Binding {
	if s.tabs.Current == tabPipelines {
		return append([]key.Binding{s.C.Keys.NextTab}, s.pipes.Help()...)
	}
	return s.tabs.Pane().Help()
}

// KeyAction is the action a key takes on the tab on show
// (common.KeyActions).
func (s *clusterScreen) KeyAction(b key.Binding) (api.Action, bool) {
	if s.tabs.Current == tabPipelines {
		return s.pipes.KeyAction(b)
	}
	return s.tabs.KeyAction(b)
}

func (s *clusterScreen) Init() tea.Cmd { return s.load(org.Interactive) }

// load reloads the cluster, its queues and the open tab.
func (s *clusterScreen) load(lane org.Lane) tea.Cmd {
	var tab tea.Cmd
	switch s.tabs.Current {
	case tabTokens:
		tab = s.tokens.Load(lane)
	case tabPipelines:
		s.pipes.StartLoadIn(lane)
		tab = s.C.LoadPipelines(lane, true)
	}
	id := s.cluster.ID
	var counts tea.Cmd
	if s.live.rest {
		// The agents list again only when a person asks (r) or no screen
		// has read it: on open, the home screen's serves (adopt).
		s.act.adopt()
		counts = s.restCounts(lane, lane == org.Fresh || !s.act.agentsKnown, s.lastTick)
	}
	// From GraphQL, the queues on screen are counted once their list is
	// in (OnScreen).
	s.live.due = true
	return tea.Batch(tab, s.loadQueues(lane), counts,
		s.Run(lane, "loading cluster", func(ctx context.Context) tea.Msg {
			cl, err := s.C.Client.GetCluster(ctx, id)
			return clusterLoaded{cluster: cl, err: err}
		}),
	)
}

// refresh is the timer's reload: only what the open tab shows, one
// request; the pipelines tab (the organisation's whole list) reloads
// only when a person asks (r).
func (s *clusterScreen) refresh(lane org.Lane, tick int64) tea.Cmd {
	switch s.tabs.Current {
	case tabTokens:
		return s.tokens.Load(lane)
	case tabPipelines:
		return nil
	}
	if !s.live.rest {
		return s.loadQueues(lane)
	}
	return tea.Batch(s.loadQueues(lane), s.restCounts(lane, s.act.agentsDue(tick), tick))
}

// loadQueues loads the queues; r's answer comes from the tab on show.
func (s *clusterScreen) loadQueues(lane org.Lane) tea.Cmd {
	if s.tabs.Current == tabQueues {
		return s.queues.Load(lane)
	}
	return s.queues.LoadBehind(lane)
}

// switchTab shows another tab, loading what it needs the first time.
func (s *clusterScreen) switchTab() tea.Cmd {
	switch s.tabs.Current {
	case tabTokens:
		if !s.tokens.Known {
			return s.tokens.Load(org.Interactive)
		}
	case tabPipelines:
		s.pipes.Rebuild()
		return s.C.LoadPipelines(org.Interactive, false)
	}
	return nil
}

func (s *clusterScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if cmd, used := s.pipes.sync(msg, s.tabs.Current == tabPipelines); used {
		return s, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && !s.tabs.Capturing() && s.tabs.Key(k) {
		return s, s.switchTab()
	}
	if used, cmd := s.tabs.Route(msg, s.tableTop()); used {
		return common.Answer(s, cmd)
	}
	if took, fellBack := s.live.take(msg); took {
		s.queues.Rebuild()
		if fellBack {
			s.act.adopt()
			return s, s.restCounts(org.Background, !s.act.agentsKnown, s.lastTick)
		}
		return s, nil
	}
	if s.act.take(msg) {
		s.queues.Rebuild()
		return s, nil
	}
	switch msg := msg.(type) {
	case common.AgentsChanged:
		if !s.live.rest {
			s.live.due = true
			return s, s.live.count(&s.ScreenBase, s.queuesOf(s.queues.OnScreen(s.C.Height)))
		}
		return s, s.act.loadAgents(&s.ScreenBase, org.Interactive, s.lastTick)
	case clusterLoaded:
		if msg.err == nil {
			s.cluster = msg.cluster
		}
	case org.TokenChanged:
		if msg.ClusterID == s.cluster.ID {
			s.tokens.Upsert(msg.Token)
			s.tokens.Table.SelectKey(msg.Token.ID)
		}
	case org.TokenRemoved:
		s.tokens.Remove(msg.TokenID)
	case org.QueueChanged:
		if msg.ClusterID == s.cluster.ID {
			if s.queues.Upsert(msg.Queue) && model.Value(s.cluster.DefaultQueueID) == "" {
				// A cluster's first queue becomes its default: fetch the
				// cluster again rather than say "default queue none".
				id := s.cluster.ID
				return s, s.Run(org.Interactive, "loading cluster", func(ctx context.Context) tea.Msg {
					cl, err := s.C.Client.GetCluster(ctx, id)
					return clusterLoaded{cluster: cl, err: err}
				})
			}
		}
	case org.QueueRemoved:
		s.queues.Remove(msg.QueueID)
	case org.ClusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
			s.queues.Rebuild()
		}
	case org.ClusterRemoved:
		if msg.ClusterID == s.cluster.ID {
			return common.Asking(s, common.PopMsg{}), nil
		}
	case common.MarksChanged:
		s.queues.Rebuild()
	case common.RefreshMsg:
		s.live.refreshed(msg, min(len(s.queues.Items), s.C.Height), graphQLCountEvery)
		if msg.Auto {
			s.lastTick = msg.Tick
			if msg.Changed && s.live.rest && !s.act.agentsDue(msg.Tick) {
				// Another session's change may have been to agents.
				return s, tea.Batch(s.refresh(msg.Lane, msg.Tick), s.act.loadAgents(&s.ScreenBase, msg.Lane, msg.Tick))
			}
			return s, s.refresh(msg.Lane, msg.Tick)
		}
		return s, s.load(msg.Lane)
	case tea.KeyPressMsg:
		if key.Matches(msg, s.C.Keys.Back) {
			return common.Asking(s, common.PopMsg{}), nil
		}
	}
	return s, nil
}

// pauseOrResume is the one key: a running queue asks for a note, a
// paused one resumes at once.
func pauseOrResume(c *common.Common, ref common.QueueRef) common.Reply {
	return pauseOrResumeHolding(c, ref, "")
}

// pauseOrResumeHolding is pauseOrResume with what the pause will hold, for
// the prompt to say.
func pauseOrResumeHolding(c *common.Common, ref common.QueueRef, holds string) common.Reply {
	return actions.PauseOrResume(ref, holds)
}

// details are the cluster's fields above the tabs.
func (s *clusterScreen) details() []string {
	st := s.C.Styles
	cl := s.cluster
	title := strings.TrimSpace(component.Draw(st, present.As(present.Emoji, model.Value(cl.Emoji))) + " " + component.Draw(st, present.As(present.Title, common.Emojize(cl.Name))))
	if color := model.Value(cl.Color); model.ValidateColor(color) == nil && color != "" {
		title += "  " + component.Draw(st, present.As(present.Swatch, color).And(present.Plain, " ").And(present.Muted, color))
	}
	lines := []string{title}
	if d := component.Text(common.Emojize(model.Value(cl.Description))); d != "" {
		lines = append(lines, d)
	}
	paused := 0
	for _, q := range s.queues.Items {
		if q.DispatchPaused {
			paused++
		}
	}
	def := "none"
	if id := model.Value(cl.DefaultQueueID); id != "" {
		def = "…"
		if k, ok := s.C.Org.QueueKey(id); ok {
			def = component.Text(k)
		}
	}
	facts := []string{"default queue " + st.Bold.Render(def), common.Plural(len(s.queues.Items), "queue", "queues")}
	if paused > 0 {
		facts = append(facts, st.Paused.Render(fmt.Sprintf("%d paused", paused)))
	}
	if cl.CreatedAt != nil {
		created := "created " + present.Ago(s.C.Now(), cl.CreatedAt.Time)
		if by := component.Text(cl.CreatedBy.DisplayName()); by != "" {
			created += " by " + by
		}
		facts = append(facts, created)
	}
	// Wrapped between facts, not cut: the creator comes last and was
	// lost at 80 columns.
	width, line := max(20, s.C.Width), ""
	flush := func() {
		for _, l := range strings.Split(ansi.Wordwrap(line, width, " "), "\n") {
			lines = append(lines, st.Muted.Render(l))
		}
	}
	for _, f := range facts {
		switch {
		case line == "":
			line = f
		case common.Width(line)+3+common.Width(f) <= width:
			line += " · " + f
		default:
			flush()
			line = f
		}
	}
	flush()
	if age, stale := s.queues.Stale(); stale {
		lines = append(lines, st.Warning.Render("refresh failed; showing queues from "+age+" (r tries again)"))
	}
	return lines
}

func (s *clusterScreen) tabLine() string {
	return s.tabs.View(func(i int, name string) string {
		switch {
		case i == tabQueues:
			return fmt.Sprintf("%s (%d)", name, len(s.queues.Items))
		case i == tabTokens && s.tokens.Known:
			return fmt.Sprintf("%s (%d)", name, len(s.tokens.Items))
		case i == tabPipelines && s.C.Org.Pipelines.Loaded:
			return fmt.Sprintf("%s (%d)", name, s.pipes.Count())
		}
		return name
	})
}

func (s *clusterScreen) tableTop() int { return len(s.details()) + 2 }

func (s *clusterScreen) View() string {
	out := append(s.details(), "", s.tabLine())
	return strings.Join(out, "\n") + "\n" + s.tabs.Pane().View(s.C.Width, s.C.Height-len(out))
}

func init() {
	Register(Registration[ClusterArg]{Name: "cluster", Place: 100,
		Open: func(c *common.Common, a ClusterArg) common.Screen { return NewClusterScreen(c, a.Cluster, a.Queues) },
		Jumps: func(c *common.Common) []Jump[ClusterArg] {
			var out []Jump[ClusterArg]
			for _, cl := range c.Org.Clusters() {
				out = append(out, Jump[ClusterArg]{Label: common.Emojize(cl.Name), Arg: ClusterArg{Cluster: cl}})
			}
			return out
		}})
}

// compareWaiting orders queues by their waiting jobs, then by the oldest
// wait, from GraphQL's counts where the queue has them, else from the
// REST loads.
func (s *clusterScreen) compareWaiting(x, y model.Queue) int {
	nx, okx := s.live.of(x)
	ny, oky := s.live.of(y)
	if !okx || !oky {
		return s.act.compareWaiting(x, y)
	}
	if nx.Waiting != ny.Waiting {
		return cmp.Compare(nx.Waiting, ny.Waiting)
	}
	// An older wait (an earlier time) sorts as the longer one.
	return ny.OldestWaiting.Compare(nx.OldestWaiting)
}
