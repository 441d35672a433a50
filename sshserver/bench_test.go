package sshserver

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
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

// residentBytes is the process's resident set (VmRSS), after the garbage
// collector has run and returned what it can to the system.
func residentBytes(b *testing.B) uint64 {
	b.Helper()
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatalf("resident memory is read from /proc (Linux): %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
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

// BenchmarkResidentAfterCappedSessions is the server's resident memory
// after 20 sessions that each resized to the cap and left, against a
// fresh server's: one that has served a single such session, so that both
// figures hold the console's code (paged in by the first session drawn at
// that size) and the sandbox's data, and the difference is what the 20
// sessions left behind.
//
//	go test ./sshserver -run '^$' -bench ResidentAfterCappedSessions -benchtime 1x
func BenchmarkResidentAfterCappedSessions(b *testing.B) {
	const sessions = 20
	var fresh, after, heapFresh, heapAfter float64
	for i := 0; i < b.N; i++ {
		h := startHostile(b, Options{}, nil)
		capSession(b, h, MaxRows, MaxColumns) // loads the code the sessions run
		settle(b, h)
		before := residentBytes(b)
		b.Logf("fresh: %s", runtimeFigures())
		heapFresh += heapInUse()
		for range sessions {
			capSession(b, h, MaxRows, MaxColumns)
		}
		settle(b, h)
		fresh += float64(before)
		after += float64(residentBytes(b))
		heapAfter += heapInUse()
		b.Logf("after: %s", runtimeFigures())
	}
	n := float64(b.N)
	b.ReportMetric(fresh/n/(1<<20), "MB-rss-fresh")
	b.ReportMetric(after/n/(1<<20), "MB-rss-after-20-capped")
	b.ReportMetric(after/fresh, "rss-ratio")
	b.ReportMetric(heapFresh/n/(1<<20), "MB-heap-fresh")
	b.ReportMetric(heapAfter/n/(1<<20), "MB-heap-after")
}

// runtimeFigures are the parts of the resident set the Go runtime keeps
// beside the heap, and the process's threads.
func runtimeFigures() string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	threads := "?"
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
				threads = strings.TrimSpace(rest)
			}
		}
	}
	return fmt.Sprintf("heap in use %.1f MB, stacks %.1f MB, runtime metadata %.1f MB, threads %s",
		float64(ms.HeapInuse)/(1<<20), float64(ms.StackInuse)/(1<<20), float64(ms.MSpanInuse+ms.MCacheInuse+ms.GCSys+ms.OtherSys)/(1<<20), threads)
}

func heapInUse() float64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse)
}

// settle waits for the sessions' connections to close and for every
// console to be gone: the timers a console left (a flash's six seconds,
// the budget's second) hold its ended program, buffers and all, until
// they fire, since bubbletea does not stop a pending tea.Tick.
func settle(b *testing.B, h *hostile) {
	eventually(b, "every connection to close", func() bool { return h.srv.openConnections() == 0 })
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "charm.land/bubbletea") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatal("a console's goroutines outlived its session by a minute")
}
