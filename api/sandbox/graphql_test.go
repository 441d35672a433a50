package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

type gqlReply struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
	Stats *struct {
		RequestedComplexity int `json:"requestedComplexity"`
		ActualComplexity    int `json:"actualComplexity"`
	} `json:"stats"`
}

// postGraphQL sends a query to the sandbox's GraphQL endpoint as any
// HTTP client would.
func postGraphQL(t *testing.T, env *sandboxtest.Env, token, query string, vars map[string]any, header http.Header) (*http.Response, gqlReply) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+sandbox.GraphQLPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	if token == "" {
		token = env.Sandbox.Token()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rp gqlReply
	if err := json.NewDecoder(resp.Body).Decode(&rp); err != nil {
		t.Fatalf("the reply is not JSON: %v", err)
	}
	return resp, rp
}

// TestGraphQLAnswersFromTheSameStateAsREST counts agents and jobs over
// GraphQL and from the sandbox's own state, per queue, in a live
// organisation: connected, busy and paused agents, and waiting jobs.
func TestGraphQLAnswersFromTheSameStateAsREST(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, Now: clock.Now}, nil)
	agents := env.Sandbox.Agents()
	byQueue := map[string][]model.Agent{}
	for _, a := range agents {
		if a.ConnectionState == model.AgentConnected || a.ConnectionState == model.AgentStopping {
			q := strings.TrimPrefix(a.WebURL[strings.Index(a.WebURL, "/queues/"):], "/queues/")
			q, _, _ = strings.Cut(q, "/")
			byQueue[q] = append(byQueue[q], a)
		}
	}
	const query = `query($org: ID!, $q: [ID!]) { organization(slug: $org) {
		connected: agents(clusterQueue: $q) { count }
		busy: agents(clusterQueue: $q, isRunningJob: true) { count }
		paused: agents(clusterQueue: $q, paused: true) { count }
		waiting: jobs(clusterQueue: $q, state: [SCHEDULED], first: 1) { count }
	} }`
	checked := 0
	for queueID, list := range byQueue {
		_, rp := postGraphQL(t, env, "", query, map[string]any{"org": env.Sandbox.Org(), "q": []string{queueID}}, nil)
		if len(rp.Errors) > 0 {
			t.Fatalf("errors: %+v", rp.Errors)
		}
		var got struct {
			Organization struct {
				Connected, Busy, Paused, Waiting struct{ Count int }
			}
		}
		if err := json.Unmarshal(rp.Data, &got); err != nil {
			t.Fatal(err)
		}
		busy, paused := 0, 0
		for _, a := range list {
			if a.Job != nil {
				busy++
			}
			if a.Paused {
				paused++
			}
		}
		waiting, _ := env.Sandbox.QueueJobs(queueID)
		o := got.Organization
		if o.Connected.Count != len(list) || o.Busy.Count != busy || o.Paused.Count != paused || o.Waiting.Count != waiting {
			t.Errorf("queue %s: GraphQL says %d connected, %d busy, %d paused, %d waiting; the state %d, %d, %d, %d",
				queueID, o.Connected.Count, o.Busy.Count, o.Paused.Count, o.Waiting.Count, len(list), busy, paused, waiting)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no queue with agents to check")
	}
}

// TestGraphQLComplexityAsTheDocsCountIt: the docs' example asks for 503
// points (an organisation, a connection, its edges, 500 nodes) and costs
// what came back; both are in the headers, and in the body when
// Buildkite-Include-Query-Stats is true.
func TestGraphQLComplexityAsTheDocsCountIt(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	const query = `query { organization(slug: "acme") { clusters(first: 500) { edges { node { name } } } } }`
	resp, rp := postGraphQL(t, env, "", query, nil, http.Header{"Buildkite-Include-Query-Stats": {"true"}})
	var got struct {
		Organization struct {
			Clusters struct {
				Edges []struct{ Node struct{ Name string } }
			}
		}
	}
	if err := json.Unmarshal(rp.Data, &got); err != nil || len(rp.Errors) > 0 {
		t.Fatalf("%v %+v", err, rp.Errors)
	}
	n := len(got.Organization.Clusters.Edges)
	if n == 0 {
		t.Fatal("no clusters")
	}
	if h := resp.Header.Get("RateLimit-Complexity-Requested"); h != "503" {
		t.Errorf("requested complexity %q, want 503", h)
	}
	if h, want := resp.Header.Get("RateLimit-Complexity-Actual"), strconv.Itoa(3+n); h != want {
		t.Errorf("actual complexity %q, want %s (%d clusters)", h, want, n)
	}
	if rp.Stats == nil || rp.Stats.RequestedComplexity != 503 || rp.Stats.ActualComplexity != 3+n {
		t.Errorf("stats %+v, want 503 and %d", rp.Stats, 3+n)
	}
	_, plain := postGraphQL(t, env, "", query, nil, nil)
	if plain.Stats != nil {
		t.Error("stats without Buildkite-Include-Query-Stats")
	}
}

