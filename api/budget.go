package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buildkite enforces two REST windows at once: the organisation's (200
// requests a minute, shared by every user, script and integration in it)
// and the user's behind the token (50 a minute by default). A request is
// refused when either is spent. The client keeps what the last reply said
// of both, and spends whichever has less left (the binding window) in
// four lanes:
//
//   - a change a person makes (pause, resume, create, update, delete,
//     revoke) is never queued behind anything and may spend the whole
//     window, the change reserve included;
//   - a look a person asks for (a screen, an r) goes next, round-robin
//     between sessions, each within a fair share, down to the change
//     reserve;
//   - a bulk read (the pages after a list's first) spends only above the
//     reserve, and at the reserve waits for the window to reset;
//   - a background refresh spends at most its share, above the reserve,
//     and is deferred rather than made to wait.

// Lane says who a request is for.
type Lane int

const (
	// Person is a look a person asked for: opening a screen, an r. It is
	// the lane of a GET whose context is not marked otherwise.
	Person Lane = iota
	// Background is a refresh nobody asked for just now.
	Background
	// Bulk is a read of many requests (a long list's pages): it waits
	// at the reserve rather than spend it.
	Bulk
	// Change is a request that changes something: every POST, PUT, PATCH
	// and DELETE, whatever its context says.
	Change
)

func (l Lane) String() string {
	switch l {
	case Background:
		return "background"
	case Bulk:
		return "bulk"
	case Change:
		return "change"
	}
	return "person"
}

type laneKey struct{}

// InBackground marks the requests made with ctx as background refreshes:
// they are deferred (ErrDeferred) rather than spend the reserve.
func InBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, laneKey{}, Background)
}

// AsBulk marks the requests made with ctx as a bulk read: each waits,
// while the binding window is down to the reserve, for it to reset (see
// OnBudgetWait), so that a change and a person's look always get through.
// A context already in the background stays there.
func AsBulk(ctx context.Context) context.Context {
	if laneOf(ctx) == Background {
		return ctx
	}
	return context.WithValue(ctx, laneKey{}, Bulk)
}

type waitKey struct{}

// OnBudgetWait has the requests made with ctx report a wait for the API
// budget: report(until) as a request starts waiting for the window to
// reset at until (a 429's hold, or the window down to what its lane
// leaves), and report(time.Time{}) when it goes on. It runs on the
// waiting request's goroutine and must not block.
func OnBudgetWait(ctx context.Context, report func(until time.Time)) context.Context {
	return context.WithValue(ctx, waitKey{}, report)
}

func budgetWaitReport(ctx context.Context) func(time.Time) {
	f, _ := ctx.Value(waitKey{}).(func(time.Time))
	return f
}

type freshKey struct{}

// Fresh marks the requests made with ctx as ones that must reach the API
// (a person's r): never answered from the shared cache.
func Fresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, true)
}

func isFresh(ctx context.Context) bool {
	f, _ := ctx.Value(freshKey{}).(bool)
	return f
}

func laneOf(ctx context.Context) Lane {
	l, _ := ctx.Value(laneKey{}).(Lane)
	return l
}

// laneFor is the lane a request is sent in: a change whatever its context,
// else the context's lane.
func laneFor(ctx context.Context, method string) Lane {
	if method != http.MethodGet {
		return Change
	}
	return laneOf(ctx)
}

// ErrDeferred is a background request the budget did not allow now: the
// binding window is spent down to the reserve, the background share of it
// is used, or a 429 holds every request until the window resets.
var ErrDeferred = errors.New("deferred to save the API budget")

// Policy is how the budget is spent.
type Policy struct {
	// BackgroundShare is the most of a window background refreshes may
	// spend (default 0.25).
	BackgroundShare float64
	// Reserve is how many requests of a window are kept from bulk reads
	// and background refreshes (default 20, at most half the window).
	Reserve int
	// ChangeReserve is how many of those only a change may spend: a
	// person's looks stop above it (default half the reserve, at most a
	// quarter of the window).
	ChangeReserve int
	// Slots is how many requests are in flight at once (default 8); a
	// change never waits for one, a person's look takes the next free one
	// before any bulk or background one.
	Slots int
	// NoReserve spends the user's window to its last request: for a
	// command line's one command, which holds nothing back for changes it
	// will not make. The organisation's window keeps its reserve, since
	// other people's changes share it.
	NoReserve bool
}

