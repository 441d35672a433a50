package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// Buildkite's GraphQL API answers what REST cannot in one request: counts
// of agents and jobs by queue, state, busy and paused. It is metered apart
// from REST, in complexity points (20,000 per five minutes for the
// organisation, 5,000 for each user), so the live counts stop competing
// with a person's looks and changes for REST's 50 requests a minute. The
// client uses it for reads only: every change goes through REST (call),
// and a GraphQL read that cannot be had (no access, an error, its windows
// spent) is a GraphQLUnavailableError, on which callers read REST instead.

// DefaultGraphQLEndpoint is Buildkite's GraphQL API.
const DefaultGraphQLEndpoint = "https://graphql.buildkite.com/v1"

// graphQLPath is where a REST endpoint other than Buildkite's serves
// GraphQL: the sandbox's (sandbox.GraphQLPath).
const graphQLPath = "/graphql"

// GraphQLFallback says why a GraphQL read could not be had.
type GraphQLFallback int

const (
	// GraphQLNoAccess: the token was refused at the GraphQL endpoint (it
	// lacks "Enable GraphQL API Access"); no GraphQL read is tried again
	// with it.
	GraphQLNoAccess GraphQLFallback = iota + 1
	// GraphQLFailed: the endpoint failed, or answered with errors.
	GraphQLFailed
	// GraphQLSpent: a GraphQL window is spent (or too low for the query)
	// until Until.
	GraphQLSpent
)

// ErrGraphQLUnavailable is what every GraphQLUnavailableError is
// (errors.Is): the caller reads REST instead.
var ErrGraphQLUnavailable = errors.New("GraphQL is not available: read REST instead")

// GraphQLUnavailableError is a GraphQL read that could not be had, and why.
type GraphQLUnavailableError struct {
	Reason GraphQLFallback
	// Until is, for GraphQLSpent, when the window that stops the read
	// resets; Scope names it ("graphql" or "graphql_user").
	Until time.Time
	Scope string
	// Err is the error behind it, if any.
	Err error
}

func (e *GraphQLUnavailableError) Error() string {
	s := "GraphQL: " + e.Said()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Said is the reason as the header says it once: the counts come from
// REST because ...
func (e *GraphQLUnavailableError) Said() string {
	switch e.Reason {
	case GraphQLNoAccess:
		return "the API token has no GraphQL access"
	case GraphQLSpent:
		if e.Scope == ScopeGraphQLUser {
			return "your GraphQL points are spent"
		}
		return "the organisation's GraphQL points are spent"
	}
	return "the GraphQL API failed"
}

func (e *GraphQLUnavailableError) Is(target error) bool { return target == ErrGraphQLUnavailable }
func (e *GraphQLUnavailableError) Unwrap() error        { return e.Err }

// The scopes of the GraphQL windows, as the rate-limit headers name them.
const (
	ScopeGraphQL     = "graphql"
	ScopeGraphQLUser = "graphql_user"
)

// graphQLClient is the GraphQL endpoint and what its replies said of its
// two windows. Clients made by WithAccess share it: the windows are the
// token's.
type graphQLClient struct {
	endpoint *url.URL

	mu        sync.Mutex
	org, user Window
	heldUntil time.Time
	heldScope string
	// noAccess is set once the endpoint refused the token.
	noAccess bool
	// unavailable is why the last GraphQL read could not be had; nil once
	// one has been. The console's header says it: its counts then come
	// from REST.
	unavailable *GraphQLUnavailableError
}

// note records how a GraphQL read went: a GraphQLUnavailableError is the
// reason counts come from REST until a read succeeds; a context's end
// says nothing of GraphQL.
func (g *graphQLClient) note(err error) {
	var u *GraphQLUnavailableError
	switch {
	case err == nil:
	case errors.As(err, &u):
	default:
		return
	}
	g.mu.Lock()
	g.unavailable = u
	g.mu.Unlock()
}

// GraphQLUnavailable is why the last GraphQL read could not be had (its
// counts were read from REST instead), or nil when it was had, or none
// was tried.
func (c *Client) GraphQLUnavailable() *GraphQLUnavailableError {
	c.gql.mu.Lock()
	defer c.gql.mu.Unlock()
	if c.gql.unavailable == nil {
		return nil
	}
	u := *c.gql.unavailable
	return &u
}

func newGraphQLClient(endpoint string, restBase *url.URL) (*graphQLClient, error) {
	if endpoint == "" {
		if restBase.String() == DefaultEndpoint {
			endpoint = DefaultGraphQLEndpoint
		} else {
			endpoint = restBase.String() + graphQLPath
		}
	}
	u, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("GraphQL endpoint %q is not an http(s) URL", endpoint)
	}
	return &graphQLClient{endpoint: u}, nil
}

