package screen

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// agentScreen is one agent's detail (enter on a queue's Agents tab): its
// state, its queue, its job, where it runs (host, IP, OS, version),
// since when, and its tags, each value whole, wrapped under its label.
// enter opens its job's build.
type agentScreen struct {
	common.ScreenBase
	cluster model.Cluster
	queue   model.Queue
	agent   model.Agent
	offset  int
}

type agentLoaded struct {
	agent model.Agent
	err   error
	asked bool
}

func newAgentScreen(c *common.Common, a AgentArg) *agentScreen {
	return &agentScreen{ScreenBase: common.NewBase(c), cluster: a.Cluster, queue: a.Queue, agent: a.Agent}
}

func (s *agentScreen) Crumb() string   { return s.agent.Name }
func (s *agentScreen) Capturing() bool { return false }
func (s *agentScreen) Init() tea.Cmd   { return s.load(org.Interactive) }

func (s *agentScreen) Help() []key.Binding {
	k := s.C.Keys
	return []key.Binding{present.WithHelp(k.Open, "open its job"), k.Up, k.Down, k.Browse, k.CopyURL, k.CopyID, k.Refresh, k.Back}
}

func (s *agentScreen) load(lane org.Lane) tea.Cmd {
	id, asked := s.agent.ID, lane == org.Fresh
	return s.Run(lane, "loading agent", func(ctx context.Context) tea.Msg {
		a, err := s.C.Client.GetAgent(ctx, id)
		return agentLoaded{agent: a, err: err, asked: asked}
	})
}

func (s *agentScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k := s.C.Keys
	if component.ScrollBy(msg, k, s.C.Height-1, s.scroll) {
		return s, nil
	}
	switch msg := msg.(type) {
	case agentLoaded:
		if cmd, done := common.LoadFailed(msg.err, "agent"); done {
			return s, cmd
		}
		s.agent = msg.agent
		if msg.asked {
			return s, common.Flash(common.FlashOK, "refreshed agent "+s.agent.Name)
		}
	case common.RefreshMsg:
		return s, s.load(msg.Lane)
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return common.Asking(s, common.PopMsg{}), nil
		case key.Matches(msg, k.Open):
			if !s.agent.Busy() {
				return s, common.Flash(common.FlashInfo, s.agent.Name+" runs no job")
			}
			slug, n, _ := s.agent.Job.BuildRef()
			if slug == "" || n == 0 {
				return s, common.Flash(common.FlashInfo, "the API did not say which build this job belongs to; o opens the agent's page")
			}
			return common.Answer(s, Open(s.C, "build", BuildArg{Slug: slug, Number: n}))
		default:
			if cmd, ok := s.C.LinkKey(msg, "agent", s.agent.WebURL, s.agent.ID); ok {
				return s, cmd
			}
		}
	}
	return s, nil
}

func (s *agentScreen) scroll(delta int) {
	s.offset = min(max(s.offset+delta, 0), max(len(s.lines())-s.C.Height, 0))
}

// lines are the detail's lines at the current width: each value wraps
// under its label, so no tag or address is cut.
func (s *agentScreen) lines() []string {
	st := s.C.Styles
	a := s.agent
	now := s.C.Now()
	label := st.Label.GetWidth()
	valueWidth := max(max(s.C.Width, 30)-label-1, 12)
	indent := strings.Repeat(" ", label)
	none := st.Muted.Render("—")
	var out []string
	field := func(name string, values ...string) {
		if len(values) == 0 {
			values = []string{none}
		}
		for i, v := range values {
			if v == "" {
				v = none
			}
			for j, w := range strings.Split(lipgloss.NewStyle().Width(valueWidth).Render(v), "\n") {
				head := indent
				if i == 0 && j == 0 {
					head = st.Label.Render(name)
				}
				out = append(out, head+strings.TrimRight(w, " "))
			}
		}
	}
	at := func(t *model.Timestamp) string {
		if t == nil {
			return ""
		}
		return present.Ago(now, t.Time) + st.Muted.Render(" ("+t.Time.In(now.Location()).Format("2006-01-02 15:04")+")")
	}
	out = append(out, component.Draw(st, present.As(present.Title, a.Name))+"  "+component.Draw(st, present.AgentState(now, a)), "")
	field("Queue", component.Text(common.Emojize(s.cluster.Name))+" › "+component.Text(s.queue.Key))
	job := ""
	if a.Busy() {
		job = component.Draw(st, agentJob(s.C, a))
		if a.Job.StartedAt != nil {
			job += st.Muted.Render(" · started " + present.Ago(now, a.Job.StartedAt.Time))
		}
	} else if a.LastJobFinishedAt != nil {
		job = st.Muted.Render("none; the last finished " + present.Ago(now, a.LastJobFinishedAt.Time))
	}
	field("Job", job)
	if a.Paused {
		field("Paused", component.Text(present.PauseWho(now, a.PausedBy, a.PausedAt, model.Value(a.PausedNote))))
	}
	field("Connected", at(a.ConnectedAt))
	field("Host", component.Text(a.Hostname))
	field("IP", component.Text(a.IPAddress))
	field("Version", component.Text(strings.TrimSpace(a.Version+" "+a.OSID+" "+a.Arch)))
	if a.Priority != nil {
		field("Priority", fmt.Sprint(*a.Priority))
	}
	var tags []string
	for _, t := range a.MetaData {
		tags = append(tags, component.Text(t))
	}
	field("Tags", tags...)
	field("Created", at(a.CreatedAt))
	field("ID", component.Text(a.ID))
	return out
}

func (s *agentScreen) View() string {
	lines := s.lines()
	s.offset = min(s.offset, max(len(lines)-s.C.Height, 0))
	return strings.Join(lines[s.offset:], "\n")
}

func init() {
	Register(Registration[AgentArg]{Name: "agent", Place: 135,
		Open: func(c *common.Common, a AgentArg) common.Screen { return newAgentScreen(c, a) }})
}
