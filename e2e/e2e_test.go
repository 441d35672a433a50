// Package e2e drives the built kiteconsole binary in a pseudo-terminal, as
// a person would, against a sandbox served over HTTP.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/cli"
	"github.com/kiteconsole/kiteconsole/model"
)

// binary is the kiteconsole these tests run: this test binary itself,
// through a link named kiteconsole (the runbook scripts call it by name).
// Run with asBinaryEnv set, it is the program and nothing else: the same
// packages (under the race detector when the tests are), without a second
// build of every package that took minutes of the suite.
var binary string

// asBinaryEnv, set in the tests' environment (and so their children's),
// makes this test binary act as kiteconsole with its arguments.
const asBinaryEnv = "KITECONSOLE_E2E_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(asBinaryEnv) == "1" {
		os.Exit(cli.Execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
	}
	self, err := os.Executable()
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "kiteconsole-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "kiteconsole")
	if err := os.Symlink(self, binary); err != nil {
		os.RemoveAll(dir)
		panic(err)
	}
	os.Setenv(asBinaryEnv, "1")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// builtBinary is kiteconsole built as a person builds it (`go build`),
// for the benchmarks that measure the program itself (its memory): the
// test binary carries the test packages and, in a -race run, the race
// detector's costs. It is built once, on first use.
var builtBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kiteconsole-bench")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "kiteconsole")
	build := exec.Command("go", "build", "-o", path, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	// The children of a benchmark run the program, not this test binary.
	build.Env = append(os.Environ(), asBinaryEnv+"=")
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("go build: %w", err)
	}
	return path, nil
})

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

// session is the binary running in a pseudo-terminal against a sandbox.
type session struct {
	t     *testing.T
	state string // the console's XDG_STATE_HOME: its audit log is there
	env   *sandboxtest.Env
	term  *os.File
	out   *screenOutput
	// screen is what a person sees: the output through a terminal
	// emulator.
	screen *screen
	done   chan error
}

func start(t *testing.T) *session {
	t.Helper()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, nil)
	cmd := exec.Command(binary, "--endpoint", env.Server.URL, "--org", env.Sandbox.Org(), "--refresh", "0")
	state := t.TempDir()
	cmd.Env = append(os.Environ(), "BUILDKITE_API_TOKEN="+env.Sandbox.Token(), "TERM=xterm-256color",
		"XDG_STATE_HOME="+state, "XDG_CONFIG_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, state: state, env: env, term: term, out: &screenOutput{}, screen: newScreen(80, 24), done: make(chan error, 1)}
	go func() { _, _ = io.Copy(io.MultiWriter(s.out, s.screen), term) }()
	// The terminal answers what the program asks of it, as a terminal does.
	go func() { _, _ = io.Copy(term, s.screen.vt) }()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
		term.Close()
	})
	return s
}

func (s *session) typeKeys(keys string) {
	s.t.Helper()
	if _, err := s.term.Write([]byte(keys)); err != nil {
		s.t.Fatal(err)
	}
}

// waitScreen waits until the screen shows every one of texts.
func (s *session) waitScreen(texts ...string) {
	s.t.Helper()
	eventually(s.t, fmt.Sprintf("the screen to show %q", texts), func() bool {
		shown := s.screen.text()
		for _, want := range texts {
			if !strings.Contains(shown, want) {
				return false
			}
		}
		return true
	})
}

// countedRow is a cluster's row on the home screen once its counts are
// in: its QUEUES, PAUSED and AGENTS figures, where "…" stands before.
var countedRow = `\s+\S+\s+\d+\s+\d+\s+\d+/\d+`

// waitCounted waits until the home screen shows the cluster's counts:
// the clusters are loaded and the screen is ready for keys.
func (s *session) waitCounted(cluster string) {
	s.t.Helper()
	row := regexp.MustCompile(regexp.QuoteMeta(cluster) + countedRow)
	eventually(s.t, "the clusters to load", func() bool { return row.MatchString(s.screen.text()) })
}

// screen is a terminal emulator fed with the program's output.
type screen struct {
	mu sync.Mutex
	vt *vt.Emulator
}

func newScreen(w, h int) *screen { return &screen{vt: vt.NewEmulator(w, h)} }

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt.Write(p)
}

// text is the screen as plain text, a line a row.
func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt.String()
}

