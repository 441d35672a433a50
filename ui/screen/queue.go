package screen

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// queueScreen shows what a queue is doing, live: a panel of its agents
// and jobs (with the trend of its waiting jobs since the screen opened),
// over tabs of its agents, its waiting jobs and its own settings.
//
// A refresh costs three requests whatever the queue: the queue, its
// agents (the agents list filtered by cluster_queue_id, a page per
// hundred agents) and the organisation's scheduled and running builds
// with their jobs (a page per hundred builds), which give the waiting
// and running jobs of the queue.
type queueScreen struct {
	common.ScreenBase
	cluster model.Cluster
	queue   model.Queue
	gone    bool

	tabs    component.Tabs
	agents  *component.List[model.Agent]
	waiting *component.List[WaitingJob]
	// agentMarks are the agents marked to act on together.
	agentMarks map[string]model.Agent

	// load is the queue's jobs, from the waiting list's reply.
	load      model.QueueLoad
	loadKnown bool
	// trend is the waiting count at each load since the screen opened.
	trend []int
	// live is the panel's numbers from GraphQL (a query of a few points
	// with each refresh); while it cannot be had, the panel counts the
	// tabs' REST lists, both reloaded with each refresh, as before.
	live liveQueues
	// refreshes counts the timer's reloads: from GraphQL, the open tab's
	// list reloads every graphQLCountEvery of them.
	refreshes int
	// settingsTop is the first line shown of the settings tab.
	settingsTop int
}

const (
	tabAgents = iota
	tabWaiting
	tabSettings
)

// trendLength is how many counts the waiting trend keeps: a quarter of
// an hour at the default refresh when each refresh counts, longer when a
// costly count is paced (paceEvery).
const trendLength = 30

type queueLoaded struct {
	queue model.Queue
	err   error
}

func NewQueueScreen(c *common.Common, cl model.Cluster, q model.Queue) *queueScreen {
	s := &queueScreen{ScreenBase: common.NewBase(c), cluster: cl, queue: q, agentMarks: map[string]model.Agent{},
		tabs: component.Tabs{C: c, Names: []string{"Agents", "Waiting jobs", "Settings"}}, live: newLiveQueues()}
	qid := q.ID
	agents := agentSpec(c, s.agentMarks, s.actOnAgent)
	agents.ScopeState = true
	agents.Load = func(ctx context.Context) ([]model.Agent, error) {
		// Each agent is checked against the queue: another queue's, from
		// a server that ignored the filter, is left out and said (the
		// list's partial state), so that marks and stops stay here.
		return c.Client.ListQueueAgents(ctx, qid)
	}
	agents.Took = func(agents []model.Agent, _ org.Lane) common.Reply {
		// Marks follow the agents: one that left is no longer marked.
		for id := range s.agentMarks {
			found := false
			for _, a := range agents {
				if a.ID == id {
					s.agentMarks[id], found = a, true
				}
			}
			if !found {
				delete(s.agentMarks, id)
			}
		}
		s.agents.Rebuild()
		return common.Reply{}
	}
	waiting := waitingSpec(c)
	waiting.ScopeState = true
	waiting.Fetch = func(ctx context.Context) (func() []WaitingJob, error) {
		builds, err := c.Client.ListBuilds(ctx, model.BuildFilter{States: model.BuildActiveStates, ExcludePipeline: true}, nil)
		return func() []WaitingJob {
			s.load, s.loadKnown = model.LoadByQueue(builds)[qid], true
			if s.live.rest {
				// From GraphQL the trend follows the panel's counts.
				s.addTrend(s.load.Waiting)
			}
			return waitingJobs(c, builds, qid)
		}, err
	}
	s.agents, s.waiting = component.NewList(c, agents), component.NewList(c, waiting)
	s.agents.Attach(&s.ScreenBase)
	s.waiting.Attach(&s.ScreenBase)
	s.tabs.Panes = []component.Pane{s.agents, s.waiting, nil}
	return s
}

func (s *queueScreen) Crumb() string { return s.queue.Key }

func (s *queueScreen) Capturing() bool { return s.tabs.Capturing() }

// Legend and MoreHelp are the tab on show's, for the help.
func (s *queueScreen) Legend() []string        { return s.tabs.Legend() }
func (s *queueScreen) MoreHelp() []key.Binding { return s.tabs.MoreHelp() }

