package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kiteconsole/kiteconsole/api/gqlschema"
)

// GraphQLPath is where the sandbox serves Buildkite's GraphQL API, on its
// own port beside the REST API: a client finds it from the REST endpoint
// (api.Config.GraphQLEndpoint's default).
const GraphQLPath = "/graphql"

// Buildkite's GraphQL windows (graphql_resource_limits.md): complexity
// points per five minutes, the organisation's and each user's. They are
// on in a sandbox whose REST windows are (Options.RateLimit,
// Options.UserRateLimit), unless Options.GraphQLRateLimit or
// Options.GraphQLUserRateLimit say otherwise.
var (
	DefaultGraphQLRateLimit     = RateLimit{Limit: 20_000, Window: 5 * time.Minute}
	DefaultGraphQLUserRateLimit = RateLimit{Limit: 5_000, Window: 5 * time.Minute}
)

// The scopes of the GraphQL windows, as the rate-limit headers name them.
const (
	ScopeGraphQL     = "graphql"
	ScopeGraphQLUser = "graphql_user"
)

// msgGraphQLAuth is what Buildkite answers a token it does not let use
// GraphQL (one without "Enable GraphQL API Access", or none).
const msgGraphQLAuth = "Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/graphql-api#authentication"

// graphQLState is the GraphQL API's own windows, apart from REST's.
// Callers hold s.mu.
type graphQLState struct {
	orgLimit, userLimit RateLimit
	org                 rateWindow
	users               map[string]*rateWindow
	// spent is every point the GraphQL API has charged, for tests and
	// benchmarks.
	spent int
}

func (s *Server) newGraphQL() *graphQLState {
	g := &graphQLState{orgLimit: s.opts.GraphQLRateLimit, userLimit: s.opts.GraphQLUserRateLimit, users: map[string]*rateWindow{}}
	if !g.orgLimit.On() && s.opts.RateLimit.On() {
		g.orgLimit = DefaultGraphQLRateLimit
	}
	if !g.userLimit.On() && s.opts.UserRateLimit.On() {
		g.userLimit = DefaultGraphQLUserRateLimit
	}
	return g
}

// GraphQLPointsSpent is how many complexity points the sandbox's GraphQL
// API has charged since it started.
func (s *Server) GraphQLPointsSpent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gql.spent
}

// graphQLRequest is the body of a GraphQL request. Buildkite's own
// example sends variables as a string of JSON; an object is read too.
type graphQLRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
}

func (r graphQLRequest) variables() (map[string]any, error) {
	raw := bytes.TrimSpace(r.Variables)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		raw = []byte(s)
		if strings.TrimSpace(s) == "" {
			return map[string]any{}, nil
		}
	}
	vars := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&vars); err != nil {
		return nil, err
	}
	return numbersOf(vars).(map[string]any), nil
}

// numbersOf turns JSON numbers into int64 where whole, float64 otherwise,
// as both GraphQL libraries read them.
func numbersOf(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = numbersOf(x)
		}
	case []any:
		for i, x := range v {
			v[i] = numbersOf(x)
		}
	}
	return v
}

type graphQLError struct {
	Message string `json:"message"`
}

type graphQLReply struct {
	Data   json.RawMessage `json:"data,omitempty"`
	Errors []graphQLError  `json:"errors,omitempty"`
	Stats  *graphQLStats   `json:"stats,omitempty"`
}

type graphQLStats struct {
	RequestedComplexity int `json:"requestedComplexity"`
	ActualComplexity    int `json:"actualComplexity"`
}

func writeGraphQL(w http.ResponseWriter, status int, rp graphQLReply) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rp)
}

func graphQLErrors(msgs ...string) graphQLReply {
	rp := graphQLReply{}
	for _, m := range msgs {
		rp.Errors = append(rp.Errors, graphQLError{Message: m})
	}
	return rp
}

