package api

import "time"

// Now is the client's clock, the one its budget runs on (Config.Now): what
// draws the budget's countdown must read this one, not the display's.
func (c *Client) Now() time.Time { return c.sched.now() }
