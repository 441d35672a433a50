// Package e2e drives the built kiteconsole binary in a pseudo-terminal, as
// a person would, against a sandbox served over HTTP.
package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kiteconsole")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// screenOutput collects what the program writes to its terminal.
type screenOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screenOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screenOutput) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// eventually polls cond; the bound is for a hang, not a timing the test
// depends on.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}

func requested(env *sandboxtest.Env, method, pathPart string) bool {
	for _, r := range env.Sandbox.Requests() {
		if r.Method == method && strings.Contains(r.Path, pathPart) {
			return true
		}
	}
	return false
}

func requestedPath(env *sandboxtest.Env, method, path string) bool {
	for _, r := range env.Sandbox.Requests() {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}

func countRequests(env *sandboxtest.Env, method, pathPart string) int {
	n := 0
	for _, r := range env.Sandbox.Requests() {
		if r.Method == method && strings.Contains(r.Path, pathPart) {
			n++
		}
	}
	return n
}

func TestPauseAQueueFromTheTerminal(t *testing.T) {
	bin := buildBinary(t)
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, nil)
	ctx := context.Background()

	var mobile model.Cluster
	clusters, err := env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters {
		if c.Name == "Mobile" {
			mobile = c
		}
	}

	cmd := exec.Command(bin, "--endpoint", env.Server.URL, "--org", env.Sandbox.Org(), "--refresh", "0")
	cmd.Env = append(os.Environ(), "BUILDKITE_API_TOKEN="+env.Sandbox.Token(), "TERM=xterm-256color")
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	out := &screenOutput{}
	go func() { _, _ = io.Copy(out, term) }()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	typeKeys := func(s string) {
		t.Helper()
		if _, err := term.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}

	// The home screen counts each cluster's queues once it has the
	// clusters: then it is ready for keys.
	eventually(t, "the clusters to load", func() bool { return requested(env, "GET", "/clusters/"+mobile.ID+"/queues") })
	typeKeys("/mob")
	typeKeys("\r")
	typeKeys("\r")
	// The cluster screen gets the cluster itself as it opens.
	eventually(t, "the Mobile screen to open", func() bool { return requestedPath(env, "GET", "/v2/organizations/acme/clusters/"+mobile.ID) })
	eventually(t, "its queues to load", func() bool { return countRequests(env, "GET", "/clusters/"+mobile.ID+"/queues") >= 2 })
	typeKeys("/macos-l\r")
	typeKeys("p")
	typeKeys("App Store signing outage")
	typeKeys("\r")

	var paused model.Queue
	eventually(t, "macos-large to be paused in the sandbox", func() bool {
		qs, err := env.Client.ListQueues(ctx, mobile.ID, nil)
		if err != nil {
			return false
		}
		for _, q := range qs {
			if q.Key == "macos-large" && q.DispatchPaused {
				paused = q
				return true
			}
		}
		return false
	})
	if note := model.Value(paused.DispatchPausedNote); note != "App Store signing outage" || paused.DispatchPausedBy.DisplayName() != "Sam Kim" {
		t.Fatalf("paused with note %q by %q", note, paused.DispatchPausedBy.DisplayName())
	}
	for _, r := range env.Writes() {
		if !strings.HasSuffix(r.Path, paused.ID+"/pause_dispatch") {
			t.Fatalf("an unexpected change reached the sandbox: %s %s", r.Method, r.Path)
		}
	}

	typeKeys("q")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the console exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("q did not quit")
	}
	if strings.Contains(out.String(), env.Sandbox.Token()) {
		t.Fatal("the API token was drawn on the screen")
	}
}
