package sshserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	gossh "golang.org/x/crypto/ssh"
)

// An option given twice refuses the key, at start and at every login:
// with from="10.9.9.9",from="*" the last one won and let every address in.
func TestARepeatedKeyOptionRefusesTheKey(t *testing.T) {
	for _, opts := range []string{`from="10.9.9.9",from="*"`, `expiry-time="20000101",expiry-time="29991231"`, `pty,PTY`} {
		t.Run(opts, func(t *testing.T) {
			h := startHostile(t, Options{}, func(s gossh.Signer) string {
				return opts + " " + string(gossh.MarshalAuthorizedKey(s.PublicKey()))
			})
			if w := h.log.with(":1: key SHA256:"); len(w) != 1 || !strings.Contains(w[0], "more than once") {
				t.Fatalf("no warning at start: %q", h.log.all())
			}
			c, err := h.dial("vera", gossh.PublicKeys(h.viewer))
			if err == nil {
				c.Close()
				t.Fatal("a key with a repeated option was admitted")
			}
			if refused := h.log.with("refused key"); len(refused) != 1 || !strings.Contains(refused[0], "more than once") {
				t.Fatalf("log = %q", h.log.all())
			}
		})
	}
}

// Refusals are counted by key, not by the user name the client chose, and
// a session's end does not write its count: a viewer reconnecting under a
// new name for each refusal is one line, then one count.
func TestRotatingUserNamesAreOneRefusalCount(t *testing.T) {
	h := startServer(t)
	for i := range 3 {
		tm := h.open(h.viewer, fmt.Sprintf("name%d", i))
		h.openCluster(tm, "Mobile")
		tm.keys("p")
		tm.keys("q")
		_ = tm.sess.Wait()
	}
	if e := h.auditEntries(); len(e) != 1 || e[0].Who != "name0" {
		t.Fatalf("audit lines before the window ended: %+v", e)
	}
	h.audit.Close()
	if e := h.auditEntries(); len(e) != 2 || e[1].Repeated != 2 || e[1].Fingerprint != gossh.FingerprintSHA256(h.viewer.PublicKey()) {
		t.Fatalf("audit lines: %+v", e)
	}
}

// dialFrom opens a TCP connection to addr from a loopback address of its
// own (127.0.0.2, …).
func dialFrom(t testing.TB, local, addr string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	return d.Dial("tcp", addr)
}

// Logged-in connections are bounded in all and per address; connections
// logging in have bounds of their own, and a flood of refused ones is one
// log line.
func TestConnectionsAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"logged in, per address", Options{MaxConnectionsPerAddress: 2, MaxConnections: 100}},
		{"logged in, in all", Options{MaxConnectionsPerAddress: 100, MaxConnections: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startHostile(t, tc.opts, nil)
			for range 2 {
				c, err := h.dial("vera", gossh.PublicKeys(h.viewer))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
			}
			if c, err := h.dial("vera", gossh.PublicKeys(h.viewer)); err == nil {
				c.Close()
				t.Fatal("a login got past the bound")
			}
			if len(h.log.with("refused a login from 127.0.0.1")) != 1 {
				t.Fatalf("log = %q", h.log.all())
			}
			// Connections logging in are counted apart.
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if closedWithin(raw, 300*time.Millisecond) {
				t.Fatal("a connection logging in was closed for the logged-in ones")
			}
		})
	}
	t.Run("logging in, per address", func(t *testing.T) {
		h := startHostile(t, Options{MaxLoggingInPerAddress: 3, MaxLoggingIn: 100, HandshakeTimeout: time.Minute}, nil)
		var held []net.Conn
		for range 3 {
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			held = append(held, c)
		}
		eventually(t, "three connections counted", func() bool { return h.srv.openConnections() == 3 })
		for range 20 {
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			if !closedWithin(c, 5*time.Second) {
				t.Fatal("a fourth connection from one address was held")
			}
			c.Close()
		}
		if n := len(h.log.with("refused a connection from 127.0.0.1")); n != 1 {
			t.Fatalf("%d log lines for 20 refused connections: %q", n, h.log.all())
		}
		// Another address still gets in, and logs in.
		c, err := dialFrom(t, "127.0.0.2", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if closedWithin(c, 300*time.Millisecond) {
			t.Fatal("a connection from another address was refused")
		}
		held[0].Close()
		eventually(t, "the slot to be given back", func() bool { return h.srv.openConnections() == 3 })
		ssh, err := h.dial("vera", gossh.PublicKeys(h.viewer))
		if err != nil {
			t.Fatalf("a login after a slot was freed: %v", err)
		}
		ssh.Close()
	})
}

