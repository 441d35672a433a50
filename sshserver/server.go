// Package sshserver serves the console over SSH with wish: a console of
// its own for every session, read-only for viewers' keys, able to change
// things for operators' keys, every other key and every password refused.
// The Buildkite API token stays on the server.
package sshserver

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/wish/v2"
	"github.com/charmbracelet/ssh"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/jonboulle/clockwork"
	gossh "golang.org/x/crypto/ssh"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/ui"
)

// Role is what a key may do.
type Role int

// Roles.
const (
	NoAccess Role = iota
	Viewer
	Operator
)

func (r Role) String() string { return [...]string{"none", "viewer", "operator"}[r] }

// Options configure the server.
type Options struct {
	// AuthorizedKeys lists viewers' keys; OperatorKeys the keys that may
	// also change things. Both are authorized_keys files, read again at
	// every login so a change needs no restart.
	AuthorizedKeys string
	OperatorKeys   string
	// HostKey is the server's private key, generated (0600) when missing.
	HostKey string
	// IdleTimeout closes a session with no key pressed for that long.
	IdleTimeout time.Duration
	// MaxSessions bounds the sessions at once.
	MaxSessions int
	// HandshakeTimeout is how long a connection has to log in;
	// NoSessionTimeout closes a logged-in connection without a session
	// open for that long; SessionStartTimeout closes a session that has
	// not asked for its shell that long after it opened.
	HandshakeTimeout    time.Duration
	NoSessionTimeout    time.Duration
	SessionStartTimeout time.Duration
	// MaxConnections bounds the logged-in connections at once;
	// MaxConnectionsPerAddress those from one address.
	MaxConnections           int
	MaxConnectionsPerAddress int
	// MaxLoggingIn bounds the connections still logging in, apart from
	// the logged-in ones; MaxLoggingInPerAddress those from one address.
	MaxLoggingIn           int
	MaxLoggingInPerAddress int
	// Client talks to Buildkite for every session; each session gets its
	// own copy with its own access and audit hook.
	Client *api.Client
	// ReadOnly makes every session read-only, operators' too.
	ReadOnly bool
	Audit    *audit.Log
	Demo     bool
	Refresh  time.Duration
	Keys     *keymap.KeyMap
	// NoteSignature follows the note of every pause a session sends, with
	// {user} the session's user name: "{user} via kiteconsole" sends
	// "INC-1 — alice via kiteconsole" when alice types "INC-1". Every
	// session pauses with the server's token, whose owner Buildkite shows
	// as who paused. Empty: the note as typed.
	NoteSignature string
	// Logf reports server events (never a token).
	Logf func(format string, args ...any)
	// Clock runs the server's timers (the handshake, no-session, session
	// start and idle timeouts, the input rate, keys' expiry-time) and its
	// sessions' consoles': the real clock unless a test moves one by hand.
	Clock clockwork.Clock
}

// Defaults of Options.
const (
	DefaultIdleTimeout = 15 * time.Minute
	DefaultMaxSessions = 32
)

// DefaultHostKey is where the host key lives when no path is given.
func DefaultHostKey() string { return filepath.Join(audit.StateDir(), "ssh_host_ed25519_key") }

// Server is the SSH server.
type Server struct {
	opts     Options
	ssh      *ssh.Server
	sessions atomic.Int64
	conns    connections
	// now is the clock keys' expiry-time is checked on.
	now func() time.Time
	// sized, when set, is told every terminal size a console is given:
	// tests watch the cap with it.
	sized atomic.Pointer[func(width, height int)]
	// Tests' hooks: wrapInput wraps each session's input; inputSeen is
	// told each input event and whether it passed the rate; updateHook
	// runs before each Update of a console, viewHook on each view, with
	// the session's user name.
	wrapInput  atomic.Pointer[func(io.Reader) io.Reader]
	inputSeen  atomic.Pointer[func(ev uv.Event, passed bool)]
	updateHook atomic.Pointer[func(user string, msg tea.Msg) tea.Cmd]
	viewHook   atomic.Pointer[func(user, content string) string]
	// inputClock, when set, is the clock of the input rate.
	inputClock atomic.Pointer[func() time.Time]

	// programs are the consoles of the sessions open now: a change made
	// in one is told to the others, which refresh what they show.
	mu       sync.Mutex
	programs map[*tea.Program]struct{}

	// served is closed when Serve returns (see Shutdown).
	served      chan struct{}
	serveOnce   sync.Once
	serveCalled atomic.Bool
}

