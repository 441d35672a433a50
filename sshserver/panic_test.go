package sshserver

import (
	"io"
	"os/exec"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/jonboulle/clockwork"
	gossh "golang.org/x/crypto/ssh"
)

// panicsOn is a reader that panics when it reads trigger.
type panicsOn struct {
	r       io.Reader
	trigger string
}

func (p panicsOn) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if strings.Contains(string(b[:n]), p.trigger) {
		panic("injected in the input reader")
	}
	return n, err
}

// A panic in one session's console, wherever it happens — its Update, its
// View, a command, the reader of its input, the decoder of its input —
// ends that session with a log line naming its key, and the server and
// the other sessions carry on.
func TestAPanicEndsOnlyItsSession(t *testing.T) {
	// The 37 bytes of issue 24's first finding: charmbracelet/x/ansi's
	// decoder panics on them (index out of range [32]) while it has the
	// bug; when it has not, the session simply carries on, and the server
	// must carry on either way.
	decoderBomb := "\x1b[" + strings.Repeat(";", 32) + "1m"
	for _, tc := range []struct {
		name, keys, where string
		mayCarryOn        bool
	}{
		{"update", "☠", "its console's Update", false},
		{"view", "☣", "its console's View", false},
		// A view the renderer's parse panics on (while the ansi decoder has
		// the bug), which it would meet on its own ticker, unrecovered.
		{"view the renderer cannot draw", "☄", "its console's View", true},
		{"command", "☢", "", false},
		{"input reader", "⚡", "its input", false},
		{"input decoder", decoderBomb, "its input's decoder", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startHostile(t, Options{}, nil)
			var armedView, armedBomb atomic.Bool
			update := func(_ string, msg tea.Msg) tea.Cmd {
				k, ok := msg.(tea.KeyPressMsg)
				if !ok {
					return nil
				}
				switch k.Text {
				case "☠":
					panic("injected in Update")
				case "☣":
					armedView.Store(true)
				case "☄":
					armedBomb.Store(true)
				case "☢":
					return func() tea.Msg { panic("injected in a command") }
				}
				return nil
			}
			h.srv.updateHook.Store(&update)
			view := func(user, content string) string {
				if user == "alice" && armedView.Load() {
					panic("injected in View")
				}
				if user == "alice" && armedBomb.Load() {
					return content + "\x1b[" + strings.Repeat("1;", 32) + "33m"
				}
				return content
			}
			h.srv.viewHook.Store(&view)
			wrap := func(r io.Reader) io.Reader { return panicsOn{r, "⚡"} }
			h.srv.wrapInput.Store(&wrap)

			alice := h.open(h.viewer, "alice")
			bob := h.open(h.viewer, "bob")
			for _, tm := range []*terminal{alice, bob} {
				eventually(t, "the consoles", func() bool { return strings.Contains(tm.received(), "Clusters") })
			}
			alice.keys(tc.keys)
			ended := make(chan error, 1)
			go func() { ended <- alice.sess.Wait() }()
			carriedOn := false
			if tc.mayCarryOn {
				// Either the session ends, or it carries on: then it
				// answers the next key (help shows "Keys of this screen").
				alice.keys("?")
				eventually(t, "the session to end or answer", func() bool {
					select {
					case err := <-ended:
						ended <- err
						return true
					default:
					}
					carriedOn = strings.Contains(alice.received(), "Keys of this screen")
					return carriedOn
				})
			}
			if carriedOn {
				alice.sess.Close() // the person leaves
			} else {
				select {
				case <-ended:
				case <-time.After(20 * time.Second): // a bound for a hang
					t.Fatal("the session whose console panicked is still open")
				}
			}
			fp := gossh.FingerprintSHA256(h.viewer.PublicKey())
			if lines := h.log.with("ended by a panic"); len(lines) > 0 || !tc.mayCarryOn {
				eventually(t, "the log line", func() bool { return len(h.log.with("ended by a panic")) == 1 })
				line := h.log.with("ended by a panic")[0]
				if !strings.Contains(line, `"alice"`) || !strings.Contains(line, fp) || !strings.Contains(line, tc.where) {
					t.Fatalf("log line = %q", line)
				}
			}
			// The other session still answers; a new one opens.
			if err := bob.quit("the other session stopped answering"); err != nil {
				t.Fatalf("the other session: %v", err)
			}
			carol := h.open(h.viewer, "carol")
			eventually(t, "a new session's console", func() bool { return strings.Contains(carol.received(), "Clusters") })
		})
	}
}