// Defaults of Policy.
const (
	DefaultBackgroundShare = 0.25
	DefaultReserve         = 20
	// AssumedLimit is the budget assumed before any reply has said it.
	AssumedLimit = 200
	// minFairShare is the fewest looks a session may make in a window
	// however many sessions share it.
	minFairShare = 4
)

func (p Policy) withDefaults() Policy {
	if p.BackgroundShare <= 0 || p.BackgroundShare > 1 {
		p.BackgroundShare = DefaultBackgroundShare
	}
	if p.Reserve <= 0 {
		p.Reserve = DefaultReserve
	}
	if p.ChangeReserve <= 0 || p.ChangeReserve > p.Reserve {
		p.ChangeReserve = max(1, p.Reserve/2)
	}
	if p.Slots <= 0 {
		p.Slots = DefaultParallel
	}
	return p
}

// The scopes Buildkite names in its rate-limit headers and 429 bodies.
const (
	ScopeOrg  = "rest"
	ScopeUser = "rest_user"
)

// Window is one of the two REST windows as the last reply said it.
type Window struct {
	// Known is false until a reply carried the window's headers.
	Known     bool
	Limit     int
	Remaining int
	ResetAt   time.Time
}

// at is the window as of now: once its reset has passed it is whole again.
func (w Window) at(now time.Time) Window {
	if w.Known && !now.Before(w.ResetAt) {
		w.Remaining = w.Limit
	}
	return w
}

// Budget is the API's request budget as the last reply said it: the
// binding window (whichever of the organisation's and the user's has less
// left) in Limit, Remaining and ResetAt, and both windows.
type Budget struct {
	// Known is false until a reply carried rate-limit headers.
	Known     bool
	Limit     int
	Remaining int
	ResetAt   time.Time
	// Scope is the binding window's: ScopeOrg or ScopeUser.
	Scope string
	// Org and User are the two windows.
	Org, User Window
	// HeldUntil is set after a 429: nothing is sent before it.
	HeldUntil time.Time
	// HeldScope is the window the 429 named.
	HeldScope string
	// BackgroundSpent is what background refreshes spent of this window;
	// BackgroundShare the most they may.
	BackgroundSpent, BackgroundShare int
	Reserve                          int
	ChangeReserve                    int
	// WaitingUntil is, while a bulk read or a look waits for the window to
	// reset, the time it waits for; zero otherwise. WaitingScope is that
	// window's (ScopeOrg or ScopeUser), WaitingLimit its size.
	WaitingUntil time.Time
	WaitingScope string
	WaitingLimit int
	// GraphQLOrg and GraphQLUser are the GraphQL API's windows, in
	// complexity points (graphql.go); GraphQLHeldUntil is set after a
	// GraphQL 429. BindingWindow weighs all four windows.
	GraphQLOrg, GraphQLUser Window
	GraphQLHeldUntil        time.Time
}

// Low reports whether under a quarter of the binding window is left.
func (b Budget) Low() bool { return b.Known && b.Remaining*4 < b.Limit }

// AtReserve reports whether only the reserve is left.
func (b Budget) AtReserve() bool { return b.Known && b.Remaining <= b.Reserve }

// Who names the binding window as the header says it: "you" for the
// user's, "org" for the organisation's.
func (b Budget) Who() string {
	if b.Scope == ScopeUser {
		return "you"
	}
	return "org"
}

// Text is the binding window for the header, e.g. "31/50 you · resets
// 42s" or "12/200 org · resets 9s"; "" while no reply has said it.
func (b Budget) Text(now time.Time) string {
	if !b.Known {
		return ""
	}
	return fmt.Sprintf("%d/%d %s · resets %ds", b.Remaining, b.Limit, b.Who(), secondsUntil(b.ResetAt, now))
}

// WaitText says that a request waits for the budget, naming the window
// as the header does, e.g. "waiting for the API budget (you) · 23 s";
// "" when none does.
func (b Budget) WaitText(now time.Time) string {
	if b.WaitingUntil.IsZero() {
		return ""
	}
	return fmt.Sprintf("waiting for the API budget (%s) · %d s", whoOf(b.WaitingScope), secondsUntil(b.WaitingUntil, now))
}