type roleKey struct{}

// New builds the server; Serve starts it.
func New(opts Options) (*Server, error) {
	if opts.Client == nil {
		return nil, errors.New("sshserver: no API client")
	}
	if opts.AuthorizedKeys == "" && opts.OperatorKeys == "" {
		return nil, errors.New("give --authorized-keys (viewers) and/or --operator-keys: without them nobody could log in")
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	for _, p := range []string{opts.AuthorizedKeys, opts.OperatorKeys} {
		if p == "" {
			continue
		}
		keys, err := readKeys(p)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if k.unusable != "" {
				opts.Logf("warning: %s:%d: key %s will be refused: %s", p, k.line, gossh.FingerprintSHA256(k.key), k.unusable)
			}
		}
	}
	if opts.HostKey == "" {
		opts.HostKey = DefaultHostKey()
	}
	if err := ensureHostKey(opts.HostKey); err != nil {
		return nil, err
	}
	if info, err := os.Stat(opts.HostKey); err == nil && info.Mode().Perm()&0o077 != 0 {
		opts.Logf("warning: the host key %s can be read by others (mode %04o): anyone who reads it can pose as this server; chmod 600 %s",
			opts.HostKey, info.Mode().Perm(), opts.HostKey)
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if opts.NoSessionTimeout <= 0 {
		opts.NoSessionTimeout = DefaultNoSessionTimeout
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = max(DefaultMaxConnections, 2*opts.MaxSessions)
	}
	if opts.MaxConnectionsPerAddress <= 0 {
		opts.MaxConnectionsPerAddress = min(DefaultMaxConnectionsPerAddress, opts.MaxConnections)
	}
	if opts.SessionStartTimeout <= 0 {
		opts.SessionStartTimeout = DefaultSessionStartTimeout
	}
	if opts.MaxLoggingIn <= 0 {
		opts.MaxLoggingIn = DefaultMaxLoggingIn
	}
	if opts.MaxLoggingInPerAddress <= 0 {
		opts.MaxLoggingInPerAddress = min(DefaultMaxLoggingInPerAddress, opts.MaxLoggingIn)
	}
	s := &Server{opts: opts, now: opts.Clock.Now, conns: connections{loggingInBy: map[string]int{}, loggedInBy: map[string]int{}}}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(opts.HostKey),
		// Only public keys: with no password or keyboard-interactive
		// handler those methods are not offered at all.
		wish.WithPublicKeyAuth(s.authorize),
		// A connection has logged in when its key's signature is
		// verified, not when the key is found in a file: anyone may offer
		// a public key they do not hold.
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{VerifiedPublicKeyCallback: func(_ gossh.ConnMetadata, _ gossh.PublicKey, perms *gossh.Permissions, _ string) (*gossh.Permissions, error) {
					return perms, s.verified(ctx, perms)
				}}
			}
			return nil
		},
		// Every connection is counted and must log in, and then keep a
		// session open, in time.
		ssh.WrapConn(s.acceptConn),
		// Sessions' requests are checked before the library sees them;
		// no other channel (forwarding) exists.
		func(srv *ssh.Server) error {
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
			return nil
		},
		wish.WithMiddleware(s.serveConsole),
	)
	if err != nil {
		return nil, fmt.Errorf("sshserver: %w", err)
	}
	s.ssh = srv
	return s, nil
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.serveOnce.Do(func() { s.served = make(chan struct{}) })
	s.serveCalled.Store(true)
	defer close(s.served)
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown closes the listener and every session, and waits for Serve to
// return. It closes rather than calling the SSH library's Shutdown, which
// waits on a WaitGroup that Serve adds to: a Shutdown soon after Serve
// was reported as a data race by the race detector.
func (s *Server) Shutdown(ctx context.Context) error {
	s.serveOnce.Do(func() { s.served = make(chan struct{}) })
	err := s.ssh.Close()
	if s.serveCalled.Load() {
		select {
		case <-s.served:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

// roleExtension carries a key's role from authorize, where the key is only
// offered, to verified, where its signature has been checked: the SSH
// library keeps it with the key it was decided for.
const roleExtension = "kiteconsole-role"

// authorize decides a key's role: operators first, then viewers; every
// other key is refused. The key is only offered here, not yet proved:
// the role is kept with it, and given to the connection by verified.
//
// The user name is the client's choice, made before any login: it is
// logged quoted, never raw.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.logPanic(fmt.Sprintf("the login of %s from %s", quoteName(ctx.User()), ctx.RemoteAddr()), r)
			ok = false
		}
	}()
	role, why := s.roleOf(key, ctx.RemoteAddr())
	if role == NoAccess {
		if why == "" {
			why = "not listed"
		}
		s.opts.Logf("refused key %s for %s from %s: %s", gossh.FingerprintSHA256(key), quoteName(ctx.User()), ctx.RemoteAddr(), why)
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[roleExtension] = role.String()
	return true
}

// verified is called once a key's signature is checked: the connection
// has logged in, with the role decided for that key.
func (s *Server) verified(ctx ssh.Context, perms *gossh.Permissions) error {
	role := NoAccess
	if perms != nil {
		for _, r := range []Role{Viewer, Operator} {
			if perms.Extensions[roleExtension] == r.String() {
				role = r
			}
		}
	}
	if role == NoAccess {
		return errors.New("no role")
	}
	if g := guardOf(ctx); g != nil {
		if err := s.loggedIn(g); err != nil {
			return err
		}
	}
	ctx.SetValue(roleKey{}, role)
	return nil
}

// roleOf is a key's role from addr now, or NoAccess and, for a listed key
// its options keep out, the reason.
func (s *Server) roleOf(key ssh.PublicKey, addr net.Addr) (Role, string) {
	var why string
	for _, file := range []struct {
		path string
		role Role
	}{{s.opts.OperatorKeys, Operator}, {s.opts.AuthorizedKeys, Viewer}} {
		if file.path == "" {
			continue
		}
		keys, err := readKeys(file.path)
		if err != nil {
			continue
		}
		for _, k := range keys {
			if !ssh.KeysEqual(k.key, key) {
				continue
			}
			reason := k.admits(addr, s.now())
			if reason == "" {
				return file.role, ""
			}
			why = fmt.Sprintf("%s:%d: %s", file.path, k.line, reason)
		}
	}
	return NoAccess, why
}

// ensureHostKey writes a new ed25519 host key (0600, its directory 0700)
// when there is none.
func ensureHostKey(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(priv, "kiteconsole host key")
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

// maxSignedName bounds the user name a note is signed with: the client
// chooses it.
const maxSignedName = 64

// noteSignature is tmpl with {user} the session's user name, on one line
// and bounded.
func noteSignature(tmpl, user string) string {
	if tmpl == "" {
		return ""
	}
	name := []rune(termsafe.Text(user))
	if len(name) > maxSignedName {
		name = append(name[:maxSignedName], '…')
	}
	return strings.TrimSpace(strings.ReplaceAll(tmpl, "{user}", string(name)))
}

// Actor is who a session is, for the audit log.
func actor(sess ssh.Session) audit.Actor {
	a := audit.Actor{Who: sess.User(), WhoIs: audit.WhoIsClientName, Via: "ssh"}
	if k := sess.PublicKey(); k != nil {
		a.Fingerprint = gossh.FingerprintSHA256(k)
	}
	return a
}

// program builds a session's own console: its own client copy (read-only
// for viewers), its own screen stack, an idle timer fed by its keys, and
// its input read by readInput. It lives until ctx ends.
func (s *Server) program(ctx context.Context, sess ssh.Session, pty ssh.Pty, sp *sessionPanic) *tea.Program {
	role, _ := sess.Context().Value(roleKey{}).(Role)
	who := actor(sess)
	var self atomic.Pointer[tea.Program]
	client, onRefused := s.clientFor(role, who, func() { s.changedBy(self.Load()) })
	client = client.WithNoteSignature(noteSignature(s.opts.NoteSignature, sess.User()))
	app := ui.New(ctx, ui.Options{Client: client, Demo: s.opts.Demo, Refresh: s.opts.Refresh, Keys: s.opts.Keys,
		Remote: true, OnRefused: onRefused, Dark: true, Clock: s.opts.Clock})
	s.opts.Logf("session for %s (%s, %s) from %s", quoteName(who.Who), role, who.Fingerprint, sess.RemoteAddr())

	var lastKey atomic.Int64
	lastKey.Store(s.opts.Clock.Now().UnixNano())
	model := guardedModel{Model: app, panicked: sp, checked: new(string)}
	if hook := s.updateHook.Load(); hook != nil {
		model.hook = func(msg tea.Msg) tea.Cmd { return (*hook)(sess.User(), msg) }
	}
	if hook := s.viewHook.Load(); hook != nil {
		model.viewHook = func(content string) string { return (*hook)(sess.User(), content) }
	}
	p := tea.NewProgram(model, s.programOptions(ctx, sess, &lastKey)...)
	self.Store(p)
	s.mu.Lock()
	if s.programs == nil {
		s.programs = map[*tea.Program]struct{}{}
	}
	s.programs[p] = struct{}{}
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		delete(s.programs, p)
		s.mu.Unlock()
	}()
	s.readInput(ctx, sess, pty.Term, p, sp)
	// The idle ticker is set before the console first shows: a console on
	// screen has its idle clock running.
	idle := s.opts.Clock.NewTicker(min(s.opts.IdleTimeout/4, time.Minute))
	go s.watchIdle(ctx, sess, p, &lastKey, idle)
	return p
}

// changedBy tells every session but the one that made a change that the
// organisation changed. They refresh together, so the shared fetcher
// sends one request for each screen they show.
func (s *Server) changedBy(self *tea.Program) {
	s.mu.Lock()
	others := make([]*tea.Program, 0, len(s.programs))
	for p := range s.programs {
		if p != self {
			others = append(others, p)
		}
	}
	s.mu.Unlock()
	for _, p := range others {
		go p.Send(ui.ChangedElsewhere{})
	}
}

// clientFor is a session's own copy of the API client: read-only unless
// the key is an operator's, and with the session's own audit hook. This is
// where a viewer is kept from changing anything, whatever the screens do.
//
// changed, when set, is called after each change the session made.
func (s *Server) clientFor(role Role, who audit.Actor, changed func()) (*api.Client, func(string, audit.Target, string)) {
	readOnly := role != Operator || s.opts.ReadOnly
	var audited func(context.Context, api.ChangeEvent)
	var onRefused func(string, audit.Target, string)
	if s.opts.Audit != nil {
		audited = s.opts.Audit.Hook(who, s.opts.Client.Org(), func(err error) { s.opts.Logf("audit log: %v", err) })
		onRefused = func(action string, t audit.Target, note string) {
			s.opts.Audit.Refused(who, s.opts.Client.Org(), action, t, note)
		}
	}
	onChange := func(ctx context.Context, ev api.ChangeEvent) {
		if audited != nil {
			audited(ctx, ev)
		}
		// Tell the others of a change made, or perhaps made (a timeout):
		// what they show may be stale.
		if changed != nil && !ev.Refused && (ev.Err == nil || errors.Is(ev.Err, api.ErrTimeout)) {
			changed()
		}
	}
	return s.opts.Client.WithAccess(readOnly, onChange), onRefused
}

// watchIdle ends a session whose keys have been still for IdleTimeout.
func (s *Server) watchIdle(ctx context.Context, sess ssh.Session, p *tea.Program, lastKey *atomic.Int64, tick clockwork.Ticker) {
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
			if s.opts.Clock.Since(time.Unix(0, lastKey.Load())) >= s.opts.IdleTimeout {
				p.Quit()
				_, _ = fmt.Fprintf(sess.Stderr(), "\r\nkiteconsole: closed after %s without a key pressed\r\n", s.opts.IdleTimeout)
				_ = sess.Close()
				return
			}
		}
	}
}