// GraphQLEndpoint is the GraphQL API's URL.
func (c *Client) GraphQLEndpoint() string { return c.gql.endpoint.String() }

// graphQLBackgroundFloor is the part of a GraphQL window a background or
// bulk read leaves to a person's looks.
const graphQLBackgroundFloor = 5 // a fifth

// gate says whether a query of requested points may go in lane now, or
// why not.
func (g *graphQLClient) gate(lane Lane, requested int, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.noAccess {
		return &GraphQLUnavailableError{Reason: GraphQLNoAccess}
	}
	if now.Before(g.heldUntil) {
		return &GraphQLUnavailableError{Reason: GraphQLSpent, Until: g.heldUntil, Scope: g.heldScope}
	}
	for _, w := range []struct {
		w     Window
		scope string
	}{{g.user.at(now), ScopeGraphQLUser}, {g.org.at(now), ScopeGraphQL}} {
		if !w.w.Known {
			continue
		}
		floor := 0
		if lane == Background || lane == Bulk {
			floor = w.w.Limit / graphQLBackgroundFloor
		}
		if w.w.Remaining-requested < floor {
			return &GraphQLUnavailableError{Reason: GraphQLSpent, Until: w.w.ResetAt, Scope: w.scope}
		}
	}
	return nil
}

// observe reads a reply's GraphQL windows; a 429 holds every GraphQL read
// until the window it names resets, and a refused token stops them all.
func (g *graphQLClient) observe(h http.Header, status int, body []byte, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if w, ok := readWindow(h, "RateLimit-", now); ok {
		g.org = w
	}
	if w, ok := readWindow(h, "RateLimit-User-", now); ok {
		g.user = w
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		g.noAccess = true
	case http.StatusTooManyRequests:
		scope, wait := graphQLRefusal(h, body)
		if scope == ScopeGraphQLUser {
			g.user.Remaining = 0
		} else {
			g.org.Remaining = 0
		}
		if until := now.Add(wait); until.After(g.heldUntil) {
			g.heldUntil, g.heldScope = until, scope
		}
	}
}

// tryAgainIn reads "Please try again in 187 seconds." from a 429's message.
var tryAgainIn = regexp.MustCompile(`try again in (\d+) seconds`)

// graphQLRefusal is the window a GraphQL 429 names (its message says "per-
// user" for the user's) and how long it asks to wait: the message's
// seconds, else the window's reset header, else a minute.
func graphQLRefusal(h http.Header, body []byte) (string, time.Duration) {
	var rp graphQLResponse
	_ = json.Unmarshal(body, &rp)
	msg := ""
	if len(rp.Errors) > 0 {
		msg = rp.Errors[0].Message
	}
	scope, header := ScopeGraphQL, "RateLimit-Reset"
	if strings.Contains(msg, "per-user") {
		scope, header = ScopeGraphQLUser, "RateLimit-User-Reset"
	}
	if m := tryAgainIn.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return scope, time.Duration(n) * time.Second
	}
	if n, ok := headerInt(h, header); ok {
		return scope, time.Duration(n) * time.Second
	}
	return scope, time.Minute
}

// fill adds the GraphQL windows to a budget.
func (g *graphQLClient) fill(b *Budget, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	b.GraphQLOrg, b.GraphQLUser = g.org.at(now), g.user.at(now)
	b.GraphQLHeldUntil = g.heldUntil
}

type graphQLResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// graphQLQuery is a query ready to send: its text and operation (read for
// its kind) and its requested complexity, which the windows are checked
// against before it is sent.
type graphQLQuery struct {
	text      string
	op        *ast.OperationDefinition
	vars      map[string]any
	requested int
}

