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
	"github.com/kiteconsole/kiteconsole/theme"
)

// Screen is one page of the console's stack.
type Screen interface {
	// ID tags the screen's async replies, so that a late reply never
	// lands on another screen.
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

// Common is what the root model shares with every screen.
type Common struct {
	Client   *api.Client
	Styles   theme.Styles
	Keys     keymap.KeyMap
	Now      func() time.Time
	ReadOnly bool
	// Width and Height are the screens' area, between header and footer.
	Width, Height int

	// appCtx outlives screens: changes run under it, so a pause goes
	// through even if its screen is closed before the reply.
	appCtx context.Context
	tasks  *tasks
	// pending marks queues whose pause or resume is in flight.
	pending map[string]string
	// marks are the queues marked for incident mode, across clusters.
	marks map[string]queueRef
	// queueKeys remembers queue keys by id, for showing default queues.
	queueKeys map[string]string
	// outbox holds what screens posted for the root model.
	outbox []tea.Msg
	// Remote is set for a console served over SSH: no local browser.
	Remote bool
	// background is set while an automatic refresh is handed to a screen:
	// the requests it starts go in the budget's background lane.
	background bool
	// fresh is set while r is handed to a screen: its requests must reach
	// the API, not the shared cache.
	fresh bool
	// onRefused records a change refused before it reached the client.
	onRefused func(action string, t audit.Target, note string)

	// What every screen may look things up in: the clusters the home
	// screen listed, every queue seen, and the shared pipelines.
	clusters   []model.Cluster
	queueIndex map[string]queueIndexEntry
	pipelines  *pipelineCache
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

// taskDone carries the reply of a task back to the root model, which
// ends the task and routes the reply.
type taskDone struct {
	id  int
	msg tea.Msg
}

// run starts a request in the background: fn runs in a command under
// ctx, and its message comes back through the root model.
func (c *Common) run(ctx context.Context, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	if c.background {
		ctx = api.InBackground(ctx)
	}
	if c.fresh {
		ctx = api.Fresh(ctx)
	}
	c.tasks.next++
	id := c.tasks.next
	c.tasks.label[id] = label
	return func() tea.Msg {
		return taskDone{id: id, msg: fn(ctx)}
	}
}

// target tags a message for one screen.
type target int

// ScreenID is the screen the message is for.
func (t target) ScreenID() int { return int(t) }

type forScreen interface{ ScreenID() int }

// broadcast messages go to every screen of the stack: a change made on
// one screen shows on all of them.
type broadcast interface{ everyScreen() }

// queueChanged says a queue now looks like this.
type queueChanged struct {
	ClusterID string
	Queue     model.Queue
}

func (queueChanged) everyScreen() {}

// queueRemoved says a queue is gone.
type queueRemoved struct{ ClusterID, QueueID string }

func (queueRemoved) everyScreen() {}

// clusterChanged says a cluster now looks like this.
type clusterChanged struct{ Cluster model.Cluster }

func (clusterChanged) everyScreen() {}

// clusterRemoved says a cluster is gone.
type clusterRemoved struct{ ClusterID string }

func (clusterRemoved) everyScreen() {}

// queuesSeen says a cluster's queues were listed, so the home screen can
// update its counts without a request of its own.
type queuesSeen struct {
	ClusterID string
	Queues    []model.Queue
}

func (queuesSeen) everyScreen() {}

// refreshMsg asks the visible screen to reload; auto is true for the
// timer's refreshes.
//
// tick numbers the timer's reloads on the wall clock's grid, the same in
// every SSH session, so that what a screen does every few reloads, every
// session does at the same reload.
type refreshMsg struct {
	auto bool
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

// close is called by the root model when the screen leaves the stack.
func (b *screenBase) close() { b.cancel() }

type closer interface{ close() }
