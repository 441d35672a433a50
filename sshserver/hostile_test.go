package sshserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/audit"
)

// logLines collects a server's log.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *logLines) with(part string) []string {
	var out []string
	for _, line := range l.all() {
		if strings.Contains(line, part) {
			out = append(out, line)
		}
	}
	return out
}

// hostile is a server for attacks: a viewer's key, options the test
// chooses, and its log.
type hostile struct {
	*harness
	srv  *Server
	log  *logLines
	keys string // the viewers' authorized_keys
}

func startHostile(t testing.TB, opts Options, viewersFile func(viewer gossh.Signer) string) *hostile {
	t.Helper()
	dir := t.TempDir()
	h := &hostile{harness: &harness{t: t, viewer: newSigner(t), stranger: newSigner(t)}, log: &logLines{}}
	h.env = sandboxtest.Start(t, sandbox.Options{}, nil)
	h.keys = filepath.Join(dir, "viewers")
	text := string(gossh.MarshalAuthorizedKey(h.viewer.PublicKey()))
	if viewersFile != nil {
		text = viewersFile(h.viewer)
	}
	if err := os.WriteFile(h.keys, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.AuthorizedKeys = h.keys
	opts.Client = h.env.Client
	if opts.HostKey == "" {
		opts.HostKey = filepath.Join(dir, "host")
	}
	opts.Logf = h.log.logf
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	h.addr = serveOnLoopback(t, srv)
	return h
}

// closedWithin reports whether the server closes conn within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn) // the version banner, then EOF
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// A client asking for a terminal of 100000 × 100000, or growing to
// 2^32-1 × 2^32-1 by window-change, gets a console of MaxColumns × MaxRows:
// the server never allocates for the size asked.
func TestTerminalSizeIsCapped(t *testing.T) {
	h := startHostile(t, Options{}, nil)
	sizes := make(chan [2]int, 16)
	record := func(w, h int) { sizes <- [2]int{w, h} }
	h.srv.sized.Store(&record)
	next := func(what string) [2]int {
		t.Helper()
		select {
		case s := <-sizes:
			return s
		case <-time.After(20 * time.Second):
			t.Fatalf("no size after %s", what)
			return [2]int{}
		}
	}
	client, err := h.dial("vera", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.Stdout = io.Discard
	if _, err := sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	// A little over the cap, so that an uncapped server fails the test
	// rather than run out of memory.
	if err := sess.RequestPty("xterm-256color", 3*MaxRows, 2*MaxColumns, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	for s := next("pty-req"); s != [2]int{MaxColumns, MaxRows}; s = next("pty-req") {
		if s[0] > MaxColumns || s[1] > MaxRows {
			t.Fatalf("pty-req of %d×%d gave the console %d×%d", 2*MaxColumns, 3*MaxRows, s[0], s[1])
		}
	}
	if err := sess.WindowChange(40, 100); err != nil { // under the cap: as asked
		t.Fatal(err)
	}
	for s := next("a small window-change"); s != [2]int{100, 40}; s = next("a small window-change") {
	}
	if err := sess.WindowChange(1<<32-1, 1<<32-1); err != nil {
		t.Fatal(err)
	}
	if s := next("a huge window-change"); s != [2]int{MaxColumns, MaxRows} {
		t.Fatalf("window-change of 2^32-1 gave the console %d×%d", s[0], s[1])
	}
}

func TestCheckRequestCapsEveryWindowField(t *testing.T) {
	pty := gossh.Marshal(struct {
		Term                    string
		Columns, Rows, PxW, PxH uint32
		Modes                   string
	}{"xterm", 65535, 1 << 31, 640, 480, ""})
	req := &gossh.Request{Type: "pty-req", Payload: pty}
	if !checkRequest(req, &sessionEnv{}) {
		t.Fatal("pty-req refused")
	}
	var got struct {
		Term                    string
		Columns, Rows, PxW, PxH uint32
		Modes                   string
	}
	if err := gossh.Unmarshal(req.Payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.Columns != MaxColumns || got.Rows != MaxRows || got.Term != "xterm" || got.PxW != 640 {
		t.Fatalf("capped pty-req = %+v", got)
	}
	longTerm := &gossh.Request{Type: "pty-req", Payload: gossh.Marshal(struct {
		Term                    string
		Columns, Rows, PxW, PxH uint32
		Modes                   string
	}{strings.Repeat("x", 30<<10), 80, 24, 0, 0, ""})}
	if checkRequest(longTerm, &sessionEnv{}) {
		t.Fatal("a TERM of 30 KB was accepted")
	}
	// A truncated payload is left to the library, which refuses it.
	short := &gossh.Request{Type: "pty-req", Payload: []byte{0, 0, 0, 200, 'x'}}
	if !checkRequest(short, &sessionEnv{}) || len(short.Payload) != 5 {
		t.Fatal("a short pty-req was touched")
	}
}

// Connections that never log in, and logged-in ones that never open a
// session, are closed; the slots they took are given back. The timeouts
// run on a clock the test moves.
func TestSilentConnectionsAreClosed(t *testing.T) {
	clock := clockwork.NewFakeClock()
	const handshake, noSession = 2 * time.Second, 300 * time.Millisecond
	h := startHostile(t, Options{HandshakeTimeout: handshake, NoSessionTimeout: noSession, Clock: clock}, nil)
	silent, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	armed(t, clock, 1, "the handshake timeout")
	clock.Advance(handshake)
	if !closedWithin(silent, 10*time.Second) {
		t.Fatal("a connection that never logged in is still open")
	}

	// Logging in traded the handshake deadline for the no-session timeout,
	// before the server said the login succeeded.
	client, err := h.dial("vera", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	done := make(chan error, 1)
	go func() { done <- client.Wait() }()
	clock.Advance(noSession)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a logged-in connection without a session is still open")
	}
	eventually(t, "the slots to be given back", func() bool { return h.srv.openConnections() == 0 })

	// A session holds its connection past the no-session timeout: it is
	// open once its shell is (h.open), and still answers after three.
	tm := h.open(h.viewer, "vera")
	clock.Advance(3 * noSession)
	tm.keys("?")
	eventually(t, "the help screen", func() bool { return strings.Contains(tm.received(), "Keys of this screen") })
	if h.srv.openConnections() != 1 {
		t.Fatal("a connection with a session was closed")
	}
}

// armed waits until clock has at least n timers set: the program's
// timers are armed before the test moves the clock past them.
func armed(t testing.TB, clock *clockwork.FakeClock, n int, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a bound for a hang
	defer cancel()
	if err := clock.BlockUntilContext(ctx, n); err != nil {
		t.Fatalf("%s was never set", what)
	}
}

// A user name is the client's choice, made before any login: it can
// neither forge log lines nor reach the operator's terminal.
func TestHostileUserNamesAreQuoted(t *testing.T) {
	h := startHostile(t, Options{}, nil)
	name := "eve\nrefused key SHA256:forged for \"root\" from 10.0.0.1\x1b]0;owned\x07\x1b[2J" + strings.Repeat("x", 500)
	if c, err := h.dial(name, gossh.PublicKeys(h.stranger)); err == nil {
		c.Close()
		t.Fatal("a stranger got in")
	}
	tm := h.open(h.viewer, name)
	eventually(t, "the session's log line", func() bool { return len(h.log.with("session for")) == 1 })
	tm.sess.Close()
	var refused []string
	for _, line := range h.log.all() {
		if strings.HasPrefix(line, "refused key") {
			refused = append(refused, line)
		}
	}
	if len(refused) != 1 {
		t.Fatalf("refusals logged: %q", h.log.all())
	}
	for _, line := range h.log.all() {
		if strings.ContainsAny(line, "\n\x1b\x07") {
			t.Fatalf("a raw user name reached the log: %q", line)
		}
		if strings.Contains(line, strings.Repeat("x", maxLoggedName+1)) {
			t.Fatalf("a long user name was logged whole: %q", line)
		}
	}
	if !strings.Contains(refused[0], `"eve\nrefused key`) {
		t.Fatalf("the name is not quoted: %q", refused[0])
	}
}

// A session's env requests are bounded in number and size.
func TestEnvFloodIsBounded(t *testing.T) {
	h := startHostile(t, Options{}, nil)
	client, err := h.dial("vera", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Setenv("HUGE", strings.Repeat("v", 30<<10)); err == nil {
		t.Fatal("an env request of 30 KB was accepted")
	}
	accepted := 0
	for i := range 3 * MaxEnv {
		if sess.Setenv(fmt.Sprintf("VAR%d", i), "value") == nil {
			accepted++
		}
	}
	// The refused 30 KB one counts too.
	if accepted != MaxEnv-1 {
		t.Fatalf("%d of %d env requests accepted, want %d", accepted, 3*MaxEnv, MaxEnv-1)
	}
}

func TestAgentForwardingIsRefused(t *testing.T) {
	h := startHostile(t, Options{}, nil)
	client, err := h.dial("vera", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.RequestAgentForwarding(sess); err == nil {
		t.Fatal("agent forwarding was agreed to")
	}
}

// A hostile session's input: 8 MB of an unterminated OSC and a 2 MB paste
// reach the console cut to their bounds, and the session still answers.
func TestInputFloodLeavesTheSessionUsable(t *testing.T) {
	h := startHostile(t, Options{}, nil)
	tm := h.open(h.viewer, "vera")
	eventually(t, "the console", func() bool { return strings.Contains(tm.received(), "Clusters") })
	tm.keys("\x1b]52;c;" + strings.Repeat("A", 8<<20))
	tm.keys("\x07")
	tm.keys("\x1b[200~" + strings.Repeat("p", 2<<20) + "\x1b[201~")
	_ = tm.quit("the session did not quit after the flood")
}

func TestBoundedInput(t *testing.T) {
	read := func(chunks ...string) string {
		r, w := io.Pipe()
		go func() {
			for _, c := range chunks {
				_, _ = w.Write([]byte(c))
			}
			w.Close()
		}()
		out, err := io.ReadAll(newBoundedInput(r))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	for _, tc := range []struct {
		name   string
		chunks []string
		want   string
	}{
		{"keys", []string{"abc", "\x1b", "[A", "\x1bOP"}, "abc\x1b[A\x1bOP"},
		{"short OSC", []string{"\x1b]11;rgb:0/0/0\x07x"}, "\x1b]11;rgb:0/0/0\x07x"},
		{"split ST", []string{"\x1bP+q\x1b", "\\y"}, "\x1bP+q\x1b\\y"},
		{"paste", []string{"\x1b[200~hi \x1b[201", "x\x1b[201~z"}, "\x1b[200~hi \x1b[201x\x1b[201~z"},
		{"long OSC", []string{"\x1b]52;c;" + strings.Repeat("A", 3*MaxStringSequence), "\x07k"},
			"\x1b]" + ("52;c;" + strings.Repeat("A", 3*MaxStringSequence))[:MaxStringSequence] + "\x07k"},
		{"long CSI", []string{"\x1b[" + strings.Repeat("12", MaxCSI), "mk"}, "\x1b[" + strings.Repeat("12", MaxCSI)[:MaxCSI] + "mk"},
		{"long paste", []string{"\x1b[200~" + strings.Repeat("p", MaxPaste+10) + "\x1b[201~k"},
			"\x1b[200~" + strings.Repeat("p", MaxPaste) + "\x1b[201~k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := read(tc.chunks...); got != tc.want {
				t.Fatalf("got %d bytes %.80q…, want %d bytes %.80q…", len(got), got, len(tc.want), tc.want)
			}
		})
	}
	// An unterminated sequence of 8 MB costs the bound, read after read.
	flood := read("\x1b]", strings.Repeat("A", 8<<20))
	if len(flood) != 2+MaxStringSequence {
		t.Fatalf("8 MB of OSC gave %d bytes", len(flood))
	}
}

// authorized_keys options: from= and expiry-time= are honoured; options
// the console cannot honour refuse the key, saying which.
func TestAuthorizedKeysOptions(t *testing.T) {
	line := func(opts string) func(gossh.Signer) string {
		return func(s gossh.Signer) string { return opts + " " + string(gossh.MarshalAuthorizedKey(s.PublicKey())) }
	}
	for _, tc := range []struct {
		name, opts string
		admitted   bool
		logged     string // in the refusal
	}{
		{"from another address", `from="10.9.9.9"`, false, "from= does not allow 127.0.0.1"},
		{"from this address", `from="10.9.9.9,127.0.0.*"`, true, ""},
		{"from a block", `from="127.0.0.0/8"`, true, ""},
		{"from, negated", `from="127.0.0.0/8,!127.0.0.1"`, false, "from="},
		{"expired", `expiry-time="20000101"`, false, "it expired"},
		{"not yet expired", `expiry-time="29991231Z"`, true, ""},
		{"command", `command="/bin/true"`, false, "option command cannot be honoured"},
		{"no-pty", `no-pty`, false, "option no-pty cannot be honoured"},
		{"issue's example", `from="10.9.9.9",no-pty,command="x",expiry-time="20000101"`, false, "no-pty, command"},
		{"restrict", `restrict`, false, "restrict"},
		{"restrict,pty", `restrict,pty`, true, ""},
		{"forwarding restrictions", `no-agent-forwarding,no-port-forwarding,no-X11-forwarding`, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startHostile(t, Options{}, line(tc.opts))
			c, err := h.dial("vera", gossh.PublicKeys(h.viewer))
			if c != nil {
				c.Close()
			}
			if (err == nil) != tc.admitted {
				t.Fatalf("admitted = %v (%v), want %v", err == nil, err, tc.admitted)
			}
			if !tc.admitted {
				refused := h.log.with("refused key")
				if len(refused) != 1 || !strings.Contains(refused[0], tc.logged) {
					t.Fatalf("log = %q, want a refusal naming %q", h.log.all(), tc.logged)
				}
			}
		})
	}
}

func TestUnusableKeysAndAReadableHostKeyAreWarnedOfAtStart(t *testing.T) {
	hostKey := filepath.Join(t.TempDir(), "host")
	if err := ensureHostKey(hostKey); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(hostKey, 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHostile(t, Options{HostKey: hostKey}, func(s gossh.Signer) string {
		return "command=\"sh\" " + string(gossh.MarshalAuthorizedKey(s.PublicKey()))
	})
	if w := h.log.with("can be read by others"); len(w) != 1 {
		t.Fatalf("log = %q", h.log.all())
	}
	if w := h.log.with(":1: key SHA256:"); len(w) != 1 || !strings.Contains(w[0], "command") {
		t.Fatalf("log = %q", h.log.all())
	}
}

// A viewer's 100 presses of p in one write (within InputBurst) are one
// refusal line and one count in the audit log, written when the window
// ends (here when the log is closed).
func TestAViewersRefusalFloodIsCounted(t *testing.T) {
	h := startServer(t)
	tm := h.open(h.viewer, "vera")
	h.openCluster(tm, "Mobile")
	tm.keys("p")
	eventually(t, "the first refusal", func() bool { return len(h.auditEntries()) == 1 })
	tm.keys(strings.Repeat("p", 99))
	tm.keys("q")
	_ = tm.sess.Wait()
	if n := len(h.auditEntries()); n != 1 {
		t.Fatalf("%d audit lines before the window ended, want 1", n)
	}
	h.audit.Close()
	refusals := func() (lines, total int) {
		for _, e := range h.auditEntries() {
			lines++
			total += max(1, e.Repeated)
		}
		return lines, total
	}
	eventually(t, "the count", func() bool { _, total := refusals(); return total == 100 })
	if lines, _ := refusals(); lines != 2 {
		t.Fatalf("%d audit lines for 100 refusals: %+v", lines, h.auditEntries())
	}
	if e := h.auditEntries()[0]; e.WhoIs != audit.WhoIsClientName || e.Fingerprint != gossh.FingerprintSHA256(h.viewer.PublicKey()) {
		t.Fatalf("who = %q (%q) %q", e.Who, e.WhoIs, e.Fingerprint)
	}
}

// One connection may hold MaxSessionChannels sessions; once it has none
// again, the no-session timeout closes it.
func TestSessionChannelsPerConnectionAreBounded(t *testing.T) {
	clock := clockwork.NewFakeClock()
	const noSession = 500 * time.Millisecond
	// The sessions never ask for a shell: their start timeout, on the same
	// clock, is kept out of the way.
	h := startHostile(t, Options{NoSessionTimeout: noSession, SessionStartTimeout: time.Hour, Clock: clock}, nil)
	client, err := h.dial("vera", gossh.PublicKeys(h.viewer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var open []*gossh.Session
	for range MaxSessionChannels {
		s, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, s)
	}
	if s, err := client.NewSession(); err == nil {
		s.Close()
		t.Fatalf("session %d on one connection was opened", MaxSessionChannels+1)
	}
	// Each session stopped the no-session timer when it opened, before
	// its channel was confirmed.
	clock.Advance(3 * noSession) // three no-session timeouts: the sessions hold it
	if _, err := client.NewSession(); err == nil {
		t.Fatal("still over the bound")
	}
	if h.srv.openConnections() != 1 {
		t.Fatal("a connection with sessions open was closed")
	}
	for _, s := range open {
		s.Close()
	}
	// The last session's start timer is stopped before the session is
	// counted out, and the no-session timer set again after: once none is
	// counted, the one timer set is the no-session timeout.
	eventually(t, "the sessions to be counted out", func() bool { return h.srv.sessions.Load() == 0 })
	armed(t, clock, 1, "the no-session timeout")
	done := make(chan error, 1)
	go func() { done <- client.Wait() }()
	clock.Advance(noSession)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a connection whose sessions all closed is still open")
	}
}