// quit presses q and waits for a clean exit.
func (s *session) quit() {
	s.t.Helper()
	s.typeKeys("q")
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("the console exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		s.t.Fatal("q did not quit")
	}
	if strings.Contains(s.out.String(), s.env.Sandbox.Token()) {
		s.t.Fatal("the API token was drawn on the screen")
	}
}

func clusterNamed(t *testing.T, env *sandboxtest.Env, name string) model.Cluster {
	clusters, err := env.Client.ListClusters(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cluster %s", name)
	return model.Cluster{}
}

func TestPauseAQueueFromTheTerminal(t *testing.T) {
	s := start(t)
	env, typeKeys := s.env, s.typeKeys
	ctx := context.Background()
	mobile := clusterNamed(t, env, "Mobile")

	// The home screen counts each cluster's queues once it has the
	// clusters: then it is ready for keys.
	s.waitCounted(mobile.Name)
	typeKeys("/mob")
	typeKeys("\r")
	typeKeys("\r")
	// The cluster screen gets the cluster itself as it opens.
	eventually(t, "the Mobile screen to open", func() bool { return requestedPath(env, "GET", "/v2/organizations/acme/clusters/"+mobile.ID) })
	// Its queues are loaded when their rows show (the home screen no
	// longer reads them: GraphQL counts them there).
	s.waitScreen("macos-large")
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
	// The change is in the audit log, with who made it and the note.
	var line string
	eventually(t, "the audit log", func() bool {
		data, _ := os.ReadFile(filepath.Join(s.state, "kiteconsole", "audit.log"))
		line = string(data)
		return line != ""
	})
	for _, want := range []string{`"via":"local"`, `"action":"queue.pause"`, `"queue_key":"macos-large"`, `"cluster_name":"Mobile"`, `"note":"App Store signing outage"`, `"result":"ok"`} {
		if !strings.Contains(line, want) {
			t.Fatalf("audit line %s lacks %s", line, want)
		}
	}

	s.quit()
}

func TestCreateAnAgentTokenFromTheTerminal(t *testing.T) {
	s := start(t)
	env := s.env
	prod := clusterNamed(t, env, "Production")
	s.waitCounted(prod.Name)
	s.typeKeys("/prod\r\r")
	eventually(t, "the Production screen", func() bool { return requestedPath(env, "GET", "/v2/organizations/acme/clusters/"+prod.ID) })
	s.typeKeys("\t")
	eventually(t, "the tokens to load", func() bool { return requested(env, "GET", "/clusters/"+prod.ID+"/tokens") })
	s.typeKeys("n")
	eventually(t, "the form", func() bool { return strings.Contains(s.out.String(), "New agent token") })
	// A field at a time, as a person types: each value is seen in its
	// field, and after enter the next field is seen focused (huh moves the
	// focus with a message of its own; keys typed before it lands go to
	// the field before).
	for _, field := range []struct{ value, next string }{
		{"e2e agents", "┃ Expires"}, {"30d", "┃ Allowed IP addresses"}, {"10.9.0.0/16", ""},
	} {
		s.typeKeys(field.value)
		s.waitScreen("> " + field.value)
		s.typeKeys("\r")
		if field.next != "" {
			s.waitScreen(field.next)
		}
	}
	var made model.Token
	eventually(t, "the token in the sandbox", func() bool {
		ts, err := env.Client.ListTokens(context.Background(), prod.ID, nil)
		if err != nil {
			return false
		}
		for _, tk := range ts {
			if tk.Description == "e2e agents" {
				made = tk
				return true
			}
		}
		return false
	})
	if model.Value(made.AllowedIPAddresses) != "10.9.0.0/16" || made.ExpiresAt == nil {
		t.Fatalf("token = %+v", made)
	}
	eventually(t, "the dialog with the value", func() bool {
		return strings.Contains(s.out.String(), "only time") && tokenValue.MatchString(s.out.String())
	})
	s.typeKeys("\r")
	s.quit()
	data, err := os.ReadFile(filepath.Join(s.state, "kiteconsole", "audit.log"))
	if err != nil || !strings.Contains(string(data), `"action":"token.create"`) || !strings.Contains(string(data), `"token_description":"e2e agents"`) {
		t.Fatalf("audit log: %s %v", data, err)
	}
	if tokenValue.Match(data) {
		t.Fatal("the token's value is in the audit log")
	}
}

var tokenValue = regexp.MustCompile(`[A-Za-z0-9]{48}`)
