package api

import (
	"sync"
	"time"
)

// Unreachable is the client's failure to reach the API: since the first
// attempt of a run of them that got no reply (a refused or dropped
// connection, a name that does not resolve, an attempt the API did not
// answer in time), until the next reply of any kind.
type Unreachable struct {
	// Since is when the first attempt without a reply failed.
	Since time.Time
	// Err is the last such attempt's error.
	Err error
}

// reachability is the client's last failure to reach the API, shared by
// the clients WithAccess makes (they send on one connection pool): the
// console's header says it instead of a budget the API can no longer be
// asked about.
type reachability struct {
	mu   sync.Mutex
	down *Unreachable
}

// failed records an attempt that got no reply at t.
func (r *reachability) failed(t time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down == nil {
		r.down = &Unreachable{Since: t}
	}
	r.down.Err = err
}

// replied records a reply: the API is reachable again.
func (r *reachability) replied() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = nil
}

// Unreachable is the client's failure to reach the API since its last
// reply, or nil when the last attempt got one (or none was made).
func (c *Client) Unreachable() *Unreachable {
	c.reach.mu.Lock()
	defer c.reach.mu.Unlock()
	if c.reach.down == nil {
		return nil
	}
	u := *c.reach.down
	return &u
}
