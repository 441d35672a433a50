package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
)

// A word every shell cobra completes for (bash, zsh, fish, PowerShell)
// reads as itself, written out independently of the code under test.
var (
	plainWord        = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._/-]*$`)
	plainDescription = regexp.MustCompile(`^[\p{L}\p{N} ._/?…-]*$`)
)

// hostileClusterNames are names a writer to the organisation (or an
// endpoint) could give clusters: each means something to some shell.
var hostileClusterNames = []string{
	"$(touch pwned)a", "`touch pwned`", "it's", `say "hi"`, "a;b", "a|b", "a&b", "a>b", "a<b",
	"Data Ops", "tab\there", "new\nline", "-rf", "~root", "=ls", "@args", "#comment", "a,b", "a{b,c}",
	"glob*", "what?", "[ab]", "!!", "^x", "%1", "a\\b", "Mob\x1b]0;pwned\x07ile", "\u202Eevil", "\u009b6n",
	"zero\u200bwidth", "emoji🚀", "$HOME", "${IFS}", "a:b", "a=b",
}

// Every word offered for a hostile name is a plain word, and every
// description is inert and plain; an id that is itself hostile (from an
// endpoint) is not offered at all, and a word is offered once.
func TestCompletionOffersOnlyWordsEveryShellReadsAsThemselves(t *testing.T) {
	var replaceID string
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if replaceID == "" || !strings.HasSuffix(r.URL.Path, "/clusters") {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"id":"`+replaceID+`"`), []byte(`"id":"\u001b]52;c;cm0gLXJmIH4=\u0007$(touch pwned)"`)))
		})
	})
	ctx := context.Background()
	clusters, err := newNames(e.Client).Clusters(ctx, "*")
	if err != nil {
		t.Fatal(err)
	}
	target := clusters[0]
	check := func(name string, got []string) {
		t.Helper()
		for _, line := range got {
			word, desc, _ := strings.Cut(line, "\t")
			word = strings.TrimSuffix(word, "/")
			for _, part := range strings.Split(word, "/") {
				if !plainWord.MatchString(part) {
					t.Fatalf("%q: offered %q", name, line)
				}
			}
			if !plainDescription.MatchString(desc) {
				t.Fatalf("%q: described as %q", name, desc)
			}
			assertInert(t, "completion", line)
		}
	}
	for _, name := range hostileClusterNames {
		if _, err := e.Client.UpdateCluster(ctx, target.ID, model.ClusterUpdate{Name: model.Set(name)}); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		e.dir = t.TempDir() // a cache of its own: the name is read afresh
		queues := e.complete(t, "queue", "pause", "")
		check(name, queues)
		check(name, e.complete(t, "queue", "list", "--cluster", ""))
		if len(queues) != len(clusters) {
			t.Fatalf("%q: %d clusters offered, want %d (by id): %q", name, len(queues), len(clusters), queues)
		}
		check(name, e.complete(t, "queue", "pause", target.ID+"/"))
	}
	// The id itself hostile: the cluster is left out.
	replaceID = target.ID
	e.dir = t.TempDir()
	got := e.complete(t, "queue", "pause", "")
	check("hostile id", got)
	if len(got) != len(clusters)-1 {
		t.Fatalf("a cluster with a hostile id and name is offered: %q", got)
	}
	if strings.Contains(strings.Join(got, "\n"), "touch") {
		t.Fatalf("offered %q", got)
	}
}

func TestCompletionOffersAWordOnce(t *testing.T) {
	var o offered
	o.add("a", "")
	o.add("id", "x")
	o.add("id", "y")
	o.add("a", "")
	if strings.Join(o.words, ",") != "a,id\tx" {
		t.Fatalf("%q", o.words)
	}
}
