// Package api is kiteconsole's REST client for the Buildkite API: one
// method per endpoint of the clusters, queues, agent-token, pipelines,
// agents, builds and jobs APIs, pagination that delivers each page as it
// arrives (by page number, or by cursor for jobs), a retry policy
// that is safe for writes, and typed errors.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/model"
)

// DefaultEndpoint is Buildkite's REST API.
const DefaultEndpoint = "https://api.buildkite.com"

// Version is kiteconsole's version, sent in the User-Agent.
var Version = "dev"

// Config configures a Client.
type Config struct {
	// Endpoint is the API's base URL; DefaultEndpoint when empty.
	Endpoint string
	// Org is the organisation slug; Token the API access token.
	Org   string
	Token string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// MaxRetries bounds the retries of one request (default 3; a negative
	// value turns retries off).
	MaxRetries int
	// MaxRetryWait caps one wait before a retry, however long the server
	// asks for (default 60s).
	MaxRetryWait time.Duration
	// Timeout bounds one attempt of a request (default 15s): a request the
	// API never answers fails instead of holding the console.
	Timeout time.Duration
	// Parallel bounds the pages of one list fetched at once (default 8;
	// 1 follows the pages one after another).
	Parallel int
	// ReadOnly refuses every request that would change something, before
	// it is sent.
	ReadOnly bool
	// OnChange, when set, is told of every request that would change
	// something, once it is done or refused: the audit log's hook, at the
	// one place every change goes through.
	OnChange func(ctx context.Context, ev ChangeEvent)
	// Budget is how the organisation's request budget is spent between a
	// person's requests and background refreshes.
	Budget Policy
	// Clock runs the client's timers: the waits before retries and for
	// the budget, and each attempt's timeout (the real clock when nil).
	// Tests give the same fake clock to the sandbox and move it by hand.
	Clock clockwork.Clock
	// Now is the time the budget's windows are read against (Clock's when
	// nil).
	Now func() time.Time
	// CacheFor, when set, answers a GET from a reply younger than it,
	// shared by every client made with WithAccess (the SSH server's
	// sessions): a screen another session just loaded opens without a
	// request. Requests marked Fresh always reach the API. Zero fetches
	// every time.
	CacheFor time.Duration
	// OnBudgetWait, when set, is told as any request of the client starts
	// waiting for a window to reset (after a 429 too), and when it goes on
	// (see the context's OnBudgetWait, which wins): a command line says
	// the wait at once rather than look hung.
	OnBudgetWait func(until time.Time)
	// GraphQLEndpoint is the GraphQL API's URL: when empty,
	// DefaultGraphQLEndpoint for Buildkite's REST API, else Endpoint's
	// /graphql (the sandbox's; see graphql.go).
	GraphQLEndpoint string
}

// ChangeEvent is one attempted change: a POST, PUT, PATCH or DELETE.
type ChangeEvent struct {
	Method string
	Path   string
	// Body is the request's JSON body (never a reply: a reply may hold a
	// token's value).
	Body []byte
	// Refused is set when the client did not send it (read-only).
	Refused bool
	// Err is nil when the change was made.
	Err error
}

