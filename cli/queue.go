package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

const queueNamesHelp = "A queue is CLUSTER/QUEUE: the cluster's name (or id) and the queue's key (or id). A glob names\n" +
	"several: 'Mobile/mac*', '*/deploy' (quote it from the shell). A bare QUEUE looks in every cluster.\n" +
	"An unknown or ambiguous name is an error (exit 2) that lists the candidates, before anything is changed."

func newQueueCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	return groupCommand("queue", "List, show, pause and resume cluster queues by name",
		"Cluster queues by name, for runbooks and scripts.\n\n"+queueNamesHelp+"\n\n"+exitCodesHelp,
		newQueueListCommand(stdout, stderr, getenv), newQueueShowCommand(stdout, stderr, getenv),
		newQueueChangeCommand(stdout, stderr, getenv, true), newQueueChangeCommand(stdout, stderr, getenv, false))
}

// queueJSON is a queue as the API gives it, with the cluster it is in
// (the API's queue names its cluster only by URL).
type queueJSON struct {
	model.Queue
	Cluster clusterRef `json:"cluster"`
	// Counts is what the queue is doing; left out when it could not be
	// counted (the reason is said on stderr).
	Counts *queueCounts `json:"counts,omitempty"`
}

type clusterRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func toQueueJSON(r queueRef) queueJSON {
	return queueJSON{Queue: r.Queue, Cluster: clusterRef{ID: r.Cluster.ID, Name: r.Cluster.Name}}
}

// queueColumns are `queue list`'s columns. At 80 columns the ID, when
// and where the queue runs, and who paused it give way first; the note
// is cut before it is left out.
var queueColumns = []column{{name: "CLUSTER"}, {name: "QUEUE"}, {name: "STATE"}, {name: "BUSY/AGENTS"}, {name: "WAITING"},
	{name: "RUNS ON", drop: 4}, {name: "PAUSED BY", drop: 3}, {name: "PAUSED AT", drop: 5}, {name: "NOTE", drop: 2, cut: 12}, {name: "ID", drop: 6}}

// queueListLegend is what the count columns mean, for --help.
const queueListLegend = "BUSY/AGENTS is the agents running a job of those connected; WAITING is the jobs waiting for an\n" +
	"agent, with the longest wait. A table is fitted to the terminal's width ($COLUMNS when set): the\n" +
	"columns of least use are left out or cut (…) first; piped output and --json keep every column whole."

// uncounted is a count's cell when the counts could not be read.
const uncounted = "?"

func queueRow(r queueRef, counts map[string]queueCounts) []string {
	q := r.Queue
	state, by, at := "running", "", ""
	if q.DispatchPaused {
		state = "paused"
		by = q.DispatchPausedBy.DisplayName()
		if q.DispatchPausedAt != nil {
			at = q.DispatchPausedAt.UTC().Format(time.RFC3339)
		}
	}
	agents, waiting := uncounted, uncounted
	if n, ok := counts[q.ID]; ok {
		agents, waiting = n.agentsCell(), n.waitingCell()
	}
	return []string{r.Cluster.Name, q.Key, state, agents, waiting, queueKind(q), by, at, model.Value(q.DispatchPausedNote), q.ID}
}

// countsOf is countQueues for a command: a failure (a token that may
// not read builds or agents, say) is said on stderr and the queues are
// printed without their counts, since what a queue is matters more than
// what it is doing.
func (s *session) countsOf(ctx context.Context, refs []queueRef) map[string]queueCounts {
	if len(refs) == 0 {
		return nil
	}
	counts, err := countQueues(ctx, s.client, refs)
	if err != nil {
		if ctx.Err() == nil {
			s.note("the agents and jobs are not counted (%s): %s", uncounted, errorMessage(err))
		}
		return nil
	}
	return counts
}

func newQueueListCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	var cluster string
	var paused, asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List queues: every cluster's, or one's",
		Long: "Lists queues, with their agents and waiting jobs. A table on a terminal; tab-separated lines,\n" +
			"without the header, when piped.\n\n" + queueListLegend + "\n\n" + exitCodesHelp,
		Example: "  kiteconsole queue list --cluster Mobile\n  kiteconsole queue list --paused --json\n" +
			"  kiteconsole queue list | cut -f1,2,3",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(cmd.Context(), stderr, opts, getenv)
			if err != nil {
				return err
			}
			defer s.Close()
			n := newNames(s.client)
			spec := cluster
			if spec == "" {
				spec = "*"
			}
			clusters, err := n.Clusters(cmd.Context(), spec)
			if err != nil {
				return err
			}
			if err := n.queuesOf(cmd.Context(), clusters); err != nil {
				return err
			}
			var refs []queueRef
			for _, c := range clusters {
				for _, q := range n.queues[c.ID] {
					if !paused || q.DispatchPaused {
						refs = append(refs, queueRef{Cluster: c, Queue: q})
					}
				}
			}
			return printQueues(newOutput(stdout, asJSON, getenv), refs, s.countsOf(cmd.Context(), refs))
		},
	}
	f := cmd.Flags()
	addAPIFlags(f, &opts)
	addAuditFlag(f, &opts)
	f.StringVar(&cluster, "cluster", "", "only this cluster's queues (a name, an id or a glob)")
	f.BoolVar(&paused, "paused", false, "only paused queues")
	f.BoolVar(&asJSON, "json", false, "print JSON with the API's field names")
	_ = cmd.RegisterFlagCompletionFunc("cluster", completeClusters(&opts, getenv))
	return cmd
}

// writeQueuesJSON prints queues as the API gives them, each with its
// cluster.
func (o output) writeQueuesJSON(refs []queueRef, counts map[string]queueCounts) error {
	out := make([]queueJSON, len(refs))
	for i, r := range refs {
		out[i] = toQueueJSON(r)
		if n, ok := counts[r.Queue.ID]; ok {
			out[i].Counts = &n
		}
	}
	return o.writeJSON(out)
}

func printQueues(o output, refs []queueRef, counts map[string]queueCounts) error {
	if o.json {
		return o.writeQueuesJSON(refs, counts)
	}
	rows := make([][]string, len(refs))
	for i, r := range refs {
		rows[i] = queueRow(r, counts)
	}
	return o.columns(queueColumns, rows)
}

// runOnQueues is the RunE of a command whose arguments name queues: it
// opens a session and finds every queue named (an unknown or ambiguous
// name fails the command before anything is done), then runs do.
func runOnQueues(stderr io.Writer, opts *rootOptions, getenv func(string) string, changes bool,
	do func(cmd *cobra.Command, s *session, refs []queueRef) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		s, err := openSession(cmd.Context(), stderr, *opts, getenv)
		if err != nil {
			return err
		}
		defer s.Close()
		refs, err := newNames(s.client).Queues(cmd.Context(), args)
		if err != nil {
			if changes {
				return namesForAChange(err)
			}
			return err
		}
		return do(cmd, s, refs)
	}
}

func newQueueShowCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	var opts rootOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "show CLUSTER/QUEUE...",
		Short:             "Show queues: state, who paused them, when and why",
		Long:              "Shows queues.\n\n" + queueNamesHelp + "\n\n" + exitCodesHelp,
		Example:           "  kiteconsole queue show Mobile/macos\n  kiteconsole queue show 'Mobile/*' --json",
		Args:              minArgs(1, "name a queue: CLUSTER/QUEUE"),
		ValidArgsFunction: completeQueues(&opts, getenv),
		RunE: runOnQueues(stderr, &opts, getenv, false, func(cmd *cobra.Command, s *session, refs []queueRef) error {
			o := newOutput(stdout, asJSON, getenv)
			counts := s.countsOf(cmd.Context(), refs)
			if o.json {
				return o.writeQueuesJSON(refs, counts)
			}
			for i, r := range refs {
				if i > 0 {
					fmt.Fprintln(stdout)
				}
				if err := o.fields(queueFields(r, counts)); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	f := cmd.Flags()
	addAPIFlags(f, &opts)
	addAuditFlag(f, &opts)
	f.BoolVar(&asJSON, "json", false, "print JSON with the API's field names")
	return cmd
}

func queueFields(r queueRef, counts map[string]queueCounts) [][2]string {
	q := r.Queue
	row := queueRow(r, counts)
	fields := [][2]string{{"cluster", r.Cluster.Name}, {"queue", q.Key}, {"id", q.ID},
		{"description", model.Value(q.Description)}, {"state", row[2]}, {"runs on", row[5]}}
	if q.DispatchPaused {
		fields = append(fields, [2]string{"paused by", row[6]}, [2]string{"paused at", row[7]}, [2]string{"note", row[8]})
	}
	agents, waiting := uncounted, uncounted
	if n, ok := counts[q.ID]; ok {
		agents = fmt.Sprintf("%d busy of %d connected", n.AgentsBusy, n.AgentsConnected)
		if n.AgentsPaused > 0 {
			agents += fmt.Sprintf(", %d paused", n.AgentsPaused)
		}
		waiting = fmt.Sprintf("%d waiting, %d running", n.JobsWaiting, n.JobsRunning)
		if n.OldestWaitingSince != nil {
			waiting += fmt.Sprintf("; the longest has waited %s (since %s)",
				shortDuration(time.Duration(n.LongestWaitSeconds)*time.Second), n.OldestWaitingSince.Format(time.RFC3339))
		}
	}
	fields = append(fields, [2]string{"agents", agents}, [2]string{"jobs", waiting})
	return append(fields, [2]string{"web url", q.WebURL})
}

// fields prints name/value pairs: aligned on a terminal, tab-separated
// when piped.
func (o output) fields(pairs [][2]string) error {
	rows := make([][]string, len(pairs))
	for i, p := range pairs {
		rows[i] = []string{p[0], p[1]}
	}
	if !o.table {
		return o.rows(nil, rows)
	}
	width := 0
	for _, p := range pairs {
		width = max(width, len(p[0]))
	}
	var b strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&b, "%-*s  %s\n", width, p[0], termsafe.Text(p[1]))
	}
	_, err := io.WriteString(o.w, b.String())
	return err
}

// change is one target's outcome, as printed and as JSON.
type change struct {
	Cluster clusterRef   `json:"cluster"`
	Queue   *model.Queue `json:"queue,omitempty"`
	// Result: paused, resumed, already paused, already running,
	// would pause, would resume, refused or failed.
	Result  string `json:"result"`
	Message string `json:"message,omitempty"`
}

// queueVerb is the words of a pause or a resume.
type queueVerb struct {
	verb, done, already, doing, short, example string
}

var (
	pauseVerb = queueVerb{verb: "pause", done: "paused", already: "already paused", doing: "pausing",
		short: "Pause dispatch to queues, with a note",
		example: "  kiteconsole queue pause 'Mobile/mac*' --note 'INC-4821: signing outage'\n  kiteconsole queue pause '*/deploy' --dry-run\n" +
			"  kiteconsole queue pause '*/macos*' --yes --note 'INC-4821' --json > paused.json   # from a script"}
	resumeVerb = queueVerb{verb: "resume", done: "resumed", already: "already running", doing: "resuming",
		short:   "Resume dispatch to paused queues",
		example: "  kiteconsole queue resume 'Mobile/mac*'\n  kiteconsole queue resume Production/linux --json"}
)

func verbOf(pause bool) queueVerb {
	if pause {
		return pauseVerb
	}
	return resumeVerb
}