// serveGraphQL answers a request to GraphQLPath: a 401 without a grant
// (or GraphQL access), else the windows first, then validation and the single-query limit
// (neither charged), then the query, whose actual complexity both windows
// are charged.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request, g *grant) {
	if g == nil || s.opts.NoGraphQLAccess {
		writeGraphQL(w, http.StatusUnauthorized, graphQLErrors(msgGraphQLAuth))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeGraphQL(w, http.StatusMethodNotAllowed, graphQLErrors("GraphQL requests must be POSTs with a JSON body"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeGraphQL(w, http.StatusBadRequest, graphQLErrors("Could not read the request body"))
		return
	}
	var req graphQLRequest
	if err := json.Unmarshal(body, &req); err != nil || strings.TrimSpace(req.Query) == "" {
		writeGraphQL(w, http.StatusBadRequest, graphQLErrors("The request body must be JSON with a \"query\""))
		return
	}
	vars, err := req.variables()
	if err != nil {
		writeGraphQL(w, http.StatusBadRequest, graphQLErrors("The variables are not a JSON object: "+err.Error()))
		return
	}

	s.mu.Lock()
	now := s.clock()
	org, user := s.gqlWindows(g.userKey, now)
	if rp, refused := s.gqlRefusal(org, user, now); refused {
		s.gqlHeaders(w.Header(), g.userKey, now)
		s.mu.Unlock()
		writeGraphQL(w, http.StatusTooManyRequests, rp)
		return
	}
	s.mu.Unlock()

	doc, errs := gqlschema.Parse(req.Query)
	if len(errs) > 0 {
		rp := graphQLReply{}
		for _, e := range errs {
			rp.Errors = append(rp.Errors, graphQLError{Message: e.Message})
		}
		s.mu.Lock()
		s.gqlHeaders(w.Header(), g.userKey, s.clock())
		s.mu.Unlock()
		writeGraphQL(w, http.StatusOK, rp)
		return
	}
	op := operation(doc, req.OperationName)
	if op == nil {
		writeGraphQL(w, http.StatusOK, graphQLErrors("No operation named "+strconv.Quote(req.OperationName)))
		return
	}
	requested := gqlschema.Requested(gqlschema.Schema(), op, vars)
	if requested > gqlschema.MaxRequested {
		s.mu.Lock()
		s.gqlHeaders(w.Header(), g.userKey, s.clock())
		s.mu.Unlock()
		w.Header().Set("RateLimit-Complexity-Requested", strconv.Itoa(requested))
		writeGraphQL(w, http.StatusOK, graphQLErrors(fmt.Sprintf("Query has complexity of %d, which exceeds max complexity of %d", requested, gqlschema.MaxRequested)))
		return
	}

	s.mu.Lock()
	s.advance(s.opts.Now())
	q := &gqlQuery{s: s, now: s.opts.Now()}
	res := gqlExecutable().Exec(context.WithValue(r.Context(), gqlQueryKey{}, q), req.Query, req.OperationName, vars)
	var data map[string]any
	_ = json.Unmarshal(res.Data, &data)
	actual := gqlschema.Actual(gqlschema.Schema(), op, data)
	now = s.clock()
	org, user = s.gqlWindows(g.userKey, now)
	for _, win := range []*rateWindow{org, user} {
		if win != nil {
			win.used += actual
			win.tried += actual
		}
	}
	s.gql.spent += actual
	s.gqlHeaders(w.Header(), g.userKey, now)
	s.mu.Unlock()

	w.Header().Set("RateLimit-Complexity-Requested", strconv.Itoa(requested))
	w.Header().Set("RateLimit-Complexity-Actual", strconv.Itoa(actual))
	rp := graphQLReply{Data: res.Data}
	for _, e := range res.Errors {
		rp.Errors = append(rp.Errors, graphQLError{Message: e.Message})
	}
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("Buildkite-Include-Query-Stats")), "true") {
		rp.Stats = &graphQLStats{RequestedComplexity: requested, ActualComplexity: actual}
	}
	writeGraphQL(w, http.StatusOK, rp)
}

// operation is the operation a request names, or its only one.
func operation(doc *ast.QueryDocument, name string) *ast.OperationDefinition {
	if name == "" {
		if len(doc.Operations) == 1 {
			return doc.Operations[0]
		}
		return nil
	}
	return doc.Operations.ForName(name)
}

// gqlWindows are the organisation's and the user's GraphQL windows, rolled
// on to now (nil when off). Callers hold s.mu.
func (s *Server) gqlWindows(userKey string, now time.Time) (org, user *rateWindow) {
	g := s.gql
	if g.orgLimit.On() {
		org = &g.org
		org.roll(g.orgLimit, now)
	}
	if g.userLimit.On() {
		user = g.users[userKey]
		if user == nil {
			user = &rateWindow{}
			g.users[userKey] = user
		}
		user.roll(g.userLimit, now)
	}
	return org, user
}

// gqlRefusal is the 429 for a request either spent window refuses, with
// the documented message of the window that opens later. Callers hold
// s.mu.
func (s *Server) gqlRefusal(org, user *rateWindow, now time.Time) (graphQLReply, bool) {
	g := s.gql
	orgFull := org != nil && org.used >= g.orgLimit.Limit
	userFull := user != nil && user.used >= g.userLimit.Limit
	var orgReset, userReset time.Duration
	if org != nil {
		orgReset = org.state(g.orgLimit, now).reset
	}
	if user != nil {
		userReset = user.state(g.userLimit, now).reset
	}
	switch {
	case userFull && (!orgFull || userReset > orgReset):
		return graphQLErrors(fmt.Sprintf("You have exceeded your per-user limit of %d complexity points. Please try again in %d seconds.",
			g.userLimit.Limit, seconds(userReset))), true
	case orgFull:
		return graphQLErrors(fmt.Sprintf("Your organization has exceeded the limit of %d complexity points. Please try again in %d seconds.",
			g.orgLimit.Limit, seconds(orgReset))), true
	}
	return graphQLReply{}, false
}

// gqlHeaders writes the GraphQL windows' RateLimit-* and RateLimit-User-*
// headers, each only for a window that is on. Callers hold s.mu.
func (s *Server) gqlHeaders(h http.Header, userKey string, now time.Time) {
	g := s.gql
	org, user := s.gqlWindows(userKey, now)
	if org != nil {
		windowHeaders(h, "RateLimit-", ScopeGraphQL, org.state(g.orgLimit, now))
		h.Del("RateLimit-Warning") // REST's header; the GraphQL docs name none
	}
	if user != nil {
		windowHeaders(h, "RateLimit-User-", ScopeGraphQLUser, user.state(g.userLimit, now))
		h.Del("RateLimit-User-Warning")
	}
}

// gqlRateLimitDetails is the organisation's GraphQL window as "Get rate
// limits" gives it. Callers hold s.mu.
func (s *Server) gqlRateLimitDetails(now time.Time) rateLimitDetails {
	g := s.gql
	out := rateLimitDetails{Enforced: g.orgLimit.On()}
	if !g.orgLimit.On() {
		return out
	}
	w := g.org
	w.roll(g.orgLimit, now)
	st := w.state(g.orgLimit, now)
	out.Current, out.Limit, out.Reset = w.used, g.orgLimit.Limit, seconds(st.reset)
	out.ResetAt = now.Add(st.reset).UTC().Truncate(time.Second)
	return out
}