// WaitSentence says the same for a person reading a command's stderr,
// e.g. "your API budget (50/min) · 23 s", "the organisation's API budget
// (200/min) · 23 s".
func (b Budget) WaitSentence(now time.Time) string {
	if b.WaitingUntil.IsZero() {
		return ""
	}
	return WindowSentence(b.WaitingScope, b.WaitingLimit) + fmt.Sprintf(" · %d s", secondsUntil(b.WaitingUntil, now))
}

// WindowSentence names a REST window for a sentence: "your API budget
// (50/min)", "the organisation's API budget (200/min)"; the size is left
// out while unknown.
func WindowSentence(scope string, limit int) string {
	s := "the organisation's API budget"
	if scope == ScopeUser {
		s = "your API budget"
	}
	if limit > 0 {
		s += fmt.Sprintf(" (%d/min)", limit)
	}
	return s
}

func whoOf(scope string) string {
	if scope == ScopeUser {
		return "you"
	}
	return "org"
}

func secondsUntil(t, now time.Time) int {
	return max(0, int((t.Sub(now)+time.Second-1)/time.Second))
}

// session is one client copy's share of the person lane: each client made
// by New or WithAccess (one per SSH session) has its own.
type session struct{ _ byte }

// waiter is a request queued for a slot.
type waiter struct {
	ch      chan error
	session *session
}

// errRecheck tells a queued request that the budget no longer allows it:
// it goes back to see whether to wait for the window.
var errRecheck = errors.New("the budget changed while queued")

// scheduler hands out request slots by lane, within the budget. One
// scheduler is shared by every client of a token (every SSH session),
// since both windows are that token's.
type scheduler struct {
	mu     sync.Mutex
	now    func() time.Time
	policy Policy

	org, user Window
	heldUntil time.Time
	heldScope string

	// window is the reset of the binding window the counts below belong
	// to (windowScope's): what background refreshes and each session's
	// looks spent of it.
	window      time.Time
	windowScope string
	bgSpent     int
	looks       map[*session]int
	// lastActive is the window each session last looked in: the sessions
	// of this window and the one before share the person lane.
	lastActive map[*session]time.Time

	inFlight int
	lookQ    []waiter // round-robin by session when handed on
	bulkQ    []waiter
	bgQ      []waiter
	// turn is the session whose look went last, for the round robin.
	turn *session
	// heldPersons counts a person's requests waiting out a 429 or for the
	// window to reset: while any does, no background request starts, so that a person goes first
	// when the window opens.
	heldPersons int
	// budgetWaits are the windows' resets bulk reads and looks wait for,
	// with the window each waits for.
	budgetWaits map[*time.Time]waitedWindow
}

// waitedWindow is the window a request waits for: its scope and size.
type waitedWindow struct {
	scope string
	limit int
}

func newScheduler(p Policy, now func() time.Time) *scheduler {
	if now == nil {
		now = time.Now
	}
	return &scheduler{policy: p.withDefaults(), now: now, looks: map[*session]int{},
		lastActive: map[*session]time.Time{}, budgetWaits: map[*time.Time]waitedWindow{}}
}

// binding is the window with less left now: the one a request is likelier
// to be refused by. Callers hold s.mu.
func (s *scheduler) binding(now time.Time) (Window, string) {
	org, user := s.org.at(now), s.user.at(now)
	switch {
	case !org.Known && !user.Known:
		return Window{Limit: AssumedLimit, Remaining: AssumedLimit}, ScopeOrg
	case !org.Known:
		return user, ScopeUser
	case !user.Known:
		return org, ScopeOrg
	case user.Remaining < org.Remaining || (user.Remaining == org.Remaining && user.ResetAt.After(org.ResetAt)):
		return user, ScopeUser
	}
	return org, ScopeOrg
}

// left is what the binding window has left now, less what is in flight
// (which no reply has counted yet), its limit, and when it resets (zero
// when unknown). Callers hold s.mu.
func (s *scheduler) left(now time.Time) (left, limit int, reset time.Time) {
	w, _ := s.binding(now)
	if w.Known && !now.Before(w.ResetAt) {
		reset = time.Time{}
	} else {
		reset = w.ResetAt
	}
	return w.Remaining - s.inFlight, w.Limit, reset
}