func (s *queueScreen) Help() []key.Binding {
	k := s.C.Keys
	switch s.tabs.Current {
	case tabAgents:
		// The queue's key before the agent's: p is the queue's on every tab.
		help := s.agents.Help()
		at := slices.IndexFunc(help, func(b key.Binding) bool { return slices.Equal(b.Keys(), k.PauseAgent.Keys()) })
		return slices.Insert(help, max(at, 0), present.WithHelp(k.Pause, "pause/resume queue"))
	case tabWaiting:
		return append(s.waiting.Help(), present.WithHelp(k.Pause, "pause/resume queue"))
	}
	return []key.Binding{k.NextTab, present.WithHelp(k.Pause, "pause/resume queue"), k.Mark, k.Edit, k.Delete, k.Down, k.Back}
}

func (s *queueScreen) Init() tea.Cmd {
	if s.queue.URL == "" {
		// Known from a GraphQL count (its key and state): its settings
		// come with the queue itself.
		return tea.Batch(s.loadQueue(org.Interactive), s.loadLive(org.Interactive), s.countLive())
	}
	return tea.Batch(s.loadLive(org.Interactive), s.countLive())
}

func (s *queueScreen) addTrend(waiting int) {
	s.trend = append(s.trend, waiting)
	if len(s.trend) > trendLength {
		s.trend = s.trend[len(s.trend)-trendLength:]
	}
}

// countLive counts the queue from GraphQL for the panel, unless GraphQL
// cannot be had.
func (s *queueScreen) countLive() tea.Cmd {
	if s.live.rest {
		return nil
	}
	s.live.due = true
	return s.live.count(&s.ScreenBase, []model.Queue{s.queue})
}

// refresh is the timer's reload: the queue, and the panel's numbers from
// GraphQL as often as what the last count was charged allows (at every
// refresh for a few points; a wait proved by pages of waiting jobs costs
// up to 290 more) with the open tab's list once a minute; from REST, both
// lists each time, as the panel counts them.
func (s *queueScreen) refresh(msg common.RefreshMsg) tea.Cmd {
	lane := msg.Lane
	if s.live.rest {
		return tea.Batch(s.loadQueue(lane), s.loadLive(lane))
	}
	s.refreshes++
	var tab tea.Cmd
	if s.refreshes%graphQLCountEvery == 0 {
		switch s.tabs.Current {
		case tabAgents:
			tab = s.agents.LoadBehind(lane)
		case tabWaiting:
			tab = s.waiting.LoadBehind(lane)
		}
	}
	var count tea.Cmd
	if s.live.refreshed(msg, 1, 1); s.live.due {
		count = s.live.count(&s.ScreenBase, []model.Queue{s.queue})
	}
	return tea.Batch(s.loadQueue(lane), count, tab)
}

// KeyAction is the action a key takes here (common.KeyActions): a tab's
// list's own (z pauses an agent), else p pauses the queue on every tab,
// and edit and delete change it.
func (s *queueScreen) KeyAction(b key.Binding) (api.Action, bool) {
	if a, ok := s.tabs.KeyAction(b); ok {
		return a, true
	}
	k := s.C.Keys
	switch {
	case sameKey(b, k.Pause):
		return api.ActionPauseQueue, true
	case sameKey(b, k.Edit), sameKey(b, k.Delete):
		return api.ActionChangeQueue, true
	}
	return "", false
}

func (s *queueScreen) loadQueue(lane org.Lane) tea.Cmd {
	cid, qid := s.cluster.ID, s.queue.ID
	return s.Run(lane, "loading queue", func(ctx context.Context) tea.Msg {
		q, err := s.C.Client.GetQueue(ctx, cid, qid)
		return queueLoaded{queue: q, err: err}
	})
}

// loadLive loads the queue's agents and the organisation's active builds.
func (s *queueScreen) loadLive(lane org.Lane) tea.Cmd {
	return tea.Batch(s.agents.LoadBehind(lane), s.waiting.LoadBehind(lane))
}

func (s *queueScreen) ref() common.QueueRef {
	return common.QueueRef{ClusterID: s.cluster.ID, ClusterName: s.cluster.Name, Queue: s.queue}
}

