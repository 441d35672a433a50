package screen

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
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
	cell := present.Text(present.JobLabel(*a.Job))
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
func agentSpec(c *common.Common, marks map[string]model.Agent, act func(kind agentAction, a model.Agent) tea.Cmd) component.ListSpec[model.Agent] {
	k := c.Keys
	return component.ListSpec[model.Agent]{
		Noun: "agents", Empty: "no agent is connected to this queue",
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
		ToggleMark: func(a model.Agent) {
			if _, ok := marks[a.ID]; ok {
				delete(marks, a.ID)
			} else {
				marks[a.ID] = a
			}
		},
		Keys: []component.ListKey[model.Agent]{
			component.Shown[model.Agent](k.NextTab),
			component.OnItem(k.Open, func(a model.Agent) tea.Cmd {
				if !a.Busy() {
					return common.Flash(common.FlashInfo, a.Name+" runs no job")
				}
				slug, n, _ := a.Job.BuildRef()
				return openJob(c, OpenJobMsg{Slug: slug, Number: n, JobID: a.Job.ID})
			}),
			component.OnItem(present.WithHelp(k.Pause, "pause/resume agent"), func(a model.Agent) tea.Cmd { return act(agentPauseOrResume, a) }),
			component.Shown[model.Agent](k.Mark),
			component.OnItem(k.Stop, func(a model.Agent) tea.Cmd { return act(agentStop, a) }),
			component.OnItem(k.ForceStop, func(a model.Agent) tea.Cmd { return act(agentForceStop, a) }),
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
)

// agentsDone is the reply to one action on several agents: how each
// went, by name.
type agentsDone struct {
	verb   string
	ok     []string
	failed []string
}

// Orphaned says how it went even when the screen was closed meanwhile.
func (m agentsDone) Orphaned() tea.Cmd {
	return tea.Batch(common.Send(common.AgentsChanged{}), m.flash())
}

func (m agentsDone) flash() tea.Cmd {
	switch {
	case len(m.failed) == 0 && len(m.ok) == 1:
		return common.Flash(common.FlashOK, m.ok[0]+" "+m.verb)
	case len(m.failed) == 0:
		return common.Flash(common.FlashOK, fmt.Sprintf("%d %s: %s", len(m.ok), m.verb, strings.Join(m.ok, ", ")))
	}
	text := fmt.Sprintf("%d %s", len(m.ok), m.verb)
	if len(m.ok) > 0 {
		text += " (" + strings.Join(m.ok, ", ") + ")"
	}
	return common.Flash(common.FlashError, text+fmt.Sprintf("; %d failed: %s", len(m.failed), strings.Join(m.failed, "; ")))
}

func agentTarget(a model.Agent, q common.QueueRef) audit.Target {
	t := common.QueueTarget(q)
	t.AgentID = a.ID
	return t
}

// runner runs a change for a screen, under the console's context, its
// reply coming back to the screen (ScreenBase.RunUnder).
type runner func(label string, fn func(ctx context.Context) tea.Msg) tea.Cmd

// eachAgent sends one request per agent, at most four at a time, and
// gathers how each went. It runs under the console's context: an action
// goes through even if its screen is closed (the reply then still says
// how it went: agentsDone.Orphaned).
func eachAgent(run runner, q common.QueueRef, agents []model.Agent, doing, verb string, send func(ctx context.Context, a model.Agent) error) tea.Cmd {
	return run(doing, func(ctx context.Context) tea.Msg {
		return sendEach(ctx, q, agents, verb, send)
	})
}

func sendEach(ctx context.Context, q common.QueueRef, agents []model.Agent, verb string, send func(ctx context.Context, a model.Agent) error) agentsDone {
	errs := make([]error, len(agents))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = send(common.Named(ctx, agentTarget(a, q)), a)
		}()
	}
	wg.Wait()
	out := agentsDone{verb: verb}
	for i, a := range agents {
		if errs[i] != nil {
			out.failed = append(out.failed, a.Name+": "+common.ErrorText(errs[i]))
		} else {
			out.ok = append(out.ok, a.Name)
		}
	}
	return out
}

