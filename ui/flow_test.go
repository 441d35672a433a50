package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// Flows type what a person types and then look at the sandbox: the
// state that matters is Buildkite's, not the model's.

func findQueue(t *testing.T, d *driver, clusterName, key string) (model.Cluster, model.Queue) {
	t.Helper()
	ctx := context.Background()
	clusters, err := d.env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range clusters {
		if cl.Name != clusterName {
			continue
		}
		qs, err := d.env.Client.ListQueues(ctx, cl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if q.Key == key {
				return cl, q
			}
		}
		return cl, model.Queue{}
	}
	t.Fatalf("no cluster %s", clusterName)
	return model.Cluster{}, model.Queue{}
}

func (d *driver) writes() []string {
	var out []string
	for _, r := range d.env.Writes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestPauseWithANoteThenResume(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 200, height: 30})
	openMobile(d)
	d.keys("p")
	d.typeText("disk full on the android agents")
	d.keys("enter")
	d.waitFor("default paused")

	_, q := findQueue(t, d, "Mobile", "default")
	if !q.DispatchPaused || model.Value(q.DispatchPausedNote) != "disk full on the android agents" || q.DispatchPausedBy.DisplayName() != "Sam Kim" {
		t.Fatalf("sandbox queue = paused %v, note %q, by %q", q.DispatchPaused, model.Value(q.DispatchPausedNote), q.DispatchPausedBy.DisplayName())
	}
	frame := d.waitFor("disk full on the android agents — Sam Kim")
	if !strings.Contains(frame, "2 paused") {
		t.Fatalf("the cluster's paused count did not follow:\n%s", frame)
	}

	// p on a paused queue resumes at once: no prompt.
	d.keys("p")
	d.waitFor("default resumed")
	if _, q := findQueue(t, d, "Mobile", "default"); q.DispatchPaused || q.DispatchPausedNote != nil {
		t.Fatalf("still paused: %+v", q)
	}
	if w := d.writes(); len(w) != 2 || !strings.HasSuffix(w[0], "/pause_dispatch") || !strings.HasSuffix(w[1], "/resume_dispatch") {
		t.Fatalf("writes = %q", w)
	}
}

func TestEscCancelsThePause(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	openMobile(d)
	d.keys("p")
	d.typeText("never mind")
	d.keys("esc")
	d.waitFor("pause canceled")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("a cancelled pause sent %q", w)
	}
}

func TestIncidentModePausesQueuesAcrossClusters(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
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
	d.typeText("INC-7 bad deploy")
	d.keys("enter")
	d.waitFor("3 paused")

	for _, c := range []struct{ cluster, key string }{{"Mobile", "default"}, {"Production", "default"}, {"Production", "deploy"}} {
		if _, q := findQueue(t, d, c.cluster, c.key); !q.DispatchPaused || model.Value(q.DispatchPausedNote) != "INC-7 bad deploy" {
			t.Errorf("%s/%s not paused with the note: %+v", c.cluster, c.key, q)
		}
	}
	if _, q := findQueue(t, d, "Production", "linux-large"); q.DispatchPaused {
		t.Error("an unmarked queue was paused")
	}
	if frame := d.waitGone("marked"); strings.Contains(frame, "● default") {
		t.Fatalf("marks were not cleared:\n%s", frame)
	}
}

