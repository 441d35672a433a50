package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

func TestSummaryOfTheLargeOrganisationTakesAtMostTenRequests(t *testing.T) {
	e := startCLI(t, sandbox.SizeLarge, nil)
	r := e.run(t, "summary", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	// REST requests: the queue counts come from GraphQL, metered apart.
	reqs := 0
	for _, req := range e.Sandbox.Requests() {
		if req.Path != sandbox.GraphQLPath {
			reqs++
		}
	}
	if reqs > summaryBudget {
		t.Fatalf("summary took %d requests, at most %d", reqs, summaryBudget)
	}
	var sum struct {
		Clusters []struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			QueueCount *int   `json:"queue_count"`
		} `json:"clusters"`
		Pipelines struct {
			Count    int  `json:"count"`
			Archived *int `json:"archived"`
		} `json:"pipelines"`
		LeftOut  []string `json:"left_out"`
		Requests int      `json:"requests"`
	}
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Pipelines.Count != 10_000 || len(sum.Clusters) != 25 || sum.Requests != reqs {
		t.Fatalf("pipelines %d, clusters %d, requests %d (sandbox saw %d)", sum.Pipelines.Count, len(sum.Clusters), sum.Requests, reqs)
	}
	// What it could not count cheaply it leaves out, and says so.
	if sum.Pipelines.Archived != nil || len(sum.LeftOut) != 2 {
		t.Fatalf("left out %q", sum.LeftOut)
	}
	// Each cluster's queues are counted all the same, by GraphQL.
	queues := 0
	for _, cl := range sum.Clusters {
		if cl.QueueCount == nil {
			t.Fatalf("cluster %s: no queue count", cl.Name)
		}
		queues += *cl.QueueCount
	}
	if queues != 1000 {
		t.Errorf("%d queues counted, want 1,000", queues)
	}
	text := e.run(t, "summary")
	if !strings.Contains(text.out, "Pipelines: 10000\n") || !strings.Contains(text.out, "Left out, to keep to 10 requests:") ||
		!strings.Contains(text.out, "queues: 25 clusters") {
		t.Fatalf("text:\n%s", text.out)
	}
}

func TestSummaryTextCountsAlignsAndShowsEmoji(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	r := e.run(t, "summary")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	out := r.out
	if strings.Contains(out, "1 queues") || !strings.Contains(out, "Sandbox — Experiments: anything goes · 1 queue, 0 paused") {
		t.Errorf("plural:\n%s", out)
	}
	if !strings.Contains(out, "🚀 Production") || strings.Contains(out, ":rocket:") {
		t.Errorf("emoji shortcodes printed raw:\n%s", out)
	}
	// Every queue line's state starts at the same column, though shape
	// names differ in length (MACOS_ARM64_M4_12X56 is longer than 26).
	col := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "      ") {
			continue
		}
		i := strings.Index(line, "running")
		if i < 0 {
			i = strings.Index(line, "PAUSED")
		}
		at := ansi.StringWidth(line[:i])
		if col >= 0 && at != col {
			t.Fatalf("state column at %d, then %d:\n%s", col, at, out)
		}
		col = at
	}
	if col < 0 {
		t.Fatalf("no queue lines:\n%s", out)
	}
	if e.Sandbox.Requests(); len(e.Sandbox.Requests()) > summaryBudget {
		t.Fatalf("%d requests", len(e.Sandbox.Requests()))
	}
}

func TestSummaryWarnsOfATokenOthersCanRead(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	// A configuration directory whose name holds an escape sequence: the
	// warning names the file, and is cleaned like everything printed.
	e.dir = filepath.Join(e.dir, "odd\x1b]0;title\x07dir")
	dir := filepath.Join(e.dir, "config", "kiteconsole")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	conf := "default_org: acme\norganizations:\n  - slug: acme\n    token: " + e.Sandbox.Token() + "\n    endpoint: " + e.Server.URL + "\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	e.token = ""
	var out, errOut strings.Builder
	code := Execute(context.Background(), []string{"summary"}, &out, &errOut, e.getenv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "others can read it") || !strings.Contains(errOut.String(), "chmod 600") {
		t.Fatalf("no warning: %q", errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), e.Sandbox.Token()) {
		t.Fatal("the token was printed")
	}
	assertInert(t, "summary's warning", errOut.String())
	// The runbook commands give the same warning, as cleaned.
	r := e.run(t, "queue", "list")
	if r.code != 0 || !strings.Contains(r.errOut, "others can read it") {
		t.Fatalf("queue list: exit %d, no warning: %q", r.code, r.errOut)
	}
	assertInert(t, "queue list's warning", r.errOut)
}

func TestSummaryOfManyClustersListsTheFirstPageAndCountsTheRest(t *testing.T) {
	// An organisation with more clusters than a page: the server says so
	// in its Link header (the body is the demo's five, which is enough to
	// see that the rest are counted, not listed).
	e := startCLI(t, sandbox.SizeDemo, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/clusters") {
				h.ServeHTTP(w, r)
				return
			}
			base := "http://" + r.Host + r.URL.Path
			link := `<` + base + `?page=2&per_page=100>; rel="next", <` + base + `?page=3&per_page=100>; rel="last"`
			if r.URL.Query().Get("per_page") == "1" {
				link = `<` + base + `?page=2&per_page=1>; rel="next", <` + base + `?page=250&per_page=1>; rel="last"`
			}
			h.ServeHTTP(linkWriter{ResponseWriter: w, link: link}, r)
		})
	})
	r := e.run(t, "summary")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	if !strings.Contains(r.out, "Clusters (250)") || !strings.Contains(r.out, "clusters after the first 5") {
		t.Fatalf("output:\n%s", r.out)
	}
	for _, req := range e.Sandbox.Requests() {
		if strings.Contains(req.Path, "page=2") || strings.Contains(req.Path, "page=3") {
			t.Fatalf("listed a later page of clusters: %s", req.Path)
		}
	}
	if n := len(e.Sandbox.Requests()); n > summaryBudget {
		t.Fatalf("%d requests", n)
	}
}

// linkWriter replaces the Link header a handler writes.
type linkWriter struct {
	http.ResponseWriter
	link string
}

func (l linkWriter) WriteHeader(code int) {
	l.Header().Set("Link", l.link)
	l.ResponseWriter.WriteHeader(code)
}

func (l linkWriter) Write(b []byte) (int, error) {
	l.Header().Set("Link", l.link)
	return l.ResponseWriter.Write(b)
}

// An endpoint given with a password in it (a proxy's, or a token pasted
// there) is printed with the password hidden, in the text and the JSON.
func TestSummaryHidesAnEndpointsPassword(t *testing.T) {
	e := startCLI(t, sandbox.SizeDemo, nil)
	const secret = "proxy-secret-7f3a"
	endpoint := strings.Replace(e.Server.URL, "http://", "http://ops:"+secret+"@", 1)
	for _, args := range [][]string{{"summary"}, {"summary", "--json"}} {
		var out, errOut strings.Builder
		code := Execute(context.Background(), append(args, "--endpoint", endpoint, "--org", e.Sandbox.Org()), &out, &errOut, e.getenv)
		if code != 0 || !strings.Contains(out.String(), "ops:REDACTED@") {
			t.Fatalf("%v: exit %d, endpoint not shown redacted:\n%s%s", args, code, out.String(), errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), secret) {
			t.Fatalf("%v printed the endpoint's password", args)
		}
	}
}
