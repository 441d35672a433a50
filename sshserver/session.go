package sshserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/ssh"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/time/rate"

	"github.com/kiteconsole/kiteconsole/ui"
)

// How fast a session's terminal may send input events (keys, mouse, pastes,
// replies): every event is an update and a redraw of its console, and a
// flood of plain keys cost a CPU core per session. A person typing, or
// holding a key down, stays well within the rate; a burst of InputBurst
// passes at once. Events past it are dropped.
const (
	InputEventsPerSecond = 60
	InputBurst           = 120
)

// One rule for every session: a panic in it ends that session, logged
// with its key's fingerprint, never the server and the other sessions.
// Go ends the whole process for a panic no goroutine recovers, so every
// goroutine that runs a session's code recovers its own:
//
//   - the session's handler (the wish middleware, building the console and
//     running it) and its channel's request loop: serveConsole and
//     sessionChannel recover;
//   - the console's Init, Update and View run in bubbletea's event loop,
//     its commands in goroutines of bubbletea's: bubbletea recovers those
//     (its catching of panics is left on) and Run returns ErrProgramPanic;
//     guardedModel notes the value first, for the log;
//   - bubbletea's input reader and its renderer's ticker do not recover.
//     The input is decoded here instead, in goroutines that do (readInput);
//     the renderer parses each view again on its ticker, so guardedModel
//     parses a new view the same way first, where a panic is recovered, and
//     the renderer is never given a view that panicked;
//   - a login's checks (authorize) recover and refuse.

// sessionPanic is the first panic of a session's console.
type sessionPanic struct {
	mu    sync.Mutex
	where string
	value any
	stack []byte
}

func (sp *sessionPanic) note(where string, r any) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.where == "" {
		sp.where, sp.value, sp.stack = where, r, debug.Stack()
	}
}

func (sp *sessionPanic) noted() (where string, value any, stack []byte) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.where, sp.value, sp.stack
}

// maxLoggedPanic bounds how much of a panic's value is logged.
const maxLoggedPanic = 300

// logPanic logs a recovered panic: quoted, since its text may hold what a
// client sent, and cut.
func (s *Server) logPanic(what string, r any, stack ...[]byte) {
	text := fmt.Sprint(r)
	if len(text) > maxLoggedPanic {
		text = text[:maxLoggedPanic] + "…"
	}
	trace := debug.Stack()
	if len(stack) > 0 && stack[0] != nil {
		trace = stack[0]
	}
	s.opts.Logf("%s ended by a panic: %q\n%s", what, text, trace)
}

// recoverSession, deferred, ends a session's goroutine that panicked
// with a log line, leaving the server running.
func (s *Server) recoverSession(ctx ssh.Context, where string) {
	if r := recover(); r != nil {
		s.logPanic(fmt.Sprintf("the session of %s from %s (%s)", who(ctx), ctx.RemoteAddr(), where), r)
	}
}

// serveConsole is the session handler: a console for a session with a
// terminal, run until it quits, panics or the session ends.
func (s *Server) serveConsole(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				s.logPanic(fmt.Sprintf("the session of %s from %s", who(sess.Context()), sess.RemoteAddr()), r)
				_, _ = fmt.Fprint(sess.Stderr(), "\r\nkiteconsole: the console stopped on an error\r\n")
			}
		}()
		pty, windowChanges, ok := sess.Pty()
		if !ok {
			wish.Fatalln(sess, "kiteconsole is a full-screen console: connect with a terminal (ssh -t).")
			return
		}
		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		var sp sessionPanic
		p := s.program(ctx, sess, pty, &sp)
		go func() {
			defer s.recoverSession(sess.Context(), "its window changes")
			for {
				select {
				case <-ctx.Done():
					p.Quit()
					return
				case w := <-windowChanges:
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}()
		_, err := p.Run()
		p.Kill()
		if where, value, stack := sp.noted(); where != "" {
			s.logPanic(fmt.Sprintf("the session of %s from %s (%s)", who(sess.Context()), sess.RemoteAddr(), where), value, stack)
		} else if errors.Is(err, tea.ErrProgramPanic) {
			// A command's panic, recovered by bubbletea, which wrote its
			// trace to standard error.
			s.opts.Logf("the session of %s from %s ended by a panic in a command of its console (trace above)", who(sess.Context()), sess.RemoteAddr())
		}
		if where, _, _ := sp.noted(); where != "" || errors.Is(err, tea.ErrProgramPanic) {
			_, _ = fmt.Fprint(sess.Stderr(), "\r\nkiteconsole: the console stopped on an error\r\n")
			_ = sess.Exit(1)
		}
		next(sess)
	}
}

// guardedModel is a session's console as its program runs it: it notes
// the first panic of Init, Update or View (bubbletea recovers it and ends
// the program), and parses each new view as the renderer will, where a
// panic is recovered.
type guardedModel struct {
	tea.Model
	panicked *sessionPanic
	checked  *string // the last view content that parsed
	// hook, in tests, runs before each Update; viewHook changes each view.
	hook     func(tea.Msg) tea.Cmd
	viewHook func(string) string
}

func (m guardedModel) catch(where string) {
	if r := recover(); r != nil {
		m.panicked.note(where, r)
		panic(r)
	}
}

func (m guardedModel) Init() tea.Cmd {
	defer m.catch("its console's Init")
	return m.Model.Init()
}

