package ui

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// driver runs the console's root model against a sandbox over HTTP, as
// bubbletea's loop would, but in the test's own goroutine: a key is
// given to Update at once, the commands it returns run in goroutines of
// their own, and their replies are taken in (and handed to Update) when
// the test next looks. Only the test's goroutine touches the model, so a
// test reads it directly; no terminal is drawn to (the end-to-end tests
// run the binary in one), and a frame is rendered only when a test looks
// at it. Time is driven: the console, its client and the sandbox run on
// the test's clock, which moves only when the test moves it.
type driver struct {
	t     testing.TB
	app   *App
	env   *sandboxtest.Env
	clock *sandboxtest.Clock
	// ticks follows the console's ticks from their timers to Update.
	ticks *tickWatch
	p     *loop
	// http counts the console's requests on the wire (nil for a client
	// the test made itself).
	http *inFlight
	// replies are what the commands returned.
	replies chan tea.Msg
	// done ends the commands' goroutines with the test.
	done chan struct{}
	// filter, when set, sees every message before Update, as
	// tea.WithFilter does: nil drops it.
	filter func(a *App, msg tea.Msg) tea.Msg
	// quit is set once Update has asked the program to end (tea.Quit).
	quit bool
	// woken wakes a waiting driver to look again: for what a test waits
	// for outside the program.
	woken chan struct{}
	// unstarted counts the commands whose goroutines have not begun yet.
	unstarted atomic.Int64
	// running counts the commands whose goroutines have not ended.
	running atomic.Int64
	// last are the types of the last messages Update was given, for a
	// failure to say.
	last []string
}

// wake has a waiting driver look again.
func (d *driver) wake() {
	select {
	case d.woken <- struct{}{}:
	default:
	}
}

// loop is the driver as a program that takes messages, so that tests
// send them as they would to a tea.Program.
type loop struct{ d *driver }

// Send hands msg to the model now.
func (l *loop) Send(msg tea.Msg) { l.d.send(msg) }

// probe runs fn on the model: with the driver, at once.
type probe struct{ fn func(*App) }

type driverOptions struct {
	width, height int
	size          sandbox.Size
	latency       time.Duration
	timeout       time.Duration
	readOnly      bool
	// readScopesOnly runs the console (not in read-only mode) with the
	// sandbox's token that lacks write scopes: the API refuses changes.
	readScopesOnly bool
	// scopes, when set, runs the console with a token of the sandbox's
	// that has only these scopes (sandbox.Options.ScopedTokens).
	scopes []string
	// rateLimit turns on the sandbox's window (off otherwise).
	rateLimit sandbox.RateLimit
	// cacheFor gives the client a shared cache, as the SSH server's has.
	cacheFor time.Duration
	// refresh turns on the timer's reloads (off otherwise).
	refresh   time.Duration
	wrap      func(http.Handler) http.Handler
	orgs      []string
	switchOrg func(ctx context.Context, org string) (*api.Client, error)
	// clock, when set, also runs the sandbox's live simulation (builds
	// and jobs), and the console tells its time; otherwise the sandbox is
	// quiet and the console's time stands at sandboxtest.Now, and a clock
	// of the driver's own runs the timers alone.
	clock *sandboxtest.Clock
	// remote runs the console as served over SSH (Options.Remote).
	remote bool
	// execs, when set, counts the messages of tea.Exec that reach the
	// program. The driver has no terminal to hand to a program, so it
	// drops them once counted; a real program's handling of them is
	// tested with a tea.Program (TestRemoteFilterStartsNoProgram).
	execs *atomic.Int32
}

// scopedToken is the token driverOptions.scopes gives the console.
const scopedToken = "scoped-token"