// runChange runs an agent action under the console's context, its reply
// coming back here (or said anyway if the screen was closed).
func (s *queueScreen) runChange(label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return s.RunUnder(s.C.AppCtx, org.Interactive, label, fn)
}

// actOnAgent acts on the marked agents, or on a when none is marked.
func (s *queueScreen) actOnAgent(kind agentAction, a model.Agent) common.Reply {
	if kind == agentDetail {
		return Open(s.C, "agent", AgentArg{Cluster: s.cluster, Queue: s.queue, Agent: a})
	}
	targets := []model.Agent{a}
	if len(s.agentMarks) > 0 {
		targets = sortedAgents(s.agentMarks)
	}
	switch kind {
	case agentStop:
		return stopAgents(s.C, s.runChange, s.ref(), targets, false)
	case agentForceStop:
		return stopAgents(s.C, s.runChange, s.ref(), targets, true)
	}
	var running []model.Agent
	for _, t := range targets {
		if !t.Paused {
			running = append(running, t)
		}
	}
	if len(running) == 0 {
		return resumeAgents(s.C, s.runChange, s.ref(), targets)
	}
	return pauseAgentsForm(s.C, s.ref(), running)
}

// Holds says what a pause of the queue will hold, from what the panel
// knows.
func (s *queueScreen) holds() string {
	if n, ok := s.live.of(s.queue); ok {
		// A busy agent runs one job.
		return HoldsText(&model.QueueLoad{Waiting: n.Waiting, Running: n.Busy, OldestWaiting: n.OldestWaiting}, n.Connected)
	}
	agents := -1
	if s.agents.Current() {
		agents = len(s.agents.Items)
	}
	if !s.loadKnown {
		return HoldsText(nil, agents)
	}
	l := s.load
	return HoldsText(&l, agents)
}

// HoldsText is what a pause will hold: "12 jobs waiting · 8 running on
// 10 agents. Running jobs finish; waiting ones stay queued until you
// resume." load nil or agents < 0: not known.
func HoldsText(load *model.QueueLoad, agents int) string {
	const after = "Running jobs finish; waiting ones stay queued until you resume."
	if load == nil {
		return after
	}
	s := common.Plural(load.Waiting, "job", "jobs") + " waiting · " + fmt.Sprintf("%d running", load.Running)
	if agents >= 0 {
		s += " on " + common.Plural(agents, "agent", "agents")
	}
	return s + ". " + after
}

func (s *queueScreen) pauseQueue() common.Reply {
	return pauseOrResumeHolding(s.C, s.ref(), s.holds())
}

func (s *queueScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k := s.C.Keys
	if km, ok := msg.(tea.KeyPressMsg); ok && !s.Capturing() && s.tabs.Key(km) {
		return s, nil
	}
	if used, cmd := s.tabs.Route(msg, s.tableTop()); used {
		return common.Answer(s, cmd)
	}
	if took, fellBack := s.live.take(msg); took {
		if n, ok := s.live.of(s.queue); ok && !fellBack {
			s.addTrend(n.Waiting)
		}
		if fellBack {
			// Both lists, as the panel counts them from REST.
			return s, s.loadLive(org.Background)
		}
		return s, nil
	}
	switch msg := msg.(type) {
	case queueLoaded:
		if cmd, done := common.LoadFailed(msg.err, "queue"); done {
			return s, cmd
		}
		s.queue = msg.queue
		return s, common.Send(org.QueueChanged{ClusterID: s.cluster.ID, Queue: msg.queue})
	case agentsDone:
		for k := range s.agentMarks {
			delete(s.agentMarks, k)
		}
		s.agents.Rebuild()
		return s, tea.Batch(msg.Flash(), s.loadLive(org.Interactive), s.countLive())
	case common.AgentsChanged:
		for _, id := range msg.Acted {
			delete(s.agentMarks, id)
		}
		s.agents.Rebuild()
		return s, tea.Batch(s.loadLive(org.Interactive), s.countLive())
	case org.QueueChanged:
		if msg.Queue.ID == s.queue.ID {
			s.queue = msg.Queue
		}
	case org.QueueRemoved:
		if msg.QueueID == s.queue.ID {
			s.gone = true
			return common.Asking(s, common.PopMsg{}), nil
		}
	case org.ClusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
		}
	case common.RefreshMsg:
		switch {
		case s.gone:
		case msg.Auto:
			return s, s.refresh(msg)
		default:
			return s, tea.Batch(s.loadQueue(msg.Lane), s.loadLive(msg.Lane), s.countLive())
		}
	case tea.KeyPressMsg:
		if s.tabs.Current == tabSettings && s.scrollSettings(msg) {
			return s, nil
		}
		switch {
		case key.Matches(msg, k.Back):
			return common.Asking(s, common.PopMsg{}), nil
		case key.Matches(msg, k.Pause):
			return common.Answer(s, s.pauseQueue())
		case key.Matches(msg, k.Mark):
			return common.Asking(s, org.MarkToggled{Ref: s.ref()}), nil
		case key.Matches(msg, k.Edit):
			// A copy: the form's request runs off the event loop, while a
			// refresh may replace s.queue (found by the monkey under -race).
			q := s.queue
			return common.Answer(s, component.PushForm(s.C, newQueueForm(s.C, s.cluster, &q)))
		case key.Matches(msg, k.Delete):
			return common.Answer(s, confirmDeleteQueue(s.C, s.cluster, s.queue))
		}
		if cmd, ok := s.C.LinkKey(msg, "queue", s.queue.WebURL, s.queue.ID); ok {
			return s, cmd
		}
	}
	return s, nil
}