// Client talks to one organisation of the Buildkite REST API. It is safe
// for concurrent use.
type Client struct {
	base         *url.URL
	org          string
	token        string
	hc           *http.Client
	userAgent    string
	maxRetries   int
	maxRetryWait time.Duration
	readOnly     bool
	parallel     int
	timeout      time.Duration
	onChange     func(ctx context.Context, ev ChangeEvent)
	// sched spends the organisation's budget: a person's requests first,
	// background ones within their share, and after a 429 nothing until
	// the window resets. Clients made by WithAccess share it.
	sched *scheduler
	// session is this client's share of a person's looks: its own for
	// every client WithAccess makes (one per SSH session).
	session *session
	// fetch sends GETs of the same URL once, and caches for background
	// refreshes; clients made by WithAccess share it.
	fetch *fetcher
	// clock runs the timers (Config.Clock).
	clock clockwork.Clock
	// sleep waits before a retry; tests replace it to observe the waits.
	sleep func(ctx context.Context, d time.Duration) error
	// gql is the GraphQL API's endpoint and windows, shared by clients
	// made by WithAccess (graphql.go).
	gql *graphQLClient
	// onWait is Config.OnBudgetWait.
	onWait func(until time.Time)
	// noteSignature, when set, follows every pause note sent
	// (WithNoteSignature).
	noteSignature string
	// reach is the last failure to reach the API, until the next reply;
	// clients made by WithAccess share it.
	reach *reachability
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	base, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL", endpoint)
	}
	if cfg.Org == "" {
		return nil, errors.New("no organisation: pass --org or set BUILDKITE_ORGANIZATION_SLUG")
	}
	if cfg.Token == "" {
		return nil, errors.New("no API token: set BUILDKITE_API_TOKEN")
	}
	clock := cfg.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	now := cfg.Now
	if now == nil {
		now = clock.Now
	}
	// A list fetches --parallel pages at once only if as many requests may
	// be in flight.
	if cfg.Budget.Slots <= 0 {
		cfg.Budget.Slots = max(cfg.Parallel, DefaultParallel)
	}
	c := &Client{
		base:         base,
		org:          cfg.Org,
		token:        cfg.Token,
		hc:           cfg.HTTPClient,
		userAgent:    "kiteconsole/" + Version,
		maxRetries:   cfg.MaxRetries,
		maxRetryWait: cfg.MaxRetryWait,
		readOnly:     cfg.ReadOnly,
		onChange:     cfg.OnChange,
		parallel:     cfg.Parallel,
		timeout:      cfg.Timeout,
		sched:        newScheduler(cfg.Budget, now),
		session:      &session{},
		fetch:        newFetcher(cfg.CacheFor),
		clock:        clock,
		onWait:       cfg.OnBudgetWait,
		reach:        &reachability{},
	}
	c.sleep = c.sleepContext
	if c.gql, err = newGraphQLClient(cfg.GraphQLEndpoint, base); err != nil {
		return nil, err
	}
	if c.parallel <= 0 {
		c.parallel = DefaultParallel
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.hc == nil {
		// Keep a connection per worker of a parallel list: the default
		// transport keeps two, and would open (and, against the real API,
		// handshake) a new one for most pages.
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = 2 * max(cfg.Parallel, DefaultParallel)
		c.hc = &http.Client{Transport: transport}
	}
	c.hc = withoutRedirects(c.hc)
	if c.maxRetries == 0 {
		c.maxRetries = 3
	}
	if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.maxRetryWait <= 0 {
		c.maxRetryWait = 60 * time.Second
	}
	return c, nil
}

// Org is the organisation the client talks to.
func (c *Client) Org() string { return c.org }

// Endpoint is the API's base URL.
func (c *Client) Endpoint() string { return c.base.String() }

// ReadOnly reports whether the client refuses changes.
func (c *Client) ReadOnly() bool { return c.readOnly }

// WithAccess returns a client sharing this one's connection and settings,
// with its own read-only flag and change hook: one per SSH session.
func (c *Client) WithAccess(readOnly bool, onChange func(context.Context, ChangeEvent)) *Client {
	cp := *c
	cp.readOnly = readOnly
	cp.onChange = onChange
	cp.session = &session{}
	return &cp
}

// WithNoteSignature is a copy of c that signs the notes of the pauses it
// sends: "INC-1 — alice via kiteconsole" for a note "INC-1" and sig
// "alice via kiteconsole". Over SSH every session shares one token, so
// Buildkite would show its owner as who paused; the note says who did.
// The change event (the audit log) keeps the note as typed, since the
// log names who in fields of its own. An empty sig signs nothing.
func (c *Client) WithNoteSignature(sig string) *Client {
	cp := *c
	cp.noteSignature = sig
	return &cp
}

// signed is note with the client's signature.
func (c *Client) signed(note string) string {
	switch {
	case c.noteSignature == "":
		return note
	case strings.TrimSpace(note) == "":
		return c.noteSignature
	}
	signed := note + " — " + c.noteSignature
	if over := utf8.RuneCountInString(signed) - model.MaxTextLength; over > 0 {
		// The API's bound: the note gives way, never who.
		r := []rune(note)
		signed = string(r[:max(0, len(r)-over-1)]) + "… — " + c.noteSignature
	}
	return signed
}

