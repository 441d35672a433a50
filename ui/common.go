// Package ui is the console: a bubbletea program with a root model that
// routes messages to a stack of screens (clusters, a cluster and its
// queues, a queue, forms), and shared components (table, filter,
// prompts, confirmation, flash messages, help).
package ui

import (
	"context"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/theme"
)

// Screen is one page of the console's stack.
type Screen interface {
	// ID is what the screen's requests are wrapped with (screenBase.run),
	// so that a reply never lands on another screen.
	ID() int
	// Crumb is the screen's name in the breadcrumbs.
	Crumb() string
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View draws the screen in the area Common.Width × Common.Height.
	View() string
	// Help is the short help of the screen's own keys.
	Help() []key.Binding
	// Capturing reports that a text input has the focus, so the root
	// model must not take q, ? or esc for itself.
	Capturing() bool
}

// Common is what the root model shares with every screen: dependencies,
// the screens' area, the requests in flight and what screens post to the
// root. What the console knows of the organisation is in org, a layer of
// its own.
type Common struct {
	Client   *api.Client
	Styles   theme.Styles
	Keys     keymap.KeyMap
	Now      func() time.Time
	ReadOnly bool
	// Width and Height are the screens' area, between header and footer.
	Width, Height int
	// Remote is set for a console served over SSH: no local browser.
	Remote bool

	// org is the organisation's state: clusters, queues seen, pipelines.
	org *org.State
	// pipelinesTask is the footer's task for the pipelines' load.
	pipelinesTask int
	// appCtx outlives screens: changes run under it, so a pause goes
	// through even if its screen is closed before the reply.
	appCtx context.Context
	tasks  *tasks
	// pending marks queues whose pause or resume is in flight.
	pending map[string]string
	// marks are the queues marked for incident mode, across clusters.
	marks map[string]queueRef
	// outbox holds what screens posted for the root model.
	outbox []tea.Msg
	// onRefused records a change refused before it reached the client.
	onRefused func(action string, t audit.Target, note string)
}

// queueRef is a queue with the cluster it belongs to.
type queueRef struct {
	ClusterID   string
	ClusterName string
	Queue       model.Queue
}

// tasks are the requests in flight, shown in the footer.
type tasks struct {
	next  int
	label map[int]string
}

func (t *tasks) start(label string) int {
	t.next++
	t.label[t.next] = label
	return t.next
}

// taskDone carries the reply of a task back to the root model, which
// ends the task and routes the reply: to the screen that started it when
// screen is set, else to the root model itself.
type taskDone struct {
	id     int
	screen int
	msg    tea.Msg
}

// run starts a request for the console as a whole (a pause, a change made
// from a dialog, a switch of organisation): fn runs in a command under ctx,
// in the lane's share of the API budget, and its message comes back to
// the root model. A screen's own requests go through screenBase.run.
func (c *Common) run(ctx context.Context, lane org.Lane, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx = lane.Context(ctx)
	id := c.tasks.start(label)
	return func() tea.Msg { return taskDone{id: id, msg: fn(ctx)} }
}

// broadcast messages go to every screen of the stack: a change made on
// one screen shows on all of them. Changes to the organisation (org.Change)
// are broadcast too, after the root model has applied them to org.
type broadcast interface{ everyScreen() }

// refreshMsg asks the visible screen to reload; auto is true for the
// timer's refreshes (and a return to a screen), false for r.
//
// tick numbers the timer's reloads on the wall clock's grid, the same in
// every SSH session, so that what a screen does every few reloads, every
// session does at the same reload.
type refreshMsg struct {
	auto bool
	// lane is the lane of the requests the reload makes: Background for
	// the timer, Fresh for r.
	lane org.Lane
	tick int64
	// changed says someone changed the organisation (another SSH
	// session): counts are redone too.
	changed bool
}

// ChangedElsewhere tells a console that the organisation was changed from
// another console sharing its client (another SSH session): it refreshes
// what it shows, as a background refresh.
type ChangedElsewhere struct{}

