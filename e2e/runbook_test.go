package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// startSandbox runs `kiteconsole sandbox --log` and returns its URL, and
// what it logged once it has stopped.
func startSandbox(t *testing.T, args ...string) (base string, logged func() string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"sandbox", "--listen", "127.0.0.1:0", "--log", "--rate-limit", "0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "sandbox.log")
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if i := strings.Index(lines.Text(), " at http://"); i >= 0 {
			base = strings.TrimSpace(lines.Text()[i+4:])
			break
		}
	}
	if base == "" {
		_ = cmd.Process.Kill()
		t.Fatal("the sandbox printed no URL")
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
			f.Close()
		}
	}
	t.Cleanup(stop)
	return base, func() string {
		stop()
		b, _ := os.ReadFile(logFile)
		return string(b)
	}
}

// TestARunbookScriptAgainstTheSandbox runs the built binary from a shell
// script, as a runbook would: pause every macOS queue with a note (--yes:
// a script has no terminal to be asked on) and keep the result as JSON,
// repeat it, try it without --yes, a bad name and a read-only resume, and
// read the exit codes.
func TestARunbookScriptAgainstTheSandbox(t *testing.T) {
	base, logged := startSandbox(t)
	dir := t.TempDir()
	script := `
kc() { "$KITECONSOLE" "$@"; }
kc queue pause '*/macos*' --note 'INC-4821: signing outage' > "$OUT/unconfirmed.tsv" 2> "$OUT/unconfirmed.err"; echo "unconfirmed=$?"
kc queue pause '*/macos*' --yes --note 'INC-4821: signing outage' --json > "$OUT/paused.json"; echo "pause=$?"
kc queue pause '*/macos*' --yes --note 'INC-4821: signing outage' > "$OUT/again.tsv"; echo "again=$?"
kc queue pause 'Nowhere/macos' 2> "$OUT/bad.err"; echo "bad=$?"
kc queue resume Mobile/macos --read-only > /dev/null 2>&1; echo "readonly=$?"
kc queue list --paused | cut -f1,2 | sort > "$OUT/paused.tsv"; echo "list=$?"
kc summary > "$OUT/summary.txt"; echo "summary=$?"
kc man > "$OUT/man.1"; echo "man=$?"
kc completion bash > "$OUT/completion.bash"; echo "completion=$?"
`
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(),
		"KITECONSOLE="+binary, "OUT="+dir,
		"BUILDKITE_API_TOKEN="+sandbox.DefaultToken, "BUILDKITE_ORGANIZATION_SLUG="+sandbox.DefaultOrg,
		"BUILDKITE_REST_API_ENDPOINT="+base,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, want := range []string{"unconfirmed=2", "pause=0", "again=0", "bad=2", "readonly=3", "list=0", "summary=0", "man=0", "completion=0"} {
		if !strings.Contains(string(out), want+"\n") {
			t.Errorf("exit codes: want %s in\n%s", want, out)
		}
	}
	var paused []struct {
		Cluster struct{ Name string } `json:"cluster"`
		Queue   struct {
			Key                string `json:"key"`
			DispatchPaused     bool   `json:"dispatch_paused"`
			DispatchPausedNote string `json:"dispatch_paused_note"`
		} `json:"queue"`
		Result string `json:"result"`
	}
	if err := json.Unmarshal([]byte(read("paused.json")), &paused); err != nil {
		t.Fatal(err)
	}
	results := map[string]string{}
	for _, p := range paused {
		results[p.Cluster.Name+"/"+p.Queue.Key] = p.Result
		if !p.Queue.DispatchPaused {
			t.Errorf("%s/%s is not paused after the pause", p.Cluster.Name, p.Queue.Key)
		}
		if p.Result == "paused" && p.Queue.DispatchPausedNote != "INC-4821: signing outage" {
			t.Errorf("note %q", p.Queue.DispatchPausedNote)
		}
	}
	if results["Mobile/macos"] != "already paused" || results["Mobile/macos-large"] != "paused" || len(results) != 2 {
		t.Fatalf("results %v", results)
	}
	// Several queues, no terminal to ask and no --yes: refused, listed,
	// nothing printed on stdout (the audit log below has no line for it).
	if read("unconfirmed.tsv") != "" || !strings.Contains(read("unconfirmed.err"), "needs --yes") ||
		!strings.Contains(read("unconfirmed.err"), "Mobile/macos-large") {
		t.Errorf("several queues without --yes:\n%s%s", read("unconfirmed.tsv"), read("unconfirmed.err"))
	}
	if strings.Count(read("again.tsv"), "already paused") != 2 {
		t.Errorf("repeat:\n%s", read("again.tsv"))
	}
	if !strings.Contains(read("bad.err"), "no cluster matches") || !strings.Contains(read("bad.err"), "Mobile") {
		t.Errorf("bad name:\n%s", read("bad.err"))
	}
	if got := read("paused.tsv"); got != "Mobile\tmacos\nMobile\tmacos-large\n" {
		t.Errorf("paused queues:\n%q", got)
	}
	if !strings.HasPrefix(read("summary.txt"), "acme (") || !strings.HasPrefix(read("man.1"), ".TH") && !strings.Contains(read("man.1"), ".TH ") {
		t.Errorf("summary or man page:\n%s\n%.200s", read("summary.txt"), read("man.1"))
	}
	// The audit log: one line for the one change, via cli; the refused
	// resume too.
	audit := read("state/kiteconsole/audit.log")
	if strings.Count(audit, `"via":"cli"`) != 2 || !strings.Contains(audit, `"action":"queue.pause"`) || !strings.Contains(audit, `"result":"refused"`) {
		t.Errorf("audit log:\n%s", audit)
	}
	// The sandbox logged every request, and never the token.
	log := logged()
	if !strings.Contains(log, "POST /v2/organizations/acme/clusters/") || !strings.Contains(log, "/pause_dispatch 200 ") {
		t.Errorf("sandbox log:\n%s", log)
	}
	for _, s := range []string{log, string(out), read("paused.json"), read("summary.txt")} {
		if strings.Contains(s, sandbox.DefaultToken) {
			t.Fatal("a token's value was printed")
		}
	}
}