// panel is the live picture above the tabs.
func (s *queueScreen) panel() []string {
	st := s.C.Styles
	q := s.queue
	title := component.Draw(st, present.As(present.Title, q.Key)) + "  " + component.Draw(st, queueState(s.C, q))
	if q.ID == model.Value(s.cluster.DefaultQueueID) {
		title += st.Muted.Render("  default queue of ") + component.Text(common.Emojize(s.cluster.Name))
	}
	if s.C.Session.Marked(q.ID) {
		title += "  " + st.Marked.Render("● marked")
	}
	label := func(s string) string { return st.Muted.Render(fmt.Sprintf("%-8s", s)) }
	var agents, jobs string
	live, isLive := s.live.of(q)
	switch {
	case isLive && s.agents.Scope() == "":
		// Idle is neither busy nor paused; a paused agent that still runs
		// its job is counted twice over, which GraphQL's counts cannot tell.
		agents = fmt.Sprintf("%d connected · %d busy · %d idle", live.Connected, live.Busy, max(0, live.Connected-live.Busy-live.Paused))
		if live.Paused > 0 {
			agents += " · " + st.Paused.Render(fmt.Sprintf("%d paused", live.Paused))
		} else {
			agents += " · 0 paused"
		}
		if len(s.agentMarks) > 0 {
			agents += "  " + st.Marked.Render(fmt.Sprintf("● %d marked", len(s.agentMarks)))
		}
	case s.agents.Scope() != "":
		agents = st.Warning.Render("not shown: the API token lacks the " + s.agents.Scope() + " scope")
	case !s.agents.Known:
		agents = st.Muted.Render("loading…")
	default:
		n := countAgents(s.agents.Items)
		agents = fmt.Sprintf("%d connected · %d busy · %d idle", n.connected, n.busy, n.idle)
		if n.paused > 0 {
			agents += " · " + st.Paused.Render(fmt.Sprintf("%d paused", n.paused))
		} else {
			agents += " · 0 paused"
		}
		if len(s.agentMarks) > 0 {
			agents += "  " + st.Marked.Render(fmt.Sprintf("● %d marked", len(s.agentMarks)))
		}
	}
	switch {
	case isLive && s.waiting.Scope() == "":
		jobs = s.jobsLine(model.QueueLoad{Waiting: live.Waiting, Running: live.Busy, OldestWaiting: live.OldestWaiting}, live.OldestAtLeast)
	case s.waiting.Scope() != "":
		jobs = st.Warning.Render("not shown: the API token lacks the " + s.waiting.Scope() + " scope")
	case !s.loadKnown:
		jobs = st.Muted.Render("loading…")
	default:
		jobs = s.jobsLine(s.load, false)
	}
	// A long pause note wraps onto a second line rather than lose who
	// paused; the settings tab has it all.
	lines := strings.Split(ansi.Wordwrap(title, max(20, s.C.Width), ""), "\n")
	if len(lines) > 2 {
		lines = lines[:2]
	}
	lines = append(lines, label("Agents")+agents, label("Jobs")+jobs)
	// After a failed refresh the numbers above are old: say how old, as
	// the clusters screen does, rather than pass them off as current.
	if age, stale := s.stale(); stale {
		lines = append(lines, st.Warning.Render(common.Fit("refresh failed; showing data from "+age+" (r tries again)", s.C.Width)))
	}
	return lines
}