// Navigation and feedback messages a screen sends to the root model.
type (
	pushMsg  struct{ screen Screen }
	popMsg   struct{}
	flashMsg struct {
		kind flashKind
		text string
	}
	// askNoteMsg opens the pause-note prompt for these queues.
	askNoteMsg struct{ targets []queueRef }
	// resumeMsg resumes these queues at once.
	resumeMsg struct{ targets []queueRef }
	// askConfirmMsg opens a confirmation that needs expect typed.
	askConfirmMsg struct {
		title, body, expect, action string
		onConfirm                   func() tea.Cmd
	}
	// clickMsg is a mouse click in the screen's area.
	clickMsg struct{ x, y int }
)

type flashKind int

const (
	flashInfo flashKind = iota
	flashOK
	flashError
)

func send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

func flash(kind flashKind, format string) tea.Cmd { return send(flashMsg{kind: kind, text: format}) }

// post hands a request to the root model, which acts on it before the
// next key is read: a prompt opened by p is open when the note's first
// letter arrives, however fast it is typed.
func (c *Common) post(msg tea.Msg) tea.Cmd {
	c.outbox = append(c.outbox, msg)
	return nil
}

func (c *Common) push(s Screen) tea.Cmd { return c.post(pushMsg{screen: s}) }

// refuse turns down a change in read-only mode: it is recorded in the
// audit log like any refused change, and the flash says why.
func (c *Common) refuse(action string, t audit.Target, what string) tea.Cmd {
	if c.onRefused != nil {
		c.onRefused(action, t, "")
	}
	return flash(flashError, "read-only mode: "+what+" is turned off")
}

// named tells the audit log what a change is made to.
func named(ctx context.Context, t audit.Target) context.Context { return audit.WithNames(ctx, t) }

func queueTarget(r queueRef) audit.Target {
	return audit.Target{ClusterID: r.ClusterID, ClusterName: r.ClusterName, QueueID: r.Queue.ID, QueueKey: r.Queue.Key}
}

// screenBase gives a screen its id and a context that is cancelled when
// the screen is closed, so its reads stop with it.
type screenBase struct {
	id     int
	c      *Common
	ctx    context.Context
	cancel context.CancelFunc
}

var screenIDs atomic.Int64

func newBase(c *Common) screenBase {
	ctx, cancel := context.WithCancel(c.appCtx)
	return screenBase{id: int(screenIDs.Add(1)), c: c, ctx: ctx, cancel: cancel}
}

func (b *screenBase) ID() int { return b.id }

// run starts one of the screen's requests: fn runs in a command under the
// screen's context, in the lane's share of the API budget, and its reply
// comes back wrapped with the screen's id, so it reaches this screen and
// no other whatever its type (gh-dash's section envelope).
func (b *screenBase) run(lane org.Lane, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return b.runUnder(b.ctx, lane, label, fn)
}

// runUnder is run under another context: a form's submission runs under
// the console's, so that closing the form does not call the change back.
func (b *screenBase) runUnder(ctx context.Context, lane org.Lane, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx = lane.Context(ctx)
	id, screen := b.c.tasks.start(label), b.id
	return func() tea.Msg { return taskDone{id: id, screen: screen, msg: fn(ctx)} }
}

// close is called by the root model when the screen leaves the stack.
func (b *screenBase) Close() { b.cancel() }

type closer interface{ Close() }

// newOrgState starts what the console knows of an organisation; names
// are made safe to draw as the pipelines arrive.
func newOrgState(client *api.Client, now func() time.Time) *org.State {
	return org.New(client, now, func(name string) string { return clean(emojize(name)) })
}

// mutationDone is the reply to a change made outside a form (a delete):
// on success ok shows it, else the flash says why not.
type mutationDone struct {
	what string
	ok   tea.Cmd
	err  error
}

// tokenShown opens the dialog that shows a new token's value, once.
type tokenShown struct {
	clusterName string
	token       model.Token
}

// marksChanged tells screens to redraw their marks.
type marksChanged struct{}

func (marksChanged) everyScreen() {}