func agentNames(agents []model.Agent) string {
	names := make([]string, len(agents))
	for i, a := range agents {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

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
func stopAgents(c *common.Common, run runner, q common.QueueRef, agents []model.Agent, force bool) tea.Cmd {
	if c.ReadOnly {
		return c.Refuse("agent.stop", agentTarget(agents[0], q), "stopping agents")
	}
	what := agents[0].Name
	if len(agents) > 1 {
		what = common.Plural(len(agents), "agent", "agents")
	}
	title, body, verb := "Stop "+what+"?", "", "stops"
	busy := 0
	for _, a := range agents {
		if a.Busy() {
			busy++
		}
	}
	if force {
		title = "Force-stop " + what + "?"
		body = "Force: the job each one is running is cancelled at once, and the build it belongs to is cancelled with it.\n\n"
		if busy == 0 {
			body = "Force: a running job would be cancelled with its build; none of these agents is running one now.\n\n"
		}
		verb = "force-stops"
	} else {
		body = "Each agent finishes the job it is running, then disconnects. Nothing is cancelled (" + c.Keys.ForceStop.Help().Key + " force-stops instead).\n\n"
	}
	body += agentLines(c, agents)
	return c.Post(common.AskConfirmMsg{Title: title, Body: body, Action: verb, OnConfirm: func() tea.Cmd {
		doing := "stopping " + agentNames(agents)
		return eachAgent(run, q, agents, doing, "stopped", func(ctx context.Context, a model.Agent) error {
			return c.Client.StopAgent(ctx, a.ID, force)
		})
	}})
}

// resumeAgents resumes agents; someone else's pause, or several, asks
// first (who paused each, when and why), default Cancel.
func resumeAgents(c *common.Common, run runner, q common.QueueRef, agents []model.Agent) tea.Cmd {
	if c.ReadOnly {
		return c.Refuse("agent.resume", agentTarget(agents[0], q), "resuming agents")
	}
	send := func() tea.Cmd {
		return eachAgent(run, q, agents, "resuming "+agentNames(agents), "resumed", func(ctx context.Context, a model.Agent) error {
			return c.Client.ResumeAgent(ctx, a.ID)
		})
	}
	if len(agents) == 1 && c.Mine(agents[0].PausedBy) {
		return send()
	}
	var b strings.Builder
	for _, a := range agents {
		b.WriteString("• " + a.Name + ": paused by " + present.PauseWho(c.Now(), a.PausedBy, a.PausedAt, model.Value(a.PausedNote)) + "\n")
	}
	title := "Resume " + agents[0].Name + "?"
	if len(agents) > 1 {
		title = "Resume " + common.Plural(len(agents), "agent", "agents") + "?"
	}
	return c.Post(common.AskConfirmMsg{Title: title, Body: "Jobs are dispatched to them again.\n\n" + strings.TrimRight(b.String(), "\n"),
		Action: "resumes", OnConfirm: send})
}

// pauseAgentsForm asks for the note and timeout of a pause of agents,
// listing them.
func pauseAgentsForm(c *common.Common, q common.QueueRef, agents []model.Agent) tea.Cmd {
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
				huh.NewInput().Title("Note").Description("why? shown on the agent").Value(&v.note).
					Validate(func(s string) error { return model.ValidateText("note", s, false) }),
				huh.NewInput().Title("Timeout").Description("resume by itself after: 30m, 4h, 2d (1 minute to 7 days); empty: until resumed").
					Value(&v.timeout).Validate(func(s string) error { _, err := ParsePauseTimeout(s); return err }),
			))
		},
		Submit: func(ctx context.Context) (tea.Cmd, error) {
			minutes, err := ParsePauseTimeout(v.timeout)
			if err != nil {
				return nil, err
			}
			in := model.AgentPause{Note: strings.TrimSpace(v.note), TimeoutInMinutes: minutes}
			done := sendEach(ctx, q, agents, "paused", func(ctx context.Context, a model.Agent) error {
				return c.Client.PauseAgent(ctx, a.ID, in)
			})
			if len(done.ok) == 0 && len(done.failed) == 1 {
				return nil, fmt.Errorf("%s", done.failed[0])
			}
			return done.Orphaned(), nil
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