func startDriver(t *testing.T, o driverOptions) *driver {
	t.Helper()
	if o.width == 0 {
		o.width, o.height = 80, 24
	}
	live := o.clock != nil
	if !live {
		o.clock = sandboxtest.NewClock()
	}
	sbOpts := sandbox.Options{Size: o.size, Latency: o.latency, RateLimit: o.rateLimit, Clock: o.clock}
	if o.latency > 0 {
		// A distant API's latency passes on its own, as the requests
		// of a test that looks at what is in flight need.
		sbOpts.Clock = sandboxtest.RealTimers(o.clock)
	}
	now := func() time.Time { return sandboxtest.Now }
	if live {
		sbOpts.Now, now = o.clock.Now, o.clock.Now
	}
	if o.scopes != nil {
		sbOpts.ScopedTokens = map[string][]string{scopedToken: o.scopes}
	}
	env := sandboxtest.Start(t, sbOpts, o.wrap)
	wire := newInFlight()
	cfg := api.Config{ReadOnly: o.readOnly, Timeout: o.timeout, CacheFor: o.cacheFor, Clock: o.clock,
		HTTPClient: &http.Client{Transport: wire}}
	if o.readScopesOnly {
		cfg.Token = env.Sandbox.ReadOnlyToken()
	}
	if o.scopes != nil {
		cfg.Token = scopedToken
	}
	client := env.ClientWith(t, cfg)
	d := startModel(t, env, o.clock, Options{Client: client, Now: now, Demo: true, Dark: true, Refresh: o.refresh,
		Orgs: o.orgs, SwitchOrg: o.switchOrg, Remote: o.remote}, o.width, o.height)
	d.http = wire
	if o.execs != nil {
		d.filter = func(_ *App, msg tea.Msg) tea.Msg {
			if reflect.TypeOf(msg) == execMsgType {
				o.execs.Add(1)
				return nil
			}
			return msg
		}
	}
	return d
}

// inFlight counts the HTTP requests under way, from sending to the reply
// read (its body closed), and wakes a waiting driver when one ends.
type inFlight struct {
	rt   http.RoundTripper
	n    atomic.Int64
	wake chan struct{}
}

func newInFlight() *inFlight {
	return &inFlight{rt: http.DefaultTransport.(*http.Transport).Clone(), wake: make(chan struct{}, 1)}
}

func (f *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	f.n.Add(1)
	resp, err := f.rt.RoundTrip(r)
	if err != nil {
		f.ended()
		return nil, err
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, ended: sync.OnceFunc(f.ended)}
	return resp, nil
}

func (f *inFlight) ended() {
	f.n.Add(-1)
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

type countedBody struct {
	io.ReadCloser
	ended func()
}

func (b *countedBody) Close() error {
	err := b.ReadCloser.Close()
	b.ended()
	return err
}

// startModel runs the console with opts against env, on clock, at a
// terminal's size. The pipelines index is the test's own (a sandbox of
// an earlier test may have had the same address), unless opts names one.
func startModel(t testing.TB, env *sandboxtest.Env, clock *sandboxtest.Clock, opts Options, width, height int) *driver {
	t.Helper()
	if opts.IndexDir == "" {
		opts.IndexDir = indexDir(t)
	}
	ticks := &tickWatch{Clock: clock, live: map[*watchedTick]struct{}{}}
	opts.Clock = ticks
	d := &driver{t: t, app: New(context.Background(), opts), env: env, clock: clock, ticks: ticks,
		replies: make(chan tea.Msg, 64), done: make(chan struct{}), woken: make(chan struct{}, 1)}
	d.p = &loop{d: d}
	t.Cleanup(func() {
		d.app.cancel()
		close(d.done)
	})
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: width, Height: height})
	return d
}

