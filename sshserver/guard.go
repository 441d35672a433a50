package sshserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/jonboulle/clockwork"
	gossh "golang.org/x/crypto/ssh"
)

// What one peer may make the server hold. A connection costs a descriptor
// and a goroutine or two before anyone has logged in, so connections are
// bounded, not only shells; a session's memory follows from its terminal's
// size and from what it may send, so those are bounded too.
const (
	// MaxColumns and MaxRows cap the terminal size a client may ask for,
	// in its pty-req and in every window-change: the console draws into a
	// buffer of columns × rows cells, and a client asking for 65535 × 65535
	// would have the server allocate gigabytes. A larger terminal gets a
	// console of this size in its top-left corner.
	MaxColumns = 500
	MaxRows    = 200

	// MaxEnv bounds the env requests of one session, and MaxEnvBytes the
	// size of each (name and value): a terminal sends a handful (TERM,
	// LANG, COLORTERM); the rest are refused.
	MaxEnv      = 32
	MaxEnvBytes = 4 << 10

	// MaxTermName bounds the TERM of a pty-req.
	MaxTermName = 256

	// MaxSessionChannels bounds the session channels open at once on one
	// connection (multiplexing clients open a few).
	MaxSessionChannels = 4

	// DefaultHandshakeTimeout is how long a connection has to log in: a
	// client with its key in an agent takes a fraction of a second.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultNoSessionTimeout closes a logged-in connection that has no
	// session open for that long.
	DefaultNoSessionTimeout = time.Minute
	// DefaultSessionStartTimeout closes a session channel that has not
	// asked for its shell that long after it opened: a client asks at once.
	DefaultSessionStartTimeout = 10 * time.Second
	// DefaultMaxConnections bounds the logged-in connections at once;
	// DefaultMaxConnectionsPerAddress those from one address.
	DefaultMaxConnections           = 2 * DefaultMaxSessions
	DefaultMaxConnectionsPerAddress = 16
	// DefaultMaxLoggingIn bounds the connections still logging in, apart
	// from the logged-in ones, so that connections that never log in
	// cannot take the places of people with keys;
	// DefaultMaxLoggingInPerAddress those from one address.
	DefaultMaxLoggingIn           = 16
	DefaultMaxLoggingInPerAddress = 4
)

// maxLoggedName bounds how much of a client-chosen user name is logged.
const maxLoggedName = 64

// quoteName quotes a user name the client chose, before any login, for a
// log line: %q escapes newlines and escape sequences, so that a name can
// neither forge lines nor drive the operator's terminal; a long name is cut.
func quoteName(name string) string {
	if len(name) > maxLoggedName {
		return fmt.Sprintf("%q…", name[:maxLoggedName])
	}
	return fmt.Sprintf("%q", name)
}

// connKey finds a connection's guard in its context.
type connKey struct{}

// connections counts the connections open: those still logging in, in
// the order they came, and the logged-in ones, in all and per source.
type connections struct {
	mu          sync.Mutex
	loggingIn   []*guardedConn
	loggingInBy map[string]int
	loggedIn    int
	loggedInBy  map[string]int
	// A flood of refused connections is one log line per
	// refusalLogEvery, with how many were refused since the last.
	lastRefusalLog time.Time
	unlogged       int
}

// refusalLogEvery spaces the log lines of refused connections.
const refusalLogEvery = 10 * time.Second

// stage is where a connection is in its life.
type stage int

const (
	stageLoggingIn stage = iota
	stageLoggedIn
	stageGone // closed, or cut to make room for another
)

// guardedConn is one accepted connection: counted until it is closed, and
// closed by its timer unless it logs in in time and keeps a session open.
type guardedConn struct {
	net.Conn
	source    string
	release   func()
	closeOnce sync.Once
	stage     stage // guarded by the server's conns.mu

	mu       sync.Mutex
	timer    clockwork.Timer
	sessions int
	idle     time.Duration // the no-session timeout
}

func (c *guardedConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.timer.Stop()
		c.mu.Unlock()
		c.release()
	})
	return err
}

// loggedIn trades the handshake deadline for the no-session timeout.
func (c *guardedConn) loggedIn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions == 0 {
		c.timer.Reset(c.idle)
	}
}

// openSession stops the timer while a session is open; it refuses one
// more than MaxSessionChannels.
func (c *guardedConn) openSession() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions >= MaxSessionChannels {
		return false
	}
	c.sessions++
	c.timer.Stop()
	return true
}

func (c *guardedConn) closeSession() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions--
	if c.sessions == 0 {
		c.timer.Reset(c.idle)
	}
}