// rollWindow starts counting afresh once the window the counts belong to
// has reset. Callers hold s.mu.
func (s *scheduler) rollWindow(now time.Time) {
	if !s.window.IsZero() && !now.Before(s.window) {
		s.bgSpent, s.window = 0, time.Time{}
		clear(s.looks)
	}
}

// countIn starts the count of the current window when none runs. Callers
// hold s.mu.
func (s *scheduler) countIn(now time.Time) {
	if !s.window.IsZero() {
		return
	}
	w, scope := s.binding(now)
	s.window, s.windowScope = w.ResetAt, scope
	if !w.Known || !now.Before(s.window) {
		s.window = now.Add(time.Minute)
	}
}

func (s *scheduler) held(now time.Time) bool { return now.Before(s.heldUntil) }

// backgroundAllowed says whether a background request may spend now.
// Callers hold s.mu.
func (s *scheduler) backgroundAllowed() bool {
	now := s.now()
	if s.held(now) || s.heldPersons > 0 {
		return false
	}
	s.rollWindow(now)
	left, limit, _ := s.left(now)
	if left <= s.reserve(limit) {
		return false
	}
	return s.bgSpent < s.share(limit)
}

func (s *scheduler) share(limit int) int {
	return int(float64(limit) * s.policy.BackgroundShare)
}

// reserve is what bulk reads and background refreshes leave of a window
// of limit: the policy's, but never more than half a small window.
func (s *scheduler) reserve(limit int) int { return min(s.policy.Reserve, limit/2) }

// changeReserve is what only changes may spend of a window of limit: the
// policy's, but never more than a quarter of a small window.
func (s *scheduler) changeReserve(limit int) int { return min(s.policy.ChangeReserve, limit/4) }

// floors are what looks and bulk reads leave of the binding window
// (scope's, of limit): nothing of the user's under Policy.NoReserve.
// Callers hold s.mu.
func (s *scheduler) floors(scope string, limit int) (look, bulk int) {
	if s.policy.NoReserve && scope == ScopeUser {
		return 0, 0
	}
	return s.changeReserve(limit), s.reserve(limit)
}

// fairShare is the most looks one session may make in a window while
// others share it. Callers hold s.mu.
func (s *scheduler) fairShare(limit int, now time.Time) int {
	active := 0
	for sess, w := range s.lastActive {
		// Active in this window or the one before it.
		if !w.IsZero() && now.Sub(w) < 2*time.Minute {
			active++
		} else {
			delete(s.lastActive, sess)
		}
	}
	return max(minFairShare, (limit-s.changeReserve(limit))/max(1, active))
}

// budgetWait is how long a look or a bulk read must wait for the window
// to reset before it may spend, or 0 when it may go now. Callers hold
// s.mu.
func (s *scheduler) budgetWait(lane Lane, sess *session) time.Duration {
	now := s.now()
	s.rollWindow(now)
	left, limit, reset := s.left(now)
	_, scope := s.binding(now)
	lookFloor, floor := s.floors(scope, limit)
	if lane == Person {
		floor = lookFloor
	}
	allowed := left > floor
	// Sessions share a window only once a reply has said what it is:
	// without rate-limit headers there is no window to share.
	if w, _ := s.binding(now); lane == Person && allowed && sess != nil && w.Known {
		s.lastActive[sess] = now // it shares the window from now on
		if s.looks[sess] >= s.fairShare(limit, now) {
			// This session has had its share of the window: the rest is
			// for the other sessions' looks and everyone's changes.
			allowed = false
		}
	}
	if allowed {
		return 0
	}
	if reset.IsZero() || !reset.After(now) {
		if !s.window.IsZero() && s.window.After(now) {
			reset = s.window
		} else {
			// Nothing says when the window resets: wait a little and look
			// again (a reply in flight will say).
			return time.Second
		}
	}
	return reset.Sub(now) + resetMargin()
}

// repliesMayFree reports whether what lane may spend of the binding
// window is gone only for the requests in flight: their replies may
// show that some of them were counted already. Callers hold s.mu.
func (s *scheduler) repliesMayFree(lane Lane) bool {
	if s.inFlight == 0 {
		return false
	}
	now := s.now()
	left, limit, _ := s.left(now)
	_, scope := s.binding(now)
	lookFloor, floor := s.floors(scope, limit)
	if lane == Person {
		floor = lookFloor
	}
	return left <= floor && left+s.inFlight > floor
}

