package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// The changes to a queue's agents: pause (with a note and a timeout),
// resume, stop (letting the job finish) and force-stop (cancelling the
// job and its build). Each acts on one agent or on the marked ones, and
// says how each one went.

// Runner runs a change for a screen, under the console's context, its
// reply coming back to the screen (ScreenBase.RunUnder).
type Runner func(label string, fn func(ctx context.Context) tea.Msg) tea.Cmd

// AgentsDone is the reply to one change of several agents: how each
// went, by name.
type AgentsDone struct {
	verb   string
	ok     []string
	failed []string
	// acted are the IDs of the agents the change was for.
	acted []string
	// words are the ok agents' own words, where the API's result is not
	// verb: a graceful stop of a busy agent leaves it stopping.
	words []string
}

// Orphaned says how it went even when the screen was closed meanwhile.
func (m AgentsDone) Orphaned() tea.Cmd {
	return tea.Batch(common.Send(common.AgentsChanged{Acted: m.acted}), m.Flash())
}

// Failure is the one agent's failure, when the change was of one agent
// and it failed: a form shows it under its fields.
func (m AgentsDone) Failure() (string, bool) {
	if len(m.ok) == 0 && len(m.failed) == 1 {
		return m.failed[0], true
	}
	return "", false
}

// said groups the ok agents by what became of them, in order.
func (m AgentsDone) said() (words []string, names map[string][]string) {
	names = map[string][]string{}
	for i, n := range m.ok {
		w := m.verb
		if i < len(m.words) && m.words[i] != "" {
			w = m.words[i]
		}
		if _, seen := names[w]; !seen {
			words = append(words, w)
		}
		names[w] = append(names[w], n)
	}
	return words, names
}

// Flash says how it went.
func (m AgentsDone) Flash() tea.Cmd {
	words, names := m.said()
	switch {
	case len(m.failed) == 0 && len(m.ok) == 1:
		return common.Flash(common.FlashOK, m.ok[0]+" "+words[0])
	case len(m.failed) == 0 && len(words) == 1:
		return common.Flash(common.FlashOK, fmt.Sprintf("%d %s: %s", len(m.ok), words[0], strings.Join(m.ok, ", ")))
	case len(m.failed) == 0:
		var parts []string
		for _, w := range words {
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(names[w]), w, strings.Join(names[w], ", ")))
		}
		return common.Flash(common.FlashOK, strings.Join(parts, "; "))
	}
	text := fmt.Sprintf("%d %s", len(m.ok), m.verb)
	if len(m.ok) > 0 {
		text += " (" + strings.Join(m.ok, ", ") + ")"
	}
	return common.Flash(common.FlashError, text+fmt.Sprintf("; %d failed: %s", len(m.failed), strings.Join(m.failed, "; ")))
}

// AgentTarget is what a change to an agent of q touches.
func AgentTarget(a model.Agent, q common.QueueRef) audit.Target {
	t := common.QueueTarget(q)
	t.AgentID = a.ID
	return t
}

// AgentNames names agents, for a task's label: "mac-1, mac-2".
func AgentNames(agents []model.Agent) string {
	names := make([]string, len(agents))
	for i, a := range agents {
		names[i] = common.Clean(a.Name)
	}
	return strings.Join(names, ", ")
}

// eachAgent sends one request per agent, at most four at a time, and
// gathers how each went. It runs under the console's context: a change
// goes through even if its screen is closed (the reply then still says
// how it went: AgentsDone.Orphaned).
func eachAgent(run Runner, q common.QueueRef, agents []model.Agent, doing, verb string, send func(ctx context.Context, a model.Agent) error) tea.Cmd {
	return run(doing, func(ctx context.Context) tea.Msg {
		return SendEach(ctx, q, agents, verb, send)
	})
}

// SendEach sends one request per agent, at most four at a time, each
// named for the audit log, and says how each went.
func SendEach(ctx context.Context, q common.QueueRef, agents []model.Agent, verb string, send func(ctx context.Context, a model.Agent) error) AgentsDone {
	return sendEachSaying(ctx, q, agents, verb, func(ctx context.Context, a model.Agent) (string, error) { return "", send(ctx, a) })
}

