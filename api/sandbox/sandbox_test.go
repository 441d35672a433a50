package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

func get(t *testing.T, env *sandboxtest.Env, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.Server.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestLinkHeader(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil) // 40 pipelines
	base := env.Server.URL + "/v2/organizations/acme/pipelines"

	resp, body := get(t, env, "/v2/organizations/acme/pipelines", env.Sandbox.Token())
	var page []map[string]any
	_ = json.Unmarshal(body, &page)
	if len(page) != 30 {
		t.Fatalf("default page has %d items, want 30", len(page))
	}
	want := `<` + base + `?page=2&per_page=30>; rel="next", <` + base + `?page=2&per_page=30>; rel="last"`
	if got := resp.Header.Get("Link"); got != want {
		t.Fatalf("Link = %s\nwant   %s", got, want)
	}

	resp, body = get(t, env, "/v2/organizations/acme/pipelines?page=2&per_page=15", env.Sandbox.Token())
	_ = json.Unmarshal(body, &page)
	want = `<` + base + `?page=1&per_page=15>; rel="first", <` + base + `?page=1&per_page=15>; rel="prev", ` +
		`<` + base + `?page=3&per_page=15>; rel="next", <` + base + `?page=3&per_page=15>; rel="last"`
	if got := resp.Header.Get("Link"); got != want || len(page) != 15 {
		t.Fatalf("Link = %s (%d items)\nwant   %s", got, len(page), want)
	}

	resp, body = get(t, env, "/v2/organizations/acme/pipelines?per_page=1000", env.Sandbox.Token())
	_ = json.Unmarshal(body, &page)
	if len(page) != 40 || resp.Header.Get("Link") != "" {
		t.Fatalf("per_page over 100 on 40 items: %d items, Link %q", len(page), resp.Header.Get("Link"))
	}
	resp, body = get(t, env, "/v2/organizations/acme/pipelines?page=9", env.Sandbox.Token())
	if strings.TrimSpace(string(body)) != "[]" || !strings.Contains(resp.Header.Get("Link"), `rel="first"`) {
		t.Fatalf("past the last page: %s / %s", body, resp.Header.Get("Link"))
	}
}

func TestPerPageIsCappedAt100(t *testing.T) {
	t.Parallel()
	// 500 pipelines are enough to ask for 500; 10,000 take a second to
	// seed under the race detector.
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 500}, nil)
	resp, body := get(t, env, "/v2/organizations/acme/pipelines?per_page=500", env.Sandbox.Token())
	var page []any
	_ = json.Unmarshal(body, &page)
	if len(page) != 100 {
		t.Fatalf("per_page=500 gave %d", len(page))
	}
	if !strings.Contains(resp.Header.Get("Link"), `page=5&per_page=100>; rel="last"`) {
		t.Fatalf("500 pipelines in pages of 100: Link %s", resp.Header.Get("Link"))
	}
}

func TestAuthentication(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	for _, token := range []string{"", "wrong"} {
		resp, body := get(t, env, "/v2/organizations/acme/clusters", token)
		var msg map[string]string
		if resp.StatusCode != 401 || json.Unmarshal(body, &msg) != nil || msg["message"] == "" {
			t.Fatalf("token %q: %d %s", token, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/v2/organizations/acme/clusters", strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Authorization", "Bearer "+env.Sandbox.ReadOnlyToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("read-only write: %d", resp.StatusCode)
	}
	log := env.Sandbox.Requests()
	if last := log[len(log)-1]; last.Method != "POST" || last.Status != 403 || last.Token != "read-only" {
		t.Fatalf("log = %+v", last)
	}
	// A read-only user cannot edit pipelines, so the spec says it sees no
	// webhook URL.
	_, body := get(t, env, "/v2/organizations/acme/pipelines/api-gateway", env.Sandbox.ReadOnlyToken())
	var p model.Pipeline
	_ = json.Unmarshal(body, &p)
	if p.Provider.WebhookURL != "" {
		t.Fatalf("webhook_url shown to a read-only token: %q", p.Provider.WebhookURL)
	}
}

func TestMalformedBodies(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"name": `, 400},
		{`{"name": 12}`, 422},
		{`[]`, 422},
	} {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/v2/organizations/acme/clusters", strings.NewReader(tc.body))
		resp, body := env.Do(t, req)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"message"`) {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, body)
		}
	}
}

