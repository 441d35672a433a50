package api

import (
	"time"

	"github.com/jonboulle/clockwork"
)

// Now is the client's clock, the one its budget runs on (Config.Now): what
// draws the budget's countdown must read this one, not the display's.
func (c *Client) Now() time.Time { return c.sched.now() }

// Clock runs the client's timers (Config.Clock): a caller that waits on
// the client's budget (a watcher of its holds) waits on this one.
func (c *Client) Clock() clockwork.Clock { return c.clock }
