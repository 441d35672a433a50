package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

const agentNamesHelp = "An agent is named by its name or id; a glob names several ('mac-build-*'). The agents API lists\n" +
	"connected and stopping agents only; an agent in another state is found by its id.\n" +
	"An unknown or ambiguous name is an error (exit 2) that lists the candidates, before anything is changed."

func newAgentCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	cmd := groupCommand("agent", "List, pause, resume and stop agents by name",
		"Agents by name, for runbooks and scripts.\n\n"+agentNamesHelp+"\n\n"+exitCodesHelp,
		newAgentListCommand(stdout, stderr, getenv))
	for _, action := range []string{"pause", "resume", "stop"} {
		cmd.AddCommand(newAgentChangeCommand(stdout, stderr, getenv, action))
	}
	return cmd
}

// agentColumns are `agent list`'s columns; at 80 columns the ID, the
// version and the host give way first.
var agentColumns = []column{{name: "NAME"}, {name: "STATE"}, {name: "QUEUE"}, {name: "JOB", drop: 3}, {name: "HOSTNAME", drop: 4},
	{name: "VERSION", drop: 5}, {name: "PAUSED BY", drop: 2}, {name: "NOTE", drop: 1, cut: 12}, {name: "ID", drop: 6}}

// agentState is what an agent is doing, in a word or two.
func agentState(a model.Agent) string {
	switch {
	case a.ConnectionState != model.AgentConnected:
		return strings.ReplaceAll(a.ConnectionState, "_", " ")
	case a.Paused:
		return "paused"
	case a.Busy():
		return "busy"
	}
	return "idle"
}

// agentRow is an agent's row; queue is the CLUSTER/QUEUE it was listed
// under, or "" when not known (the agent then names only its queue's key,
// which several clusters may share).
func agentRow(a model.Agent, queue string) []string {
	job := ""
	if a.Busy() {
		job = a.Job.ID
	}
	by, note := "", ""
	if a.Paused {
		by, note = a.PausedBy.DisplayName(), model.Value(a.PausedNote)
	}
	if queue == "" {
		queue, _ = a.Tag("queue")
	}
	if queue == "" {
		queue = a.Queue
	}
	return []string{a.Name, agentState(a), queue, job, a.Hostname, a.Version, by, note, a.ID}
}

func newAgentListCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	var queue string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List connected agents: every one, or a queue's",
		Long: "Lists the connected and stopping agents (the API lists no others). A table on a terminal;\n" +
			"tab-separated lines, without the header, when piped.\n\n" + queueNamesHelp + "\n\n" + exitCodesHelp,
		Example: "  kiteconsole agent list --queue Mobile/macos\n  kiteconsole agent list --json | jq -r '.[] | select(.paused) | .name'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(cmd.Context(), stderr, opts, getenv)
			if err != nil {
				return err
			}
			defer s.Close()
			o := newOutput(stdout, asJSON, getenv)
			if o.json && queue == "" {
				return s.writeAgentsJSON(cmd.Context(), o)
			}
			var agents []model.Agent
			var queueOf, leftOut []string
			if queue == "" {
				agents, err = s.client.ListAgents(cmd.Context(), model.AgentListFilter{}, nil)
				if skipped, partial := api.Partial(err); partial {
					leftOut, err = []string{leftOutLine(skipped, "")}, nil
				}
			} else {
				agents, queueOf, leftOut, err = agentsOfQueues(cmd.Context(), s.client, queue)
			}
			if err != nil {
				return err
			}
			// The agents that could be read and kept are listed; what was
			// left out is said beside them, not instead of them.
			defer func() {
				for _, l := range leftOut {
					s.note("%s", l)
				}
			}()
			if o.json {
				if agents == nil {
					agents = []model.Agent{}
				}
				return o.writeJSON(agents)
			}
			rows := make([][]string, len(agents))
			for i, a := range agents {
				q := ""
				if i < len(queueOf) {
					q = queueOf[i]
				}
				rows[i] = agentRow(a, q)
			}
			return o.columns(agentColumns, rows)
		},
	}
	f := cmd.Flags()
	addAPIFlags(f, &opts)
	addAuditFlag(f, &opts)
	f.StringVar(&queue, "queue", "", "only the agents of this queue, CLUSTER/QUEUE (a glob names several)")
	f.BoolVar(&asJSON, "json", false, "print JSON with the API's field names")
	_ = cmd.RegisterFlagCompletionFunc("queue", completeQueues(&opts, getenv))
	return cmd
}