func TestIncidentModeSummaryCountsAlreadyPausedAndFailures(t *testing.T) {
	t.Parallel()
	var failQueue atomic.Value // the id of the queue whose pause fails
	failQueue.Store("none")
	d := startDriver(t, driverOptions{width: 160, height: 30, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.Contains(r.URL.Path, failQueue.Load().(string)+"/pause_dispatch") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"message":"Something went wrong on our side"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	openMobile(d)
	// Someone else pauses default behind the console's back.
	cl, q := findQueue(t, d, "Mobile", "default")
	if _, err := d.env.Client.PauseQueue(context.Background(), cl.ID, q.ID, "paused elsewhere"); err != nil {
		t.Fatal(err)
	}
	d.keys("space", "j", "space") // default and macos-large (macos is paused, skipped by j)
	d.waitFor("2 marked")
	_, large := findQueue(t, d, "Mobile", "macos-large")
	failQueue.Store(large.ID)
	d.keys("p")
	d.typeText("INC-8")
	d.keys("enter")
	frame := d.waitFor("1 was already paused", "1 failed")
	if !strings.Contains(frame, "Something went wrong on our side") {
		t.Fatalf("the server's message is missing:\n%s", frame)
	}
	if _, q := findQueue(t, d, "Mobile", "macos-large"); q.DispatchPaused {
		t.Fatal("the failed pause shows as done in the sandbox")
	}
	// The failed queue is shown running again, the other with the
	// server's own note.
	frame = d.waitFor("paused elsewhere")
	for _, line := range strings.Split(frame, "\n") {
		if strings.Contains(line, "macOS M4 12 vCPU") && !strings.Contains(line, "running") {
			t.Fatalf("the failed queue was not reverted: %s", line)
		}
	}
}

func TestAlreadyPausedRefreshesTheRow(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 30})
	openMobile(d)
	cl, q := findQueue(t, d, "Mobile", "default")
	if _, err := d.env.Client.PauseQueue(context.Background(), cl.ID, q.ID, "paused from the web UI"); err != nil {
		t.Fatal(err)
	}
	d.keys("p")
	d.typeText("me too")
	d.keys("enter")
	frame := d.waitFor("default was already paused; refreshed", "paused from the web UI")
	if strings.Contains(frame, "✗") {
		t.Fatalf("a 422 already paused showed as an error:\n%s", frame)
	}
}

func TestFailedPauseRevertsAndShowsTheServersMessage(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 30, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"message":"Forbidden"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	openMobile(d)
	d.keys("p")
	d.typeText("x")
	d.keys("enter")
	frame := d.waitFor("could not pause default: Forbidden (this needs an API token with the write_clusters scope)")
	for _, line := range strings.Split(frame, "\n") {
		if strings.Contains(line, "default ★") && !strings.Contains(line, "running") {
			t.Fatalf("the row was not reverted: %s", line)
		}
	}
}

func TestCreateAHostedQueue(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openMobile(d)
	d.keys("n")
	d.waitFor("New queue in Mobile")
	d.typeText("linux-arm")
	d.formKeys("enter")
	d.typeText("ARM builds")
	d.formKeys("enter", "down", "enter", "enter") // hosted, the default retry agent affinity
	d.waitFor("Instance shape")
	d.formKeys("down", "down", "down", "down", "down", "enter") // Linux ARM64 Medium
	d.waitFor("created queue linux-arm")

	_, q := findQueue(t, d, "Mobile", "linux-arm")
	if !q.Hosted || q.HostedAgents.InstanceShape.Name != "LINUX_ARM64_4X16" || model.Value(q.Description) != "ARM builds" {
		t.Fatalf("sandbox queue = %+v", q)
	}
	d.waitFor("Linux ARM64 4 vCPU 16 GB")
}

func TestChangeAClustersDefaultQueue(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	d.waitFor("Mobile", "PAUSED")
	d.keys("j", "j", "e")
	d.waitFor("Edit Mobile", "Default queue")
	d.formKeys("enter", "enter", "enter", "enter") // name, description, emoji, colour unchanged
	d.formKeys("down", "enter")                    // the second queue: macos
	d.waitFor("updated cluster Mobile")

	cl, macos := findQueue(t, d, "Mobile", "macos")
	if model.Value(cl.DefaultQueueID) != macos.ID {
		t.Fatalf("default queue = %v, want macos %s", cl.DefaultQueueID, macos.ID)
	}
	// Only the default queue was sent.
	log := d.env.Sandbox.Requests()
	last := log[len(log)-1]
	for _, r := range log {
		if r.Method == http.MethodPut {
			last = r
		}
	}
	if last.Method != http.MethodPut {
		t.Fatalf("no update reached the sandbox: %+v", last)
	}
}