// acquire takes a slot for one attempt of a request in lane, for session
// sess: a change at once; a look, a bulk read or a background refresh
// in turn and within the budget. A background request the budget does
// not allow gets ErrDeferred instead of waiting; a look or a bulk read
// waits (with sleep) for the window to reset, or, while the window looks
// spent only for the requests in flight, for their replies; every lane
// but background waits out a 429's hold first.
//
// holdWait, when set, is the wait the server asked this very request for:
// it is waited exactly, rather than what is left of the hold.
func (s *scheduler) acquire(ctx context.Context, lane Lane, sess *session, sleep func(context.Context, time.Duration) error, holdWait time.Duration) error {
	for {
		s.mu.Lock()
		if lane == Background && !s.backgroundAllowed() {
			s.mu.Unlock()
			return ErrDeferred
		}
		if lane != Background {
			d := s.heldUntil.Sub(s.now())
			if holdWait > 0 {
				d, holdWait = holdWait, 0
			}
			if d > 0 {
				s.heldPersons++
				s.mu.Unlock()
				report := budgetWaitReport(ctx)
				if report != nil {
					report(s.now().Add(d))
				}
				err := sleep(ctx, d)
				if report != nil {
					report(time.Time{})
				}
				s.mu.Lock()
				s.heldPersons--
				if err != nil {
					s.handOn()
					s.mu.Unlock()
					return err
				}
			}
		}
		awaitReplies := false
		if lane == Person || lane == Bulk {
			if d := s.budgetWait(lane, sess); d > 0 && s.repliesMayFree(lane) {
				// The window looks spent only for the requests in flight,
				// and replies of parallel requests land out of order: a
				// later one's count may already hold an earlier one still
				// in flight, counted twice here until its reply lands.
				// Wait for the replies (each hands on), not for the reset:
				// a window's last request slept through it made a list of
				// two windows take three.
				awaitReplies = true
			} else if d > 0 {
				until := s.now().Add(d)
				w, scope := s.binding(s.now())
				if !w.Known {
					w.Limit = 0 // assumed, not said: not named
				}
				s.budgetWaits[&until] = waitedWindow{scope: scope, limit: w.Limit}
				if lane == Person {
					// A person waiting for the window goes before any
					// background refresh when it opens.
					s.heldPersons++
				}
				s.mu.Unlock()
				report := budgetWaitReport(ctx)
				if report != nil {
					report(until)
				}
				err := sleep(ctx, d)
				if report != nil {
					report(time.Time{})
				}
				s.mu.Lock()
				delete(s.budgetWaits, &until)
				if lane == Person {
					s.heldPersons--
				}
				s.mu.Unlock()
				if err != nil {
					return err
				}
				continue
			}
		}
		if lane == Change || (!awaitReplies && s.inFlight < s.policy.Slots && s.noneAhead(lane)) {
			s.take(lane, sess)
			s.mu.Unlock()
			return nil
		}
		w := waiter{ch: make(chan error, 1), session: sess}
		switch lane {
		case Person:
			s.lookQ = append(s.lookQ, w)
		case Bulk:
			s.bulkQ = append(s.bulkQ, w)
		default:
			s.bgQ = append(s.bgQ, w)
		}
		s.mu.Unlock()
		select {
		case err := <-w.ch:
			if errors.Is(err, errRecheck) {
				continue
			}
			return err
		case <-ctx.Done():
			s.mu.Lock()
			removed := s.remove(w.ch)
			s.mu.Unlock()
			if !removed {
				// The slot was handed over as the context ended: give it back.
				if err := <-w.ch; err == nil {
					s.release()
				}
			}
			return ctx.Err()
		}
	}
}

// noneAhead reports whether no request of a lane before lane waits.
// Callers hold s.mu.
func (s *scheduler) noneAhead(lane Lane) bool {
	switch lane {
	case Person:
		return true
	case Bulk:
		return len(s.lookQ) == 0
	}
	return len(s.lookQ) == 0 && len(s.bulkQ) == 0
}

