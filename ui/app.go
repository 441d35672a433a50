// Package ui is the console: a bubbletea program whose root model (App)
// keeps the stack of screens (package screen), draws the frame — header,
// breadcrumbs, footer with flash messages, tasks and help — and routes:
// keys to the open overlay or the top screen, replies to the screen that
// asked, changes to the organisation and the person's session to org and
// then to every screen, the incident workflow's messages to
// actions.Incident. It also runs the palette's commands. The building
// blocks are in package component, every change in package actions, what
// every part shares in package common.
package ui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/theme"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// Options configure the console.
type Options struct {
	Client *api.Client
	// Demo shows the DEMO badge instead of the endpoint.
	Demo bool
	// Refresh is how often the visible screen reloads; 0 turns it off.
	Refresh time.Duration
	// Clock runs the console's timers: refreshes, the job log's follow
	// timer, debounces, flash expiry (the real clock when nil). Tests give
	// it the fake clock the sandbox and the client run on, and move it.
	Clock clockwork.Clock
	// Now is the time the console shows things against (Clock's when
	// nil); tests of goldens fix it.
	Now func() time.Time
	// Keys overrides the default key map.
	Keys *keymap.KeyMap
	// Dark picks the dark or light styles before the terminal has said
	// which its background is.
	Dark bool
	// FixedTheme keeps Dark whatever the terminal says (theme: dark or
	// light in the configuration).
	FixedTheme bool
	// Remote is set when the console is served over SSH.
	Remote bool
	// OnRefused records a change refused before it reached the client
	// (the audit log).
	OnRefused func(action string, t audit.Target, note string)
	// Orgs are the organisations one may switch to (:org), and SwitchOrg
	// connects to one of them.
	Orgs      []string
	SwitchOrg func(ctx context.Context, org string) (*api.Client, error)
	// NoPipelineIndex keeps the pipelines index off disk: nothing is read
	// from or written to $XDG_CACHE_HOME/kiteconsole.
	NoPipelineIndex bool
	// IndexDir is where the pipelines index is kept
	// ($XDG_CACHE_HOME/kiteconsole when empty).
	IndexDir string
}

// ChangedElsewhere tells a console that the organisation was changed from
// another console sharing its client (another SSH session): it refreshes
// what it shows, as a background refresh.
type ChangedElsewhere struct{}

// orgSwitched is the reply to a switch of organisation.
type orgSwitched struct {
	org    string
	client *api.Client
	err    error
}

// Layout: two header lines (title, breadcrumbs) and two footer lines
// (status, help).
const (
	headerLines = 2
	footerLines = 2
	flashFor    = 6 * time.Second
	// errorFlashFor is how long an error stays: long enough to read its
	// cause during an incident (it went in 6 s, issue 29); :messages
	// keeps it after.
	errorFlashFor = 30 * time.Second
)

// App is the root model: it owns the screen stack and draws the frame
// (header, breadcrumbs, footer); it routes keys to the open overlay or
// the top screen, replies to the screen that asked, changes to org and
// then every screen; pauses and resumes of queues, which span screens,
// are the incident workflow's (actions.Incident), to which it routes.
type App struct {
	c       *common.Common
	opts    Options
	stack   []common.Screen
	width   int
	height  int
	spinner spinner.Model
	spin    bool

	flash   common.FlashMsg
	flashID int
	// messages are the last flash messages in full, for :messages.
	messages []component.Message
	// overlay is the dialog open over the screens, if any.
	overlay component.Overlay
	// history is what the palette ran, for its ↑/↓.
	history []string
	// incident runs pauses and resumes of queues, which span screens.
	incident   *actions.Incident
	cancel     context.CancelFunc
	quitting   bool
	refreshGen int
	// unstarted are the screens a jump put under its target (a queue's
	// cluster): not loaded until shown. By screen id.
	unstarted map[int]bool
	// reloads are, by screen id, the tasks its last r started: while one
	// is in flight, r is folded into it.
	reloads map[int][]int
	// asks are the requests screens returned in this Update (see
	// common.Asking), acted on in order before Update returns, so before
	// the next key is read.
	asks []tea.Msg
	// helpMemo is the last help line drawn (helpLine).
	helpMemo helpLineMemo
}

type flashExpired struct{ id int }
type refreshTick struct {
	gen  int
	tick int64
}