func TestDeleteNeedsTheNameTyped(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Sandbox", "PAUSED")
	d.keys("G", "d")
	d.waitFor("Delete cluster Sandbox?")
	d.typeText("sandbox") // wrong case
	d.keys("enter")
	d.waitFor(`that is not "Sandbox": nothing was sent`)
	d.keys("esc")
	d.waitFor("canceled: nothing was changed")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("a delete without its confirmation sent %q", w)
	}

	d.keys("d")
	d.waitFor("Delete cluster Sandbox?")
	d.typeText("Sandbox")
	d.keys("enter")
	d.waitFor("deleted cluster Sandbox")
	if w := d.writes(); len(w) != 1 || !strings.HasPrefix(w[0], "DELETE ") {
		t.Fatalf("writes = %q", w)
	}
	clusters, _ := d.env.Client.ListClusters(context.Background(), nil)
	for _, c := range clusters {
		if c.Name == "Sandbox" {
			t.Fatal("the cluster is still there")
		}
	}
	d.advance(flashFor) // the flash names it too
	d.waitGone("Sandbox  ")
}

func TestRejectedFormKeepsItsValues(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openMobile(d)
	d.keys("n")
	d.waitFor("New queue in Mobile")
	d.typeText("macos")
	d.formKeys("enter")
	d.typeText("a second macos queue")
	d.formKeys("enter", "enter", "enter") // self-hosted, the default retry agent affinity, submit
	frame := d.waitFor("The server said: Validation failed: Key has already been taken")
	if !strings.Contains(frame, "> macos") || !strings.Contains(frame, "a second macos queue") {
		t.Fatalf("the form lost its values:\n%s", frame)
	}
	// Fix the key and send again: the rest is still there.
	d.typeText("-2")
	d.formKeys("enter", "enter", "enter", "enter")
	d.waitFor("created queue macos-2")
	if _, q := findQueue(t, d, "Mobile", "macos-2"); model.Value(q.Description) != "a second macos queue" {
		t.Fatalf("queue = %+v", q)
	}
}

func TestReadOnlyRefusesAPauseWithoutARequest(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{readOnly: true})
	openMobile(d)
	d.keys("p")
	d.waitFor("read-only mode: pausing is turned off")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("writes = %q", w)
	}
	// Even if a binding slips past the screens, the client refuses.
	d.p.Send(probe{fn: func(a *App) { a.c.ReadOnly = false }})
	d.keys("p")
	d.waitFor("Pause default")
	d.keys("enter")
	d.waitFor("could not pause default: read-only mode: changes are turned off")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("writes = %q", w)
	}
	if _, q := findQueue(t, d, "Mobile", "default"); q.DispatchPaused {
		t.Fatal("paused in read-only mode")
	}
}

func TestRefreshKeepsTheCursorAndShowsChanges(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 30})
	openMobile(d)
	d.keys("j", "j")
	d.waitFor("› macos-large")
	cl, q := findQueue(t, d, "Mobile", "macos-large")
	if _, err := d.env.Client.PauseQueue(context.Background(), cl.ID, q.ID, "paused by a script"); err != nil {
		t.Fatal(err)
	}
	d.p.Send(refreshTick{}) // what the 30 s timer sends
	frame := d.waitFor("paused by a script")
	if !strings.Contains(frame, "› macos-large") {
		t.Fatalf("the cursor moved:\n%s", frame)
	}
}

func TestAnyResizeIsSafe(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	openMobile(d)
	d.keys("?")
	for _, size := range [][2]int{{1, 1}, {20, 5}, {300, 100}, {80, 24}, {0, 0}, {45, 12}} {
		d.p.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		d.frame()
	}
	d.keys("esc", "p")
	d.p.Send(tea.WindowSizeMsg{Width: 30, Height: 6})
	d.frame()
	d.keys("esc")
	d.p.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	d.waitFor("macos-large")
}