// indexDir is a pipelines index directory of the test's own, kept until
// the end of the run: the index is saved off the loop, and may be written
// after the test has ended.
func indexDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp(os.Getenv("XDG_CACHE_HOME"), "index-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// send hands msg to Update (a probe runs on the model instead) and runs
// the command it returns.
func (d *driver) send(msg tea.Msg) {
	if pr, ok := msg.(probe); ok {
		pr.fn(d.app)
		return
	}
	if tm, ok := msg.(tickMsg); ok {
		d.send(tm.msg)
		d.ticks.takenIn(tm.tick)
		return
	}
	if d.filter != nil {
		if msg = d.filter(d.app, msg); msg == nil {
			return
		}
	}
	switch m := msg.(type) {
	case tea.BatchMsg:
		for _, cmd := range m {
			d.run(cmd)
		}
		return
	case tea.QuitMsg:
		d.quit = true
		return
	}
	if cmds, ok := sequence(msg); ok {
		d.runInOrder(cmds)
		return
	}
	d.last = append(d.last[max(0, len(d.last)-9):], fmt.Sprintf("%T", msg))
	_, cmd := d.app.Update(msg)
	d.run(cmd)
}

// sequence reads tea.Sequence's message (of a type bubbletea keeps to
// itself): its commands, to run one after another.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}

// run runs cmd in a goroutine, as bubbletea does; its reply waits in
// replies for the test's next look.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.unstarted.Add(1)
	d.running.Add(1)
	go func() {
		defer d.running.Add(-1)
		d.unstarted.Add(-1)
		if msg := cmd(); msg != nil {
			d.reply(msg)
		}
	}()
}

// runInOrder runs cmds one after another in a goroutine, each reply
// taken in before the next runs (tea.Sequence).
func (d *driver) runInOrder(cmds []tea.Cmd) {
	d.unstarted.Add(1)
	d.running.Add(1)
	go func() {
		defer d.running.Add(-1)
		d.unstarted.Add(-1)
		for _, cmd := range cmds {
			if cmd == nil {
				continue
			}
			if msg := cmd(); msg != nil {
				d.reply(msg)
			}
		}
	}()
}

func (d *driver) reply(msg tea.Msg) {
	select {
	case d.replies <- msg:
	case <-d.done:
	}
}

// takeReplies hands Update every reply already in, and reports whether
// there was one.
func (d *driver) takeReplies() bool {
	took := false
	for {
		select {
		case msg := <-d.replies:
			d.send(msg)
			took = true
		default:
			return took
		}
	}
}

// waitReply waits for the next reply and hands it to Update, or for a
// wake; false when neither came before the deadline.
func (d *driver) waitReply(deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case msg := <-d.replies:
		d.send(msg)
		return true
	case <-d.woken:
		return true
	case <-t.C:
		return false
	}
}

// busy reports whether requests are in flight.
func (d *driver) busy() bool {
	return d.app.c.Tasks.Busy() || d.app.c.Session.PendingCount() > 0
}

// frame is the current screen as plain text, after the replies already
// in, and whether requests are in flight.
func (d *driver) frame() (string, bool) {
	d.takeReplies()
	return strings.ReplaceAll(ansi.Strip(d.app.render()), d.env.Server.URL, "http://sandbox"), d.busy()
}

// waitUntil takes in replies as they come until cond holds (and, when
// idle is set, no request is in flight) and returns the frame. It gives
// up after twenty seconds without it: a bound for a hang, not a timing
// the test depends on.
func (d *driver) waitUntil(what string, idle bool, cond func(frame string) bool) string {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		frame, busy := d.frame()
		if (!idle || !busy) && cond(frame) {
			if !idle || d.caughtUp() {
				return frame
			}
			continue // something came in meanwhile: look again
		}
		if !d.caughtUp() {
			continue
		}
		if !d.waitReply(deadline) {
			frame, _ = d.frame()
			tasks := d.app.c.Tasks
			d.t.Fatalf("the screen never %s (in flight: %v, %d to start, pending %v; last messages %v); last frame:\n%s",
				what, tasks.Label, len(tasks.Waiting), d.app.c.Session.PendingCount(), d.last, frame)
			return ""
		}
	}
}

