package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// Pause and resume live in the root model: the same path serves the one
// key on a queue and incident mode's marked queues, and a change shows on
// every screen that holds the queue.

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

// maxParallel bounds the requests of one incident-mode batch.
const maxParallel = 4

func (a *App) startPause(targets []common.QueueRef, note string) tea.Cmd {
	return a.start(actPause, targets, note, false)
}

func (a *App) startResume(targets []common.QueueRef) tea.Cmd {
	if a.c.ReadOnly {
		return a.refuseResume(targets)
	}
	return a.confirmResume(targets, false)
}

// confirmResume resumes at once one queue this console's user paused;
// someone else's pause, or several queues, asks first, showing who paused
// each, when and why, with Cancel the default: one key must not undo
// another person's incident pause.
func (a *App) confirmResume(targets []common.QueueRef, fromMarks bool) tea.Cmd {
	if len(targets) == 1 && a.c.Mine(targets[0].Queue.DispatchPausedBy) {
		return a.start(actResume, targets, "", fromMarks)
	}
	var b strings.Builder
	for _, t := range targets {
		q := t.Queue
		fmt.Fprintf(&b, "• %s › %s: paused by %s\n", common.Clean(t.ClusterName), common.Clean(q.Key),
			present.PauseWho(a.c.Now(), q.DispatchPausedBy, q.DispatchPausedAt, model.Value(q.DispatchPausedNote)))
	}
	title := "Resume " + common.Clean(targets[0].Queue.Key) + "?"
	if len(targets) > 1 {
		title = "Resume " + common.Plural(len(targets), "queue", "queues") + "?"
	}
	body := "Waiting jobs are dispatched to agents again.\n\n" + strings.TrimRight(b.String(), "\n")
	return a.c.Post(common.AskConfirmMsg{Title: title, Body: body, Action: "resumes", OnConfirm: func() tea.Cmd {
		return a.start(actResume, targets, "", fromMarks)
	}})
}

func (a *App) refuseResume(targets []common.QueueRef) tea.Cmd {
	var cmd tea.Cmd
	for _, t := range targets {
		cmd = a.c.Refuse("queue.resume", common.QueueTarget(t), "resuming")
	}
	return cmd
}

// pauseMarked pauses the marked queues, or resumes them when every one is
// paused already.
func (a *App) pauseMarked() tea.Cmd {
	targets := make([]common.QueueRef, 0, len(a.c.Marks))
	allPaused := true
	for _, r := range a.c.Marks {
		targets = append(targets, r)
		allPaused = allPaused && r.Queue.DispatchPaused
	}
	sort.Slice(targets, func(i, j int) bool {
		if targets[i].ClusterName != targets[j].ClusterName {
			return targets[i].ClusterName < targets[j].ClusterName
		}
		return targets[i].Queue.Key < targets[j].Queue.Key
	})
	if allPaused {
		if a.c.ReadOnly {
			return a.refuseResume(targets)
		}
		return a.confirmResume(targets, true)
	}
	return a.openPrompt(targets, "")
}

// start shows the change at once on every screen, then sends the
// requests: in parallel, at most maxParallel at a time.
func (a *App) start(action pauseAction, targets []common.QueueRef, note string, fromMarks bool) tea.Cmd {
	if len(targets) == 0 {
		return nil
	}
	if len(targets) > 1 {
		fromMarks = true
	}
	a.nextBatch++
	id := a.nextBatch
	a.batches[id] = &batch{action: action, total: len(targets), fromMark: fromMarks}
	doing, _, _ := action.verb()
	now := a.c.Now()
	sem := make(chan struct{}, maxParallel)
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
		a.c.Pending[before.ID] = doing + "…"
		cmds = append(cmds, a.changed(org.QueueChanged{ClusterID: t.ClusterID, Queue: optimistic}))
		ref := t
		label := fmt.Sprintf("%s %s", doing, common.Clean(before.Key))
		cmds = append(cmds, a.c.Run(a.c.AppCtx, org.Interactive, label, func(ctx context.Context) tea.Msg {
			ctx = common.Named(ctx, common.QueueTarget(ref))
			sem <- struct{}{}
			defer func() { <-sem }()
			var after model.Queue
			var err error
			if action == actPause {
				after, err = a.c.Client.PauseQueue(ctx, ref.ClusterID, before.ID, note)
			} else {
				after, err = a.c.Client.ResumeQueue(ctx, ref.ClusterID, before.ID)
			}
			unknown := common.OutcomeUnknown(err)
			if isAlreadyInState(err) || unknown {
				// The server knows better than our copy: show its state.
				if fresh, gerr := a.c.Client.GetQueue(ctx, ref.ClusterID, before.ID); gerr == nil {
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

func (a *App) finishPause(msg pauseDone) tea.Cmd {
	delete(a.c.Pending, msg.before.ID)
	b := a.batches[msg.batch]
	name := common.Clean(msg.before.Key)
	if len(a.c.Marks) > 0 || b.fromMark {
		name = common.Clean(msg.ref.ClusterName) + "/" + name
	}
	var cmds []tea.Cmd
	switch {
	case msg.err == nil:
		b.ok = append(b.ok, name)
		if msg.action == actPause && msg.after.DispatchPausedBy != nil && msg.after.DispatchPausedBy.ID != "" {
			// The API says who paused: the user behind the token.
			a.c.Me = msg.after.DispatchPausedBy.ID
		}
		cmds = append(cmds, a.changed(org.QueueChanged{ClusterID: msg.ref.ClusterID, Queue: msg.after}))
	case msg.unknown:
		// No answer: the queue was fetched again and is shown as it is.
		state := "running"
		if msg.after.DispatchPaused {
			state = "paused"
		}
		b.unknown = append(b.unknown, name+" (now "+state+")")
		cmds = append(cmds, a.changed(org.QueueChanged{ClusterID: msg.ref.ClusterID, Queue: msg.after}))
	case isAlreadyInState(msg.err):
		b.already = append(b.already, name)
		cmds = append(cmds, a.changed(org.QueueChanged{ClusterID: msg.ref.ClusterID, Queue: msg.after}))
	default:
		// Never show a change that was not made: put the queue back.
		b.failed = append(b.failed, name+": "+common.ErrorText(msg.err))
		cmds = append(cmds, a.changed(org.QueueChanged{ClusterID: msg.ref.ClusterID, Queue: msg.before}))
	}
	if m, ok := a.c.Marks[msg.before.ID]; ok {
		m.Queue = msg.after
		if msg.err != nil && !isAlreadyInState(msg.err) && !msg.unknown {
			m.Queue = msg.before
		}
		a.c.Marks[msg.before.ID] = m
	}
	b.done++
	if b.done < b.total {
		return tea.Batch(cmds...)
	}
	delete(a.batches, msg.batch)
	if b.fromMark && len(b.failed) == 0 {
		a.c.Marks = map[string]common.QueueRef{}
		cmds = append(cmds, a.everyScreen(common.MarksChanged{}))
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

// openPrompt asks for the note of a pause of targets, unless changes are
// turned off.
func (a *App) openPrompt(targets []common.QueueRef, holds string) tea.Cmd {
	if a.c.ReadOnly {
		var cmd tea.Cmd
		for _, t := range targets {
			cmd = a.c.Refuse("queue.pause", common.QueueTarget(t), "pausing")
		}
		return cmd
	}
	p, cmd := component.NewNotePrompt(a.c, targets, holds, a.width)
	a.overlay = p
	return cmd
}