// A flood of connections that never log in, from five addresses, holding
// every place there is for connections logging in and coming back as soon
// as one is cut: a person with a key still gets in, every time.
func TestAPreLoginFloodLeavesRoomForAKey(t *testing.T) {
	h := startHostile(t, Options{MaxLoggingIn: 8, MaxLoggingInPerAddress: 4, HandshakeTimeout: time.Minute}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	var dials atomic.Int64
	for i := range 5 {
		local := fmt.Sprintf("127.0.0.%d", i+2)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					c, err := dialFrom(t, local, h.addr)
					if err != nil {
						continue
					}
					dials.Add(1)
					go func() { <-ctx.Done(); c.Close() }()
					_, _ = io.Copy(io.Discard, c) // until the server closes it
					c.Close()
					time.Sleep(5 * time.Millisecond) // a flood, not a busy loop on two cores
				}
			}()
		}
	}
	eventually(t, "the flood to fill every place", func() bool { return h.srv.openConnections() == 8 && dials.Load() > 20 })
	for i := range 5 {
		c, err := h.dial("olga", gossh.PublicKeys(h.viewer))
		if err != nil {
			t.Fatalf("login %d during the flood: %v (%d flood connections so far)", i, err, dials.Load())
		}
		c.Close()
	}
	h.srv.conns.mu.Lock()
	n := len(h.srv.conns.loggingIn)
	h.srv.conns.mu.Unlock()
	if n > 8 {
		t.Fatalf("%d connections logging in; the bound is 8", n)
	}
	t.Logf("%d flood connections made; 5 of 5 logins got in", dials.Load())
}

// A listed key offered but not signed for is not a login: the connection
// keeps its handshake deadline (a public key is no secret). The deadline
// runs on a clock the test moves; a login would trade it for the hour of
// the no-session timeout.
func TestAnOfferedKeyIsNotALogin(t *testing.T) {
	clock := clockwork.NewFakeClock()
	const handshake = 500 * time.Millisecond
	h := startHostile(t, Options{HandshakeTimeout: handshake, NoSessionTimeout: time.Hour, Clock: clock}, nil)
	unsigned := &stalledSigner{pub: h.viewer.PublicKey(), release: make(chan struct{})}
	done := make(chan struct{})
	defer func() { close(unsigned.release); <-done }()
	go func() {
		defer close(done)
		if c, err := h.dial("mallory", gossh.PublicKeys(unsigned)); err == nil {
			c.Close()
		}
	}()
	eventually(t, "the key to be offered", func() bool { return unsigned.asked.Load() })
	// The client waits in Sign, reading nothing: the server's count shows
	// the connection closed at its handshake deadline.
	armed(t, clock, 1, "the handshake timeout")
	clock.Advance(handshake)
	eventually(t, "the connection to be closed at its handshake deadline", func() bool { return h.srv.openConnections() == 0 })
}

// stalledSigner offers a public key and never signs with it.
type stalledSigner struct {
	pub     gossh.PublicKey
	asked   atomic.Bool
	release chan struct{}
}

func (s *stalledSigner) PublicKey() gossh.PublicKey { return s.pub }

func (s *stalledSigner) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	s.asked.Store(true)
	<-s.release
	return nil, errors.New("no private key")
}

// A session channel that never asks for a shell is counted against
// MaxSessions, and closed and logged after SessionStartTimeout, on a clock
// the test moves.
func TestASessionWithoutAShellIsClosedAndCounted(t *testing.T) {
	clock := clockwork.NewFakeClock()
	const startWithin = 500 * time.Millisecond
	h := startHostile(t, Options{MaxSessions: 1, SessionStartTimeout: startWithin, NoSessionTimeout: time.Hour, Clock: clock}, nil)
	silent, err := h.dial("vera", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	sess, err := silent.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	other, err := h.dial("olga", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if s, err := other.NewSession(); err == nil {
		s.Close()
		t.Fatal("a session without a shell was not counted: a second one opened with MaxSessions 1")
	}
	// Two timers are set: the silent session's start timeout (its
	// connection's no-session timer stopped as it opened) and the other
	// connection's no-session timeout, an hour away.
	armed(t, clock, 2, "the session start timeout")
	clock.Advance(startWithin)
	closed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, out); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("a session that never asked for a shell is still open")
	}
	fp := gossh.FingerprintSHA256(h.viewer.PublicKey())
	eventually(t, "the log line", func() bool {
		lines := h.log.with("no shell asked for")
		return len(lines) == 1 && strings.Contains(lines[0], fp) && strings.Contains(lines[0], `"vera"`)
	})
	eventually(t, "the place to be given back", func() bool {
		s, err := other.NewSession()
		if err == nil {
			s.Close()
		}
		return err == nil
	})
}