// runUntil is waitUntil with time moving: whenever nothing is on the
// wire and the program has caught up (what is left waits for the clock:
// a retry's backoff, a timeout, a debounce), the clock moves on by step.
func (d *driver) runUntil(what string, step time.Duration, cond func(frame string) bool) string {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		frame, _ := d.frame()
		if cond(frame) {
			return frame
		}
		if d.http.n.Load() == 0 {
			if d.caughtUp() {
				d.clock.Add(step)
			}
			continue // look again at what came in, or after the step
		}
		if !d.awaitWire(deadline) {
			frame, _ = d.frame()
			d.t.Fatalf("the screen never %s; last frame:\n%s", what, frame)
		}
	}
}

// caughtUp lets every command's goroutine begin, gives them their turn
// three times more, and reports whether no reply came in meanwhile: what
// a key or an answer sets off at once (a form's next field, a flash, a
// page's next request) has been taken in. A timer that has fired is not
// left to the goroutines' turn: its tick is waited for.
func (d *driver) caughtUp() bool {
	if d.ticks.due() > 0 {
		d.takeTicks()
		return false
	}
	for d.unstarted.Load() > 0 {
		runtime.Gosched()
	}
	for range 3 {
		runtime.Gosched()
		if d.takeReplies() {
			return false
		}
	}
	// On a busy machine a command's goroutine may not have had its turn
	// yet (huh's next-field command, say, whose reply must land before
	// the next key). The commands waiting for a tick's timer or for the
	// wire are known; while more are running than those, they get more
	// turns, a bounded number: others wait on the clock (a budget's
	// reset) or on the program, and may never end by themselves.
	for range 200 {
		if d.running.Load() <= d.parked() {
			break
		}
		runtime.Gosched()
		if d.takeReplies() {
			return false
		}
	}
	return true
}

// parked counts the commands known to wait: for a tick's timer, or for a
// request on the wire.
func (d *driver) parked() int64 {
	n := int64(d.ticks.waiting())
	if d.http != nil {
		n += d.http.n.Load()
	}
	return n
}

// catchUp takes in replies until the program has caught up, requests
// still in flight or not: some wait for the budget's window, on the
// test's clock.
func (d *driver) catchUp() {
	for !d.caughtUp() {
	}
}

// advance moves the clock on by dt once no request is in flight (a
// request under way would see its own timeout pass), firing the timers
// that fall due, and returns once Update has taken in their ticks.
func (d *driver) advance(dt time.Duration) {
	d.t.Helper()
	d.waitUntil("finished its requests", true, func(string) bool { return true })
	d.clock.Add(dt)
	d.takeTicks()
}

// takeTicks takes in replies until every tick whose timer has fired has
// reached Update: the timer puts the time on its channel and the clock
// moves on, while the tick's command hands its message back from a
// goroutine of its own.
func (d *driver) takeTicks() {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for d.ticks.due() > 0 {
		if !d.waitReply(deadline) {
			d.t.Fatalf("%d ticks whose timers fired never reached Update (a tick's command dropped?); last messages %v",
				d.ticks.due(), d.last)
		}
	}
}

// tickWatch is the console's clock as the driver gives it (a
// common.TickWatch): it knows the ticks whose timers are set and whose
// messages have not reached Update yet.
type tickWatch struct {
	*sandboxtest.Clock
	mu   sync.Mutex
	live map[*watchedTick]struct{}
}

// watchedTick is a tick on its way: due is when its timer fires.
type watchedTick struct{ due time.Time }

// tickMsg is a tick's message with the tick it came from: the driver
// hands Update msg, and then knows the tick is taken in.
type tickMsg struct {
	tick *watchedTick
	msg  tea.Msg
}

func (w *tickWatch) TickTimer(d time.Duration) (clockwork.Timer, func(tea.Msg) tea.Msg) {
	timer := w.Clock.NewTimer(d)
	// Read after the timer is set: were the clock moved in between (by a
	// goroutine other than the test's), the tick would only be waited for
	// late, never for a timer that has not fired.
	tick := &watchedTick{due: w.Now().Add(d)}
	w.mu.Lock()
	w.live[tick] = struct{}{}
	w.mu.Unlock()
	return timer, func(msg tea.Msg) tea.Msg {
		if msg == nil { // ended with the console: nothing to take in
			w.takenIn(tick)
			return nil
		}
		return tickMsg{tick: tick, msg: msg}
	}
}

