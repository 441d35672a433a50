package sshserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/kiteconsole/kiteconsole/api"
)

// BenchmarkIdleSessions measures what sessions idle on the clusters screen
// cost the organisation, as `kiteconsole serve` runs them: one client, its
// cache living half a refresh interval. Refreshes at 100 ms stand for the
// default 30 s: the figures are requests per five minutes (ten refreshes)
// for one and for ten sessions, their ratio, and the cold starts.
func BenchmarkIdleSessions(b *testing.B) {
	const refresh = 100 * time.Millisecond
	idle := func(b *testing.B, sessions int) (cold, idle float64) {
		h := startServerWith(b, refresh, &api.Config{CacheFor: refresh / 2})
		terms := make([]*terminal, sessions)
		for i := range terms {
			terms[i] = h.open(h.viewer, fmt.Sprintf("viewer%d", i))
		}
		for i, tm := range terms {
			eventually(b, fmt.Sprintf("session %d", i), func() bool { return strings.Contains(tm.received(), "Production") })
		}
		time.Sleep(2 * refresh) // cold starts done
		from := len(h.env.Sandbox.Requests())
		// Twenty refreshes hold five of the home screen's recounts (every
		// fourth refresh) whatever the phase; half of them is five minutes.
		time.Sleep(20 * refresh)
		return float64(from), float64(len(h.env.Sandbox.Requests())-from) / 2
	}
	var one, ten, coldOne, coldTen float64
	for i := 0; i < b.N; i++ {
		c, n := idle(b, 1)
		coldOne, one = coldOne+c, one+n
		c, n = idle(b, 10)
		coldTen, ten = coldTen+c, ten+n
	}
	b.ReportMetric(coldOne/float64(b.N), "cold/1-session")
	b.ReportMetric(coldTen/float64(b.N), "cold/10-sessions")
	b.ReportMetric(one/float64(b.N), "requests/1-session")
	b.ReportMetric(ten/float64(b.N), "requests/10-sessions")
	b.ReportMetric(ten/one, "ratio")
}

// capSession opens a session at rows × cols, resizes it to 65535 × 65535
// (capped to MaxColumns × MaxRows), waits for the console to draw, and
// leaves: the session's buffers are what is measured.
func capSession(b *testing.B, h *hostile, rows, cols int) {
	client, err := h.dial("bench", gossh.PublicKeys(h.viewer))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	tm := &terminal{t: b, sess: sess}
	sess.Stdout, sess.Stderr = tm, tm
	if tm.in, err = sess.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		b.Fatal(err)
	}
	eventually(b, "the console", func() bool { return strings.Contains(tm.received(), "Production") })
	if err := sess.WindowChange(65535, 65535); err != nil {
		b.Fatal(err)
	}
	drawn := len(tm.received())
	eventually(b, "the console drawn at the cap", func() bool { return len(tm.received()) > drawn })
	tm.keys("q")
	_ = sess.Wait()
}
