package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

// complete asks for completions as the shell script does.
func (e *cliEnv) complete(t *testing.T, words ...string) []string {
	t.Helper()
	args := append([]string{"__complete", words[0], words[1], "--endpoint", e.Server.URL, "--org", e.Sandbox.Org()}, words[2:]...)
	var out, errOut bytes.Buffer
	if code := Execute(context.Background(), args, &out, &errOut, e.getenv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, ":") { // the last line is the directive
			got = append(got, line)
		}
	}
	return got
}

func TestCompletionOffersClusterThenQueueNamesAndCachesThem(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	completionNow = func() time.Time { return now }
	t.Cleanup(func() { completionNow = time.Now })

	if got := e.complete(t, "queue", "pause", "Mob"); strings.Join(got, ",") != "Mobile/" {
		t.Fatalf("clusters: %q", got)
	}
	got := e.complete(t, "queue", "pause", "Mobile/mac")
	if strings.Join(got, ",") != "Mobile/macos,Mobile/macos-large" {
		t.Fatalf("queues: %q", got)
	}
	asked := len(e.Sandbox.Requests())
	// Within the cache's minute: the same answers, no request.
	e.complete(t, "queue", "pause", "Mob")
	if again := e.complete(t, "queue", "resume", "mobile/"); len(again) != 3 {
		t.Fatalf("cached queues: %q", again)
	}
	if n := len(e.Sandbox.Requests()); n != asked {
		t.Fatalf("%d requests within the cache's lifetime", n-asked)
	}
	// A minute later the names are read again, one page each.
	now = now.Add(completionCacheFor + time.Second)
	e.complete(t, "queue", "pause", "Mobile/")
	for _, r := range e.Sandbox.Requests()[asked:] {
		if !strings.Contains(r.Path, "per_page=") {
			t.Errorf("unbounded request %s", r.Path)
		}
	}
	if n := len(e.Sandbox.Requests()); n != asked+2 {
		t.Fatalf("%d requests after the cache expired, want 2 (clusters, queues)", n-asked)
	}
	if got := e.complete(t, "queue", "list", "--cluster", "Data"); strings.Join(got, ",") != "Data Platform" {
		t.Fatalf("--cluster: %q", got)
	}
}

func TestCompletionScriptsAreMade(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out bytes.Buffer
		if code := Execute(context.Background(), []string{"completion", shell}, &out, &out, noEnv); code != 0 || !strings.Contains(out.String(), "kiteconsole") {
			t.Fatalf("%s: exit %d", shell, code)
		}
	}
}
