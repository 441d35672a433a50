// Package common is what every part of the console shares: Common (the
// client, styles, keys, the screens' area, the requests in flight), the
// Screen interface with ScreenBase, whose Run wraps a screen's replies
// with its id, the messages screens send the root model, and the helpers
// that make the API's text safe to draw.
//
// # Requests to the root model travel as return values
//
// A screen asks the root model for things only it can do — push or pop a
// screen, open a confirmation or the pause's prompt, apply a change to
// org — by returning the request, never by leaving it somewhere shared.
// Such a request must be acted on before the next key is read: p opens
// the prompt and the note's first letter, typed at once, lands in it; d
// opens a confirmation and a fast y reaches the dialog, not the list. A
// command that returns the request as a message cannot promise that:
// bubbletea runs commands in goroutines, and a key may come first.
//
// So a request is a value, taken by the root in the Update that made it:
//   - a key handler, a list's hook or a change (package actions) answers
//     a Reply: Cmd runs in the background, Asks are requests;
//   - a screen returns its requests with itself: `return Answer(s, r)`,
//     or `return Asking(s, PopMsg{}), cmd`; the root model unwraps the
//     screen it gets back (Unwrap) and acts on the requests, in order,
//     before its Update returns;
//   - an overlay that closes with a request hands it over as its answer
//     (component.Answered).
package common

import (
	"context"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/theme"
)

