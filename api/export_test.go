package api

import (
	"context"
	"time"
)

// SetSleep replaces the client's wait before a retry, so tests can see
// how long it would wait without waiting.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) { c.sleep = sleep }

// Waiting reports how many requests wait for a slot, in the person and
// background lanes.
func Waiting(c *Client) (person, background int) {
	c.sched.mu.Lock()
	defer c.sched.mu.Unlock()
	return len(c.sched.lookQ), len(c.sched.bgQ)
}

// WaitingBulk reports how many bulk reads wait for a slot.
func WaitingBulk(c *Client) int {
	c.sched.mu.Lock()
	defer c.sched.mu.Unlock()
	return len(c.sched.bulkQ)
}

// SetListLimits replaces the bounds of a list for one test.
func SetListLimits(t interface{ Cleanup(func()) }, l ListLimits) {
	old := listLimits
	listLimits = l
	t.Cleanup(func() { listLimits = old })
}

// InFlight reports how many callers are inside the shared GETs: sending,
// or joined to one being sent.
func InFlight(c *Client) int64 { return c.fetch.inFlight.Load() }

// OnGateWait has fn told, for the rest of the test, each time a list's
// next page waits for the pages it has outstanding.
func OnGateWait(t interface{ Cleanup(func()) }, fn func()) {
	gateWaits.Store(&fn)
	t.Cleanup(func() { gateWaits.Store(nil) })
}