// DefaultTimeout bounds one attempt of a request.
const DefaultTimeout = 15 * time.Second

// ErrTimeout is a request the API did not answer in time: whether a
// change was made is unknown.
var ErrTimeout = errors.New("the API did not answer in time")

// errAttemptTimeout ends an attempt the API did not answer within the
// client's timeout.
var errAttemptTimeout = errors.New("attempt timed out")

// DefaultParallel is how many pages of a list are fetched at once.
const DefaultParallel = 8

// ErrReadOnly is returned, before anything is sent, by every method that
// would change something when the client is read-only.
var ErrReadOnly = errors.New("read-only mode: changes are turned off")

// maxResponse bounds a response body read into memory.
const maxResponse = 64 << 20

// request describes one API call.
type request struct {
	method string
	path   string // below /v2/organizations/{org}/, already escaped
	scope  string // the scope the endpoint needs, for 401/403 errors
	body   any
	// header holds headers of this request beyond the usual ones (a log
	// tail's Accept and Range).
	header http.Header
	// asTyped, when set, is the body as the person gave it, for the
	// change event: body then holds the signed note (WithNoteSignature).
	asTyped any
}

func (c *Client) orgPath(segments ...string) string {
	parts := []string{"v2", "organizations", url.PathEscape(c.org)}
	for _, s := range segments {
		parts = append(parts, url.PathEscape(s))
	}
	return "/" + strings.Join(parts, "/")
}

// do sends req to target (a URL of the API), retrying as the policy
// allows, and decodes a successful reply into out (when not nil).
func (c *Client) do(ctx context.Context, req request, target *url.URL, out any) (http.Header, error) {
	var payload []byte
	if req.body != nil {
		var err error
		if payload, err = json.Marshal(req.body); err != nil {
			return nil, fmt.Errorf("encoding the request: %w", err)
		}
	}
	if req.method == http.MethodGet {
		return c.get(ctx, req, target, out)
	}
	told := payload // what the change event says was sent
	if req.asTyped != nil {
		if typed, err := json.Marshal(req.asTyped); err == nil {
			told = typed
		}
	}
	if c.readOnly {
		c.changed(ctx, ChangeEvent{Method: req.method, Path: target.Path, Body: told, Refused: true, Err: ErrReadOnly})
		return nil, ErrReadOnly
	}
	header, body, err := c.attempts(ctx, req, target, payload)
	if err == nil {
		err = decodeReply(req, target, body, out)
	}
	c.fetch.forget()
	c.changed(ctx, ChangeEvent{Method: req.method, Path: target.Path, Body: told, Err: err})
	return header, err
}

