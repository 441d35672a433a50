package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buildkite allows each organisation 200 REST requests a minute, shared by
// every user, script and integration in it. The client keeps what the last
// reply said of that budget and spends it in two lanes: what a person asked
// for goes first and is always sent; background refreshes take at most a
// share of the window and stop before the reserve a person may need.

// Lane says who a request is for.
type Lane int

const (
	// Person is a request a person asked for: a pause, opening a screen.
	Person Lane = iota
	// Background is a refresh nobody asked for just now.
	Background
)

type laneKey struct{}

// InBackground marks the requests made with ctx as background refreshes:
// they are deferred (ErrDeferred) rather than spend the reserve.
func InBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, laneKey{}, Background)
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

// ErrDeferred is a background request the budget did not allow now: the
// organisation's window is spent down to the reserve, the background share
// of it is used, or a 429 holds every request until the window resets.
var ErrDeferred = errors.New("deferred to save the organisation's API budget")

// Policy is how the budget is spent.
type Policy struct {
	// BackgroundShare is the most of a window background refreshes may
	// spend (default 0.25).
	BackgroundShare float64
	// Reserve is how many requests of a window are kept for a person:
	// background refreshes stop when no more than this remain (default 20).
	Reserve int
	// Slots is how many requests are in flight at once (default 8); a
	// person's request takes the next free one before any background one.
	Slots int
}

// Defaults of Policy.
const (
	DefaultBackgroundShare = 0.25
	DefaultReserve         = 20
	// AssumedLimit is the budget assumed before any reply has said it.
	AssumedLimit = 200
)

func (p Policy) withDefaults() Policy {
	if p.BackgroundShare <= 0 || p.BackgroundShare > 1 {
		p.BackgroundShare = DefaultBackgroundShare
	}
	if p.Reserve <= 0 {
		p.Reserve = DefaultReserve
	}
	if p.Slots <= 0 {
		p.Slots = DefaultParallel
	}
	return p
}

// Budget is the organisation's REST budget as the API last said it.
type Budget struct {
	// Known is false until a reply carried the rate-limit headers.
	Known     bool
	Limit     int
	Remaining int
	ResetAt   time.Time
	// HeldUntil is set after a 429: nothing is sent before it.
	HeldUntil time.Time
	// BackgroundSpent is what background refreshes spent of this window;
	// BackgroundShare the most they may.
	BackgroundSpent, BackgroundShare int
	Reserve                          int
}

// Low reports whether under a quarter of the window is left.
func (b Budget) Low() bool { return b.Known && b.Remaining*4 < b.Limit }

// AtReserve reports whether only the reserve is left.
func (b Budget) AtReserve() bool { return b.Known && b.Remaining <= b.Reserve }

// scheduler hands out request slots: a person's requests before
// background ones, and background ones only within the budget. One
// scheduler is shared by every client of an organisation (every SSH
// session), since the budget is the organisation's.
type scheduler struct {
	mu     sync.Mutex
	now    func() time.Time
	policy Policy

	budget   Budget
	window   time.Time // the reset of the window bgSpent counts in
	bgSpent  int
	inFlight int
	personQ  []chan error
	bgQ      []chan error
	// heldPersons counts a person's requests waiting out a 429: while any
	// does, no background request starts, so that a person goes first
	// when the window opens.
	heldPersons int
}

func newScheduler(p Policy, now func() time.Time) *scheduler {
	if now == nil {
		now = time.Now
	}
	return &scheduler{policy: p.withDefaults(), now: now}
}

// backgroundAllowed says whether a background request may spend now.
// Callers hold s.mu.
func (s *scheduler) backgroundAllowed() bool {
	now := s.now()
	if now.Before(s.budget.HeldUntil) || s.heldPersons > 0 {
		return false
	}
	s.rollWindow(now)
	limit, remaining := AssumedLimit, AssumedLimit
	if s.budget.Known && now.Before(s.budget.ResetAt) {
		limit, remaining = s.budget.Limit, s.budget.Remaining
	}
	// What is in flight has not been counted by a reply yet.
	if remaining-s.inFlight <= s.policy.Reserve {
		return false
	}
	return s.bgSpent < s.share(limit)
}

func (s *scheduler) share(limit int) int {
	return int(float64(limit) * s.policy.BackgroundShare)
}

// rollWindow starts counting background spending afresh once the window
// the count belongs to has reset.
func (s *scheduler) rollWindow(now time.Time) {
	if !s.window.IsZero() && !now.Before(s.window) {
		s.bgSpent, s.window = 0, time.Time{}
	}
}

