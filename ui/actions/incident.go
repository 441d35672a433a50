package actions

import (
	"context"
	"errors"
	"fmt"
	"github.com/kiteconsole/kiteconsole/ui/present"
	"net/http"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Incident runs queue pauses and resumes: the one key on a queue and
// incident mode's marked queues, across clusters, take the same path.
// A pause or resume shows at once on every screen that holds the queue
// (an optimistic change), its requests go out in parallel (at most
// MaxParallel at a time), and one flash sums up the batch of one key
// press. The root model routes its messages here (Update) and gives it
// two of its own steps: apply, which applies a change to the session or
// the organisation and shows it on every screen, and ask, which takes a
// request (a prompt, a confirmation) before the next key is read.
type Incident struct {
	c       *common.Common
	apply   func(org.Change) tea.Cmd
	ask     func(tea.Msg) tea.Cmd
	batches map[int]*batch
	next    int
}

// NewIncident starts the incident workflow of a console.
func NewIncident(c *common.Common, apply func(org.Change) tea.Cmd, ask func(tea.Msg) tea.Cmd) *Incident {
	return &Incident{c: c, apply: apply, ask: ask, batches: map[int]*batch{}}
}

// Use is the console's Common after a switch of organisation: the
// batches in flight still report, under the new one.
func (in *Incident) Use(c *common.Common) { in.c = c }

// MaxParallel bounds the requests of one incident-mode batch.
const MaxParallel = 4

type pauseAction int

const (
	actPause pauseAction = iota
	actResume
)

func (p pauseAction) verb() (doing, done, already string) {
	if p == actPause {
		return "pausing", "paused", "was already paused"
	}
	return "resuming", "resumed", "was not paused"
}

func (p pauseAction) base() string {
	if p == actPause {
		return "pause"
	}
	return "resume"
}

// PauseNoted asks for a pause of targets with note: the note prompt's
// answer.
type PauseNoted struct {
	Targets []common.QueueRef
	Note    string
}

// pauseDone is the reply to one pause or resume.
type pauseDone struct {
	// unknown: the request failed in a way that leaves its outcome unknown
	// (a timeout, a dropped connection); after is what the API says now.
	unknown bool
	batch   int
	action  pauseAction
	ref     common.QueueRef
	before  model.Queue
	after   model.Queue
	err     error
}

// batch counts the replies of one key press, for its summary.
type batch struct {
	action   pauseAction
	total    int
	done     int
	ok       []string
	already  []string
	failed   []string
	unknown  []string
	fromMark bool
}

// Update takes the workflow's messages: a pause noted, a resume asked
// for, a reply. It reports whether msg was one of them.
func (in *Incident) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case PauseNoted:
		return in.start(actPause, msg.Targets, msg.Note, false), true
	case common.ResumeMsg:
		if in.c.ReadOnly {
			return in.refuse("queue.resume", msg.Targets, "resuming"), true
		}
		return in.confirmResume(msg.Targets, false), true
	case pauseDone:
		return in.finish(msg), true
	}
	return nil, false
}

// RefusePause turns down a pause of targets in read-only mode (nil when
// changes are on): the note is not asked for.
func (in *Incident) RefusePause(targets []common.QueueRef) tea.Cmd {
	if !in.c.ReadOnly {
		return nil
	}
	return in.refuse("queue.pause", targets, "pausing")
}

func (in *Incident) refuse(audit string, targets []common.QueueRef, what string) tea.Cmd {
	var cmd tea.Cmd
	for _, t := range targets {
		cmd = in.c.Refuse(audit, common.QueueTarget(t), what)
	}
	return cmd
}

// PauseMarked pauses the marked queues (asking for the note first), or
// resumes them when every one is paused already.
func (in *Incident) PauseMarked() tea.Cmd {
	targets := in.c.Session.Marks()
	allPaused := true
	for _, r := range targets {
		allPaused = allPaused && r.Queue.DispatchPaused
	}
	if allPaused {
		if in.c.ReadOnly {
			return in.refuse("queue.resume", targets, "resuming")
		}
		return in.confirmResume(targets, true)
	}
	return in.ask(common.AskNoteMsg{Targets: targets})
}