// New builds the console.
func New(ctx context.Context, opts Options) *App {
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if opts.Now == nil {
		opts.Now = opts.Clock.Now
	}
	keys := keymap.Default()
	if opts.Keys != nil {
		keys = *opts.Keys
	}
	appCtx, cancel := context.WithCancel(ctx)
	c := &common.Common{
		Area:      &common.Area{Styles: theme.New(opts.Dark), Width: 80, Height: 24 - headerLines - footerLines},
		Client:    opts.Client,
		Keys:      keys,
		Now:       opts.Now,
		Clock:     opts.Clock,
		ReadOnly:  opts.Client.ReadOnly(),
		AppCtx:    appCtx,
		Tasks:     &common.Tasks{Label: map[int]string{}},
		Session:   org.NewSession(),
		Org:       common.NewOrgState(opts.Client, opts.Now),
		Remote:    opts.Remote,
		Demo:      opts.Demo,
		OnRefused: opts.OnRefused,
	}
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	a := &App{c: c, opts: opts, spinner: sp, cancel: cancel, width: 80, height: 24}
	a.incident = actions.NewIncident(c, a.changed, a.update)
	a.useIndex()
	a.stack = []common.Screen{screen.Home(c)}
	return a
}

// Init loads the home screen, asks the terminal for its background
// colour and starts the refresh timer.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.top().Init(), tea.RequestBackgroundColor, a.armRefresh(), a.askToken(), a.spinIfBusy(), tickBudget(a.c), a.awaitIndex())
}

// askToken asks the API what the token may do (its scopes), so that what
// it cannot do shows before a person tries.
func (a *App) askToken() tea.Cmd {
	client := a.c.Client
	return a.c.Run(a.c.AppCtx, org.Background, "checking the API token", func(ctx context.Context) tea.Msg {
		t, err := client.AccessToken(ctx)
		return common.TokenScopes{Token: t, Err: err}
	})
}

func (a *App) top() common.Screen { return a.stack[len(a.stack)-1] }

func (a *App) armRefresh() tea.Cmd {
	if a.opts.Refresh <= 0 {
		return nil
	}
	gen := a.refreshGen
	// The budget runs on the client's clock, not the display's.
	pace := refreshPace(a.opts.Refresh, a.c.Client.Budget(), a.c.Client.Now())
	// Ticks keep to the wall clock's grid of the pace, so that every SSH
	// session refreshes at the same moment and the shared fetcher sends
	// one request for all of them. A pace slowed by the budget is waited
	// whole: it must not end before the window resets.
	now := a.c.Clock.Now()
	wait := pace
	if pace == a.opts.Refresh {
		wait = pace - time.Duration(now.UnixNano()%int64(pace))
	}
	// The tick is numbered for the moment it is set for, not the moment
	// the loop gets to it: a busy loop (a slow machine, the race
	// detector) took a late tick for a later one, and sessions numbered
	// the same refresh apart.
	tick := gridTick(now.Add(wait), a.opts.Refresh)
	return a.c.Tick(wait, func(time.Time) tea.Msg { return refreshTick{gen: gen, tick: tick} })
}

// gridTick numbers the refresh at t on the grid of every.
func gridTick(t time.Time, every time.Duration) int64 {
	return (t.UnixNano() + int64(every)/2) / int64(every)
}

// refreshPace slows the refresh down as the organisation's budget falls:
// every interval while half of it is left, half as often down to a
// quarter, a quarter as often below, and at the reserve not until the
// window resets.
func refreshPace(every time.Duration, b api.Budget, now time.Time) time.Duration {
	switch {
	case !b.Known || !now.Before(b.ResetAt):
		return every
	case b.AtReserve() || now.Before(b.HeldUntil):
		return max(every, b.ResetAt.Sub(now)+time.Second, b.HeldUntil.Sub(now)+time.Second)
	case b.Low():
		return 4 * every
	case b.Remaining*2 < b.Limit:
		return 2 * every
	}
	return every
}

// budgetTick redraws the header's budget once a second while the API
// reports one, so its reset counts down; it sends nothing.
type budgetTick struct{}

func tickBudget(c *common.Common) tea.Cmd {
	return c.Tick(time.Second, func(time.Time) tea.Msg { return budgetTick{} })
}

// autoRefresh asks the top screen to reload, as a background refresh: its
// requests spend only the background share of the budget. changed says
// another session changed the organisation: that reload is a person's
// (the one who made the change), since the background share may be spent
// for the rest of the window and the README promises the change shows at
// once. The shared fetcher sends it once for every session on the screen.
func (a *App) autoRefresh(changed bool) tea.Cmd {
	var tick int64
	if every := a.opts.Refresh; every > 0 {
		tick = gridTick(a.c.Clock.Now(), every)
	}
	return a.refreshAt(tick, changed)
}

