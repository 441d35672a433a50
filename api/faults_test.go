package api_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

func TestEveryFaultIsAnErrorNotAHang(t *testing.T) {
	for _, f := range sandbox.AllFaults {
		t.Run(string(f), func(t *testing.T) {
			env := sandboxtest.Start(t, sandbox.Options{}, nil)
			env.Sandbox.SetFaults(&sandbox.Faults{Rate: 1, Kinds: []sandbox.Fault{f}, Slow: 10 * time.Millisecond})
			timeout := 200 * time.Millisecond // a hang must end in the client's timeout
			if f == sandbox.FaultSlow {
				// 10ms late, and a busy machine must not turn it into a
				// timeout: the test is that a late answer is an answer.
				timeout = 10 * time.Second
			}
			c := env.ClientWith(t, api.Config{Timeout: timeout, MaxRetries: -1})
			_, err := c.ListClusters(context.Background(), nil)
			switch f {
			case sandbox.FaultSlow:
				if err != nil {
					t.Fatalf("a slow answer is still an answer: %v", err)
				}
			case sandbox.FaultHang:
				if !errors.Is(err, api.ErrTimeout) {
					t.Fatalf("err = %v, want ErrTimeout", err)
				}
			default:
				if err == nil {
					t.Fatal("a fault came back as success")
				}
				if strings.Contains(err.Error(), "<html") || strings.Contains(err.Error(), env.Sandbox.Token()) {
					t.Fatalf("the error shows a page or the token: %v", err)
				}
			}
		})
	}
}

func TestNoGoroutineOrConnectionLeaks(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	// A 429 fault holds every request for its reset (a second): the holds
	// pass on the test's clock, not in real time.
	clock := sandboxtest.NewClock()
	c := env.ClientWith(t, api.Config{Timeout: 100 * time.Millisecond, MaxRetries: -1, Now: clock.Now})
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		clock.Add(d)
		return nil
	})
	ctx := context.Background()
	_, _ = c.ListClusters(ctx, nil) // the connection pool's own goroutines
	http.DefaultClient.CloseIdleConnections()
	baseline := runtime.NumGoroutine()

	env.Sandbox.SetFaults(&sandbox.Faults{Rate: 0.6, Seed: 7, Slow: 5 * time.Millisecond, Hang: time.Second})
	for i := 0; i < 100; i++ {
		_, _ = c.ListClusters(ctx, nil)
		_, _ = c.ListPipelines(ctx, nil)
		cctx, cancel := context.WithCancel(ctx)
		cancel() // a caller that gives up at once
		_, _ = c.ListQueues(cctx, "x", nil)
	}
	env.Sandbox.SetFaults(nil)
	env.Server.CloseClientConnections()
	// Goroutines end as their connections close; wait for them (the bound
	// is for a leak, not a timing the test depends on).
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if runtime.NumGoroutine() <= baseline+4 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), baseline, buf[:n])
}