func addressOf(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// sourceOf is what connections are counted by: the address, or for IPv6
// its /64, which one host usually holds whole.
func sourceOf(a net.Addr) string {
	addr := addressOf(a)
	if ip := net.ParseIP(addr); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return addr
}

// acceptConn is the server's ConnCallback: it counts a connection among
// those logging in and starts its handshake deadline, or refuses it (nil
// closes it).
//
// Connections logging in have bounds of their own, apart from the logged-in
// ones: a flood that never logs in fills only those. When they are full, a
// newcomer takes the place of the oldest connection of the source holding
// the most, if that source holds more than the newcomer's: a person with a
// key, from an address of their own, always gets a place and logs in long
// before a flood from a handful of addresses could take it back.
func (s *Server) acceptConn(ctx ssh.Context, conn net.Conn) net.Conn {
	source := sourceOf(conn.RemoteAddr())
	g := &guardedConn{Conn: conn, source: source, idle: s.opts.NoSessionTimeout}
	g.release = func() { s.releaseConn(g) }
	// Closing the connection ends the handshake or the idle wait: the SSH
	// library's reads fail and it cleans up. The timer is set before the
	// connection is counted, where another's arrival may cut it.
	g.timer = s.opts.Clock.AfterFunc(s.opts.HandshakeTimeout, func() { _ = g.Conn.Close() })
	c := &s.conns
	c.mu.Lock()
	here, all := c.loggingInBy[source], len(c.loggingIn)
	var cut *guardedConn
	refused := here >= s.opts.MaxLoggingInPerAddress
	if !refused && all >= s.opts.MaxLoggingIn {
		cut = c.victimLocked(source)
		refused = cut == nil
	}
	if refused {
		g.timer.Stop()
		line := c.noteRefusalLocked(s.opts.Clock.Now())
		c.mu.Unlock()
		if line > 0 {
			s.opts.Logf("refused a connection from %s: %d from there and %d in all are logging in (%d refused or cut since the last such line)", source, here, all, line)
		}
		return nil
	}
	c.loggingIn = append(c.loggingIn, g)
	c.loggingInBy[source]++
	var line int
	if cut != nil {
		line = c.noteRefusalLocked(s.opts.Clock.Now())
	}
	c.mu.Unlock()
	if cut != nil {
		_ = cut.Close()
		if line > 0 {
			s.opts.Logf("cut a connection from %s that had not logged in, for one from %s: %d are logging in (%d refused or cut since the last such line)", cut.source, source, all, line)
		}
	}
	ctx.SetValue(connKey{}, g)
	return g
}

// victimLocked takes out of the count the connection logging in that a
// newcomer from source replaces: the oldest of the source holding the most,
// if it holds more than source does; else nil.
func (c *connections) victimLocked(source string) *guardedConn {
	best := -1
	for i, g := range c.loggingIn {
		if best < 0 || c.loggingInBy[g.source] > c.loggingInBy[c.loggingIn[best].source] {
			best = i
		}
	}
	if best < 0 || c.loggingInBy[c.loggingIn[best].source] <= c.loggingInBy[source] {
		return nil
	}
	g := c.loggingIn[best]
	c.forgetLocked(g)
	return g
}

// forgetLocked takes g out of the count it is in.
func (c *connections) forgetLocked(g *guardedConn) {
	switch g.stage {
	case stageLoggingIn:
		c.loggingIn = slices.DeleteFunc(c.loggingIn, func(o *guardedConn) bool { return o == g })
		if c.loggingInBy[g.source]--; c.loggingInBy[g.source] <= 0 {
			delete(c.loggingInBy, g.source)
		}
	case stageLoggedIn:
		c.loggedIn--
		if c.loggedInBy[g.source]--; c.loggedInBy[g.source] <= 0 {
			delete(c.loggedInBy, g.source)
		}
	}
	g.stage = stageGone
}

// noteRefusalLocked counts a refusal and says whether to log it now: the
// number refused since the last line, or 0 to stay quiet.
func (c *connections) noteRefusalLocked(now time.Time) int {
	c.unlogged++
	if now.Sub(c.lastRefusalLog) < refusalLogEvery {
		return 0
	}
	n := c.unlogged
	c.lastRefusalLog, c.unlogged = now, 0
	return n
}

func (s *Server) releaseConn(g *guardedConn) {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	s.conns.forgetLocked(g)
}

// loggedIn moves a connection whose key was verified from those logging in
// to the logged-in ones, within their bounds.
func (s *Server) loggedIn(g *guardedConn) error {
	c := &s.conns
	c.mu.Lock()
	if g.stage != stageLoggingIn {
		c.mu.Unlock()
		return errors.New("connection closed")
	}
	here, all := c.loggedInBy[g.source], c.loggedIn
	if all >= s.opts.MaxConnections || here >= s.opts.MaxConnectionsPerAddress {
		line := c.noteRefusalLocked(s.opts.Clock.Now())
		c.mu.Unlock()
		if line > 0 {
			s.opts.Logf("refused a login from %s: %d connections logged in from there, %d in all (%d refused or cut since the last such line)", g.source, here, all, line)
		}
		return fmt.Errorf("all %d connections are in use", s.opts.MaxConnections)
	}
	c.forgetLocked(g)
	g.stage = stageLoggedIn
	c.loggedIn++
	c.loggedInBy[g.source]++
	c.mu.Unlock()
	g.loggedIn()
	return nil
}

// openConnections is how many connections are open now, logging in or
// logged in.
func (s *Server) openConnections() int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	return len(s.conns.loggingIn) + s.conns.loggedIn
}