func newQueueChangeCommand(stdout, stderr io.Writer, getenv func(string) string, pause bool) *cobra.Command {
	var opts rootOptions
	var note string
	var dryRun, asJSON, yes bool
	v := verbOf(pause)
	cmd := &cobra.Command{
		Use:   v.verb + " CLUSTER/QUEUE...",
		Short: v.short,
		Long: v.short + ": one line per queue with its result, all attempted.\n" +
			"Safe to repeat: a queue " + v.already + " is left as it is and counts as done.\n" +
			"Every change is written to the audit log (via: cli, the OS user).\n" + severalHelp + "\n\n" +
			queueNamesHelp + "\n\n" + exitCodesHelp,
		Example:           v.example,
		Args:              minArgs(1, "name a queue: CLUSTER/QUEUE"),
		ValidArgsFunction: completeQueues(&opts, getenv),
		RunE: runOnQueues(stderr, &opts, getenv, true, func(cmd *cobra.Command, s *session, refs []queueRef) error {
			// The progress note counts only the queues a request is sent
			// for: a repeat says nothing is being paused.
			var touch []string
			for _, r := range refs {
				if r.Queue.DispatchPaused != pause {
					touch = append(touch, r.name())
				}
			}
			pending := len(touch)
			if err := confirmSeveral(cmd, stderr, yes || dryRun || s.client.ReadOnly(), severalTargets{
				doing: v.verb, one: "queue", many: "queues", named: len(refs), touch: touch, already: v.already,
			}); err != nil {
				return err
			}
			if dryRun {
				s.note("dry run: nothing is changed")
			} else if len(refs) > 1 && pending > 0 {
				s.note("%s %s…", v.doing, plural(pending, "queue", "queues"))
			}
			results := changeEach(refs, func(r queueRef) change {
				return changeQueue(cmd.Context(), s.client, r, pause, note, dryRun)
			})
			return interrupted(cmd.Context(), reportChanges(newOutput(stdout, asJSON, getenv), results, func(r change) outcome {
				return outcome{target: r.target(), result: r.Result, message: r.Message}
			}, "queue", "queues"))
		}),
	}
	f := cmd.Flags()
	addAPIFlags(f, &opts)
	addAuditFlag(f, &opts)
	addReadOnlyFlag(f, &opts)
	if pause {
		f.StringVar(&note, "note", "", "why: shown to everyone who looks at the queue (e.g. the incident number)")
	}
	f.BoolVar(&dryRun, "dry-run", false, "say what would change, and change nothing")
	addYesFlag(f, &yes)
	f.BoolVar(&asJSON, "json", false, "print the results as JSON with the API's field names")
	return cmd
}

// changeEach applies a change to each target, at most four at once (a
// change reports its failure in its result, never stops the others), and
// returns one result per target in the order given.
func changeEach[T, R any](targets []T, changeOne func(T) R) []R {
	results := make([]R, len(targets))
	var g errgroup.Group
	g.SetLimit(4)
	for i, t := range targets {
		g.Go(func() error {
			results[i] = changeOne(t)
			return nil
		})
	}
	_ = g.Wait()
	return results
}

// changeQueue pauses or resumes one queue; a queue already in the asked
// state is not sent a request.
func changeQueue(ctx context.Context, c *api.Client, r queueRef, pause bool, note string, dryRun bool) change {
	q := r.Queue
	res := change{Cluster: clusterRef{ID: r.Cluster.ID, Name: r.Cluster.Name}, Queue: &q}
	v := verbOf(pause)
	if q.DispatchPaused == pause {
		res.Result = v.already
		if pause {
			// Whose pause it is and why: the person may have meant to
			// take it over, or to ask its owner.
			res.Message = queuePausedBy(q)
		}
		return res
	}
	if dryRun {
		res.Result = "would " + v.verb
		if !pause {
			res.Message = queuePausedBy(q)
		}
		return res
	}
	ctx = audit.WithNames(ctx, audit.Target{ClusterID: r.Cluster.ID, ClusterName: r.Cluster.Name, QueueID: q.ID, QueueKey: q.Key})
	var after model.Queue
	var err error
	if pause {
		after, err = c.PauseQueue(ctx, r.Cluster.ID, q.ID, note)
	} else {
		after, err = c.ResumeQueue(ctx, r.Cluster.ID, q.ID)
	}
	switch {
	case err == nil:
		res.Result, res.Queue = v.done, &after
		if !pause {
			// The queue as it is now says nothing of the pause that was
			// lifted: the result keeps whose it was, for the incident's
			// record and for the person it belonged to.
			res.Message = "was " + queuePausedBy(q)
		}
	case errors.Is(err, api.ErrUnprocessable) && alreadyInState(err, pause):
		// Someone else got there between the list and the change: say
		// whose pause it is, when the queue can be read back.
		res.Result = v.already
		if now, gerr := c.GetQueue(ctx, r.Cluster.ID, q.ID); gerr == nil && pause && now.DispatchPaused {
			res.Queue, res.Message = &now, queuePausedBy(now)
		}
	default:
		res.Result, res.Message = "failed", errorMessage(err)
		if isRefused(err) {
			res.Result = "refused"
		}
	}
	return res
}

