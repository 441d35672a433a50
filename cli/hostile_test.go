package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
)

// hostileText is what a writer to the organisation (or a hostile
// endpoint) could put in a description, a note or an error: OSC 52 (the
// clipboard), a window title, clear screen, a cursor report request, C1
// controls, a DCS and a right-to-left override.
const hostileText = "evil\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x1b[2J\x1b[6n\u009b6n\x1bP+q544e\x1b\\\u202Eend"

// assertInert fails when s holds a byte that could act on a terminal.
func assertInert(t *testing.T, where, s string) {
	t.Helper()
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) || r == '\u202E' {
			t.Fatalf("%s holds %U:\n%q", where, r, s)
		}
	}
}

func TestAPITextIsCleanedOnEveryOutputPath(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	ctx := context.Background()
	refs, err := newNames(e.Client).Queues(ctx, []string{"Production/deploy"})
	if err != nil {
		t.Fatal(err)
	}
	prod := refs[0].Cluster
	if _, err := e.Client.UpdateCluster(ctx, prod.ID, model.ClusterUpdate{Description: model.Set(hostileText)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.PauseQueue(ctx, prod.ID, refs[0].Queue.ID, hostileText); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"summary"},
		{"queue", "list"},
		{"queue", "show", "Production/deploy"},
		{"queue", "pause", "Production/*", "--note", "x", "--yes"},
		{"queue", "list", "--json"},
		{"summary", "--json"},
	} {
		r := e.run(t, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.errOut)
		}
		assertInert(t, strings.Join(args, " ")+" stdout", r.out)
		assertInert(t, strings.Join(args, " ")+" stderr", r.errOut)
		if (len(args) < 2 || args[1] != "pause") && !strings.Contains(r.out, "evil") {
			t.Fatalf("%v: the text itself is gone:\n%s", args, r.out)
		}
	}
}

func TestAnAPIErrorMessageIsCleanedByTheErrorHandler(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			body, _ := json.Marshal(map[string]string{"message": hostileText})
			_, _ = w.Write(body)
		})
	})
	for _, args := range [][]string{{"summary"}, {"queue", "list"}, {"queue", "pause", "A/b"}} {
		r := e.run(t, args...)
		if r.code != ExitFailed {
			t.Fatalf("%v: exit %d", args, r.code)
		}
		assertInert(t, "stderr", r.errOut)
		if !strings.Contains(r.errOut, "evil") {
			t.Fatalf("%v: the message is gone: %q", args, r.errOut)
		}
	}
}