// take counts a slot as used. Callers hold s.mu.
func (s *scheduler) take(lane Lane, sess *session) {
	s.inFlight++
	now := s.now()
	switch lane {
	case Background:
		s.countIn(now)
		s.bgSpent++
	case Person:
		if sess != nil {
			s.countIn(now)
			s.looks[sess]++
			s.lastActive[sess] = now
			s.turn = sess
		}
	}
}

func (s *scheduler) remove(ch chan error) bool {
	for _, q := range []*[]waiter{&s.lookQ, &s.bulkQ, &s.bgQ} {
		for i, w := range *q {
			if w.ch == ch {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// release frees a slot and hands it on.
func (s *scheduler) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	s.handOn()
}

// nextLook takes the first waiting look of a session other than the one
// that went last (round robin), or the first look when only that session
// waits: one session's many looks do not hold up another's. Callers hold
// s.mu.
func (s *scheduler) nextLook() waiter {
	pick := 0
	for i, w := range s.lookQ {
		if w.session != s.turn {
			pick = i
			break
		}
	}
	w := s.lookQ[pick]
	s.lookQ = append(s.lookQ[:pick], s.lookQ[pick+1:]...)
	return w
}

// handOn gives free slots to waiters: looks first, round-robin between
// sessions, then bulk reads, then background refreshes. A waiter the
// budget no longer allows is sent back to wait for the window (a look or
// a bulk read) or told it is deferred (background). Callers hold s.mu.
func (s *scheduler) handOn() {
	for s.inFlight < s.policy.Slots && len(s.lookQ) > 0 {
		w := s.nextLook()
		if s.budgetWait(Person, w.session) > 0 {
			w.ch <- errRecheck
			continue
		}
		s.take(Person, w.session)
		w.ch <- nil
	}
	for s.inFlight < s.policy.Slots && len(s.bulkQ) > 0 && len(s.lookQ) == 0 {
		w := s.bulkQ[0]
		s.bulkQ = s.bulkQ[1:]
		if s.budgetWait(Bulk, nil) > 0 {
			w.ch <- errRecheck
			continue
		}
		s.take(Bulk, nil)
		w.ch <- nil
	}
	for s.inFlight < s.policy.Slots && len(s.bgQ) > 0 && len(s.lookQ) == 0 && len(s.bulkQ) == 0 {
		w := s.bgQ[0]
		s.bgQ = s.bgQ[1:]
		if !s.backgroundAllowed() {
			w.ch <- ErrDeferred
			continue
		}
		s.take(Background, nil)
		w.ch <- nil
	}
}

// observe reads a reply's two sets of rate-limit headers into the budget,
// and gives the reply's slot back; a 429 marks the window it was refused
// by as spent. The request is counted as landed in the same step: its
// reply's Remaining already counts it, and counting it in flight too
// until a later release made a bulk read at the reserve's edge wait a
// whole window with budget left.
func (s *scheduler) observe(h http.Header, status int, refusedBy string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.handOn()
	s.inFlight--
	now := s.now()
	if w, ok := readWindow(h, "RateLimit-", now); ok {
		s.org = sameWindowLeast(s.org, w, now)
	}
	if w, ok := readWindow(h, "RateLimit-User-", now); ok {
		s.user = sameWindowLeast(s.user, w, now)
	}
	if status == http.StatusTooManyRequests {
		switch {
		case refusedBy == ScopeUser && s.user.Known:
			s.user.Remaining = 0
		case refusedBy != ScopeUser && s.org.Known:
			s.org.Remaining = 0
		}
	}
	counted := s.org
	if s.windowScope == ScopeUser {
		counted = s.user
	}
	if !s.window.IsZero() && counted.Known && counted.ResetAt.After(s.window.Add(time.Second)) {
		// The reply belongs to a later window than the counts.
		s.bgSpent, s.window = 0, time.Time{}
		clear(s.looks)
	}
}

// sameWindowLeast is the window a reply says, w, unless it is the window
// known already (same limit, same reset within the seconds the headers
// round to) with more left: replies of parallel requests arrive out of
// order, and an earlier one's count, read last, would have the client
// spend what is gone (a 429 at the window's end).
func sameWindowLeast(known, w Window, now time.Time) Window {
	if known.Known && now.Before(known.ResetAt) && known.Limit == w.Limit && w.Remaining > known.Remaining {
		if d := known.ResetAt.Sub(w.ResetAt); d < 2*time.Second && d > -2*time.Second {
			w.Remaining = known.Remaining
		}
	}
	return w
}

// readWindow reads one set of rate-limit headers (prefix "RateLimit-" or
// "RateLimit-User-").
func readWindow(h http.Header, prefix string, now time.Time) (Window, bool) {
	limit, okLimit := headerInt(h, prefix+"Limit")
	remaining, okRemaining := headerInt(h, prefix+"Remaining")
	reset, okReset := headerInt(h, prefix+"Reset")
	if !okLimit || !okRemaining || !okReset {
		return Window{}, false
	}
	return Window{Known: true, Limit: limit, Remaining: remaining, ResetAt: now.Add(time.Duration(reset) * time.Second)}, true
}

// hold stops every request until until: the window a 429 named is spent.
func (s *scheduler) hold(until time.Time, scope string) {
	s.mu.Lock()
	if until.After(s.heldUntil) {
		s.heldUntil, s.heldScope = until, scope
	}
	s.mu.Unlock()
}

// snapshot is the budget with the policy's figures. Callers hold s.mu.
func (s *scheduler) snapshot() Budget {
	now := s.now()
	s.rollWindow(now)
	w, scope := s.binding(now)
	b := Budget{Known: w.Known, Limit: w.Limit, Remaining: w.Remaining, ResetAt: w.ResetAt, Scope: scope,
		Org: s.org.at(now), User: s.user.at(now), HeldUntil: s.heldUntil, HeldScope: s.heldScope,
		BackgroundSpent: s.bgSpent, BackgroundShare: s.share(w.Limit),
		Reserve: s.reserve(w.Limit), ChangeReserve: s.changeReserve(w.Limit)}
	for until, w := range s.budgetWaits {
		if until.After(b.WaitingUntil) {
			b.WaitingUntil, b.WaitingScope, b.WaitingLimit = *until, w.scope, w.limit
		}
	}
	return b
}

// rateLimitBody is what a 429's body says of the window that refused it.
type rateLimitBody struct {
	Scope string `json:"scope"`
	Reset *int   `json:"reset"`
}

// refusedScope is the window a 429 was refused by: the body's scope, or,
// without one, the user's window when its headers say it is spent and the
// organisation's do not; "" for any other reply.
func refusedScope(status int, h http.Header, body []byte) string {
	if status != http.StatusTooManyRequests {
		return ""
	}
	var b rateLimitBody
	if json.Unmarshal(body, &b) == nil && (b.Scope == ScopeOrg || b.Scope == ScopeUser) {
		return b.Scope
	}
	userLeft, userKnown := headerInt(h, "RateLimit-User-Remaining")
	orgLeft, orgKnown := headerInt(h, "RateLimit-Remaining")
	if userKnown && userLeft == 0 && (!orgKnown || orgLeft > 0) {
		return ScopeUser
	}
	return ScopeOrg
}

// rateLimitWait reads how long a 429 asks us to wait: until the reset of
// the window its body names (RateLimit-User-Reset for "rest_user",
// RateLimit-Reset for "rest", else the body's reset), or as serverWait
// says.
func rateLimitWait(h http.Header, body []byte, now time.Time) (time.Duration, bool) {
	var b rateLimitBody
	_ = json.Unmarshal(body, &b)
	header := map[string]string{ScopeUser: "RateLimit-User-Reset", ScopeOrg: "RateLimit-Reset"}[refusedScope(http.StatusTooManyRequests, h, body)]
	if n, ok := headerInt(h, header); ok {
		return time.Duration(n) * time.Second, true
	}
	if b.Reset != nil && *b.Reset >= 0 {
		return time.Duration(*b.Reset) * time.Second, true
	}
	return serverWait(h, now)
}

// resetMargin is added to a wait for a window to reset: the server's
// reset is whole seconds, rounded, and many clients wait for the same
// one. 100ms to 500ms, jittered.
func resetMargin() time.Duration {
	return 100*time.Millisecond + time.Duration(rand.Int64N(int64(400*time.Millisecond)))
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// Budget is the API's budget as the last reply said it.
func (c *Client) Budget() Budget {
	c.sched.mu.Lock()
	b := c.sched.snapshot()
	c.sched.mu.Unlock()
	c.gql.fill(&b, c.sched.now())
	return b
}
