package api

import (
	"context"
	"time"
)

// SetSleep replaces the client's wait before a retry, so tests can see
// how long it would wait without waiting.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) { c.sleep = sleep }