// get is a GET: answered from the shared cache when a reply younger than
// its lifetime is there (unless the request is marked Fresh: a person's
// r), else sent once however many clients ask for it at the same time.
func (c *Client) get(ctx context.Context, req request, target *url.URL, out any) (http.Header, error) {
	shown := shownOf(ctx)
	if shown == nil {
		return c.getShared(ctx, req, target, out)
	}
	if shown.Err() != nil {
		return nil, ErrNotShown
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(shown, cancel)()
	header, err := c.getShared(ctx, req, target, out)
	if err != nil && shown.Err() != nil {
		return header, ErrNotShown
	}
	return header, err
}

type shownKey struct{}

// ErrNotShown is a read stopped because what it was for is no longer
// shown (ReadsWhile): a deferral, which keeps what was shown.
var ErrNotShown = fmt.Errorf("%w: not shown", ErrDeferred)

// ReadsWhile stops the GETs made with ctx, sent or waiting for the
// budget, once shown ends; they fail with ErrNotShown. Changes are never
// stopped by it. A screen covered by another makes no reads: what it was
// reading is read again when it is shown.
func ReadsWhile(ctx, shown context.Context) context.Context {
	return context.WithValue(ctx, shownKey{}, shown)
}

func shownOf(ctx context.Context) context.Context {
	s, _ := ctx.Value(shownKey{}).(context.Context)
	return s
}

// getShared is get's request, answered from the cache or sent once.
func (c *Client) getShared(ctx context.Context, req request, target *url.URL, out any) (http.Header, error) {
	lane := laneOf(ctx)
	key := target.String()
	if req.header != nil {
		// A ranged or plain-text GET is another reply than the URL's own.
		key += " " + req.header.Get("Accept") + " " + req.header.Get("Range")
	}
	if !isFresh(ctx) {
		if hit, ok := c.fetch.fresh(key, c.sched.now()); ok {
			return hit.header, decodeReply(req, target, hit.body, out)
		}
	}
	// Lanes fly apart: a person's request must never share a background
	// one's deferral.
	c.fetch.inFlight.Add(1)
	defer c.fetch.inFlight.Add(-1)
	v, err, _ := c.fetch.flight.Do(strconv.Itoa(int(lane))+" "+key, func() (any, error) {
		header, body, err := c.attempts(ctx, req, target, nil)
		if err != nil {
			return fetched{header: header}, err
		}
		r := fetched{header: header, body: body}
		c.fetch.store(key, r, c.sched.now())
		return r, nil
	})
	r, _ := v.(fetched)
	if err != nil {
		return r.header, err
	}
	return r.header, decodeReply(req, target, r.body, out)
}

// decodeReply reads a successful reply's JSON into out (when not nil).
func decodeReply(req request, target *url.URL, body []byte, out any) error {
	if raw, ok := out.(*[]byte); ok { // a text reply, kept as sent
		*raw = append([]byte(nil), body...)
		return nil
	}
	if view, ok := out.(*replyView); ok {
		*view = body
		return nil
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &Error{StatusCode: http.StatusOK, Method: req.method, Path: target.Path,
			Message: "the API sent a reply that could not be read: " + err.Error()}
	}
	return nil
}

func (c *Client) changed(ctx context.Context, ev ChangeEvent) {
	if c.onChange != nil {
		c.onChange(ctx, ev)
	}
}

// attempts sends a request as often as the retry policy allows, each
// attempt in its turn of the budget's lanes.
func (c *Client) attempts(ctx context.Context, req request, target *url.URL, payload []byte) (http.Header, []byte, error) {
	lane := laneFor(ctx, req.method)
	if c.onWait != nil && budgetWaitReport(ctx) == nil {
		ctx = OnBudgetWait(ctx, c.onWait)
	}
	var holdWait time.Duration // the wait a 429 asked this request for
	for attempt := 0; ; attempt++ {
		if err := c.sched.acquire(ctx, lane, c.session, c.sleep, holdWait); err != nil {
			return nil, nil, err
		}
		holdWait = 0
		header, status, body, err := c.send(ctx, req.method, target, payload, req.header)
		var wait time.Duration
		retry := false
		if err == nil {
			scope := refusedScope(status, header, body)
			wait, retry = c.retryWait(req.method, status, header, body, attempt)
			if status == http.StatusTooManyRequests {
				// A window is spent: every request of every client
				// sharing the budget waits for it to reset, held before
				// this slot is given back.
				c.sched.hold(c.sched.now().Add(wait), scope)
			}
			c.sched.observe(header, status, scope) // gives the slot back
		} else {
			c.sched.release()
		}
		if err != nil {
			return nil, nil, err
		}
		if status >= 200 && status < 300 {
			return header, body, nil
		}
		apiErr := newError(req, target.Path, status, header, body)
		if status == http.StatusTooManyRequests {
			if lane == Background {
				return header, nil, fmt.Errorf("%w: %w", ErrDeferred, apiErr)
			}
			if !retry || attempt >= c.maxRetries {
				return header, nil, apiErr
			}
			holdWait = wait // the next acquire waits out the hold
			continue
		}
		if !retry || attempt >= c.maxRetries {
			return header, nil, apiErr
		}
		if err := c.sleep(ctx, wait); err != nil {
			return header, nil, err
		}
	}
}

// send makes one attempt and reads the whole reply.
func (c *Client) send(ctx context.Context, method string, target *url.URL, payload []byte, extra http.Header) (http.Header, int, []byte, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The attempt's timeout runs on the client's clock, as the sandbox's
	// hangs do in tests.
	timeout := c.clock.AfterFunc(c.timeout, func() { cancel(errAttemptTimeout) })
	defer timeout.Stop()
	hr, err := http.NewRequestWithContext(ctx, method, target.String(), body)
	if err != nil {
		return nil, 0, nil, err
	}
	hr.Header.Set("Authorization", "Bearer "+c.token)
	hr.Header.Set("User-Agent", c.userAgent)
	hr.Header.Set("Accept", "application/json")
	if payload != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range extra {
		hr.Header[k] = v
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		if ctxErr := parent.Err(); ctxErr != nil {
			return nil, 0, nil, ctxErr
		}
		if errors.Is(context.Cause(ctx), errAttemptTimeout) {
			err = fmt.Errorf("%s %s: %w (%s)", method, target.Path, ErrTimeout, c.timeout)
		} else {
			// The transport's error names the URL, never the token.
			err = fmt.Errorf("%s %s: %w", method, target.Path, unwrapURLError(err))
		}
		c.reach.failed(c.sched.now(), err)
		return nil, 0, nil, err
	}
	c.reach.replied()
	defer resp.Body.Close()
	data, err := readReply(resp)
	if err != nil {
		if ctxErr := parent.Err(); ctxErr != nil {
			return nil, 0, nil, ctxErr
		}
		if errors.Is(context.Cause(ctx), errAttemptTimeout) {
			return nil, 0, nil, fmt.Errorf("%s %s: %w (%s)", method, target.Path, ErrTimeout, c.timeout)
		}
		return nil, 0, nil, fmt.Errorf("%s %s: reading the reply: %w", method, target.Path, err)
	}
	return resp.Header, resp.StatusCode, data, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryWait decides whether a failed attempt is retried and after how
// long. Every method is retried on 429, since the server did not act on
// it; only GET is retried on 502/503/504, since a write may have been
// done before the gateway gave up.
func (c *Client) retryWait(method string, status int, h http.Header, body []byte, attempt int) (time.Duration, bool) {
	switch {
	case status == http.StatusTooManyRequests:
		if d, ok := rateLimitWait(h, body, c.sched.now()); ok {
			// Never at once, even on "Reset: 0", and not in step with
			// every other client waiting for the same reset.
			return min(d, c.maxRetryWait) + resetMargin(), true
		}
		return c.backoff(attempt), true
	case method == http.MethodGet && (status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout):
		return c.backoff(attempt), true
	}
	return 0, false
}

// serverWait reads how long the server asks us to wait: RateLimit-Reset
// (seconds until the window resets) or Retry-After (seconds or a date,
// read against now).
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("RateLimit-Reset"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return time.Duration(n) * time.Second, true
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			return time.Duration(n) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(0, t.Sub(now)), true
		}
	}
	return 0, false
}

// backoff is exponential from 250ms, capped at 8s, with full jitter so
// that many clients do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := min(250*time.Millisecond<<min(attempt, 5), 8*time.Second, c.maxRetryWait)
	return time.Duration(rand.Int64N(int64(ceiling)) + 1)
}

// sleepContext waits d on the client's clock, or until ctx ends.
func (c *Client) sleepContext(ctx context.Context, d time.Duration) error {
	t := c.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.Chan():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// callFor is call for an endpoint that answers with a T: what was read
// into the T, and call's error.
func callFor[T any](ctx context.Context, c *Client, req request) (T, error) {
	var out T
	err := c.call(ctx, req, &out)
	return out, err
}

// call is do against a path below the API's base URL.
func (c *Client) call(ctx context.Context, req request, out any) error {
	target, err := url.Parse(c.base.String() + req.path)
	if err != nil {
		return fmt.Errorf("building the URL of %s: %w", req.path, err)
	}
	_, err = c.do(ctx, req, target, out)
	return err
}
