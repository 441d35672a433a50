package screen

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// A queue's agents and what can be done to them: pause with a note and a
// timeout, resume, stop (letting the job finish) and force-stop
// (cancelling the job and its build). Marks work as on queues: the
// actions then act on every marked agent of the queue, and say how each
// one went.

// agentJob is the JOB cell: the job's label and its build.
func agentJob(c *common.Common, a model.Agent) present.Cell {
	if !a.Busy() {
		return present.As(present.Muted, "—")
	}
	cell := present.JobLabelCell(a.Job.Job)
	if slug, n, ok := a.Job.BuildRef(); ok {
		name := slug
		if p, found := c.Org.Pipelines.Find(slug); found {
			name = p.Name
		}
		cell = cell.And(present.Muted, fmt.Sprintf(" · %s #%d", common.Emojize(name), n))
	}
	return cell
}

// agentLoads counts a queue's agents by what they do.
type agentCounts struct{ connected, busy, idle, paused int }

func countAgents(agents []model.Agent) agentCounts {
	var n agentCounts
	for _, a := range agents {
		n.connected++
		switch {
		case a.Paused:
			n.paused++
		case a.Busy():
			n.busy++
		default:
			n.idle++
		}
		if a.Paused && a.Busy() {
			n.busy++ // a paused agent still runs the job it had
		}
	}
	return n
}

// agentList is the Agents tab: the list with its marks.
func agentSpec(c *common.Common, marks map[string]model.Agent, act func(kind agentAction, a model.Agent) common.Reply) component.ListSpec[model.Agent] {
	k := c.Keys
	return component.ListSpec[model.Agent]{
		Legend: present.LegendAgents,
		Noun:   "agents", Empty: "no agent is connected to this queue",
		Columns: []component.ListColumn[model.Agent]{
			component.Col("NAME", 24, 1, 0, func(a model.Agent) string { return a.Name }),
			component.Col("HOSTNAME", 12, 1, 110, func(a model.Agent) present.Cell { return present.As(present.Muted, a.Hostname) }),
			component.Col("VERSION", 7, 0, 130, func(a model.Agent) present.Cell { return present.As(present.Muted, a.Version) }),
			component.Col("STATE", 10, 2, 0, func(a model.Agent) present.Cell { return present.AgentState(c.Now(), a) }),
			component.Col("JOB", 14, 2, 0, func(a model.Agent) present.Cell { return agentJob(c, a) }),
			component.Col("CONNECTED", 9, 0, 90, func(a model.Agent) present.Cell {
				if a.ConnectedAt == nil {
					return present.As(present.Muted, "—")
				}
				return present.Text(present.Ago(c.Now(), a.ConnectedAt.Time))
			}),
		},
		Key: func(a model.Agent) string { return a.ID },
		Match: func(a model.Agent) (string, int) {
			return a.Name + " " + a.Hostname, len(a.Name)
		},
		Marked: func(a model.Agent) bool { _, ok := marks[a.ID]; return ok },
		ToggleMark: func(a model.Agent) common.Reply {
			if _, ok := marks[a.ID]; ok {
				delete(marks, a.ID)
			} else {
				marks[a.ID] = a
			}
			return common.Reply{}
		},
		Keys: []component.ListKey[model.Agent]{
			component.Shown[model.Agent](k.NextTab),
			// The agent's detail: its tags, IP, version, queue and job
			// (enter there opens the job's build).
			component.OnItem(k.Open, func(a model.Agent) common.Reply { return act(agentDetail, a) }),
			component.OnItem(present.WithHelp(k.PauseAgent, "pause/resume agent"), func(a model.Agent) common.Reply { return act(agentPauseOrResume, a) }).Needs(api.ActionPauseAgent),
			component.Shown[model.Agent](k.Mark),
			component.OnItem(k.Stop, func(a model.Agent) common.Reply { return act(agentStop, a) }),
			component.OnItem(k.ForceStop, func(a model.Agent) common.Reply { return act(agentForceStop, a) }),
			component.Shown[model.Agent](k.Filter),
			component.Shown[model.Agent](k.Back),
		},
		Link: func(a model.Agent) (string, string, string) { return "agent", a.WebURL, a.ID },
	}
}