// queryGraphQL is the GraphQL reads' checkpoint, as call is REST's: only a
// query (never a mutation: changes go through REST, read-only mode and the
// audit log) is sent; it goes in its context's lane within the GraphQL
// windows, once however many clients ask for the same at the same time
// (and from the shared cache, as GETs are); its data is decoded into out.
// Any way it fails but the context's end is a GraphQLUnavailableError.
// What each reply was charged is added to the context's PointsMeter
// (CountPoints), a reply from the cache as what it cost when sent.
//
// A query made under ReadsWhile is not sent once what it is for is no
// longer shown, and one in flight then is given up: both end as
// ErrNotShown, as REST's GETs do, so a covered screen spends no points.
func (c *Client) queryGraphQL(ctx context.Context, q graphQLQuery, out any) (err error) {
	defer func() { c.gql.note(err) }()
	if q.op == nil || q.op.Operation != ast.Query {
		return errors.New("only GraphQL queries are sent: every change goes through the REST API")
	}
	shown := shownOf(ctx)
	if shown == nil {
		return c.queryGraphQLShared(ctx, q, out)
	}
	if shown.Err() != nil {
		return ErrNotShown
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(shown, cancel)()
	err = c.queryGraphQLShared(ctx, q, out)
	if err != nil && shown.Err() != nil {
		return ErrNotShown
	}
	return err
}

// queryGraphQLShared is queryGraphQL's query, answered from the cache or
// sent once.
func (c *Client) queryGraphQLShared(ctx context.Context, q graphQLQuery, out any) error {
	lane := laneOf(ctx)
	if err := c.gql.gate(lane, q.requested, c.sched.now()); err != nil {
		return err
	}
	payload, err := json.Marshal(map[string]any{"query": q.text, "variables": q.vars})
	if err != nil {
		return err
	}
	key := "POST " + c.gql.endpoint.String() + " " + string(payload)
	if !isFresh(ctx) {
		if hit, ok := c.fetch.fresh(key, c.sched.now()); ok {
			// Counted as what it cost when sent: a screen's pace does not
			// hang on whether another session's read paid for it.
			meterOf(ctx).add(chargedPoints(hit.header, q.requested))
			return decodeGraphQL(hit.body, out)
		}
	}
	c.fetch.inFlight.Add(1)
	defer c.fetch.inFlight.Add(-1)
	v, err, _ := c.fetch.flight.Do(strconv.Itoa(int(lane))+" "+key, func() (any, error) {
		header, status, body, err := c.send(ctx, http.MethodPost, c.gql.endpoint, payload, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &GraphQLUnavailableError{Reason: GraphQLFailed, Err: err}
		}
		c.gql.observe(header, status, body, c.sched.now())
		switch {
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			return nil, &GraphQLUnavailableError{Reason: GraphQLNoAccess, Err: graphQLStatusError(status, body)}
		case status == http.StatusTooManyRequests:
			scope, wait := graphQLRefusal(header, body)
			return nil, &GraphQLUnavailableError{Reason: GraphQLSpent, Scope: scope, Until: c.sched.now().Add(wait),
				Err: graphQLStatusError(status, body)}
		case status < 200 || status > 299:
			return nil, &GraphQLUnavailableError{Reason: GraphQLFailed, Err: graphQLStatusError(status, body)}
		}
		r := fetched{header: header, body: body}
		c.fetch.store(key, r, c.sched.now())
		return r, nil
	})
	if err != nil {
		return err
	}
	// A reply with errors in it was charged all the same.
	meterOf(ctx).add(chargedPoints(v.(fetched).header, q.requested))
	return decodeGraphQL(v.(fetched).body, out)
}

// decodeGraphQL reads a 200's data into out; errors in it (the single-query
// limit's among them) fail the read: partial counts would be wrong counts.
func decodeGraphQL(body []byte, out any) error {
	var rp graphQLResponse
	if err := json.Unmarshal(body, &rp); err != nil {
		return &GraphQLUnavailableError{Reason: GraphQLFailed, Err: fmt.Errorf("the reply could not be read: %w", err)}
	}
	if len(rp.Errors) > 0 {
		return &GraphQLUnavailableError{Reason: GraphQLFailed, Err: errors.New(rp.Errors[0].Message)}
	}
	if err := json.Unmarshal(rp.Data, out); err != nil {
		return &GraphQLUnavailableError{Reason: GraphQLFailed, Err: fmt.Errorf("the data could not be read: %w", err)}
	}
	return nil
}

func graphQLStatusError(status int, body []byte) error {
	var rp graphQLResponse
	if json.Unmarshal(body, &rp) == nil && len(rp.Errors) > 0 {
		return fmt.Errorf("%d %s", status, rp.Errors[0].Message)
	}
	return fmt.Errorf("%d %s", status, http.StatusText(status))
}