// refreshAt is autoRefresh numbered tick.
func (a *App) refreshAt(tick int64, changed bool) tea.Cmd {
	lane := org.Background
	if changed {
		lane = org.Interactive
	}
	return a.toTop(common.RefreshMsg{Auto: true, Lane: lane, Tick: tick, Changed: changed})
}

// spinIfBusy starts the footer's spinner when requests are in flight.
func (a *App) spinIfBusy() tea.Cmd {
	if a.spin || len(a.c.Tasks.Label) == 0 {
		return nil
	}
	a.spin = true
	return a.spinner.Tick
}

// Update routes a message: keys to the overlays or the top screen, tagged
// replies to the screen that asked, broadcasts to every screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{a.update(msg)}
	for len(a.asks) > 0 {
		next := a.asks[0]
		a.asks = a.asks[1:]
		cmds = append(cmds, a.update(next))
	}
	return a, tea.Batch(append(cmds, a.spinIfBusy())...)
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	if blinkCanceled(msg) {
		return nil
	}
	if cmd, ok := a.incident.Update(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return a.resize(msg)
	case tea.BackgroundColorMsg:
		if !a.opts.FixedTheme {
			a.c.Styles = theme.New(msg.IsDark())
			a.helpMemo = helpLineMemo{}
		}
		return a.toTop(msg)
	case common.TaskStarted:
		a.c.Tasks.Started(msg.Task, msg.Label)
		return msg.Run
	case common.TaskDone:
		return a.taskDone(msg)
	case spinner.TickMsg, flashExpired, refreshTick, budgetTick:
		return a.timer(msg)
	case common.FlashMsg:
		return a.showFlash(msg)
	case ChangedElsewhere:
		return a.autoRefresh(true)
	case common.PushMsg:
		return a.push(msg.Screen)
	case common.PopMsg:
		return a.pop()
	case common.AskNoteMsg, common.AskConfirmMsg, common.TokenShown:
		return a.open(msg)
	case common.TokenScopes:
		return a.tokenAnswered(msg)
	case component.PaletteChosen:
		return msg.Item.Run()
	case common.MutationDone:
		return a.finishMutation(msg)
	case orgSwitched:
		return a.orgSwitched(msg)
	case tea.KeyPressMsg:
		return a.key(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return a.mouse(msg)
	case common.PipelinesPage:
		return a.pipelinesArrived(msg)
	case indexRead:
		return a.takeIndex(msg)
	case org.Change:
		return a.changed(msg)
	case common.Broadcast:
		return a.everyScreen(msg)
	}
	if a.overlay != nil && a.overlay.Typing() {
		cmd, _ := a.overlay.Update(msg)
		return cmd
	}
	return a.toTop(msg)
}

// resize gives every screen the area between header and footer.
func (a *App) resize(msg tea.WindowSizeMsg) tea.Cmd {
	a.width, a.height = msg.Width, msg.Height
	a.c.Width = msg.Width
	a.c.Height = max(1, msg.Height-headerLines-footerLines)
	var cmds []tea.Cmd
	for i, s := range a.stack {
		var cmd tea.Cmd
		a.stack[i], cmd = a.step(s, tea.WindowSizeMsg{Width: a.c.Width, Height: a.c.Height})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// taskDone ends a task and routes its reply: to the screen that started
// it, else to the root model itself.
func (a *App) taskDone(msg common.TaskDone) tea.Cmd {
	a.c.Tasks.Done(msg.Task)
	if msg.Msg == nil {
		return nil
	}
	if msg.Screen != 0 {
		return a.toScreen(msg.Screen, msg.Msg)
	}
	return a.update(msg.Msg)
}

// timer takes the timers' messages: the spinner's frame, a flash's end,
// the refresh and the budget's redraw.
func (a *App) timer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if len(a.c.Tasks.Label) == 0 {
			a.spin = false
			return nil
		}
		var cmd tea.Cmd
		a.spinner, cmd = a.spinner.Update(msg)
		return cmd
	case flashExpired:
		if msg.id == a.flashID {
			a.flash = common.FlashMsg{}
		}
	case refreshTick:
		if msg.gen != a.refreshGen {
			return nil
		}
		// The pipelines index is completed on the timer, in the background lane.
		a.c.Org.Filler.Step(a.c.AppCtx, a.c.Now())
		return tea.Batch(a.refreshAt(msg.tick, false), a.armRefresh())
	case budgetTick:
		return tickBudget(a.c)
	}
	return nil
}