// Screen is one page of the console's stack.
type Screen interface {
	// ID is what the screen's requests are wrapped with (ScreenBase.Run),
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

// Common is what the root model gives every screen. Its own fields are
// dependencies, set when it is made and never changed: the client and
// whether it may change things, keys, clocks, the console's context. An
// organisation switch makes a new Common for the new home screen; the
// screens of the old one are closed with it.
//
// What changes is behind pointers, each changed by one owner: the
// screens' Area (size and styles; the root model, on a resize or the
// terminal's background colour), Org and Session (org, through the
// org.Changes the root model applies), Tasks (the root model).
type Common struct {
	// Area is the screens' area and how it is drawn; its fields read as
	// Common's (c.Width, c.Styles).
	*Area

	Client *api.Client
	Keys   keymap.KeyMap
	// Now is the time the console shows things against.
	Now func() time.Time
	// Clock runs the console's timers (Tick): refreshes, the follow
	// timer, debounces, flash expiry.
	Clock    clockwork.Clock
	ReadOnly bool
	// Remote is set for a console served over SSH: no local browser.
	Remote bool
	// Demo is a console on its own loopback sandbox (--demo): o and y
	// copy the sandbox's addresses (weburl.CheckDemo).
	Demo bool

	// Org is the organisation's state: clusters, queues seen, pipelines.
	Org *org.State
	// AppCtx outlives screens: changes run under it, so a pause goes
	// through even if its screen is closed before the reply.
	AppCtx context.Context
	Tasks  *Tasks
	// Session is the person's state: marks, pauses in flight, who they
	// are, what their token may do. Screens read it; it changes only
	// through org.Changes the root model applies.
	Session *org.Session
	// OnRefused records a change refused before it reached the client.
	OnRefused func(action string, t audit.Target, note string)
}

// Area is what changes of how screens are drawn, and only the root model
// changes it. A screen sees a new size in two ways: the root model sets
// Width and Height, then gives every screen of the stack a
// tea.WindowSizeMsg of the area (as soft-serve's SetSize), on which a
// screen lays itself out again (a list's height, a form's width); a
// screen pushed later gets one before its Init. New styles (the
// terminal's background colour) are read at the next View.
type Area struct {
	// Width and Height are the screens' area, between header and footer.
	Width, Height int
	Styles        theme.Styles
}

// QueueRef is a queue with the cluster it belongs to.
type QueueRef = org.QueueRef

// Tasks are the requests in flight, shown in the footer.
//
// A task is shown from the moment its command runs, not from the moment
// the command is made: the command's first message (TaskStarted) puts it
// in Label and its reply (TaskDone) takes it out. A command made but
// never run (dropped by a caller, superseded) therefore never shows a
// spinner that nothing will ever stop. Waiting holds the tasks made and
// not yet started, for the tests' "is it idle" (see Busy).
type Tasks struct {
	next    int
	Label   map[int]string
	Waiting map[int]bool
}

func (t *Tasks) start(label string) int {
	t.next++
	if t.Waiting == nil {
		t.Waiting = map[int]bool{}
	}
	t.Waiting[t.next] = true
	return t.next
}

// Started records that a task's command runs: the footer shows it.
func (t *Tasks) Started(id int, label string) {
	delete(t.Waiting, id)
	t.Label[id] = label
}

// Done ends a task.
func (t *Tasks) Done(id int) {
	delete(t.Waiting, id)
	delete(t.Label, id)
}

// Last is the id of the last task made.
func (t *Tasks) Last() int { return t.next }

// InFlight reports whether task id is made and not yet done.
func (t *Tasks) InFlight(id int) bool {
	_, shown := t.Label[id]
	return shown || t.Waiting[id]
}

// Busy reports requests in flight or about to start.
func (t *Tasks) Busy() bool { return len(t.Label) > 0 || len(t.Waiting) > 0 }

// TaskStarted is the first message of a task's command: the root model
// shows the task and runs Run, the request itself, whose reply is a
// TaskDone.
type TaskStarted struct {
	Task  int
	Label string
	Run   tea.Cmd
}

// tracked makes the command of a task: it announces the task when it
// runs, then runs fn.
func tracked(id int, label string, fn tea.Cmd) tea.Cmd {
	return func() tea.Msg { return TaskStarted{Task: id, Label: label, Run: fn} }
}

// TaskDone carries the reply of a task back to the root model, which
// ends the task and routes the reply: to the screen that started it when
// screen is set, else to the root model itself.
type TaskDone struct {
	Task   int
	Screen int
	Msg    tea.Msg
}

// Run starts a request for the console as a whole (a pause, a change made
// from a dialog, a switch of organisation): fn runs in a command under ctx,
// in the lane's share of the API budget, and its message comes back to
// the root model. A screen's own requests go through ScreenBase.Run.
func (c *Common) Run(ctx context.Context, lane org.Lane, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx = lane.Context(ctx)
	id := c.Tasks.start(label)
	return tracked(id, label, func() tea.Msg { return TaskDone{Task: id, Msg: fn(ctx)} })
}

// Broadcast messages go to every screen of the stack: a change made on
// one screen shows on all of them. Changes to the organisation (org.Change)
// are Broadcast too, after the root model has applied them to org.
type Broadcast interface{ everyScreen() }

// RefreshMsg asks the visible screen to reload; auto is true for the
// timer's refreshes (and a return to a screen), false for r.
//
// tick numbers the timer's reloads on the wall clock's grid, the same in
// every SSH session, so that what a screen does every few reloads, every
// session does at the same reload.
type RefreshMsg struct {
	Auto bool
	// Lane is the lane of the requests the reload makes: Background for
	// the timer, Fresh for r.
	Lane org.Lane
	Tick int64
	// Changed says someone changed the organisation (another SSH
	// session): counts are redone too.
	Changed bool
}

// Navigation and feedback messages a screen sends to the root model.
type (
	PushMsg  struct{ Screen Screen }
	PopMsg   struct{}
	FlashMsg struct {
		Kind FlashKind
		Text string
	}
	// AskNoteMsg opens the pause-note prompt for these queues.
	AskNoteMsg struct {
		Targets []QueueRef
		// Holds, when known, says what the pause will hold: "12 jobs
		// waiting · 8 running on 10 agents. Running jobs finish; …".
		Holds string
	}
	// ResumeMsg resumes these queues at once.
	ResumeMsg struct{ Targets []QueueRef }
	// AskConfirmMsg opens a confirmation that needs expect typed.
	AskConfirmMsg struct {
		Title, Body, Expect, Action string
		OnConfirm                   func() tea.Cmd
	}
	// ClickMsg is a mouse click in the screen's area.
	ClickMsg struct{ X, Y int }
)

type FlashKind int

const (
	FlashInfo FlashKind = iota
	FlashOK
	FlashError
)

func Send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

func Flash(kind FlashKind, format string) tea.Cmd { return Send(FlashMsg{Kind: kind, Text: format}) }

// Reply is what a key, a list's hook or a change answers: Cmd runs in
// the background as bubbletea runs commands; Asks are requests the root
// model acts on before it reads the next key (see the package doc).
type Reply struct {
	Cmd  tea.Cmd
	Asks []tea.Msg
}

// Ask is a reply of requests to the root model.
func Ask(msgs ...tea.Msg) Reply { return Reply{Asks: msgs} }

// Do is a reply of commands only.
func Do(cmds ...tea.Cmd) Reply { return Reply{Cmd: tea.Batch(cmds...)} }

// Push is the request that opens s over the screen on show.
func Push(s Screen) Reply { return Ask(PushMsg{Screen: s}) }

// With adds commands to a reply.
func (r Reply) With(cmds ...tea.Cmd) Reply {
	return Reply{Cmd: tea.Batch(append([]tea.Cmd{r.Cmd}, cmds...)...), Asks: r.Asks}
}

// Join puts replies together: their commands batched, their requests in
// order.
func Join(rs ...Reply) Reply {
	var out Reply
	cmds := make([]tea.Cmd, 0, len(rs))
	for _, r := range rs {
		cmds = append(cmds, r.Cmd)
		out.Asks = append(out.Asks, r.Asks...)
	}
	out.Cmd = tea.Batch(cmds...)
	return out
}

// asking is a screen handed back from Update with requests for the root.
type asking struct {
	Screen
	asks []tea.Msg
}

// Asking returns s from its Update with requests for the root model,
// which unwraps it (Unwrap) and acts on them in the same Update.
func Asking(s Screen, asks ...tea.Msg) Screen {
	if len(asks) == 0 {
		return s
	}
	if a, ok := s.(asking); ok {
		return asking{Screen: a.Screen, asks: append(a.asks[:len(a.asks):len(a.asks)], asks...)}
	}
	return asking{Screen: s, asks: asks}
}

// Answer is what a screen's Update returns for reply r: the screen with
// r's requests, and r's command.
func Answer(s Screen, r Reply) (Screen, tea.Cmd) { return Asking(s, r.Asks...), r.Cmd }

// Unwrap splits what a screen's Update returned into the screen and its
// requests to the root model.
func Unwrap(s Screen) (Screen, []tea.Msg) {
	if a, ok := s.(asking); ok {
		return a.Screen, a.asks
	}
	return s, nil
}

// Refuse turns down a change in read-only mode: it is recorded in the
// audit log like any refused change, and the flash says why.
func (c *Common) Refuse(action string, t audit.Target, what string) tea.Cmd {
	if c.OnRefused != nil {
		c.OnRefused(action, t, "")
	}
	return Flash(FlashError, "read-only mode: "+what+" is turned off")
}

// Named tells the audit log what a change is made to.
func Named(ctx context.Context, t audit.Target) context.Context { return audit.WithNames(ctx, t) }

func QueueTarget(r QueueRef) audit.Target {
	return audit.Target{ClusterID: r.ClusterID, ClusterName: r.ClusterName, QueueID: r.Queue.ID, QueueKey: r.Queue.Key}
}

// ScreenBase gives a screen its id and a context that is cancelled when
// the screen is closed, so its reads stop with it; its reads stop too
// while another screen covers it (Cover), since nobody sees them.
type ScreenBase struct {
	id     int
	C      *Common
	ctx    context.Context
	cancel context.CancelFunc
	// shown ends when the screen is covered (hide); the reads of Run and
	// Stream stop with it (api.ReadsWhile).
	shown context.Context
	hide  context.CancelFunc
}

var screenIDs atomic.Int64

func NewBase(c *Common) ScreenBase {
	ctx, cancel := context.WithCancel(c.AppCtx)
	shown, hide := context.WithCancel(context.Background())
	return ScreenBase{id: int(screenIDs.Add(1)), C: c, ctx: ctx, cancel: cancel, shown: shown, hide: hide}
}

// Cover stops the screen's reads: another screen is shown over it. A read
// stopped so ends as api.ErrNotShown, a deferral: what the screen shows
// stays, and is read again when it is shown (Uncover, then the root
// model's reload).
func (b *ScreenBase) Cover() {
	if b.hide != nil {
		b.hide()
	}
}

// Uncover lets the screen read again: it is shown.
func (b *ScreenBase) Uncover() {
	if b.shown == nil || b.shown.Err() != nil {
		b.shown, b.hide = context.WithCancel(context.Background())
	}
}

// Coverer is a screen whose reads stop while it is covered.
type Coverer interface {
	Cover()
	Uncover()
}

// readsCtx is ctx with the screen's reads stopped while it is covered.
func (b *ScreenBase) readsCtx(ctx context.Context) context.Context {
	if b.shown == nil {
		return ctx
	}
	return api.ReadsWhile(ctx, b.shown)
}

func (b *ScreenBase) ID() int { return b.id }

// Shown reports that no other screen covers the screen: a read that
// follows a reply (the next page of a list) is made only for a screen a
// person sees.
func (b *ScreenBase) Shown() bool { return b.shown == nil || b.shown.Err() == nil }

// Run starts one of the screen's requests: fn runs in a command under the
// screen's context, in the lane's share of the API budget, and its reply
// comes back wrapped with the screen's id, so it reaches this screen and
// no other whatever its type (gh-dash's section envelope).
func (b *ScreenBase) Run(lane org.Lane, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return b.RunUnder(b.readsCtx(b.ctx), lane, label, fn)
}

// RunUnder is run under another context: a form's submission runs under
// the console's, so that closing the form does not call the change back.
func (b *ScreenBase) RunUnder(ctx context.Context, lane org.Lane, label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx = lane.Context(ctx)
	id, screen := b.C.Tasks.start(label), b.id
	return tracked(id, label, func() tea.Msg { return TaskDone{Task: id, Screen: screen, Msg: fn(ctx)} })
}

// Streamed is one message of a stream (ScreenBase.Stream) as it reaches
// the screen; Next reads the one after it, and the screen returns it as
// its command.
type Streamed struct {
	Msg  tea.Msg
	Next tea.Cmd
}

type streamEnd struct{ msg tea.Msg }

// Stream starts a request that answers in parts, for progressive loading:
// fn runs under the screen's context in the lane, calls emit for each
// part (a page as it arrives) and returns its last message. Each part
// reaches this screen as a Streamed, in order; the last message comes as
// a reply of its own, which ends the task in the footer.
func (b *ScreenBase) Stream(lane org.Lane, label string, fn func(ctx context.Context, emit func(tea.Msg)) tea.Msg) tea.Cmd {
	ctx := lane.Context(b.readsCtx(b.ctx))
	task, screen := b.C.Tasks.start(label), b.id
	ch := make(chan tea.Msg, 2)
	var read func() tea.Msg
	read = func() tea.Msg {
		m, ok := <-ch
		if !ok { // the screen was closed before the end
			return TaskDone{Task: task, Screen: screen}
		}
		if end, ok := m.(streamEnd); ok {
			return TaskDone{Task: task, Screen: screen, Msg: end.msg}
		}
		return TaskDone{Screen: screen, Msg: Streamed{Msg: m, Next: read}}
	}
	return tracked(task, label, func() tea.Msg {
		go func() {
			defer close(ch)
			send := func(m tea.Msg) {
				select {
				case ch <- m:
				case <-ctx.Done():
				}
			}
			send(streamEnd{msg: fn(ctx, send)})
		}()
		return read()
	})
}

// Close is called by the root model when the screen leaves the stack.
func (b *ScreenBase) Close() {
	b.cancel()
	b.Cover()
}

type Closer interface{ Close() }

// NewOrgState starts what the console knows of an organisation; names
// are made safe to draw as the pipelines arrive.
func NewOrgState(client *api.Client, now func() time.Time) *org.State {
	return org.New(client, now, func(name string) string { return Clean(Emojize(name)) })
}

// MutationDone is the reply to a change made outside a form (a delete):
// on success ok shows it, else the flash says why not.
type MutationDone struct {
	What string
	OK   tea.Cmd
	Err  error
}

// TokenShown opens the dialog that shows a new token's value, once.
type TokenShown struct {
	ClusterName string
	Token       model.Token
}

// MarksChanged tells screens to redraw their marks.
type MarksChanged struct{}

func (MarksChanged) everyScreen() {}

// AgentsChanged tells every screen that agents were paused, resumed or
// stopped from this console, so that what they show of agents reloads.
type AgentsChanged struct {
	// Acted are the IDs of the agents changed: marks used for the change
	// are cleared, as a queue's are after theirs.
	Acted []string
}

func (AgentsChanged) everyScreen() {}

// Mine reports whether u is the user behind the token, as far as known.
func (c *Common) Mine(u *model.User) bool { return c.Session.Mine(u) }