// stale is how old the lists on show are when a refresh of either
// failed (both load at each refresh).
func (s *queueScreen) stale() (string, bool) {
	if age, ok := s.agents.Stale(); ok {
		return age, true
	}
	return s.waiting.Stale()
}

// jobsLine is the panel's jobs: running, waiting, the longest wait (at
// least that, when atLeast) and the trend.
func (s *queueScreen) jobsLine(l model.QueueLoad, atLeast bool) string {
	jobs := fmt.Sprintf("%d running · %d waiting", l.Running, l.Waiting)
	if l.Waiting > 0 && !l.OldestWaiting.IsZero() {
		jobs += ", longest " + present.WaitedFor(s.C.Now(), l.OldestWaiting, atLeast)
	}
	if len(s.trend) > 1 {
		jobs += s.C.Styles.Muted.Render("  waiting since opened ") + sparkline(s.trend)
	}
	return jobs
}

// sparkline draws counts as a small bar chart, scaled to their largest.
func sparkline(counts []int) string {
	bars := []rune("▁▂▃▄▅▆▇█")
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	out := make([]rune, len(counts))
	for i, n := range counts {
		if top == 0 {
			out[i] = bars[0]
			continue
		}
		out[i] = bars[n*(len(bars)-1)/top]
	}
	return string(out)
}

func (s *queueScreen) tabLine() string {
	return s.tabs.View(func(i int, name string) string {
		switch {
		// Counts stay after a failed refresh: the panel says how old.
		case i == tabAgents && s.agents.Shows():
			return fmt.Sprintf("%s (%d)", name, len(s.agents.Items))
		case i == tabWaiting && s.waiting.Shows():
			return fmt.Sprintf("%s (%d)", name, len(s.waiting.Items))
		}
		return name
	})
}

func (s *queueScreen) tableTop() int { return len(s.panel()) + 2 }

func (s *queueScreen) View() string {
	out := append(s.panel(), "", s.tabLine())
	height := s.C.Height - len(out)
	var body string
	if p := s.tabs.Pane(); p != nil {
		body = p.View(s.C.Width, height)
	} else {
		body = s.settingsView(height)
	}
	return strings.Join(out, "\n") + "\n" + body
}

// settingsView draws the settings from settingsTop, with a line that
// says what is above and below.
func (s *queueScreen) settingsView(height int) string {
	lines := s.settings()
	height = max(height, 2)
	s.settingsTop = max(0, min(s.settingsTop, len(lines)-(height-1)))
	if len(lines) <= height {
		s.settingsTop = 0
		return strings.Join(lines, "\n")
	}
	end := min(len(lines), s.settingsTop+height-1)
	shown := append([]string{}, lines[s.settingsTop:end]...)
	more := fmt.Sprintf("  lines %d–%d of %d", s.settingsTop+1, end, len(lines))
	if end < len(lines) {
		more += " · ↓ j for more"
	}
	if s.settingsTop > 0 {
		more += " · ↑ k"
	}
	return strings.Join(append(shown, s.C.Styles.Muted.Render(more)), "\n")
}

// scrollSettings moves the settings tab with the movement keys.
func (s *queueScreen) scrollSettings(msg tea.KeyPressMsg) bool {
	k := s.C.Keys
	page := max(1, s.C.Height-6)
	switch {
	case key.Matches(msg, k.Down):
		s.settingsTop++
	case key.Matches(msg, k.Up):
		s.settingsTop = max(0, s.settingsTop-1)
	case key.Matches(msg, k.PageDown):
		s.settingsTop += page
	case key.Matches(msg, k.PageUp):
		s.settingsTop = max(0, s.settingsTop-page)
	case key.Matches(msg, k.Top):
		s.settingsTop = 0
	case key.Matches(msg, k.Bottom):
		s.settingsTop = 1 << 20 // settingsView brings it back to the last page
	default:
		return false
	}
	return true
}