// showFlash shows a flash message until flashFor has passed, and keeps
// it for :messages.
func (a *App) showFlash(msg common.FlashMsg) tea.Cmd {
	msg.Text = termsafe.Lines(msg.Text) // flashes name things from the API: cleaned once, here
	a.flash = msg
	if msg.Text != "" {
		a.messages = append(a.messages, component.Message{At: a.c.Now(), Kind: msg.Kind, Text: msg.Text})
		if n := len(a.messages) - component.MessagesKept; n > 0 {
			a.messages = a.messages[n:]
		}
	}
	a.flashID++
	id := a.flashID
	lasts := flashFor
	if msg.Kind == common.FlashError {
		lasts = errorFlashFor
	}
	return a.c.Tick(lasts, func(time.Time) tea.Msg { return flashExpired{id: id} })
}

// push puts a screen on the stack, sized, and starts it; the screen it
// covers stops reading.
func (a *App) push(next common.Screen) tea.Cmd {
	sizeCmd := a.stackUp(next)
	return tea.Batch(sizeCmd, a.top().Init())
}

// stackUp puts a screen on the stack, sized, without starting it: the
// screen it covers stops reading.
func (a *App) stackUp(next common.Screen) tea.Cmd {
	if c, ok := a.top().(common.Coverer); ok {
		c.Cover()
	}
	a.stack = append(a.stack, next)
	s, sizeCmd := a.step(next, tea.WindowSizeMsg{Width: a.c.Width, Height: a.c.Height})
	a.stack[len(a.stack)-1] = s
	return sizeCmd
}

// showTop is the reload of the screen a close has shown again: it reads
// again, and one a jump put under another loads now, for the first time.
func (a *App) showTop() tea.Cmd {
	top := a.top()
	if c, ok := top.(common.Coverer); ok {
		c.Uncover()
	}
	if a.unstarted[top.ID()] {
		delete(a.unstarted, top.ID())
		return top.Init()
	}
	return a.autoRefresh(false)
}

// open opens the overlay a request asks for: the pause's note, a
// confirmation, a new token's value.
func (a *App) open(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.AskNoteMsg:
		return a.openPrompt(msg.Targets, msg.Holds)
	case common.AskConfirmMsg:
		d, cmd := component.NewConfirm(a.c, msg)
		a.overlay = d
		return cmd
	case common.TokenShown:
		a.overlay = component.NewTokenDialog(a.c, msg)
	}
	return nil
}

// tokenAnswered records what the API token may do, and says what it may
// not.
func (a *App) tokenAnswered(msg common.TokenScopes) tea.Cmd {
	if msg.Err != nil {
		// Not known: every key stays on, and a change the token may
		// not make is refused by the API as before.
		return nil
	}
	cmd := a.changed(org.TokenKnown{Token: msg.Token})
	if note := a.c.TokenNote(); note != "" && !a.c.ReadOnly {
		return tea.Batch(cmd, common.Flash(common.FlashInfo, note))
	}
	return cmd
}

func (a *App) orgSwitched(msg orgSwitched) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, "could not switch to "+common.Clean(msg.org)+": "+common.ErrorText(msg.err))
	}
	return a.reset(msg.client)
}

// mouse hands a click or the wheel to the top screen, unless a dialog is
// open over it.
func (a *App) mouse(msg tea.Msg) tea.Cmd {
	if a.overlay != nil {
		return nil
	}
	if click, ok := msg.(tea.MouseClickMsg); ok {
		m := click.Mouse()
		return a.toTop(common.ClickMsg{X: m.X, Y: m.Y - headerLines})
	}
	return a.toTop(msg)
}

// pipelinesArrived gives a page of the organisation's pipelines to org,
// then to every screen; after the last, an open palette searches them.
func (a *App) pipelinesArrived(msg common.PipelinesPage) tea.Cmd {
	current := a.c.Org.Pipelines.Current(msg.PipelinesPage)
	a.c.ApplyPipelines(msg)
	cmds := []tea.Cmd{a.everyScreen(msg), msg.Next}
	if msg.Done && (current || msg.Found) {
		cmds = append(cmds, a.everyScreen(common.PipelinesLoaded{Err: msg.Err}))
		if p, ok := a.overlay.(*component.Palette); ok {
			p.Items = a.paletteItems()
			p.Filter()
		}
	}
	return tea.Batch(cmds...)
}

