package sshserver

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
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

	// DefaultHandshakeTimeout is how long a connection has to log in.
	DefaultHandshakeTimeout = 20 * time.Second
	// DefaultNoSessionTimeout closes a logged-in connection that has no
	// session open for that long.
	DefaultNoSessionTimeout = time.Minute
	// DefaultMaxConnections bounds the connections at once, logged in or
	// not; DefaultMaxConnectionsPerAddress those from one address.
	DefaultMaxConnections           = 2 * DefaultMaxSessions
	DefaultMaxConnectionsPerAddress = 16
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

// connections counts the connections open, in all and per address.
type connections struct {
	mu        sync.Mutex
	total     int
	byAddress map[string]int
	// A flood of refused connections is one log line per
	// refusalLogEvery, with how many were refused since the last.
	lastRefusalLog time.Time
	unlogged       int
}

// refusalLogEvery spaces the log lines of refused connections.
const refusalLogEvery = 10 * time.Second

// guardedConn is one accepted connection: counted until it is closed, and
// closed by its timer unless it logs in in time and keeps a session open.
type guardedConn struct {
	net.Conn
	release   func()
	closeOnce sync.Once

	mu       sync.Mutex
	timer    *time.Timer
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

// acceptConn is the server's ConnCallback: it refuses a connection past
// the bounds (nil closes it) and starts its handshake deadline.
func (s *Server) acceptConn(ctx ssh.Context, conn net.Conn) net.Conn {
	addr := addressOf(conn.RemoteAddr())
	s.conns.mu.Lock()
	if s.conns.total >= s.opts.MaxConnections || s.conns.byAddress[addr] >= s.opts.MaxConnectionsPerAddress {
		total, here := s.conns.total, s.conns.byAddress[addr]
		s.conns.unlogged++
		now := time.Now()
		if now.Sub(s.conns.lastRefusalLog) < refusalLogEvery {
			s.conns.mu.Unlock()
			return nil
		}
		refused := s.conns.unlogged
		s.conns.lastRefusalLog, s.conns.unlogged = now, 0
		s.conns.mu.Unlock()
		s.opts.Logf("refused a connection from %s: %d open from there, %d in all (%d refused since the last such line)", addr, here, total, refused)
		return nil
	}
	s.conns.total++
	s.conns.byAddress[addr]++
	s.conns.mu.Unlock()
	g := &guardedConn{Conn: conn, idle: s.opts.NoSessionTimeout}
	g.release = func() {
		s.conns.mu.Lock()
		defer s.conns.mu.Unlock()
		s.conns.total--
		if s.conns.byAddress[addr]--; s.conns.byAddress[addr] <= 0 {
			delete(s.conns.byAddress, addr)
		}
	}
	// Closing the connection ends the handshake or the idle wait: the SSH
	// library's reads fail and it cleans up.
	g.timer = time.AfterFunc(s.opts.HandshakeTimeout, func() { _ = g.Conn.Close() })
	ctx.SetValue(connKey{}, g)
	return g
}

// openConnections is how many connections are open now.
func (s *Server) openConnections() int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	return s.conns.total
}

func guardOf(ctx ssh.Context) *guardedConn {
	g, _ := ctx.Value(connKey{}).(*guardedConn)
	return g
}

// sessionChannel is the "session" channel handler: the library's, given
// the requests only once they are checked and capped.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	g := guardOf(ctx)
	if g != nil {
		if !g.openSession() {
			_ = newChan.Reject(gossh.ResourceShortage, fmt.Sprintf("at most %d sessions on one connection", MaxSessionChannels))
			return
		}
		defer g.closeSession()
	}
	ssh.DefaultSessionHandler(srv, conn, &checkedChannel{NewChannel: newChan}, ctx)
}

// checkedChannel hands the library a channel whose requests pass through
// checkRequest first.
type checkedChannel struct {
	gossh.NewChannel
}

func (c *checkedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	checked := make(chan *gossh.Request)
	go func() {
		defer close(checked)
		var env sessionEnv
		for req := range reqs {
			if checkRequest(req, &env) {
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