// waiting counts the ticks whose messages have not reached Update.
func (w *tickWatch) waiting() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.live)
}

func (w *tickWatch) takenIn(tick *watchedTick) {
	w.mu.Lock()
	delete(w.live, tick)
	w.mu.Unlock()
}

// due counts the ticks whose timers have fired (the clock is at or past
// their time: the fake clock fires them as it moves) and whose messages
// have not reached Update.
func (w *tickWatch) due() int {
	now := w.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for tick := range w.live {
		if !tick.due.After(now) {
			n++
		}
	}
	return n
}

func showsAll(texts []string) func(string) bool {
	return func(frame string) bool {
		for _, want := range texts {
			if !strings.Contains(frame, want) {
				return false
			}
		}
		return true
	}
}

// waitFor waits until the screen shows every one of texts and no request
// is in flight, and returns it.
func (d *driver) waitFor(texts ...string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("showed %q", texts), true, showsAll(texts))
}

// waitShown waits until the screen shows every one of texts, whether or
// not requests are in flight.
func (d *driver) waitShown(texts ...string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("showed %q", texts), false, showsAll(texts))
}

// waitGone waits until the screen no longer shows text.
func (d *driver) waitGone(text string) string {
	d.t.Helper()
	return d.waitUntil(fmt.Sprintf("stopped showing %q", text), true, func(f string) bool { return !strings.Contains(f, text) })
}

// keys presses keys by name: "enter", "esc", "space", "tab",
// "shift+tab", "up", "down", "ctrl+c", or a single character.
func (d *driver) keys(names ...string) {
	for _, n := range names {
		d.takeReplies()
		d.send(keyPress(n))
	}
}

func keyPress(n string) tea.KeyPressMsg {
	switch n {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: ' ', Text: " "}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	if rest, ok := strings.CutPrefix(n, "ctrl+"); ok && len(rest) == 1 {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(n)[0]
	return tea.KeyPressMsg{Code: r, Text: n}
}

// settle waits until the program has caught up: some widgets (huh's
// fields) move focus with a command of their own, which a person's next
// key never overtakes. Caught up is no request in flight and no reply
// come in while the commands' goroutines had their turn.
func (d *driver) settle() {
	d.t.Helper()
	d.waitUntil("settled", true, func(string) bool { return true })
}

// quiet waits until nothing is on the wire and the program has caught
// up; unlike settle, reads that wait for the budget's window on the
// test's clock may remain (a long bulk read), so the clock may be moved
// on without a request in flight seeing its timeout pass.
func (d *driver) quiet() {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for d.http != nil && d.http.n.Load() > 0 || !d.caughtUp() {
		if d.http == nil || d.http.n.Load() == 0 {
			continue
		}
		if !d.awaitWire(deadline) {
			frame, _ := d.frame()
			d.t.Fatalf("requests stayed on the wire; last frame:\n%s", frame)
		}
	}
}

// awaitWire takes in the next reply, or waits for the wire or a command
// to wake, until deadline; false when it passed.
func (d *driver) awaitWire(deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case msg := <-d.replies:
		d.send(msg)
	case <-d.http.wake:
	case <-d.woken:
	case <-t.C:
		return false
	}
	return true
}

// formKeys presses keys in a form, letting each one land.
func (d *driver) formKeys(names ...string) {
	for _, n := range names {
		d.keys(n)
		d.settle()
	}
}

// typeText types text as a person would, one key at a time.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.keys(string(r))
	}
}

// golden compares a frame with testdata/golden/name.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file (go test ./ui -run %s -update writes it): %v", t.Name(), err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (-update rewrites it)\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

// openOverlay is the overlay of type T open on a, if one is.
func openOverlay[T component.Overlay](a *App) (T, bool) {
	o, ok := a.overlay.(T)
	return o, ok
}