// changed takes a change made here, seen in a reply or made in another
// session: org and the person's session record it, and every screen shows
// it. The session's own changes are shown as marks redrawn, when they
// touch marks; the rest of them shows when next drawn.
func (a *App) changed(msg org.Change) tea.Cmd {
	a.c.Org.Apply(msg)
	a.c.Session.Apply(msg)
	switch msg.(type) {
	case org.MarkToggled, org.MarksCleared:
		return a.everyScreen(common.MarksChanged{})
	case org.MarkUpdated, org.PendingStarted, org.PendingEnded, org.MeLearnt, org.TokenKnown, org.SessionReset:
		return nil
	}
	return a.everyScreen(msg)
}

func (a *App) toTop(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	a.stack[len(a.stack)-1], cmd = a.step(a.top(), msg)
	return cmd
}

// step gives msg to screen s and takes the requests it returned with
// itself; Update acts on them before it returns.
func (a *App) step(s common.Screen, msg tea.Msg) (common.Screen, tea.Cmd) {
	next, cmd := s.Update(msg)
	next, asks := common.Unwrap(next)
	a.asks = append(a.asks, asks...)
	return next, cmd
}

// toScreen hands a reply to the screen that asked for it. A screen that
// is gone gets nothing, unless the reply says what should become of it.
func (a *App) toScreen(id int, msg tea.Msg) tea.Cmd {
	for i, s := range a.stack {
		if s.ID() == id {
			var cmd tea.Cmd
			a.stack[i], cmd = a.step(s, msg)
			return cmd
		}
	}
	if o, ok := msg.(interface{ Orphaned() tea.Cmd }); ok {
		return o.Orphaned()
	}
	return nil
}

func (a *App) everyScreen(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.stack))
	for i, s := range a.stack {
		var cmd tea.Cmd
		a.stack[i], cmd = a.step(s, msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *App) pop() tea.Cmd {
	if len(a.stack) == 1 {
		return nil
	}
	a.closeTop()
	// What was underneath may be stale: refresh it on return, in the
	// background lane.
	return a.showTop()
}

// closeTop takes the top screen off the stack, without reloading what
// is underneath.
func (a *App) closeTop() {
	if c, ok := a.top().(common.Closer); ok {
		c.Close()
	}
	delete(a.unstarted, a.top().ID())
	delete(a.reloads, a.top().ID())
	a.stack = a.stack[:len(a.stack)-1]
	if c, ok := a.top().(common.Coverer); ok {
		c.Uncover()
	}
}

func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	k := a.c.Keys
	if _, cancels := a.overlay.(component.Interruptible); key.Matches(msg, k.ForceQuit) && !cancels {
		return a.quit()
	}
	if cmd, refused := a.serverClipboardKey(msg); refused {
		return cmd
	}
	if a.overlay != nil {
		o := a.overlay
		cmd, closed := o.Update(msg)
		if !closed {
			return cmd
		}
		a.overlay = nil
		if o, ok := o.(component.Answered); ok && o.Answer() != nil {
			return tea.Batch(cmd, a.update(o.Answer()))
		}
		return cmd
	}
	switch {
	case a.top().Capturing():
		return a.toTop(msg)
	case key.Matches(msg, k.Quit):
		return a.quit()
	case key.Matches(msg, k.Help):
		a.overlay = component.NewHelpOverlay(a.c, a.top())
		return nil
	case key.Matches(msg, k.Palette):
		return a.openPalette()
	case key.Matches(msg, k.ClearMarks) && a.c.Session.MarkCount() > 0:
		n := a.c.Session.MarkCount()
		return tea.Batch(a.changed(org.MarksCleared{}), common.Flash(common.FlashInfo, "cleared "+common.Plural(n, "mark", "marks")))
	case key.Matches(msg, k.Pause) && a.c.Session.MarkCount() > 0:
		return a.incident.PauseMarked()
	case key.Matches(msg, k.Refresh):
		return a.reload()
	}
	return a.toTop(msg)
}

// reload is r: the top screen reloads, asking the API itself, never a
// reply another session cached. While the reload an earlier r started is
// in flight, r is folded into it: pressed fifteen times, it reloads once.
func (a *App) reload() tea.Cmd {
	id := a.top().ID()
	if slices.ContainsFunc(a.reloads[id], a.c.Tasks.InFlight) {
		return nil
	}
	first := a.c.Tasks.Last() + 1
	cmd := a.toTop(common.RefreshMsg{Lane: org.Fresh})
	var started []int
	for t := first; t <= a.c.Tasks.Last(); t++ {
		started = append(started, t)
	}
	if a.reloads == nil {
		a.reloads = map[int][]int{}
	}
	a.reloads[id] = started
	return cmd
}