// ResumeConfirmation is the question asked before resuming targets:
// someone else's pause, or several queues, shows who paused each, when
// and why, with Cancel the default, for one key must not undo another
// person's incident pause. It is nil for one queue the person paused
// themselves: that resumes at once.
func ResumeConfirmation(c *common.Common, targets []common.QueueRef) *Confirm {
	if len(targets) == 1 && c.Session.Mine(targets[0].Queue.DispatchPausedBy) {
		return nil
	}
	var b strings.Builder
	for _, t := range targets {
		q := t.Queue
		fmt.Fprintf(&b, "• %s › %s: paused by %s\n", common.Clean(t.ClusterName), common.Clean(q.Key),
			PausedBy(c, q.DispatchPausedBy, q.DispatchPausedAt, model.Value(q.DispatchPausedNote)))
	}
	title := "Resume " + common.Clean(targets[0].Queue.Key) + "?"
	if len(targets) > 1 {
		title = "Resume " + common.Plural(len(targets), "queue", "queues") + "?"
	}
	body := "Waiting jobs are dispatched to agents again.\n\n" + strings.TrimRight(b.String(), "\n")
	return &Confirm{Title: title, Body: body, Verb: "resumes"}
}

func (in *Incident) confirmResume(targets []common.QueueRef, fromMarks bool) tea.Cmd {
	resume := func() tea.Cmd { return in.start(actResume, targets, "", fromMarks) }
	q := ResumeConfirmation(in.c, targets)
	if q == nil {
		return resume()
	}
	return in.ask(common.AskConfirmMsg{Title: q.Title, Body: q.Body, Action: q.Verb, OnConfirm: resume})
}

// PausedBy is who paused something, when and why: "Priya Nat, 5m ago:
// INC-4821".
func PausedBy(c *common.Common, by *model.User, at *model.Timestamp, note string) string {
	return present.PauseWho(c.Now(), by, at, note)
}

// start shows the change at once on every screen, then sends the
// requests: in parallel, at most MaxParallel at a time.
func (in *Incident) start(action pauseAction, targets []common.QueueRef, note string, fromMarks bool) tea.Cmd {
	if len(targets) == 0 {
		return nil
	}
	if len(targets) > 1 {
		fromMarks = true
	}
	c := in.c
	in.next++
	id := in.next
	in.batches[id] = &batch{action: action, total: len(targets), fromMark: fromMarks}
	doing, _, _ := action.verb()
	now := c.Now()
	sem := make(chan struct{}, MaxParallel)
	var cmds []tea.Cmd
	for _, t := range targets {
		before := t.Queue
		optimistic := before
		if action == actPause {
			optimistic.DispatchPaused = true
			optimistic.DispatchPausedAt = model.NewTimestamp(now)
			optimistic.DispatchPausedNote = optionalText(note)
		} else {
			optimistic.DispatchPaused = false
			optimistic.DispatchPausedAt, optimistic.DispatchPausedBy, optimistic.DispatchPausedNote = nil, nil, nil
		}
		cmds = append(cmds, in.apply(org.PendingStarted{QueueID: before.ID, Doing: doing + "…"}))
		cmds = append(cmds, in.apply(org.QueueChanged{ClusterID: t.ClusterID, Queue: optimistic}))
		ref := t
		label := fmt.Sprintf("%s %s", doing, common.Clean(before.Key))
		client := c.Client
		cmds = append(cmds, c.Run(c.AppCtx, org.Interactive, label, func(ctx context.Context) tea.Msg {
			ctx = common.Named(ctx, common.QueueTarget(ref))
			sem <- struct{}{}
			defer func() { <-sem }()
			var after model.Queue
			var err error
			if action == actPause {
				after, err = client.PauseQueue(ctx, ref.ClusterID, before.ID, note)
			} else {
				after, err = client.ResumeQueue(ctx, ref.ClusterID, before.ID)
			}
			unknown := common.OutcomeUnknown(err)
			if isAlreadyInState(err) || unknown {
				// The server knows better than our copy: show its state.
				if fresh, gerr := client.GetQueue(ctx, ref.ClusterID, before.ID); gerr == nil {
					after = fresh
				} else {
					after, unknown = before, false // could not find out: treat as not done
				}
			}
			return pauseDone{batch: id, action: action, ref: ref, before: before, after: after, err: err, unknown: unknown}
		}))
	}
	return tea.Batch(cmds...)
}

// isAlreadyInState is the spec's 422 for pausing a paused queue or
// resuming a running one: not a failure, just stale data.
func isAlreadyInState(err error) bool {
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	m := strings.ToLower(apiErr.Message)
	return strings.Contains(m, "already paused") || strings.Contains(m, "not paused")
}

