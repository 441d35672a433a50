package ui

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// The incident path runs on the `large` organisation (10,000 pipelines)
// with both of Buildkite's windows at their defaults and a distant API:
// --rate-limit 200/1m --user-rate-limit 50/1m --latency 30ms. The windows
// run on a clock the test holds (sandboxtest.Clock), shared by the
// sandbox and the client's budget.
func incidentOptions(clock *sandboxtest.Clock) sandbox.Options {
	return sandbox.Options{Size: sandbox.SizeLarge, Latency: 30 * time.Millisecond, Clock: clock.Now,
		RateLimit:     sandbox.RateLimit{Limit: 200, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 50, Window: time.Minute}}
}

// startConsole runs the real program against env with client, as
// startDriver does with its own.
func startConsole(t *testing.T, env *sandboxtest.Env, client *api.Client, now func() time.Time, width, height int) *driver {
	t.Helper()
	app := New(context.Background(), Options{Client: client, Now: now, Demo: true, Dark: true})
	p := tea.NewProgram(app, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignals(),
		tea.WithWindowSize(width, height),
		tea.WithFilter(func(m tea.Model, msg tea.Msg) tea.Msg {
			if pr, ok := msg.(probe); ok {
				pr.fn(m.(*App))
				return nil
			}
			return msg
		}))
	d := &driver{t: t, p: p, env: env, out: make(chan error, 1)}
	go func() {
		_, err := p.Run()
		d.out <- err
	}()
	t.Cleanup(func() {
		p.Quit()
		select {
		case <-d.out:
		case <-time.After(10 * time.Second):
			t.Error("the program did not stop")
		}
	})
	p.Send(tea.WindowSizeMsg{Width: width, Height: height})
	return d
}

// pipelineLists counts the requests for the pipelines list (any page or
// filter) from the log's from-th request on.
func pipelineLists(env *sandboxtest.Env, from int) int {
	n := 0
	log := env.Sandbox.Requests()
	for _, r := range log[min(from, len(log)):] {
		if r.Method == http.MethodGet && strings.HasSuffix(strings.SplitN(r.Path, "?", 2)[0], "/pipelines") {
			n++
		}
	}
	return n
}

func refusals(env *sandboxtest.Env) int {
	n := 0
	for _, r := range env.Sandbox.Requests() {
		if r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

func TestIncidentPathExplore(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, incidentOptions(clock), nil)
	client := env.ClientWith(t, api.Config{Now: clock.Now})
	d := startConsole(t, env, client, clock.Now, 120, 30)
	d.settle()
	f, _ := d.frame()
	t.Logf("home:\n%s\nrequests %d", f, len(env.Sandbox.Requests()))
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.settle()
	f, _ = d.frame()
	t.Logf("pipelines:\n%s\nrequests %d", f, len(env.Sandbox.Requests()))
}