// The renderer parses a view on a ticker of its own, in a goroutine that
// does not recover: parseLikeTheRenderer must meet every panic the
// renderer's parse would, where it is recovered.
func TestViewsAreParsedAsTheRendererParsesThem(t *testing.T) {
	panics := func(f func()) (p bool) {
		defer func() { p = recover() != nil }()
		f()
		return false
	}
	for _, content := range []string{
		"plain",
		"\x1b[31mred\x1b[0m \x1b]8;;https://example.com\x07link\x1b]8;;\x07",
		"log \x1b[" + strings.Repeat("1;", 32) + "33m colours",
		"\x1b[" + strings.Repeat(";", 40) + "1m",
		"\x1b[" + strings.Repeat(":", 40) + "38m",
	} {
		for _, m := range []ansi.Method{ansi.WcWidth, ansi.GraphemeWidth} {
			buf := uv.NewScreenBuffer(80, 4)
			buf.Method = m
			drawPanics := panics(func() { uv.NewStyledString(content).Draw(buf, buf.Bounds()) })
			if drawPanics && !panics(func() { parseLikeTheRenderer(content) }) {
				t.Errorf("drawing %q panics and parseLikeTheRenderer does not", content)
			}
		}
	}
}

// A viewer's flood of plain keys reaches the console at the input rate:
// with the clock stopped, InputBurst of 2,000 keys are updates; the rest
// cost no update and no redraw.
func TestAKeyFloodIsRateLimited(t *testing.T) {
	h := startHostile(t, Options{}, nil)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	h.srv.inputClock.Store(&now)
	var seen, passed atomic.Int64
	count := func(ev uv.Event, ok bool) {
		if k, isKey := ev.(uv.KeyPressEvent); isKey && k.Text == "j" {
			seen.Add(1)
			if ok {
				passed.Add(1)
			}
		}
	}
	h.srv.inputSeen.Store(&count)
	var updates atomic.Int64
	update := func(_ string, msg tea.Msg) tea.Cmd {
		if k, ok := msg.(tea.KeyPressMsg); ok && k.Text == "j" {
			updates.Add(1)
		}
		return nil
	}
	h.srv.updateHook.Store(&update)
	tm := h.open(h.viewer, "vera")
	eventually(t, "the console", func() bool { return strings.Contains(tm.received(), "Clusters") })
	tm.keys(strings.Repeat("j", 2000))
	eventually(t, "the flood to be read", func() bool { return seen.Load() == 2000 })
	if n := passed.Load(); n > InputBurst || n == 0 {
		t.Fatalf("%d of 2000 keys passed with the clock stopped, want at most %d", n, InputBurst)
	}
	eventually(t, "the keys that passed to be updates", func() bool { return updates.Load() == passed.Load() })
	t.Logf("2000 keys in one write: %d updates", updates.Load())
	// A second later the console takes keys again.
	clock.Add(int64(time.Second))
	_ = tm.quit("the session took no key after the flood")
}

// Over SSH no message may start a program on the server: bubbletea's exec
// message (tea.Exec, tea.ExecProcess, huh's external editor) is dropped by
// the session's filter, and a suspend, which would stop the server's
// process group, becomes a resume.
func TestTheSessionFilterDropsExecAndSuspend(t *testing.T) {
	var lastKey atomic.Int64
	filter := (&Server{opts: Options{Clock: clockwork.NewRealClock()}}).filterFor(&lastKey)
	execMsg := tea.ExecProcess(exec.Command("true"), nil)()
	for _, msg := range []tea.Msg{execMsg, tea.Exec(nil, nil)()} {
		if got := filter(nil, msg); reflect.TypeOf(got) == reflect.TypeOf(execMsg) {
			t.Fatalf("%T passed the filter", got)
		}
	}
	if got := filter(nil, tea.SuspendMsg{}); got != (tea.ResumeMsg{}) {
		t.Fatalf("a suspend became %T", got)
	}
	if got := filter(nil, tea.KeyPressMsg{Text: "j", Code: 'j'}); got == nil || lastKey.Load() == 0 {
		t.Fatal("a key was dropped, or not noted for the idle timer")
	}
}