func (m guardedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer m.catch("its console's Update")
	var hooked tea.Cmd
	if m.hook != nil {
		hooked = m.hook(msg)
	}
	next, cmd := m.Model.Update(msg)
	m.Model = next
	if hooked != nil {
		cmd = tea.Batch(cmd, hooked)
	}
	return m, cmd
}

func (m guardedModel) View() tea.View {
	defer m.catch("its console's View")
	v := m.Model.View()
	if m.viewHook != nil {
		v.Content = m.viewHook(v.Content)
	}
	if v.Content != *m.checked {
		parseLikeTheRenderer(v.Content)
		*m.checked = v.Content
	}
	return v
}

// parseLikeTheRenderer decodes a view's sequences as the renderer does
// when it draws it (with either width method, which the terminal
// chooses), and reads their styles and links.
func parseLikeTheRenderer(content string) {
	p := ansi.GetParser()
	defer ansi.PutParser(p)
	for _, decode := range []func(string, byte, *ansi.Parser) (string, int, int, byte){
		ansi.DecodeSequence[string], ansi.DecodeSequenceWc[string],
	} {
		var style uv.Style
		var link uv.Link
		var state byte
		for str := content; len(str) > 0; {
			seq, width, n, next := decode(str, state, p)
			if width == 0 {
				switch {
				case ansi.HasCsiPrefix(seq) && p.Command() == 'm':
					uv.ReadStyle(p.Params(), &style)
				case ansi.HasOscPrefix(seq) && p.Command() == 8:
					uv.ReadLink(p.Data(), &link)
				}
			}
			if n <= 0 {
				n = 1
			}
			str, state = str[n:], next
		}
	}
}

// sessionEnded is what bubbletea reads instead of the session: nothing,
// until the console ends. readInput reads the session.
type sessionEnded struct{ ctx context.Context }

func (r sessionEnded) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, io.EOF
}

// readInput decodes a session's input into the console's events, at most
// InputEventsPerSecond of them (past a burst of InputBurst), in goroutines
// that recover: a panic of the decoder ends this session only.
func (s *Server) readInput(ctx context.Context, sess ssh.Session, term string, p *tea.Program, sp *sessionPanic) {
	stop := func(where string) {
		if r := recover(); r != nil {
			sp.note(where, r)
			p.Kill()
		}
	}
	var in io.Reader = newBoundedInput(sess)
	if wrap := s.wrapInput.Load(); wrap != nil {
		in = (*wrap)(in)
	}
	// The reader runs in a goroutine of the decoder's own: it recovers
	// inside Read.
	in = &recoveringReader{r: in, onPanic: func(r any) { sp.note("its input", r); p.Kill() }}
	events := make(chan uv.Event)
	go func() {
		defer stop("its input's decoder")
		defer close(events)
		_ = uv.NewTerminalReader(in, term).StreamEvents(ctx, events)
	}()
	go func() {
		defer func() {
			for range events { // the decoder must not wait on a reader gone
			}
		}()
		defer stop("its input")
		limit := rate.NewLimiter(InputEventsPerSecond, InputBurst)
		for ev := range events {
			now := s.opts.Clock.Now
			if clock := s.inputClock.Load(); clock != nil {
				now = *clock
			}
			passed := limit.AllowN(now(), 1)
			if seen := s.inputSeen.Load(); seen != nil {
				(*seen)(ev, passed)
			}
			if passed {
				p.Send(ev)
			}
		}
	}()
}

// errInputPanicked ends the input of a session whose reader panicked.
var errInputPanicked = errors.New("the session's input stopped on an error")

// recoveringReader recovers a panic of its reader, in whatever goroutine
// reads it.
type recoveringReader struct {
	r       io.Reader
	onPanic func(any)
	failed  atomic.Bool
}

func (r *recoveringReader) Read(b []byte) (n int, err error) {
	if r.failed.Load() {
		return 0, errInputPanicked
	}
	defer func() {
		if v := recover(); v != nil {
			r.failed.Store(true)
			r.onPanic(v)
			n, err = 0, errInputPanicked
		}
	}()
	return r.r.Read(b)
}

// filterFor is a session's message filter: it notes keys for the idle
// timer, tells tests the console's size, and drops what must never run
// on the server.
func (s *Server) filterFor(lastKey *atomic.Int64) func(tea.Model, tea.Msg) tea.Msg {
	return func(m tea.Model, msg tea.Msg) tea.Msg {
		// No exec, no suspend: nothing runs on, or stops, the server for a
		// session (tea.WithFilter keeps one filter: this one replaces
		// wish's, which turned a suspend into a resume).
		msg = ui.RemoteFilter(m, msg)
		switch msg := msg.(type) {
		case tea.KeyPressMsg, tea.MouseClickMsg, tea.MouseWheelMsg:
			lastKey.Store(s.opts.Clock.Now().UnixNano())
		case tea.WindowSizeMsg:
			if sized := s.sized.Load(); sized != nil {
				(*sized)(msg.Width, msg.Height)
			}
		}
		return msg
	}
}

// programOptions is bm.MakeOptions for a session, with the console's input
// read by readInput and the session's filter.
func (s *Server) programOptions(ctx context.Context, sess ssh.Session, lastKey *atomic.Int64) []tea.ProgramOption {
	return append(bm.MakeOptions(sess), tea.WithInput(sessionEnded{ctx}), tea.WithFilter(s.filterFor(lastKey)))
}