func guardOf(ctx ssh.Context) *guardedConn {
	g, _ := ctx.Value(connKey{}).(*guardedConn)
	return g
}

// sessionChannel is the "session" channel handler: the library's, given
// the requests only once they are checked and capped. A session counts
// against MaxSessions from the moment its channel opens, and must ask for
// its shell within SessionStartTimeout: a channel left without one was
// kept for ever, and counted nowhere.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	defer s.recoverSession(ctx, "its session channel")
	g := guardOf(ctx)
	if g != nil {
		if !g.openSession() {
			_ = newChan.Reject(gossh.ResourceShortage, fmt.Sprintf("at most %d sessions on one connection", MaxSessionChannels))
			return
		}
		defer g.closeSession()
	}
	if n := s.sessions.Add(1); n > int64(s.opts.MaxSessions) {
		s.sessions.Add(-1)
		_ = newChan.Reject(gossh.ResourceShortage, fmt.Sprintf("kiteconsole: all %d sessions are in use; try again later", s.opts.MaxSessions))
		return
	}
	defer s.sessions.Add(-1)
	ch := &checkedChannel{NewChannel: newChan, clock: s.opts.Clock, startWithin: s.opts.SessionStartTimeout, notStarted: func() {
		s.opts.Logf("closed a session of %s from %s: no shell asked for within %s", who(ctx), ctx.RemoteAddr(), s.opts.SessionStartTimeout)
	}}
	ssh.DefaultSessionHandler(srv, conn, ch, ctx)
}

// who names a connection's person for a log line: the quoted user name
// and the key's fingerprint.
func who(ctx ssh.Context) string {
	fp := "no key"
	if k, ok := ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey); ok && k != nil {
		fp = gossh.FingerprintSHA256(k)
	}
	return fmt.Sprintf("%s (%s)", quoteName(ctx.User()), fp)
}

// checkedChannel hands the library a channel whose requests pass through
// checkRequest first, and closes it unless it asks for a shell (or a
// command) within startWithin.
type checkedChannel struct {
	gossh.NewChannel
	clock       clockwork.Clock
	startWithin time.Duration
	notStarted  func()
}

func (c *checkedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	var started atomic.Bool
	timer := c.clock.AfterFunc(c.startWithin, func() {
		if !started.Load() {
			c.notStarted()
			_ = ch.Close()
		}
	})
	checked := make(chan *gossh.Request)
	go func() {
		defer close(checked)
		defer timer.Stop()
		var env sessionEnv
		for req := range reqs {
			if checkRequest(req, &env) {
				if req.Type == "shell" || req.Type == "exec" {
					started.Store(true)
					timer.Stop()
				}
				checked <- req
			} else if req.WantReply {
				_ = req.Reply(false, nil)
			}
		}
	}()
	return ch, checked, nil
}

// sessionEnv counts a session's env requests.
type sessionEnv struct{ count int }

// checkRequest caps the terminal size of pty-req and window-change in
// place, refuses env requests past the bounds, and refuses agent
// forwarding, which the console never uses. It reports whether the request
// goes on to the library.
func checkRequest(req *gossh.Request, env *sessionEnv) bool {
	switch req.Type {
	case "pty-req":
		// string TERM, then uint32 columns, rows, pixel width, height.
		if len(req.Payload) < 4 {
			return true // the library refuses what it cannot parse
		}
		n := binary.BigEndian.Uint32(req.Payload)
		if n > MaxTermName {
			return false // it would be kept, and put in the console's environment
		}
		if uint64(len(req.Payload)) < 4+uint64(n)+8 {
			return true
		}
		capWindow(req.Payload[4+n:])
	case "window-change":
		if len(req.Payload) >= 8 {
			capWindow(req.Payload)
		}
	case "env":
		env.count++
		return env.count <= MaxEnv && len(req.Payload) <= MaxEnvBytes
	case "auth-agent-req@openssh.com":
		return false
	}
	return true
}

// capWindow caps the columns and rows at the start of b (two uint32s).
func capWindow(b []byte) {
	if binary.BigEndian.Uint32(b[0:4]) > MaxColumns {
		binary.BigEndian.PutUint32(b[0:4], MaxColumns)
	}
	if binary.BigEndian.Uint32(b[4:8]) > MaxRows {
		binary.BigEndian.PutUint32(b[4:8], MaxRows)
	}
}