func TestDemoOrganisation(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx, c := context.Background(), env.Client
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(clusters) < 4 || len(clusters) > 6 {
		t.Fatalf("%d clusters", len(clusters))
	}
	var queues, paused, linux, macos, expired, soon, tokens int
	for _, cl := range clusters {
		if model.Value(cl.Emoji) == "" || model.ValidateColor(model.Value(cl.Color)) != nil || model.Value(cl.Color) == "" || cl.DefaultQueueID == nil {
			t.Errorf("cluster %s lacks emoji, colour or default queue", cl.Name)
		}
		qs, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			queues++
			if q.DispatchPaused && model.Value(q.DispatchPausedNote) != "" && q.DispatchPausedBy != nil {
				paused++
			}
			if q.Hosted {
				switch q.HostedAgents.InstanceShape.MachineType {
				case model.MachineLinux:
					linux++
				case model.MachineMacOS:
					macos++
				}
			}
		}
		ts, err := c.ListTokens(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range ts {
			tokens++
			if tok.ExpiresAt != nil && tok.ExpiresAt.Before(sandboxtest.Now) {
				expired++
			}
			if tok.ExpiresAt != nil && tok.ExpiresAt.After(sandboxtest.Now) && tok.ExpiresAt.Before(sandboxtest.Now.Add(7*24*time.Hour)) {
				soon++
			}
		}
	}
	if queues < 10 || queues > 14 || paused != 1 || linux == 0 || macos == 0 || expired != 1 || soon != 1 || tokens < 4 {
		t.Fatalf("queues %d, paused with a note %d, hosted linux %d / macos %d, tokens %d (expired %d, expiring in a week %d)",
			queues, paused, linux, macos, tokens, expired, soon)
	}
	ps, err := c.ListPipelines(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	archived, inCluster := 0, map[string]int{}
	for _, p := range ps {
		if p.Archived() {
			archived++
		}
		inCluster[model.Value(p.ClusterID)]++
	}
	if len(ps) < 35 || len(ps) > 45 || archived == 0 || len(inCluster) != len(clusters) {
		t.Fatalf("%d pipelines, %d archived, in %d clusters", len(ps), archived, len(inCluster))
	}
}

func TestLargeOrganisation(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge}, nil)
	ctx, c := context.Background(), env.Client
	clusters, err := c.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	queues, tokens := 0, 0
	for _, cl := range clusters {
		qs, err := c.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := c.ListTokens(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		queues += len(qs)
		tokens += len(ts)
	}
	if len(clusters) != 25 || queues != 1000 || tokens != 250 {
		t.Fatalf("%d clusters, %d queues, %d tokens", len(clusters), queues, tokens)
	}
	_, body := get(t, env, "/v2/organizations/acme/pipelines?page=100&per_page=100", env.Sandbox.Token())
	var last []any
	_ = json.Unmarshal(body, &last)
	if len(last) != 100 {
		t.Fatalf("page 100 of the pipelines has %d", len(last))
	}
}

func TestSameSeedSameOrganisation(t *testing.T) {
	dump := func(seed uint64) string {
		env := sandboxtest.Start(t, sandbox.Options{Seed: seed}, nil)
		var b strings.Builder
		for _, p := range []string{"/clusters", "/pipelines?per_page=100"} {
			_, body := get(t, env, "/v2/organizations/acme"+p, env.Sandbox.Token())
			b.Write(body)
		}
		// URLs carry the server's port; everything else must be equal.
		return strings.ReplaceAll(b.String(), env.Server.URL, "")
	}
	a, b, other := dump(1), dump(1), dump(2)
	if a != b {
		t.Fatal("the same seed gave different organisations")
	}
	if a == other {
		t.Fatal("a different seed gave the same ids")
	}
}

func TestLatencyAndAbandonedRequests(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Latency: time.Hour})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v2/organizations/acme/clusters", nil)
	req.Header.Set("Authorization", "Bearer "+sb.Token())
	done := make(chan error, 1)
	go func() {
		_, err := http.DefaultClient.Do(req)
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a request answered through an hour of latency")
	}
	sb.SetLatency(0)
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/v2/organizations/acme/clusters", nil)
	req.Header.Set("Authorization", "Bearer "+sb.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after latency off: %v", err)
	}
	resp.Body.Close()
}