// acquire takes a slot for one attempt of a request in lane: at once when
// one is free and no person waits, else in turn, a person's before any
// background one. A background request the budget does not allow gets
// ErrDeferred instead of waiting; a person's waits out a 429's hold
// (with sleep) first.
//
// holdWait, when set, is the wait the server asked this very request for:
// it is waited exactly, rather than what is left of the hold.
func (s *scheduler) acquire(ctx context.Context, lane Lane, sleep func(context.Context, time.Duration) error, holdWait time.Duration) error {
	s.mu.Lock()
	if lane == Background && !s.backgroundAllowed() {
		s.mu.Unlock()
		return ErrDeferred
	}
	if lane == Person {
		d := s.budget.HeldUntil.Sub(s.now())
		if holdWait > 0 {
			d = holdWait
		}
		if d > 0 {
			s.heldPersons++
			s.mu.Unlock()
			err := sleep(ctx, d)
			s.mu.Lock()
			s.heldPersons--
			if err != nil {
				s.handOn()
				s.mu.Unlock()
				return err
			}
		}
	}
	free := s.inFlight < s.policy.Slots
	if free && (lane == Person || len(s.personQ) == 0) {
		s.take(lane)
		s.mu.Unlock()
		return nil
	}
	ch := make(chan error, 1)
	if lane == Person {
		s.personQ = append(s.personQ, ch)
	} else {
		s.bgQ = append(s.bgQ, ch)
	}
	s.mu.Unlock()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		s.mu.Lock()
		removed := s.remove(ch)
		s.mu.Unlock()
		if !removed {
			// The slot was handed over as the context ended: give it back.
			if err := <-ch; err == nil {
				s.release()
			}
		}
		return ctx.Err()
	}
}

// take counts a slot as used. Callers hold s.mu.
func (s *scheduler) take(lane Lane) {
	s.inFlight++
	if lane == Background {
		s.bgSpent++
		if s.window.IsZero() {
			s.window = s.budget.ResetAt
			if !s.budget.Known || !s.now().Before(s.window) {
				s.window = s.now().Add(time.Minute)
			}
		}
	}
}

func (s *scheduler) remove(ch chan error) bool {
	for _, q := range []*[]chan error{&s.personQ, &s.bgQ} {
		for i, c := range *q {
			if c == ch {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// release frees a slot and hands it on: to the first person waiting, else
// to the first background request the budget still allows. Background
// requests it no longer allows are told so rather than left waiting.
func (s *scheduler) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	s.handOn()
}

// handOn gives free slots to waiters. Callers hold s.mu.
func (s *scheduler) handOn() {
	for s.inFlight < s.policy.Slots && len(s.personQ) > 0 {
		ch := s.personQ[0]
		s.personQ = s.personQ[1:]
		s.take(Person)
		ch <- nil
	}
	for s.inFlight < s.policy.Slots && len(s.bgQ) > 0 && len(s.personQ) == 0 {
		ch := s.bgQ[0]
		s.bgQ = s.bgQ[1:]
		if !s.backgroundAllowed() {
			ch <- ErrDeferred
			continue
		}
		s.take(Background)
		ch <- nil
	}
}

// observe reads a reply's rate-limit headers into the budget; a 429
// holds every request until the window resets.
func (s *scheduler) observe(h http.Header, status int) {
	limit, okLimit := headerInt(h, "RateLimit-Limit")
	remaining, okRemaining := headerInt(h, "RateLimit-Remaining")
	reset, okReset := headerInt(h, "RateLimit-Reset")
	s.mu.Lock()
	now := s.now()
	if okLimit && okRemaining && okReset {
		resetAt := now.Add(time.Duration(reset) * time.Second)
		if !s.window.IsZero() && resetAt.After(s.window.Add(time.Second)) {
			// The reply belongs to a later window than the count.
			s.bgSpent, s.window = 0, time.Time{}
		}
		s.budget.Known, s.budget.Limit, s.budget.Remaining, s.budget.ResetAt = true, limit, remaining, resetAt
	}
	if status == http.StatusTooManyRequests && s.budget.Known {
		s.budget.Remaining = 0
	}
	s.mu.Unlock()
}

// hold stops every request until until: the window a 429 said is spent.
func (s *scheduler) hold(until time.Time) {
	s.mu.Lock()
	if until.After(s.budget.HeldUntil) {
		s.budget.HeldUntil = until
	}
	s.mu.Unlock()
}

// snapshot is the budget with the policy's figures. Callers hold s.mu.
func (s *scheduler) snapshot() Budget {
	b := s.budget
	s.rollWindow(s.now())
	b.BackgroundSpent = s.bgSpent
	limit := AssumedLimit
	if b.Known {
		limit = b.Limit
	}
	b.BackgroundShare, b.Reserve = s.share(limit), s.policy.Reserve
	return b
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// Budget is the organisation's budget as the last reply said it.
func (c *Client) Budget() Budget {
	c.sched.mu.Lock()
	defer c.sched.mu.Unlock()
	return c.sched.snapshot()
}