// TestGraphQLRefusesAQueryAboveTheSingleQueryLimit: 500 clusters of 500
// queues ask for 251,503 points, the docs' own figure; the reply is a 200
// with the documented error, and nothing is charged.
func TestGraphQLRefusesAQueryAboveTheSingleQueryLimit(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{RateLimit: sandbox.DefaultRateLimit}, nil)
	const query = `{ organization(slug: "acme") { clusters(first: 500) { edges { node { queues(first: 500) { edges { node { key } } } } } } } }`
	resp, rp := postGraphQL(t, env, "", query, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
	const want = "Query has complexity of 251503, which exceeds max complexity of 50000"
	if len(rp.Errors) != 1 || rp.Errors[0].Message != want || rp.Data != nil {
		t.Errorf("reply %+v, want the one error %q and no data", rp, want)
	}
	if spent := env.Sandbox.GraphQLPointsSpent(); spent != 0 {
		t.Errorf("%d points charged for a refused query", spent)
	}
	if left := resp.Header.Get("RateLimit-Remaining"); left != "20000" {
		t.Errorf("RateLimit-Remaining %q, want the whole window", left)
	}
}

// TestGraphQLWindowsRefuseWithTheDocumentedBodies spends a user's window,
// then the organisation's, on the sandbox's clock: each refusal is a 429
// with its documented message, the headers count points in both windows,
// GraphQL spends nothing of REST's windows, and the windows open again
// after five minutes.
func TestGraphQLWindowsRefuseWithTheDocumentedBodies(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit,
		GraphQLRateLimit:     sandbox.RateLimit{Limit: 60, Window: 5 * time.Minute},
		GraphQLUserRateLimit: sandbox.RateLimit{Limit: 40, Window: 5 * time.Minute},
		UserTokens:           map[string]string{"other": "other-token"}}, nil)
	// 1 (organisation) + 1 (clusters) + 1 (edges) + 5 clusters = 8 points.
	const query = `{ organization(slug: "acme") { clusters(first: 10) { edges { node { name } } } } }`
	var resp *http.Response
	var rp gqlReply
	spent := 0
	for i := 0; i < 10; i++ {
		resp, rp = postGraphQL(t, env, "", query, nil, nil)
		if resp.StatusCode != http.StatusOK {
			break
		}
		cost, _ := strconv.Atoi(resp.Header.Get("RateLimit-Complexity-Actual"))
		spent += cost
		if got, want := resp.Header.Get("RateLimit-User-Remaining"), strconv.Itoa(max(0, 40-spent)); got != want {
			t.Errorf("RateLimit-User-Remaining %q after %d points, want %s", got, spent, want)
		}
		if got, want := resp.Header.Get("RateLimit-Remaining"), strconv.Itoa(60-spent); got != want {
			t.Errorf("RateLimit-Remaining %q after %d points, want %s", got, spent, want)
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d after %d points of a 40-point window, want 429", resp.StatusCode, spent)
	}
	const userMsg = "You have exceeded your per-user limit of 40 complexity points. Please try again in 300 seconds."
	if len(rp.Errors) != 1 || rp.Errors[0].Message != userMsg {
		t.Errorf("429 body %+v, want %q", rp.Errors, userMsg)
	}
	if got := resp.Header.Get("RateLimit-User-Scope"); got != sandbox.ScopeGraphQLUser {
		t.Errorf("RateLimit-User-Scope %q", got)
	}
	// Another user spends the rest of the organisation's window.
	for i := 0; i < 10; i++ {
		if resp, rp = postGraphQL(t, env, "other-token", query, nil, nil); resp.StatusCode != http.StatusOK {
			break
		}
	}
	const orgMsg = "Your organization has exceeded the limit of 60 complexity points. Please try again in 300 seconds."
	if resp.StatusCode != http.StatusTooManyRequests || len(rp.Errors) != 1 || rp.Errors[0].Message != orgMsg {
		t.Errorf("status %d, body %+v; want 429 %q", resp.StatusCode, rp.Errors, orgMsg)
	}
	// REST's windows are untouched by any of it.
	rest, _ := env.Do(t, newRequest(t, http.MethodGet, env.Server.URL+"/v2/organizations/acme/clusters"))
	if rest.StatusCode != http.StatusOK || rest.Header.Get("RateLimit-Remaining") != "199" || rest.Header.Get("RateLimit-User-Remaining") != "49" {
		t.Errorf("REST after GraphQL: %d, %s/%s left", rest.StatusCode, rest.Header.Get("RateLimit-Remaining"), rest.Header.Get("RateLimit-User-Remaining"))
	}
	clock.Add(5 * time.Minute)
	if resp, rp = postGraphQL(t, env, "", query, nil, nil); resp.StatusCode != http.StatusOK || len(rp.Errors) > 0 {
		t.Errorf("after the windows reset: %d %+v", resp.StatusCode, rp.Errors)
	}
}

func newRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestGraphQLLimitsAreOffWithoutRESTLimits: a sandbox without REST windows
// (the tests' default) meters no GraphQL either.
func TestGraphQLLimitsAreOffWithoutRESTLimits(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	resp, rp := postGraphQL(t, env, "", `{ organization(slug: "acme") { slug } }`, nil, nil)
	if resp.StatusCode != http.StatusOK || len(rp.Errors) > 0 {
		t.Fatalf("%d %+v", resp.StatusCode, rp.Errors)
	}
	if h := resp.Header.Get("RateLimit-Remaining"); h != "" {
		t.Errorf("RateLimit-Remaining %q with the limits off", h)
	}
}

// TestGraphQLRefusesATokenWithoutGraphQLAccess: as Buildkite answers a
// token without "Enable GraphQL API Access" (a 401 with the
// authentication error), while REST goes on working with it.
func TestGraphQLRefusesATokenWithoutGraphQLAccess(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{NoGraphQLAccess: true}, nil)
	resp, rp := postGraphQL(t, env, "", `{ organization(slug: "acme") { slug } }`, nil, nil)
	if resp.StatusCode != http.StatusUnauthorized || len(rp.Errors) != 1 || !strings.HasPrefix(rp.Errors[0].Message, "Authentication required.") {
		t.Errorf("%d %+v, want 401 and the authentication error", resp.StatusCode, rp.Errors)
	}
	rest, _ := env.Do(t, newRequest(t, http.MethodGet, env.Server.URL+"/v2/organizations/acme/clusters"))
	if rest.StatusCode != http.StatusOK {
		t.Errorf("REST with the same token: %d", rest.StatusCode)
	}
}

// TestGraphQLValidatesAgainstTheSchema: a field the schema does not have
// is a 200 with errors, not data, and costs nothing.
func TestGraphQLValidatesAgainstTheSchema(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	resp, rp := postGraphQL(t, env, "", `{ organization(slug: "acme") { nope } }`, nil, nil)
	if resp.StatusCode != http.StatusOK || len(rp.Errors) == 0 || rp.Data != nil {
		t.Errorf("%d %+v", resp.StatusCode, rp)
	}
}

// TestGraphQLPagesByCursor reads a cluster's queues one at a time by
// endCursor until hasNextPage is false: every queue once, in key order.
func TestGraphQLPagesByCursor(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	const query = `query($after: String) { organization(slug: "acme") { clusters(first: 1) { edges { node {
		queues(first: 1, after: $after) { count edges { node { key } } pageInfo { hasNextPage endCursor } } } } } } }`
	var keys []string
	var after any
	total := -1
	for page := 0; page < 50; page++ {
		_, rp := postGraphQL(t, env, "", query, map[string]any{"after": after}, nil)
		var got struct {
			Organization struct {
				Clusters struct {
					Edges []struct {
						Node struct {
							Queues struct {
								Count    int
								Edges    []struct{ Node struct{ Key string } }
								PageInfo struct {
									HasNextPage bool
									EndCursor   string
								}
							}
						}
					}
				}
			}
		}
		if err := json.Unmarshal(rp.Data, &got); err != nil || len(rp.Errors) > 0 {
			t.Fatalf("%v %+v", err, rp.Errors)
		}
		qs := got.Organization.Clusters.Edges[0].Node.Queues
		total = qs.Count
		for _, e := range qs.Edges {
			keys = append(keys, e.Node.Key)
		}
		if !qs.PageInfo.HasNextPage {
			break
		}
		after = qs.PageInfo.EndCursor
	}
	if len(keys) != total || total < 2 {
		t.Fatalf("read %d queues of %d: %v", len(keys), total, keys)
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("queues out of key order: %v", keys)
		}
	}
}