// sendEachSaying is SendEach where each request also says what became of
// its agent ("" for verb).
func sendEachSaying(ctx context.Context, q common.QueueRef, agents []model.Agent, verb string, send func(ctx context.Context, a model.Agent) (string, error)) AgentsDone {
	errs := make([]error, len(agents))
	words := make([]string, len(agents))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			words[i], errs[i] = send(common.Named(ctx, AgentTarget(a, q)), a)
		}()
	}
	wg.Wait()
	out := AgentsDone{verb: verb}
	for i, a := range agents {
		out.acted = append(out.acted, a.ID)
		if errs[i] != nil {
			out.failed = append(out.failed, common.Clean(a.Name)+": "+common.ErrorText(errs[i]))
		} else {
			out.ok = append(out.ok, common.Clean(a.Name))
			out.words = append(out.words, words[i])
		}
	}
	return out
}

// stopWord is what a stop left an agent as the API reads it back: a
// graceful stop of a busy agent is stopping (it finishes its job first),
// an agent that cannot be read back was sent the stop.
func stopWord(a model.Agent, err error) (string, error) {
	switch {
	case errors.Is(err, api.ErrNotReadBack):
		return "stop sent", nil
	case err != nil:
		return "", err
	case a.ConnectionState == model.AgentStopping:
		return "stopping", nil
	case a.ConnectionState == model.AgentConnected:
		return "stop sent", nil
	}
	return "stopped", nil
}

// StopAgents stops agents after a question (default Cancel): without
// force each finishes its job first; with force the job is cancelled,
// and its build with it. lines lists the agents for the question, with
// what each runs.
func StopAgents(c *common.Common, run Runner, q common.QueueRef, agents []model.Agent, force bool, lines string) Change {
	what := common.Clean(agents[0].Name)
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
		body = "Force: the job each one is running is canceled at once, and the build it belongs to is canceled with it.\n\n"
		if busy == 0 {
			body = "Force: a running job would be canceled with its build; none of these agents is running one now.\n\n"
		}
		verb = "force-stops"
	} else {
		body = "Each agent finishes the job it is running, then disconnects. Nothing is canceled (" + c.Keys.ForceStop.Help().Key + " force-stops instead).\n\n"
	}
	return Change{Audit: "agent.stop", Target: AgentTarget(agents[0], q), Refused: "stopping agents",
		Confirm: &Confirm{Title: title, Body: body + lines, Verb: verb},
		Make: func() tea.Cmd {
			return run("stopping "+AgentNames(agents), func(ctx context.Context) tea.Msg {
				return sendEachSaying(ctx, q, agents, "stopped", func(ctx context.Context, a model.Agent) (string, error) {
					return stopWord(c.Client.StopAgentAndGet(ctx, a.ID, force))
				})
			})
		}}
}

// ResumeAgents resumes agents; someone else's pause, or several, asks
// first (who paused each, when and why), default Cancel.
func ResumeAgents(c *common.Common, run Runner, q common.QueueRef, agents []model.Agent) Change {
	ch := Change{Audit: "agent.resume", Target: AgentTarget(agents[0], q), Refused: "resuming agents",
		Make: func() tea.Cmd {
			return eachAgent(run, q, agents, "resuming "+AgentNames(agents), "resumed", func(ctx context.Context, a model.Agent) error {
				return c.Client.ResumeAgent(ctx, a.ID)
			})
		}}
	if len(agents) == 1 && c.Session.Mine(agents[0].PausedBy) {
		return ch
	}
	var b strings.Builder
	for _, a := range agents {
		b.WriteString("• " + common.Clean(a.Name) + ": paused by " + PausedBy(c, a.PausedBy, a.PausedAt, model.Value(a.PausedNote)) + "\n")
	}
	title := "Resume " + common.Clean(agents[0].Name) + "?"
	if len(agents) > 1 {
		title = "Resume " + common.Plural(len(agents), "agent", "agents") + "?"
	}
	again := "Jobs are dispatched to it again."
	if len(agents) > 1 {
		again = "Jobs are dispatched to them again."
	}
	ch.Confirm = &Confirm{Title: title, Body: again + "\n\n" + strings.TrimRight(b.String(), "\n"), Verb: "resumes"}
	return ch
}

// PauseAgents pauses agents with a note and a timeout in minutes (0:
// until resumed): the pause form's submission. A single agent's failure
// is the form's error; otherwise how each went is said.
func PauseAgents(ctx context.Context, c *common.Common, q common.QueueRef, agents []model.Agent, in model.AgentPause) (tea.Cmd, error) {
	done := SendEach(ctx, q, agents, "paused", func(ctx context.Context, a model.Agent) error {
		return c.Client.PauseAgent(ctx, a.ID, in)
	})
	if failure, ok := done.Failure(); ok {
		return nil, fmt.Errorf("%s", failure)
	}
	return done.Orphaned(), nil
}
