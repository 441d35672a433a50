package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// lastLines is the frame's last n lines, each trimmed, joined by spaces:
// the footer's text as a person reads it.
func lastLines(frame string, n int) string {
	lines := strings.Split(frame, "\n")
	lines = lines[max(0, len(lines)-n):]
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}

// While the API cannot be reached the header says so, and for how long,
// instead of the budget it last told as if all were well; the next reply
// brings the budget back (issue 29, 4).
func TestTheHeaderSaysTheAPIIsUnreachableInsteadOfItsBudget(t *testing.T) {
	t.Parallel()
	var gone atomic.Bool
	d := startDriver(t, driverOptions{width: 80, height: 24, rateLimit: sandbox.RateLimit{Limit: 200, Window: time.Hour}, wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if gone.Load() {
				// The connection ends without a reply, as a host that went
				// away leaves it.
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	header := func(frame string) string { return strings.SplitN(frame, "\n", 2)[0] }
	frame := d.waitFor("Production", "API 1")
	if h := header(frame); strings.Contains(h, "unreachable") || !strings.Contains(h, "API ") {
		t.Fatalf("the header before the API went away: %q", h)
	}
	gone.Store(true)
	d.keys("r")
	frame = d.waitFor("refresh failed; showing data from")
	h := header(frame)
	if !strings.Contains(h, "API unreachable · ") || strings.Contains(h, "/200") {
		t.Fatalf("the header while the API is unreachable: %q\n%s", h, frame)
	}
	if footer := lastLines(frame, 2); !strings.Contains(footer, "could not load clusters") || !strings.Contains(footer, "EOF") {
		t.Errorf("the footer does not say why:\n%s", frame)
	}
	gone.Store(false)
	d.keys("r")
	frame = d.waitGone("refresh failed")
	if h := header(frame); strings.Contains(h, "unreachable") || !strings.Contains(h, "API ") {
		t.Fatalf("the header once the API answers again: %q", h)
	}
}

// At 80 columns a flash too long for the footer's line goes on over the
// help line, whole, and the help comes back when it goes; one too long
// for both still says where to read it whole (issue 29, 4 and 10: an
// error was cut before its cause, a batch's result before what was
// already paused).
func TestALongFlashIsWholeAt80Columns(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 24})
	d.waitFor("Production", "? help")
	for _, m := range []common.FlashMsg{
		{Kind: common.FlashError, Text: "could not load the queue's agents: could not reach the API (connection refused) at 127.0.0.1:8089"},
		{Kind: common.FlashOK, Text: "2 paused (Mobile/default, Mobile/macos-large), 1 was already paused (Production/deploy)"},
	} {
		d.p.Send(m)
		frame := d.waitFor(m.Text[:20])
		if got := strings.Join(strings.Fields(lastLines(frame, 2))[1:], " "); got != m.Text {
			t.Errorf("the footer says %q, want %q whole:\n%s", got, m.Text, frame)
		}
		for _, line := range strings.Split(frame, "\n") {
			if w := lipgloss.Width(line); w > 80 {
				t.Errorf("a line of %d columns: %q", w, line)
			}
		}
		if lines := strings.Split(frame, "\n"); len(lines) != 24 {
			t.Errorf("the frame has %d lines", len(lines))
		}
	}
	d.clock.Add(errorFlashFor)
	d.waitFor("? help")
	long := "deleting hosted-big failed: The default queue of a cluster cannot be deleted; make another queue the default first, then delete this one (cause: 422 end-of-text)"
	d.p.Send(common.FlashMsg{Kind: common.FlashError, Text: long})
	frame := d.waitFor("deleting hosted-big failed", ":messages")
	if strings.Contains(frame, "end-of-text") || !strings.Contains(frame, "then delete") {
		t.Fatalf("a flash too long for two lines:\n%s", frame)
	}
}

// At 80 columns a pause of marked queues across clusters says its whole
// result where it is said: how many were paused and which, and which were
// already paused, not only in :messages (issue 29, 10).
func TestAPauseOfMarksSaysWhatWasAlreadyPausedAt80Columns(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 24})
	// Someone else pauses Production's deploy behind the console's back.
	cl, q := findQueue(t, d, "Production", "deploy")
	if _, err := d.env.Client.PauseQueue(context.Background(), cl.ID, q.ID, "paused elsewhere"); err != nil {
		t.Fatal(err)
	}
	openMobile(d)
	d.keys("space") // default, and the cursor moves on
	d.waitFor("1 marked")
	d.keys("esc", "esc") // back home, and clear its filter
	d.waitFor("Production")
	d.keys("/")
	d.typeText("production")
	d.keys("enter", "enter")
	d.waitFor("linux-large")
	d.keys("space", "space") // default and deploy
	d.waitFor("3 marked")
	d.keys("p")
	d.waitFor("Pause 3 queues in 2 clusters")
	d.typeText("INC-7")
	d.keys("enter")
	frame := d.waitFor("2 paused")
	want := "2 paused (Mobile/default, Production/default), 1 was already paused (Production/deploy)"
	if got := strings.Join(strings.Fields(lastLines(frame, 2))[1:], " "); got != want {
		t.Fatalf("the footer says %q, want %q:\n%s", got, want, frame)
	}
}

// The header's note says what kind of failure it is and for how long.
func TestTheUnreachableNoteSaysWhatAndHowLong(t *testing.T) {
	since := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		err   error
		after time.Duration
		want  string
	}{
		{errors.New("GET /v2/organizations/acme/clusters: EOF"), 12 * time.Second, "API unreachable · 12s"},
		{fmt.Errorf("GET /v2/organizations/acme/clusters: %w (15s)", api.ErrTimeout), 61 * time.Second, "API not answering · 1m"},
	} {
		if got := unreachable(&api.Unreachable{Since: since, Err: c.err}, since.Add(c.after)); got != c.want {
			t.Errorf("unreachable(%v, %s later) = %q, want %q", c.err, c.after, got, c.want)
		}
	}
}

// At 80 columns the header has room for a short note that counts come
// from REST and the budget, not for the whole note: it shortens the note
// rather than drop both (they took 79 columns of the 56 left).
func TestANarrowHeaderShortensTheNoteOfRESTCountsBeforeTheBudget(t *testing.T) {
	t.Parallel()
	env, clock := liveOrganisation(t, sandbox.Options{NoGraphQLAccess: true,
		RateLimit: sandbox.DefaultRateLimit, UserRateLimit: sandbox.DefaultUserRateLimit})
	client := env.ClientWith(t, api.Config{Clock: clock})
	d := startModel(t, env, clock, Options{Client: client, Now: clock.Now, Demo: true, Dark: true}, 80, 24)
	frame := d.waitFor("Production", "API ")
	h := strings.SplitN(frame, "\n", 2)[0]
	if !strings.Contains(h, "counts from REST") || !strings.Contains(h, "/50 you") || lipgloss.Width(h) > 80 {
		t.Fatalf("the header at 80 columns: %q", h)
	}
	d.send(tea.WindowSizeMsg{Width: 160, Height: 24})
	frame = d.waitFor("no GraphQL access")
	if h := strings.SplitN(frame, "\n", 2)[0]; !strings.Contains(h, "counts from REST: the API token has no GraphQL access") {
		t.Fatalf("the header at 160 columns: %q", h)
	}
}