// TestRateLimitsEndpointShowsTheGraphQLWindow: "Get rate limits" gives the
// organisation's GraphQL window beside REST's, in points.
func TestRateLimitsEndpointShowsTheGraphQLWindow(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Clock: clock, RateLimit: sandbox.DefaultRateLimit}, nil)
	resp, rp := postGraphQL(t, env, "", `{ organization(slug: "acme") { clusters(first: 10) { edges { node { name } } } } }`, nil, nil)
	if resp.StatusCode != http.StatusOK || len(rp.Errors) > 0 {
		t.Fatalf("%d %+v", resp.StatusCode, rp.Errors)
	}
	cost, _ := strconv.Atoi(resp.Header.Get("RateLimit-Complexity-Actual"))
	_, body := env.Do(t, newRequest(t, http.MethodGet, env.Server.URL+"/v2/organizations/acme/rate_limit"))
	var got struct {
		Scopes struct {
			GraphQL struct {
				Limit, Current, Reset int
				Enforced              bool
			} `json:"graphql"`
		} `json:"scopes"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	g := got.Scopes.GraphQL
	if !g.Enforced || g.Limit != 20000 || g.Current != cost || g.Reset != 300 {
		t.Errorf("graphql scope %+v, want 20000 enforced, %d spent, 300 s to the reset", g, cost)
	}
}

// TestAQueuePausedOverRESTIsPausedOverGraphQL: a pause made through REST
// is what GraphQL's dispatchPaused, dispatchPausedAt, dispatchPausedBy and
// dispatchPausedNote say.
func TestAQueuePausedOverRESTIsPausedOverGraphQL(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	ctx := context.Background()
	clusters, err := env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	queues, err := env.Client.ListQueues(ctx, clusters[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := queues[0]
	if q.DispatchPaused {
		q = queues[1]
	}
	paused, err := env.Client.PauseQueue(ctx, clusters[0].ID, q.ID, "disk full on the builders")
	if err != nil {
		t.Fatal(err)
	}
	const query = `query($c: ID!) { organization(slug: "acme") { cluster(id: $c) { queues(first: 100) { edges { node {
		uuid dispatchPaused dispatchPausedAt dispatchPausedNote dispatchPausedBy { name } } } } } } }`
	_, rp := postGraphQL(t, env, "", query, map[string]any{"c": clusters[0].GraphQLID}, nil)
	var got struct {
		Organization struct {
			Cluster struct {
				Queues struct {
					Edges []struct {
						Node struct {
							UUID               string
							DispatchPaused     bool
							DispatchPausedAt   *time.Time
							DispatchPausedNote *string
							DispatchPausedBy   *struct{ Name string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(rp.Data, &got); err != nil || len(rp.Errors) > 0 {
		t.Fatalf("%v %+v", err, rp.Errors)
	}
	found := false
	for _, e := range got.Organization.Cluster.Queues.Edges {
		n := e.Node
		if n.UUID != q.ID {
			continue
		}
		found = true
		if !n.DispatchPaused || n.DispatchPausedAt == nil || !n.DispatchPausedAt.Equal(paused.DispatchPausedAt.Time) ||
			model.Value(n.DispatchPausedNote) != "disk full on the builders" || n.DispatchPausedBy == nil || n.DispatchPausedBy.Name != paused.DispatchPausedBy.Name {
			t.Errorf("over GraphQL %+v, over REST %+v", n, paused)
		}
	}
	if !found {
		t.Fatalf("queue %s not over GraphQL", q.ID)
	}
}
