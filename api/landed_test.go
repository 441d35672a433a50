package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func userWindowHeader(limit, remaining int, reset time.Duration) http.Header {
	h := http.Header{}
	h.Set("RateLimit-User-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-User-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-User-Reset", strconv.Itoa(int(reset/time.Second)))
	return h
}

// A reply's Remaining already counts the request it answers: the request
// is not also counted in flight once its reply is read. Counted twice,
// the last page of `agent list` (50 a minute, 30 pages: page 1 and 29
// more leave 21) saw 20 left, the reserve, and waited for the window to
// reset with 21 requests to spare — a stall of up to a minute whenever
// its sibling's reply was read but its slot not yet given back.
func TestAReplyCountsItsRequestOnce(t *testing.T) {
	now := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	s := newScheduler(Policy{}, func() time.Time { return now })
	s.mu.Lock()
	s.take(Bulk, nil)
	s.mu.Unlock()
	s.observe(userWindowHeader(50, 21, 40*time.Second), http.StatusOK, "")
	s.mu.Lock()
	wait := s.budgetWait(Bulk, nil)
	s.mu.Unlock()
	if wait != 0 {
		t.Fatalf("a bulk read with 21 of 50 left (reserve 20) waits %v", wait)
	}
}

// A command line's client (Policy.NoReserve) spends the user's window to
// its last request, and then waits, naming the window; the
// organisation's window keeps its reserve.
func TestNoReserveSpendsTheUsersWholeWindow(t *testing.T) {
	now := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	s := newScheduler(Policy{NoReserve: true}, func() time.Time { return now })
	s.mu.Lock()
	s.take(Bulk, nil)
	s.mu.Unlock()
	s.observe(userWindowHeader(50, 1, 40*time.Second), http.StatusOK, "")
	s.mu.Lock()
	if d := s.budgetWait(Bulk, nil); d != 0 {
		t.Fatalf("1 of the user's 50 left: waits %v", d)
	}
	if d := s.budgetWait(Person, nil); d != 0 {
		t.Fatalf("1 of the user's 50 left: a look waits %v", d)
	}
	s.mu.Unlock()
	s.mu.Lock()
	s.take(Bulk, nil)
	s.mu.Unlock()
	s.observe(userWindowHeader(50, 0, 40*time.Second), http.StatusOK, "")
	s.mu.Lock()
	if d := s.budgetWait(Bulk, nil); d < 40*time.Second {
		t.Fatalf("none left: waits %v, want the reset's 40 s", d)
	}
	s.mu.Unlock()

	org := http.Header{}
	org.Set("RateLimit-Limit", "200")
	org.Set("RateLimit-Remaining", "15")
	org.Set("RateLimit-Reset", "30")
	s2 := newScheduler(Policy{NoReserve: true}, func() time.Time { return now })
	s2.mu.Lock()
	s2.take(Bulk, nil)
	s2.mu.Unlock()
	s2.observe(org, http.StatusOK, "")
	s2.mu.Lock()
	defer s2.mu.Unlock()
	if d := s2.budgetWait(Bulk, nil); d == 0 {
		t.Fatal("the organisation's window at 15 of 200: a bulk read spent its reserve")
	}
}

// A wait names its window: the header's word in the list's state, a
// sentence with the window's size on a command's stderr.
func TestAWaitNamesItsWindow(t *testing.T) {
	now := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	b := Budget{WaitingUntil: now.Add(23 * time.Second), WaitingScope: ScopeUser, WaitingLimit: 50}
	if got := b.WaitText(now); got != "waiting for the API budget (you) · 23 s" {
		t.Fatalf("WaitText %q", got)
	}
	if got := b.WaitSentence(now); got != "your API budget (50/min) · 23 s" {
		t.Fatalf("WaitSentence %q", got)
	}
	b.WaitingScope, b.WaitingLimit = ScopeOrg, 200
	if got := b.WaitText(now); got != "waiting for the API budget (org) · 23 s" {
		t.Fatalf("WaitText %q", got)
	}
	if got := b.WaitSentence(now); got != "the organisation's API budget (200/min) · 23 s" {
		t.Fatalf("WaitSentence %q", got)
	}
}

// Replies of parallel requests arrive out of order: an earlier reply's
// count, read after a later one's, does not raise what is left of the
// same window (the CLI's list spent past the window's end: a 429).
func TestAnEarlierReplyDoesNotRaiseWhatIsLeft(t *testing.T) {
	now := time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)
	s := newScheduler(Policy{}, func() time.Time { return now })
	for range 2 {
		s.mu.Lock()
		s.take(Bulk, nil)
		s.mu.Unlock()
	}
	s.observe(userWindowHeader(50, 10, 30*time.Second), http.StatusOK, "")
	s.observe(userWindowHeader(50, 12, 30*time.Second), http.StatusOK, "")
	if s.user.Remaining != 10 {
		t.Fatalf("%d left after replies saying 10 then 12", s.user.Remaining)
	}
	// A new window's count is taken as it is.
	s.mu.Lock()
	s.take(Bulk, nil)
	s.mu.Unlock()
	s.observe(userWindowHeader(50, 49, 90*time.Second), http.StatusOK, "")
	if s.user.Remaining != 49 {
		t.Fatalf("%d left of a new window saying 49", s.user.Remaining)
	}
}
