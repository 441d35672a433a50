//go:build linux

package sshserver

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// The server whose resident memory BenchmarkServerResidentAfterCappedSessions
// measures runs in a process of its own (this test binary, run again),
// so that the figure is the server's alone: the sessions' SSH clients
// live in the benchmark's process.
const rssServerEnv = "KITECONSOLE_RSS_SERVER_KEYS"

// TestHelperServerProcess is that process, when the benchmark starts it
// (the environment names the viewers' keys); run as a test, it has
// nothing to do. It prints the server's address, and on each SIGUSR1
// waits for every console to be gone and prints "gone" (the resident set
// then is what a person sees from outside: `ps`, `top`), returns freed
// memory to the system and prints "settled". It ends when its input
// closes.
func TestHelperServerProcess(t *testing.T) {
	keys := os.Getenv(rssServerEnv)
	if keys == "" {
		return
	}
	text, err := os.ReadFile(keys)
	if err != nil {
		t.Fatal(err)
	}
	h := startHostile(t, Options{}, func(gossh.Signer) string { return string(text) })
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	fmt.Printf("addr %s\n", h.addr)
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(closed)
	}()
	for {
		select {
		case <-closed:
			return
		case <-usr1:
			waitForConsolesGone(t, h)
			fmt.Println("gone")
			// Wait for the benchmark to read the resident set as it is
			// before freed memory is handed back.
			<-usr1
			debug.FreeOSMemory()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Fprintf(os.Stderr, "server: %s, heap obtained from the system %.1f MB\n", runtimeFigures(), float64(ms.HeapSys)/(1<<20))
			fmt.Println("settled")
		}
	}
}

// waitForConsolesGone waits for the sessions' connections to close and
// for every console to be gone: the timers a console left (a flash's six
// seconds, the budget's second) hold its ended program, buffers and all,
// until they fire, since bubbletea does not stop a pending tea.Tick.
func waitForConsolesGone(t testing.TB, h *hostile) {
	eventually(t, "every connection to close", func() bool { return h.srv.openConnections() == 0 })
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "charm.land/bubbletea") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("a console's goroutines outlived its session by a minute")
}

// BenchmarkServerResidentAfterCappedSessions is the server process's
// resident memory after 20 sessions that each asked for the capped size,
// resized to 65535×65535 and left, against the same process fresh: after
// one such session, so that both figures hold the code the sessions run
// and the sandbox's data, and the difference is what the 20 left behind.
// Each is taken twice: as a person sees it from outside (`ps`, once the
// consoles are gone: the Go runtime keeps freed memory for a while), and
// after the process hands freed memory back (debug.FreeOSMemory), which
// is what the sessions really left behind.
//
//	go test ./sshserver -run '^$' -bench ServerResidentAfterCappedSessions -benchtime 1x -count 3
func BenchmarkServerResidentAfterCappedSessions(b *testing.B) {
	const sessions = 20
	var fresh, after, freshOutside, seenOutside float64
	for i := 0; i < b.N; i++ {
		viewer := newSigner(b)
		keys := filepath.Join(b.TempDir(), "viewers")
		if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(viewer.PublicKey()), 0o600); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServerProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), rssServerEnv+"="+keys)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		next := func() string {
			if !lines.Scan() {
				b.Fatalf("the server process ended: %v", lines.Err())
			}
			return lines.Text()
		}
		addr, ok := strings.CutPrefix(next(), "addr ")
		if !ok {
			b.Fatal("the server process gave no address")
		}
		h := &hostile{harness: &harness{t: b, addr: addr, viewer: viewer}}
		signal := func() {
			if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
				b.Fatal(err)
			}
		}
		// settled returns the resident set seen from outside, then after
		// freed memory went back to the system.
		settled := func() (outside, released uint64) {
			signal()
			for next() != "gone" {
			}
			outside = residentOf(b, cmd.Process.Pid)
			signal()
			for next() != "settled" {
			}
			return outside, residentOf(b, cmd.Process.Pid)
		}
		capSession(b, h, MaxRows, MaxColumns)
		beforeOutside, before := settled()
		for range sessions {
			capSession(b, h, MaxRows, MaxColumns)
		}
		afterOutside, afterReleased := settled()
		fresh += float64(before)
		after += float64(afterReleased)
		freshOutside += float64(beforeOutside)
		seenOutside += float64(afterOutside)
		stdin.Close()
		_ = cmd.Wait()
	}
	n := float64(b.N)
	b.ReportMetric(fresh/n/(1<<20), "MB-fresh")
	b.ReportMetric(after/n/(1<<20), "MB-after-20-capped")
	b.ReportMetric(after/fresh, "ratio")
	b.ReportMetric(freshOutside/n/(1<<20), "MB-fresh-outside")
	b.ReportMetric(seenOutside/n/(1<<20), "MB-after-outside")
	b.ReportMetric(seenOutside/freshOutside, "ratio-outside")
}

// residentOf is a process's resident set (VmRSS).
func residentOf(b *testing.B, pid int) uint64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
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
	b.Fatal("no VmRSS")
	return 0
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
