package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// run starts the binary in a pseudo-terminal of 35×120.
func run(b *testing.B, args []string, env ...string) (*exec.Cmd, *os.File, *screenOutput) {
	b.Helper()
	path, err := builtBinary()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), append([]string{"TERM=xterm-256color", "XDG_STATE_HOME=" + b.TempDir(), "XDG_CONFIG_HOME=" + b.TempDir(), "XDG_CACHE_HOME=" + b.TempDir()}, env...)...)
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 35, Cols: 120})
	if err != nil {
		b.Fatal(err)
	}
	out := &screenOutput{}
	go func() { _, _ = out.ReadFrom(term) }()
	return cmd, term, out
}

func (s *screenOutput) ReadFrom(r *os.File) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			_, _ = s.Write(buf[:k])
			n += int64(k)
		}
		if err != nil {
			return n, err
		}
	}
}

func waitOutput(b *testing.B, out *screenOutput, text string) time.Time {
	b.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(out.String(), text) {
			return time.Now()
		}
		time.Sleep(time.Millisecond)
	}
	b.Fatalf("never saw %q", text)
	return time.Time{}
}

func quit(b *testing.B, cmd *exec.Cmd, term *os.File) {
	b.Helper()
	_, _ = term.Write([]byte("q"))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		b.Fatal("q did not quit")
	}
	term.Close()
}

// BenchmarkDemoStartToFirstFrame measures the process start of
// `kiteconsole --demo` to its first frame, and to the clusters table.
func BenchmarkDemoStartToFirstFrame(b *testing.B) {
	var first, table time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		cmd, term, out := run(b, []string{"--demo", "--refresh", "0"})
		first += waitOutput(b, out, "kiteconsole").Sub(start)
		table += waitOutput(b, out, "Experiments").Sub(start)
		quit(b, cmd, term)
	}
	b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "ms/first-frame")
	b.ReportMetric(float64(table.Microseconds())/float64(b.N)/1000, "ms/clusters-table")
}

// BenchmarkPeakRSSLargeOrganisation runs the console on the large
// organisation, loads its 10,000 pipelines on the pipelines screen (pages
// down until every page is in), quits,
// and reports the process's peak resident memory.
func BenchmarkPeakRSSLargeOrganisation(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{Size: sandbox.SizeLarge}, nil)
	var peak int64
	for i := 0; i < b.N; i++ {
		cmd, term, out := run(b, []string{"--endpoint", env.Server.URL, "--org", "acme", "--refresh", "0"}, "BUILDKITE_API_TOKEN="+env.Sandbox.Token())
		waitOutput(b, out, "payments-01")
		_, _ = term.Write([]byte(":pipelines\r"))
		// The screen fetches a page as the cursor nears the end of what is
		// in: pages down (ctrl+f), five at a time, until the whole list is.
		// (G would fetch the last page alone.)
		for deadline := time.Now().Add(120 * time.Second); !strings.Contains(out.String(), "H shows archived"); {
			if time.Now().After(deadline) {
				b.Fatal("the whole list never came in")
			}
			_, _ = term.Write([]byte("\x06\x06\x06\x06\x06"))
			time.Sleep(20 * time.Millisecond)
		}
		// VmHWM is the process's own high-water mark. (wait4's maxrss is no
		// use here: on Linux a child starts with its parent's, and the
		// parent is this test with the large sandbox in it.)
		peak = max(peak, vmHWM(b, cmd.Process.Pid))
		quit(b, cmd, term)
	}
	b.ReportMetric(float64(peak)/1024, "MB-peak-rss")
}

// vmHWM reads a process's peak resident set size, in KiB.
func vmHWM(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kib int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kib)
			return kib
		}
	}
	b.Fatal("no VmHWM")
	return 0
}
