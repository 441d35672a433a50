package cli

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
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
	if got := e.complete(t, "queue", "list", "--cluster", "Mob"); strings.Join(got, ",") != "Mobile" {
		t.Fatalf("--cluster: %q", got)
	}
	// A name with a space is not a word every shell reads as itself: it
	// is offered by its id, with the name beside it.
	data, err := newNames(e.Client).Clusters(context.Background(), "Data Platform")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.complete(t, "queue", "list", "--cluster", ""); !slices.Contains(got, data[0].ID+"\tData Platform") {
		t.Fatalf("--cluster: %q does not offer Data Platform by its id", got)
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

// A cluster name that would act on the terminal, break cobra's one-a-line
// protocol or be cut at its slash is offered by its id, which the
// commands accept; its queues complete after that id.
func TestCompletionOffersAnUnsafeClusterNameByItsID(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	ctx := context.Background()
	refs, err := newNames(e.Client).Queues(ctx, []string{"Mobile/macos"})
	if err != nil {
		t.Fatal(err)
	}
	mobile := refs[0].Cluster
	for _, name := range []string{"Mob\x1b]0;pwned\x07ile\tx", "Mob/ile"} {
		if _, err := e.Client.UpdateCluster(ctx, mobile.ID, model.ClusterUpdate{Name: model.Set(name)}); err != nil {
			t.Fatal(err)
		}
		e.dir = t.TempDir() // a cache of its own: the name is read afresh
		got := e.complete(t, "queue", "pause", "")
		offer := mobile.ID + "/\t" + completionDescription(name)
		if !slices.Contains(got, offer) {
			t.Fatalf("%q: %q does not offer the cluster's id", name, got)
		}
		for _, w := range got {
			assertInert(t, "completion", w)
			if word, _, _ := strings.Cut(w, "\t"); strings.Contains(word, "Mob") {
				t.Fatalf("%q offered as %q", name, w)
			}
		}
		if q := e.complete(t, "queue", "pause", mobile.ID+"/mac"); len(q) != 2 || q[0] != mobile.ID+"/macos" {
			t.Fatalf("queues after the id: %q", q)
		}
		if r := e.run(t, "queue", "show", mobile.ID+"/macos"); r.code != 0 {
			t.Fatalf("the offered name does not work: %d %s", r.code, r.errOut)
		}
	}
	for _, args := range [][]string{{"agent", "pause", ""}, {"agent", "stop", "x"}} {
		var out, errOut bytes.Buffer
		Execute(ctx, append([]string{"__complete"}, args...), &out, &errOut, e.getenv)
		if !strings.Contains(out.String(), ":4\n") { // ShellCompDirectiveNoFileComp
			t.Fatalf("%v: %q offers files", args, out.String())
		}
	}
}