// TestATableOnATerminal runs a list on a terminal (a pseudo-terminal), where
// it prints an aligned table with a header; piped, the same list is
// tab-separated lines without one (the script test above).
func TestATableOnATerminal(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeDemo}, nil)
	cmd := exec.Command(binary, "queue", "list", "--cluster", "Mobile", "--endpoint", env.Server.URL, "--org", env.Sandbox.Org())
	cmd.Env = append(os.Environ(), "BUILDKITE_API_TOKEN="+env.Sandbox.Token(), "TERM=xterm-256color",
		"XDG_STATE_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	out, _ := io.ReadAll(term) // ends with an EIO once the program exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(out), "\r", "")), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "CLUSTER  QUEUE") || strings.Contains(string(out), "\t") {
		t.Fatalf("not a table:\n%s", out)
	}
	// Every row's STATE starts where the header's does.
	col := strings.Index(lines[0], "STATE")
	for _, l := range lines[1:] {
		if s := l[col:]; !strings.HasPrefix(s, "running") && !strings.HasPrefix(s, "paused") {
			t.Fatalf("columns do not line up:\n%s", strings.Join(lines, "\n"))
		}
	}
}

// readmeRunbookExample is the shell script the README gives as a runbook
// step.
func readmeRunbookExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "A runbook step:")
	if ok {
		_, rest, ok = strings.Cut(rest, "```sh\n")
	}
	script, _, closed := strings.Cut(rest, "```")
	if !ok || !closed || !strings.Contains(script, "kiteconsole queue pause") {
		t.Fatal("the README has no runbook example")
	}
	return script
}

// TestTheReadmeRunbookExample runs the README's runbook step as it is
// written (curl standing in for a function that keeps what it would
// post): on the demo organisation it pauses and posts the results; with
// the read-only token it posts the refusals and exits 3; where no queue
// matches it posts nothing (there are no results) and exits 2.
func TestTheReadmeRunbookExample(t *testing.T) {
	script := readmeRunbookExample(t)
	fakeCurl := `curl() { for a in "$@"; do case $a in @*) cp "${a#@}" "$POSTED" ;; esac; done; }` + "\n"
	for _, tc := range []struct {
		name, size, token string
		code              int
		results           map[string]string // posted results by CLUSTER/QUEUE; nil: nothing posted
	}{
		{"pauses and posts", "demo", sandbox.DefaultToken, 0, map[string]string{"Mobile/macos": "already paused", "Mobile/macos-large": "paused"}},
		{"refused, posts the refusals", "demo", sandbox.DefaultReadOnlyToken, 3, map[string]string{"Mobile/macos": "already paused", "Mobile/macos-large": "refused"}},
		{"no macOS queue, posts nothing", "empty", sandbox.DefaultToken, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, _ := startSandbox(t, "--size", tc.size)
			dir := t.TempDir()
			posted := filepath.Join(dir, "posted.json")
			cmd := exec.Command("sh", "-c", fakeCurl+script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH"), "POSTED="+posted,
				"INCIDENT_WEBHOOK_URL=http://127.0.0.1:9/hook",
				"BUILDKITE_API_TOKEN="+tc.token, "BUILDKITE_ORGANIZATION_SLUG="+sandbox.DefaultOrg,
				"BUILDKITE_REST_API_ENDPOINT="+base,
				"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
				"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "NO_COLOR=1")
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, out)
			}
			b, err := os.ReadFile(posted)
			if tc.results == nil {
				if err == nil {
					t.Fatalf("posted %q where nothing was changed", b)
				}
				return
			}
			if err != nil {
				t.Fatalf("nothing posted:\n%s", out)
			}
			var results []struct {
				Cluster struct{ Name string } `json:"cluster"`
				Queue   struct{ Key string }  `json:"queue"`
				Result  string                `json:"result"`
			}
			if err := json.Unmarshal(b, &results); err != nil {
				t.Fatalf("posted %q: %v", b, err)
			}
			got := map[string]string{}
			for _, r := range results {
				got[r.Cluster.Name+"/"+r.Queue.Key] = r.Result
			}
			if !maps.Equal(got, tc.results) {
				t.Fatalf("posted %v, want %v", got, tc.results)
			}
		})
	}
}