type agentAction int

const (
	agentPauseOrResume agentAction = iota
	agentStop
	agentForceStop
	agentDetail
)

// agentsDone is the reply to one action on several agents.
type agentsDone = actions.AgentsDone

func agentTarget(a model.Agent, q common.QueueRef) audit.Target { return actions.AgentTarget(a, q) }

// runner runs a change for a screen (ScreenBase.RunUnder).
type runner = actions.Runner

func agentNames(agents []model.Agent) string { return actions.AgentNames(agents) }

// agentList is the agents as lines for a confirmation: name, what it
// runs.
func agentLines(c *common.Common, agents []model.Agent) string {
	var b strings.Builder
	for _, a := range agents {
		b.WriteString("• " + a.Name)
		if a.Busy() {
			b.WriteString(" — running " + ansi.Strip(component.Draw(c.Styles, agentJob(c, a))))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// stopAgents asks, default Cancel, then stops agents: without force each
// finishes its job first; with force the job is cancelled, and its build
// with it.
func stopAgents(c *common.Common, run runner, q common.QueueRef, agents []model.Agent, force bool) common.Reply {
	return actions.Start(c, actions.StopAgents(c, run, q, agents, force, agentLines(c, agents)))
}

// resumeAgents resumes agents; someone else's pause, or several, asks
// first (who paused each, when and why), default Cancel.
func resumeAgents(c *common.Common, run runner, q common.QueueRef, agents []model.Agent) common.Reply {
	return actions.Start(c, actions.ResumeAgents(c, run, q, agents))
}

// pauseAgentsForm asks for the note and timeout of a pause of agents,
// listing them.
func pauseAgentsForm(c *common.Common, q common.QueueRef, agents []model.Agent) common.Reply {
	v := struct{ note, timeout string }{}
	title := "Pause " + agents[0].Name
	if len(agents) > 1 {
		title = "Pause " + common.Plural(len(agents), "agent", "agents")
	}
	return component.PushForm(c, component.FormSpec{
		Title: title, Action: "pausing agents", Audit: "agent.pause", Target: agentTarget(agents[0], q),
		Preview: func() string {
			return "No new job goes to " + agentNames(agents) + "; a running job finishes."
		},
		Build: func() *huh.Form {
			return huh.NewForm(huh.NewGroup(
				component.InputField().Title("Note").Description("why? shown on the agent").Value(&v.note).
					Validate(func(s string) error { return model.ValidateText("note", s, false) }),
				component.InputField().Title("Timeout").Description("resume after: 30m, 4h, 2d (up to 7 days); empty: "+model.AgentPauseTimeoutText(0)).
					Value(&v.timeout).Validate(func(s string) error { _, err := ParsePauseTimeout(s); return err }),
			))
		},
		Submit: func(ctx context.Context) (tea.Cmd, error) {
			minutes, err := ParsePauseTimeout(v.timeout)
			if err != nil {
				return nil, err
			}
			return actions.PauseAgents(ctx, c, q, agents, model.AgentPause{Note: strings.TrimSpace(v.note), TimeoutInMinutes: minutes})
		},
	})
}

// ParsePauseTimeout reads a pause's timeout: "" (none), "90" or "90m"
// minutes, "4h" hours, "2d" days; within 1 minute and 7 days.
func ParsePauseTimeout(s string) (int, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, nil
	}
	unit := 1
	switch {
	case strings.HasSuffix(s, "m"):
		s = strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "h"):
		s, unit = strings.TrimSuffix(s, "h"), 60
	case strings.HasSuffix(s, "d"):
		s, unit = strings.TrimSuffix(s, "d"), 24*60
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("a timeout is a number with m, h or d: 30m, 4h, 2d")
	}
	minutes := n * unit
	if err := model.ValidateAgentPauseTimeout(minutes); err != nil || minutes == 0 {
		return 0, fmt.Errorf("a timeout must be between 1 minute and 7 days")
	}
	return minutes, nil
}

// sortedAgents is the marked agents in name order.
func sortedAgents(m map[string]model.Agent) []model.Agent {
	out := make([]model.Agent, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