// switchOrg connects to another organisation in the background.
func (a *App) switchOrg(name string) tea.Cmd {
	if a.opts.SwitchOrg == nil {
		return common.Flash(common.FlashInfo, "only one organisation is configured")
	}
	return a.c.Run(a.c.AppCtx, org.Interactive, "switching to "+common.Clean(name), func(ctx context.Context) tea.Msg {
		client, err := a.opts.SwitchOrg(ctx, name)
		return orgSwitched{org: name, client: client, err: err}
	})
}

// reset starts over on another organisation: new client, empty caches,
// no marks, the home screen.
func (a *App) reset(client *api.Client) tea.Cmd {
	for _, s := range a.stack {
		if c, ok := s.(common.Closer); ok {
			c.Close()
		}
	}
	// A new Common: the dependencies of the screens just closed stay as
	// they were; the area, the session and the tasks go on.
	next := *a.c
	c := &next
	c.Client, c.ReadOnly = client, client.ReadOnly()
	c.Org = common.NewOrgState(client, c.Now)
	a.c = c
	a.incident.Use(c)
	a.useIndex()
	c.Session.Apply(org.SessionReset{})
	a.stack = []common.Screen{screen.Home(c)}
	s, sizeCmd := a.step(a.top(), tea.WindowSizeMsg{Width: c.Width, Height: c.Height})
	a.stack[0] = s
	return tea.Batch(sizeCmd, s.Init(), a.askToken(), a.awaitIndex(), common.Flash(common.FlashOK, "switched to "+common.Clean(client.Org())))
}

// useIndex starts reading the organisation's on-disk pipelines index in
// the background, unless turned off or there is no cache directory (then
// the console works as without one); awaitIndex brings it in.
func (a *App) useIndex() {
	if a.opts.NoPipelineIndex {
		return
	}
	if a.opts.IndexDir != "" {
		a.c.Org.UseIndex(a.opts.IndexDir)
	} else if dir, err := pipelineindex.DefaultDir(); err == nil {
		a.c.Org.UseIndex(dir)
	}
}

// indexRead brings the pipelines of org's index, read and made ready to
// show.
type indexRead struct {
	org  *org.State
	rows *org.IndexRows
}

// awaitIndex waits, off the event loop, for the index useIndex started
// reading, and makes its rows ready to show.
func (a *App) awaitIndex() tea.Cmd {
	st, ctx := a.c.Org, a.c.AppCtx
	ready := st.IndexReady()
	if ready == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case <-ready:
			return indexRead{org: st, rows: st.PrepareIndex()}
		case <-ctx.Done():
			return nil
		}
	}
}

// takeIndex shows the pipelines of the index just read, unless the
// console has switched organisation since; a file that was ignored is
// said (once per process: SSH sessions share the index).
func (a *App) takeIndex(msg indexRead) tea.Cmd {
	if msg.org != a.c.Org {
		return nil
	}
	discarded := a.c.Org.TakeIndex(msg.rows)
	cmds := []tea.Cmd{a.everyScreen(common.PipelinesLoaded{})}
	if p, ok := a.overlay.(*component.Palette); ok {
		p.Items = a.paletteItems()
		p.Filter()
	}
	if discarded != "" {
		cmds = append(cmds, common.Flash(common.FlashInfo, "the pipelines index was not read ("+common.Clean(discarded)+"); it is made again"))
	}
	return tea.Batch(cmds...)
}

func (a *App) quit() tea.Cmd {
	a.quitting = true
	a.cancel()
	return tea.Quit
}

func (a *App) finishMutation(msg common.MutationDone) tea.Cmd {
	if common.OutcomeUnknown(msg.Err) {
		// It may have been done: show what the API has now.
		return tea.Batch(common.Flash(common.FlashError, fmt.Sprintf("%s: %s; refreshing", msg.What, common.ErrorText(msg.Err))),
			a.toTop(common.RefreshMsg{}))
	}
	if msg.Err != nil {
		return common.Flash(common.FlashError, fmt.Sprintf("%s failed: %s", msg.What, common.ErrorText(msg.Err)))
	}
	return msg.OK
}