func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (in *Incident) finish(msg pauseDone) tea.Cmd {
	c := in.c
	cmds := []tea.Cmd{in.apply(org.PendingEnded{QueueID: msg.before.ID})}
	b := in.batches[msg.batch]
	name := common.Clean(msg.before.Key)
	if c.Session.MarkCount() > 0 || b.fromMark {
		name = common.Clean(msg.ref.ClusterName) + "/" + name
	}
	shown := msg.after
	switch {
	case msg.err == nil:
		b.ok = append(b.ok, name)
		if msg.action == actPause && msg.after.DispatchPausedBy != nil && msg.after.DispatchPausedBy.ID != "" {
			// The API says who paused: the user behind the token.
			cmds = append(cmds, in.apply(org.MeLearnt{UserID: msg.after.DispatchPausedBy.ID}))
		}
	case msg.unknown:
		// No answer: the queue was fetched again and is shown as it is.
		state := "running"
		if msg.after.DispatchPaused {
			state = "paused"
		}
		b.unknown = append(b.unknown, name+" (now "+state+")")
	case isAlreadyInState(msg.err):
		b.already = append(b.already, name)
	default:
		// Never show a change that was not made: put the queue back.
		b.failed = append(b.failed, name+": "+common.ErrorText(msg.err))
		shown = msg.before
	}
	cmds = append(cmds, in.apply(org.QueueChanged{ClusterID: msg.ref.ClusterID, Queue: shown}))
	cmds = append(cmds, in.apply(org.MarkUpdated{Queue: shown}))
	b.done++
	if b.done < b.total {
		return tea.Batch(cmds...)
	}
	delete(in.batches, msg.batch)
	if b.fromMark && len(b.failed) == 0 {
		cmds = append(cmds, in.apply(org.MarksCleared{}))
	}
	cmds = append(cmds, summary(b))
	return tea.Batch(cmds...)
}

// summary is the flash after a batch: "5 paused, 1 was already paused,
// 1 failed: <message>".
func summary(b *batch) tea.Cmd {
	_, done, already := b.action.verb()
	if b.total == 1 {
		switch {
		case len(b.unknown) == 1:
			return common.Flash(common.FlashInfo, fmt.Sprintf("%s: no answer in time, so it was fetched again: %s", b.action.base(), b.unknown[0]))
		case len(b.ok) == 1:
			return common.Flash(common.FlashOK, fmt.Sprintf("%s %s", b.ok[0], done))
		case len(b.already) == 1:
			return common.Flash(common.FlashInfo, fmt.Sprintf("%s %s; refreshed", b.already[0], already))
		default:
			return common.Flash(common.FlashError, fmt.Sprintf("could not %s %s", b.action.base(), b.failed[0]))
		}
	}
	// Replies come in any order; the summary names queues in a stable one.
	for _, names := range [][]string{b.ok, b.already, b.unknown, b.failed} {
		sort.Strings(names)
	}
	var parts []string
	if len(b.ok) > 0 {
		// Each queue by name: a count alone does not say which.
		parts = append(parts, fmt.Sprintf("%d %s (%s)", len(b.ok), done, strings.Join(b.ok, ", ")))
	}
	if len(b.already) > 0 {
		parts = append(parts, fmt.Sprintf("%d %s (%s)", len(b.already), already, strings.Join(b.already, ", ")))
	}
	if len(b.unknown) > 0 {
		parts = append(parts, fmt.Sprintf("%d unanswered, fetched again: %s", len(b.unknown), strings.Join(b.unknown, "; ")))
	}
	if len(b.failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d failed: %s", len(b.failed), strings.Join(b.failed, "; ")))
		return common.Flash(common.FlashError, strings.Join(parts, ", "))
	}
	return common.Flash(common.FlashOK, strings.Join(parts, ", "))
}

// PauseOrResume is the one key on a queue: a running queue asks for the
// note of its pause (the prompt says what the pause will hold, when
// known), a paused one resumes (asking first when someone else paused
// it).
//
// Both are requests to the root model: the prompt is open when the
// note's first letter, typed at once, arrives.
func PauseOrResume(ref common.QueueRef, holds string) common.Reply {
	if ref.Queue.DispatchPaused {
		return common.Ask(common.ResumeMsg{Targets: []common.QueueRef{ref}})
	}
	return common.Ask(common.AskNoteMsg{Targets: []common.QueueRef{ref}, Holds: holds})
}