func TestALateReplyNeverLandsOnAnotherScreen(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	openMobile(d)
	// Leave at once, while the screen's reloads may still be in flight,
	// and open another cluster: Mobile's queues must not appear there.
	d.keys("esc", "esc", "/")
	d.typeText("production")
	d.keys("enter", "enter")
	frame := d.waitFor("linux-large", "Queues (3)")
	if strings.Contains(frame, "macos") {
		t.Fatalf("Mobile's queues showed on Production:\n%s", frame)
	}
}

func TestSwitchOrganisation(t *testing.T) {
	t.Parallel()
	beta := sandboxtest.Start(t, sandbox.Options{Org: "beta", Size: sandbox.SizeLarge}, nil)
	d := startDriver(t, driverOptions{width: 120, height: 30, orgs: []string{"acme", "beta"},
		switchOrg: func(ctx context.Context, org string) (*api.Client, error) { return beta.Client, nil }})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("org")
	d.keys("enter")
	d.waitFor("org beta")
	d.typeText("beta")
	d.keys("enter")
	frame := d.waitFor("switched to beta", "payments-01")
	if strings.Contains(frame, "Production") || !strings.Contains(frame, "kiteconsole  beta") {
		t.Fatalf("still showing acme:\n%s", frame)
	}
}

func TestPauseWithNoAnswerIsFetchedAgainAndSaidSo(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 30, timeout: 200 * time.Millisecond, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/pause_dispatch") {
				// The pause is made, but the answer never comes back.
				h.ServeHTTP(httptest.NewRecorder(), r)
				<-r.Context().Done()
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	openMobile(d)
	d.keys("p")
	d.typeText("slow network")
	d.keys("enter")
	// The pause is made; its answer never comes, until the client's
	// timeout passes on the test's clock.
	d.waitUntil("sent the pause", false, func(string) bool {
		for _, r := range d.env.Sandbox.Requests() {
			if strings.HasSuffix(r.Path, "/pause_dispatch") {
				return true
			}
		}
		return false
	})
	d.clock.Add(200 * time.Millisecond)
	frame := d.waitFor("no answer in time, so it was fetched again: default (now paused)")
	if !strings.Contains(frame, "slow network — Sam Kim") {
		t.Fatalf("the row does not show the queue as the API has it:\n%s", frame)
	}
}

func TestStaleDataStaysVisibleWithItsAge(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	d := startDriver(t, driverOptions{width: 120, height: 30, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fail.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	d.waitFor("Production", "PAUSED")
	fail.Store(true)
	d.keys("r")
	// The client retries the 503s after its backoffs, on the test's clock.
	frame := d.runUntil("said the refresh failed", 100*time.Millisecond, showsAll([]string{"refresh failed; showing data from", "could not load clusters"}))
	if !strings.Contains(frame, "Production") || !strings.Contains(frame, "Sandbox") {
		t.Fatalf("the rows went away:\n%s", frame)
	}
	d.keys("j", "j") // input still works
	d.waitFor("› 📱")
	fail.Store(false)
	d.keys("r")
	d.waitGone("refresh failed")
}

// ctrl+c in the pause-note prompt takes the question back, as in a
// shell's prompt; it ended the whole console (issue 29). Anywhere else it
// still quits.
func TestCtrlCInTheNotePromptCancelsIt(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	openMobile(d)
	d.keys("p")
	d.waitShown("Note (why?")
	d.typeText("disk ful")
	d.keys("ctrl+c")
	d.waitFor("pause canceled")
	if d.quit || d.app.quitting {
		t.Fatal("ctrl+c in the note prompt ended the console")
	}
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("ctrl+c sent %v", w)
	}
	d.keys("ctrl+c")
	d.waitUntil("quit", false, func(string) bool { return d.quit })
}

// An error stays long enough to be read, not the 6 s of other messages
// (issue 29), and goes in the end.
func TestAnErrorStaysLongEnoughToRead(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 30, readScopesOnly: true})
	openMobile(d)
	d.keys("p")
	d.waitShown("Note (why?")
	d.keys("enter")
	d.waitFor("✗ ")
	d.advance(10 * time.Second)
	d.waitFor("✗ ")
	d.advance(errorFlashFor)
	d.waitGone("✗ ")
}