// writeAgentsJSON prints every connected agent as JSON, each page encoded
// as it arrives (jsonArray); agents that could not be read are left out
// and said on stderr, after the list.
func (s *session) writeAgentsJSON(ctx context.Context, o output) error {
	out := newJSONArray()
	// Every page is printed: the others are asked for while page 1 is
	// encoded.
	_, err := s.client.ListAgents(api.EveryPage(ctx), model.AgentListFilter{}, func(page api.Page[model.Agent]) error {
		if page.Number == 1 {
			out.expected = len(page.Items) * max(1, page.Last)
		}
		return add(out, page.Items)
	})
	skipped, partial := api.Partial(err)
	if err != nil && !partial {
		return err
	}
	if err := out.write(o); err != nil {
		return err
	}
	if partial {
		s.note("%s", leftOutLine(skipped, ""))
	}
	return nil
}

// agentsOfQueues lists the agents of the queues a name or glob names,
// asking the API to filter by each queue's id and checking each agent
// against it (ListQueueAgents), and says each agent's queue as
// CLUSTER/QUEUE (queueOf[i] is agents[i]'s). leftOut says, a line per
// queue, the agents a queue's list left out (another queue's, or one
// that could not be read) and why.
func agentsOfQueues(ctx context.Context, c *api.Client, spec string) (agents []model.Agent, queueOf, leftOut []string, err error) {
	refs, err := newNames(c).Queues(ctx, []string{spec})
	if err != nil {
		return nil, nil, nil, err
	}
	lists := make([][]model.Agent, len(refs))
	skips := make([]*api.SkippedError, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, r := range refs {
		g.Go(func() error {
			as, err := c.ListQueueAgents(gctx, r.Queue.ID)
			if skipped, partial := api.Partial(err); partial {
				skips[i], err = skipped, nil
			}
			lists[i] = as
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, nil, err
	}
	for i, l := range lists {
		agents = append(agents, l...)
		for range l {
			queueOf = append(queueOf, refs[i].name())
		}
		if skips[i] != nil {
			leftOut = append(leftOut, leftOutLine(skips[i], refs[i].name()))
		}
	}
	return agents, queueOf, leftOut, nil
}

// leftOutLine says how many agents a list left out and the first's
// reason: "Mobile/macos: 2 agents left out: agent x is registered to
// queue …, not …".
func leftOutLine(skipped *api.SkippedError, queue string) string {
	s := plural(skipped.Count, "agent", "agents") + " left out: " + termsafe.Text(skipped.First.Error())
	if queue != "" {
		s = queue + ": " + s
	}
	return s
}

// findAgents finds the agents the arguments name: by id, name (any
// case) or glob. Every argument is checked before anything is returned.
//
// An organisation can have thousands of agents, 100 a page, and every
// request counts against the organisation's 200 a minute: an id is asked
// for directly and a name through the API's name filter (one request
// each), and the whole list is read only for a glob, a name the filter
// did not find (in another case), or an error's list of candidates.
func findAgents(ctx context.Context, c *api.Client, args []string) ([]model.Agent, error) {
	f := agentFinder{c: c}
	var out []model.Agent
	seen := map[string]bool{}
	for _, arg := range args {
		found, err := f.find(ctx, arg)
		if err != nil {
			return nil, err
		}
		for _, a := range found {
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// agentFinder reads the list of every agent once, and only if needed.
type agentFinder struct {
	c   *api.Client
	all []model.Agent
	// listed is true once all holds every agent.
	listed bool
}

func (f *agentFinder) everyAgent(ctx context.Context) ([]model.Agent, error) {
	if !f.listed {
		all, err := f.c.ListAgents(ctx, model.AgentListFilter{}, nil)
		if err != nil {
			return nil, err
		}
		f.all, f.listed = all, true
	}
	return f.all, nil
}

// unknown is the error for a name that matches no agent, listing the
// agents there are.
func (f *agentFinder) unknown(ctx context.Context, arg string) error {
	all, err := f.everyAgent(ctx)
	if err != nil {
		return err
	}
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Name
	}
	return unknownName("agent", arg, names)
}

func (f *agentFinder) find(ctx context.Context, arg string) ([]model.Agent, error) {
	idName := func(a model.Agent) (string, string) { return a.ID, a.Name }
	if isGlob(arg) {
		if err := checkGlob(arg); err != nil {
			return nil, err
		}
		all, err := f.everyAgent(ctx)
		if err != nil {
			return nil, err
		}
		var found []model.Agent
		for _, a := range all {
			if globMatch(arg, a.Name) {
				found = append(found, a)
			}
		}
		if len(found) == 0 {
			return nil, f.unknown(ctx, arg)
		}
		return found, nil
	}
	var found []model.Agent
	if model.ValidateUUID("agent", arg) == nil {
		// An id: asked for directly, which also finds an agent the list
		// leaves out (one not connected).
		a, err := f.c.GetAgent(ctx, arg)
		if err != nil && !errors.Is(err, api.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			found = append(found, a)
		}
	}
	if len(found) == 0 && !f.listed {
		named, err := f.c.ListAgents(ctx, model.AgentListFilter{Name: arg}, nil)
		if err != nil {
			return nil, err
		}
		found = byIDOrName(named, arg, idName)
	}
	if len(found) == 0 {
		all, err := f.everyAgent(ctx)
		if err != nil {
			return nil, err
		}
		found = byIDOrName(all, arg, idName)
	}
	switch len(found) {
	case 0:
		return nil, f.unknown(ctx, arg)
	case 1:
		return found, nil
	}
	var candidates []string
	for _, a := range found {
		candidates = append(candidates, a.Name+" (id "+a.ID+")")
	}
	return nil, ambiguousName("agent", arg, candidates)
}

// agentChange is one agent's outcome, as JSON.
type agentChange struct {
	Agent   model.Agent `json:"agent"`
	Result  string      `json:"result"`
	Message string      `json:"message,omitempty"`
	// PausedUntil is when a paused agent resumes by itself: its pause's
	// time and timeout (Buildkite's default when none was given).
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	// Queue and WouldCancel are said by `agent stop --dry-run`: where the
	// agent is, and the job (and build) a forced stop cancels.
	Queue       *agentQueue `json:"queue,omitempty"`
	WouldCancel *jobRef     `json:"would_cancel,omitempty"`
}

// agentQueue is the queue an agent is registered to.
type agentQueue struct {
	Cluster clusterRef `json:"cluster"`
	ID      string     `json:"id"`
	Key     string     `json:"key"`
}

// jobRef names a job and its build.
type jobRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Pipeline    string `json:"pipeline"`
	BuildNumber int    `json:"build_number"`
	WebURL      string `json:"web_url"`
}

// pauseTimeout is agent pause's --timeout: a Go duration ("90m",
// "2h30m") or days ("2d", "1d12h"), as the console takes "2d".
type pauseTimeout struct {
	d   time.Duration
	set bool
}

func (p *pauseTimeout) String() string {
	if !p.set {
		return ""
	}
	return p.d.String()
}

func (p *pauseTimeout) Type() string { return "duration" }

func (p *pauseTimeout) Set(s string) error {
	d, err := parseDays(s)
	if err != nil {
		return err
	}
	p.d, p.set = d, true
	return nil
}

var daysPattern = regexp.MustCompile(`^(-?)(\d{1,5})d(.*)$`)

// parseDays reads a duration that may start with days: "2d", "1d12h",
// or anything time.ParseDuration reads.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration: use 30m, 4h, 2d or 1d12h", s)
	m := daysPattern.FindStringSubmatch(s)
	if m == nil {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, bad
		}
		return d, nil
	}
	days, _ := strconv.Atoi(m[2])
	d := time.Duration(days) * 24 * time.Hour
	if m[3] != "" {
		rest, err := time.ParseDuration(m[3])
		if err != nil || rest < 0 || strings.HasPrefix(m[3], "+") {
			return 0, bad
		}
		d += rest
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}

// pauseEnd is when an agent's pause ends (model.Agent.PausedUntil), in
// UTC for the results; nil when it is not paused.
func pauseEnd(a model.Agent) *time.Time {
	until, ok := a.PausedUntil()
	if !ok {
		return nil
	}
	until = until.UTC()
	return &until
}

// agentPausedBy says whose an agent's pause is, why, and until when.
func agentPausedBy(a model.Agent) string {
	s := pausedBy(a.PausedBy, a.PausedAt, a.PausedNote)
	if until := pauseEnd(a); until != nil {
		s += " (until " + until.Format(time.RFC3339) + ")"
	}
	return s
}

func newAgentChangeCommand(stdout, stderr io.Writer, getenv func(string) string, action string) *cobra.Command {
	var opts rootOptions
	var note string
	var timeout pauseTimeout
	var force, dryRun, asJSON, yes bool
	short := map[string]string{
		"pause":  "Pause dispatch to agents, with a note and an optional timeout",
		"resume": "Resume dispatch to paused agents",
		"stop":   "Stop agents: after their job, or at once with --force",
	}[action]
	already := agentAlreadyText[action]
	cmd := &cobra.Command{
		Use:   action + " AGENT...",
		Short: short,
		Long: short + ": one line per agent with its result, all attempted.\n" +
			"Safe to repeat: an agent " + already + " is left as it is and counts as done.\n" +
			"Every change is written to the audit log (via: cli, the OS user).\n" + map[string]string{"pause": severalHelp + "\n", "stop": severalHelp + "\n"}[action] + "\n" +
			agentNamesHelp + "\n\n" + exitCodesHelp,
		Example: map[string]string{
			"pause":  "  kiteconsole agent pause 'macos-*' --note 'INC-4821' --timeout 2h\n  kiteconsole agent pause gpu-host-2 --timeout 7d",
			"resume": "  kiteconsole agent resume 'macos-*'",
			"stop": "  kiteconsole agent stop gpu-host-2 --dry-run\n  kiteconsole agent stop gpu-host-2 --force\n" +
				"  kiteconsole agent stop 'gpu-host-*' --yes   # from a script",
		}[action],
		Args: minArgs(1, "name an agent"),
		// Agent names are not completed (listing them is not one page in
		// a large organisation), and a file name is never one.
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			minutes := 0
			if action == "pause" && timeout.set {
				// The API counts whole minutes: a part of one rounds up, but
				// less than a minute is out of its range, not a minute.
				minutes = int((timeout.d + time.Minute - 1) / time.Minute)
				if timeout.d < time.Minute {
					minutes = -1
				}
				if err := model.ValidateAgentPauseTimeout(minutes); err != nil {
					return usagef("--timeout: %v", err)
				}
			}
			s, err := openSession(cmd.Context(), stderr, opts, getenv)
			if err != nil {
				return err
			}
			defer s.Close()
			agents, err := findAgents(cmd.Context(), s.client, args)
			if err != nil {
				return namesForAChange(err)
			}
			if action != "resume" {
				// Resuming lets agents take work again, as they did before
				// the pause: it is not asked about.
				var touch []string
				for _, a := range agents {
					if !agentAlready(a, action) {
						touch = append(touch, a.Name)
					}
				}
				doing, consequence := action, ""
				if action == "stop" && force {
					doing, consequence = "force-stop", "Their running jobs are canceled, and the builds those jobs belong to."
				}
				if err := confirmSeveral(cmd, stderr, yes || dryRun || s.client.ReadOnly(), severalTargets{
					doing: doing, one: "agent", many: "agents", named: len(agents), touch: touch,
					already: agentAlreadyText[action], consequence: consequence,
				}); err != nil {
					return err
				}
			}
			var where map[string]agentQueue
			if dryRun {
				s.note("dry run: nothing is changed")
				if action == "stop" {
					where = agentQueues(cmd.Context(), s, agents)
				}
			}
			results := changeEach(agents, func(a model.Agent) agentChange {
				r := changeAgent(cmd.Context(), s.client, a, action, model.AgentPause{Note: note, TimeoutInMinutes: minutes}, force, dryRun)
				if dryRun && action == "stop" && r.Result != agentAlreadyText[action] {
					describeStop(&r, where, force)
				}
				return r
			})
			return interrupted(cmd.Context(), reportChanges(newOutput(stdout, asJSON, getenv), results, func(r agentChange) outcome {
				return outcome{target: r.Agent.Name, result: r.Result, message: r.Message}
			}, "agent", "agents"))
		},
	}
	f := cmd.Flags()
	// The old spelling of --request-timeout is not kept on any agent
	// change: `agent stop --timeout 5m` reads as the stop's own timeout.
	addAPIFlagsBut(f, &opts, "timeout")
	if action == "pause" {
		f.Var(&timeout, "timeout", "resume by itself after this long: 30m, 4h, 2d or 1d12h, from 1m to 7d; without it, "+model.AgentPauseTimeoutText(0))
	}
	addAuditFlag(f, &opts)
	addReadOnlyFlag(f, &opts)
	switch action {
	case "pause":
		f.StringVar(&note, "note", "", "why: shown to everyone who looks at the agent")
	case "stop":
		f.BoolVar(&force, "force", false, "cancel the agent's running job (and its build) instead of letting it finish")
	}
	f.BoolVar(&dryRun, "dry-run", false, "say what would change, and change nothing")
	if action != "resume" {
		addYesFlag(f, &yes)
	}
	f.BoolVar(&asJSON, "json", false, "print the results as JSON with the API's field names")
	return cmd
}

// agentAlreadyText is what an agent already in an action's state is.
var agentAlreadyText = map[string]string{"pause": "already paused", "resume": "already running", "stop": "already stopping"}

// agentAlready reports whether an agent is in the state an action asks
// for (no request is sent for it).
func agentAlready(a model.Agent, action string) bool {
	switch action {
	case "pause":
		return a.Paused
	case "resume":
		return !a.Paused && a.ConnectionState == model.AgentConnected
	}
	return a.ConnectionState == model.AgentStopping || a.ConnectionState == model.AgentStopped
}

func changeAgent(ctx context.Context, c *api.Client, a model.Agent, action string, pause model.AgentPause, force, dryRun bool) agentChange {
	res := agentChange{Agent: a}
	alreadyText := agentAlreadyText[action]
	if agentAlready(a, action) {
		res.Result = alreadyText
		if action == "pause" {
			// Whose pause it is, why and until when: the person may have
			// meant to take it over, or to ask its owner.
			res.Message, res.PausedUntil = agentPausedBy(a), pauseEnd(a)
		}
		return res
	}
	lifted := ""
	if action == "resume" {
		lifted = pausedBy(a.PausedBy, a.PausedAt, a.PausedNote)
	}
	if dryRun {
		res.Result = "would " + action
		if action == "stop" && force {
			res.Result = "would stop (force)"
		}
		res.Message = lifted
		if action == "pause" {
			res.Message = "for " + model.AgentPauseTimeoutText(pause.TimeoutInMinutes)
		}
		return res
	}
	ctx = audit.WithNames(ctx, audit.Target{AgentID: a.ID})
	if action == "stop" {
		return stopAgent(ctx, c, res, force)
	}
	var err error
	switch action {
	case "pause":
		err = c.PauseAgent(ctx, a.ID, pause)
	case "resume":
		err = c.ResumeAgent(ctx, a.ID)
	}
	if err == nil {
		res.Result = map[string]string{"pause": "paused", "resume": "resumed"}[action]
		if lifted != "" {
			res.Message = "was " + lifted
		}
		// The API answers these with no body: read the agent back, for
		// --json, when it can be had.
		if after, gerr := c.GetAgent(ctx, a.ID); gerr == nil {
			res.Agent = after
		}
		if action == "pause" {
			res.PausedUntil = pauseEnd(res.Agent)
			if res.PausedUntil == nil { // not read back: from now
				t := c.Now().Add(time.Duration(pause.Timeout()) * time.Minute).UTC()
				res.PausedUntil = &t
			}
			res.Message = "for " + model.AgentPauseTimeoutText(pause.TimeoutInMinutes) + ", until " + res.PausedUntil.Format(time.RFC3339)
		}
		return res
	}
	if action != "stop" && errors.Is(err, api.ErrUnprocessable) && alreadyInState(err, action == "pause") {
		// Someone else got there between the list and the change: say
		// whose pause it is, when the agent can be read back.
		res.Result = alreadyText
		if after, gerr := c.GetAgent(ctx, a.ID); gerr == nil && action == "pause" && after.Paused {
			res.Agent = after
			res.Message, res.PausedUntil = agentPausedBy(after), pauseEnd(after)
		}
		return res
	}
	res.Result, res.Message = "failed", errorMessage(err)
	if isRefused(err) {
		res.Result = "refused"
	}
	return res
}

// stopAgent stops res's agent and says what the API made of it. A
// graceful stop is "stopping": the agent finishes its job first, and on
// Buildkite it stops only once it has heard of the stop. A forced stop
// is the state the agent is read back in ("stopped", or "stopping" until
// it disconnects), or "stop sent" while it is still connected or when it
// cannot be read back.
func stopAgent(ctx context.Context, c *api.Client, res agentChange, force bool) agentChange {
	after, err := c.StopAgentAndGet(ctx, res.Agent.ID, force)
	switch {
	case err == nil:
		res.Agent, res.Result = after, "stopping"
		if force {
			res.Result = strings.ReplaceAll(after.ConnectionState, "_", " ")
			if after.ConnectionState == model.AgentConnected {
				// Buildkite has not told the agent yet.
				res.Result = "stop sent"
			}
		}
	case errors.Is(err, api.ErrNotReadBack):
		res.Result = "stopping"
		if force {
			res.Result, res.Message = "stop sent", errorMessage(err)
		}
	default:
		res.Result, res.Message = "failed", errorMessage(err)
		if isRefused(err) {
			res.Result = "refused"
		}
	}
	return res
}

// agentQueues finds the queue each agent is registered to, for a dry
// run's results: one list of clusters and one of each cluster's queues
// the agents are in. What cannot be read is left out (and said once).
func agentQueues(ctx context.Context, s *session, agents []model.Agent) map[string]agentQueue {
	n := newNames(s.client)
	all, err := n.allClusters(ctx)
	if err != nil {
		s.note("the agents' queues are not named: %s", errorMessage(err))
		return nil
	}
	byID := map[string]model.Cluster{}
	for _, c := range all {
		byID[c.ID] = c
	}
	var clusters []model.Cluster
	seen := map[string]bool{}
	for _, a := range agents {
		if c, ok := byID[agentClusterID(a)]; ok && !seen[c.ID] {
			seen[c.ID] = true
			clusters = append(clusters, c)
		}
	}
	if err := n.queuesOf(ctx, clusters); err != nil {
		s.note("the agents' queues are not named: %s", errorMessage(err))
		return nil
	}
	out := map[string]agentQueue{}
	for _, a := range agents {
		c, ok := byID[agentClusterID(a)]
		if !ok {
			continue
		}
		for _, q := range n.queues[c.ID] {
			if q.ID == agentQueueID(a) {
				out[a.ID] = agentQueue{Cluster: clusterRef{ID: c.ID, Name: c.Name}, ID: q.ID, Key: q.Key}
			}
		}
	}
	return out
}

// agentClusterID is the cluster an agent is registered to, from its web
// URL (.../clusters/{cluster}/queues/…).
func agentClusterID(a model.Agent) string {
	_, rest, ok := strings.Cut(a.WebURL, "/clusters/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// describeStop says, in a stop's dry run, where the agent is and what
// its stop does to the job it runs: a forced stop cancels the job and
// its build; a graceful one waits for it.
func describeStop(r *agentChange, where map[string]agentQueue, force bool) {
	var parts []string
	if q, ok := where[r.Agent.ID]; ok {
		r.Queue = &q
		parts = append(parts, "queue "+q.Cluster.Name+"/"+q.Key)
	}
	if j := r.Agent.Job; r.Agent.Busy() {
		ref := jobRef{ID: j.ID, Name: j.DisplayName(), WebURL: j.WebURL}
		build := "its build"
		if slug, number, ok := j.BuildRef(); ok {
			ref.Pipeline, ref.BuildNumber = slug, number
			build = fmt.Sprintf("build %s #%d", slug, number)
		}
		job := fmt.Sprintf("job %q (%s) of %s", ref.Name, ref.ID, build)
		if force {
			r.WouldCancel = &ref
			parts = append(parts, "cancels "+job+", and the build")
		} else {
			parts = append(parts, "stops after "+job)
		}
	} else {
		parts = append(parts, "runs no job")
	}
	r.Message = strings.Join(parts, "; ")
}