// settings are the queue's own fields, whole.
func (s *queueScreen) settings() []string {
	st := s.C.Styles
	q := s.queue
	field := func(label, value string) string { return st.Label.Render(label) + value }
	none := st.Muted.Render("—")
	or := func(v string) string {
		if v == "" {
			return none
		}
		return v
	}
	lines := []string{
		field("State", component.Draw(st, queueState(s.C, q))),
		field("Description", or(component.Text(queueDescription(q)))),
		field("Cluster", component.Text(common.Emojize(s.cluster.Name))),
	}
	if q.DispatchPaused {
		lines = append(lines, "",
			field("Paused by", or(component.Text(q.DispatchPausedBy.DisplayName()))),
			field("Paused at", or(component.Draw(st, present.TimeField(s.C.Now(), q.DispatchPausedAt)))),
			field("Note", or(component.Text(model.Value(q.DispatchPausedNote)))))
	}
	lines = append(lines, "")
	if q.Hosted && q.HostedAgents != nil {
		sh := q.HostedAgents.InstanceShape
		info := model.ShapeOf(sh) // the catalogue's, or what the shape's name tells
		size := info.Size
		if info.Deprecated {
			size += st.Warning.Render(" (deprecated: resize to a current shape)")
		}
		lines = append(lines,
			field("Runs on", "Buildkite hosted"),
			field("Instance shape", component.Text(sh.Name)),
			field("Machine", fmt.Sprintf("%s, %s", component.Text(info.MachineType), component.Text(info.Architecture))),
			field("Size", or(size)),
			field("vCPU / memory", fmt.Sprintf("%d vCPU, %d GB", info.CPU, info.Memory)))
	} else {
		lines = append(lines, field("Runs on", "self-hosted agents"))
	}
	affinity := q.RetryAgentAffinity
	if affinity == "" {
		affinity = model.RetryPreferWarmest + st.Muted.Render(" (the API's default)")
	}
	lines = append(lines, field("Retry affinity", component.Text(affinity)))
	lines = append(lines, "",
		field("Created", or(component.Draw(st, present.TimeField(s.C.Now(), q.CreatedAt)))),
		field("Created by", or(component.Text(q.CreatedBy.DisplayName()))),
		field("ID", component.Draw(st, present.As(present.Muted, q.ID))),
		field("API URL", st.Muted.Render(common.WrapAfter(component.Text(q.URL), st.Label.GetWidth(), s.C.Width))),
		field("Web URL", st.Muted.Render(common.WrapAfter(component.Text(q.WebURL), st.Label.GetWidth(), s.C.Width))),
	)
	// A value wider than the screen wraps, so that a URL is read whole.
	var out []string
	for _, l := range lines {
		out = append(out, wrapLine(l, s.C.Width)...)
	}
	return out
}

// wrapLine cuts a line wider than width into lines of width (a URL has
// no spaces to wrap at).
func wrapLine(line string, width int) []string {
	if width <= 0 || common.Width(line) <= width {
		return []string{line}
	}
	return strings.Split(ansi.Hardwrap(line, width, true), "\n")
}

func init() {
	Register(Registration[QueueArg]{Name: "queue", Place: 110,
		Open: func(c *common.Common, a QueueArg) common.Screen { return NewQueueScreen(c, a.Cluster, a.Queue) },
		Jumps: func(c *common.Common) []Jump[QueueArg] {
			var out []Jump[QueueArg]
			for _, e := range c.Org.Queues() {
				if cl, ok := c.Org.Cluster(e.ClusterID); ok {
					out = append(out, Jump[QueueArg]{Label: common.Emojize(cl.Name) + "/" + e.Queue.Key, Arg: QueueArg{Cluster: cl, Queue: e.Queue}})
				}
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
			return out
		},
		// In its cluster, whatever it was jumped from.
		Under: func(_ *common.Common, a QueueArg) Step {
			return Step{Name: "cluster", Arg: ClusterArg{Cluster: a.Cluster}}
		}})
}