// pausedBy says whose a pause (a queue's or an agent's) is, since when
// and why: "paused by Priya Natarajan at 2026-11-27T02:00:03Z: INC-4821".
func pausedBy(by *model.User, at *model.Timestamp, note *string) string {
	s := "paused"
	if name := by.DisplayName(); name != "" {
		s += " by " + name
	}
	if at != nil {
		s += " at " + at.UTC().Format(time.RFC3339)
	}
	if n := model.Value(note); n != "" {
		s += ": " + n
	}
	return s
}

func queuePausedBy(q model.Queue) string {
	return pausedBy(q.DispatchPausedBy, q.DispatchPausedAt, q.DispatchPausedNote)
}

// alreadyInState reads the API's 422 for a repeat: "Cluster queue is
// already paused" or "Cluster queue is not paused", and the agents' "Agent
// is already paused" or "Agent is not paused".
func alreadyInState(err error, pause bool) bool {
	var e *api.Error
	if !errors.As(err, &e) {
		return false
	}
	msg := strings.ToLower(e.Summary())
	if pause {
		return strings.Contains(msg, "already paused")
	}
	return strings.Contains(msg, "not paused")
}

// errorMessage is what a person is told of a failed change: the API's
// own message, and the scope a 403 needs.
func errorMessage(err error) string {
	var e *api.Error
	if errors.As(err, &e) {
		// The hint says the scope only when the server's message does
		// not already name it, and what a 401 or a spent limit means.
		msg := e.Summary()
		if hint := e.Hint(); hint != "" {
			msg += " (" + hint + ")"
		}
		return msg
	}
	if errors.Is(err, api.ErrReadOnly) {
		return "read-only: changes are turned off (--read-only or the configuration)"
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted: the request may or may not have been done"
	}
	return err.Error()
}

// interrupted is err, or, when the person pressed Ctrl-C while the
// changes were made, context.Canceled (exit 130): the results are printed
// either way, and a script learns it was interrupted.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Canceled
	}
	return err
}

// outcome is one target's result as a line says it.
type outcome struct{ target, result, message string }

// reportChanges prints one line per target (or the results, as JSON) and
// works out the exit code: 0 when every target is in the asked state, 3
// when the only failures are refusals, 1 when anything else failed.
func reportChanges[R any](o output, results []R, outcomeOf func(R) outcome, one, many string) error {
	outcomes := make([]outcome, len(results))
	for i, r := range results {
		outcomes[i] = outcomeOf(r)
	}
	if o.json {
		if err := o.writeJSON(results); err != nil {
			return err
		}
	} else {
		rows := make([][]string, len(outcomes))
		for i, r := range outcomes {
			rows[i] = []string{r.target, r.result, r.message}
		}
		// The message (whose pause it is, the API's error) wraps within
		// its column at 80 columns rather than be cut.
		cols := []column{{name: strings.ToUpper(one)}, {name: "RESULT"}, {name: "MESSAGE", cut: 30, wrap: true}}
		if err := o.columns(cols, rows); err != nil {
			return err
		}
	}
	failed, refused := 0, 0
	for _, r := range outcomes {
		switch r.result {
		case "failed":
			failed++
		case "refused":
			refused++
		}
	}
	switch {
	case failed > 0:
		return &exitError{code: ExitFailed, err: fmt.Errorf("%d of %s failed", failed+refused, plural(len(outcomes), one, many))}
	case refused > 0:
		return &exitError{code: ExitRefused, err: fmt.Errorf("%d of %s refused", refused, plural(len(outcomes), one, many))}
	}
	return nil
}

func (r change) target() string {
	if r.Queue != nil && r.Cluster.Name != "" {
		return r.Cluster.Name + "/" + r.Queue.Key
	}
	return r.Cluster.Name
}

// groupCommand is a command that only holds subcommands (agent, queue,
// pipeline): it takes no arguments, and on its own prints its help.
func groupCommand(use, short, long string, subcommands ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(subcommands...)
	return cmd
}

// noArgs and minArgs are cobra's argument checks as usage errors (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return usageError(err)
	}
	return nil
}

func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s", what)
		}
		return nil
	}
}
