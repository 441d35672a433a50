package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Tests of the console parts of issues 14 (fidelity), 21 (hardening) and
// 17 (items 7, 17, 24): each fails without its fix.

// A paste goes into the / filter as typing does (issue 21, 13): it once
// did nothing.
func TestPasteIntoTheFilter(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 100, height: 30})
	d.waitFor("Production", "Mobile", "PAUSED")
	d.keys("/")
	d.p.Send(tea.PasteMsg{Content: "mobile"})
	d.waitFor("/mobile", "1 of 5")
	d.keys("enter")
	frame := d.waitGone("Production")
	if !strings.Contains(frame, "Mobile") {
		t.Fatalf("the pasted filter did not keep Mobile:\n%s", frame)
	}
	// Outside the filter a paste is no key: nothing moves.
	d.p.Send(tea.PasteMsg{Content: "q"})
	d.waitFor("Mobile")
}

// rewrite wraps the sandbox so that the replies to GETs whose path ends
// in suffix pass through edit (body and header): a real API's odd reply,
// made from the sandbox's own.
func rewrite(suffix string, edit func(r *http.Request, body []byte, h http.Header) []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, suffix) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if rec.Code == http.StatusOK {
				body = edit(r, body, rec.Header())
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}

// withItem adds a raw item to a list page.
func withItem(raw string) func(*http.Request, []byte, http.Header) []byte {
	return func(_ *http.Request, body []byte, _ http.Header) []byte {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return body
		}
		out, _ := json.Marshal(append(items, json.RawMessage(raw)))
		return out
	}
}

// One item the console cannot read must not blank a list (issue 14): the
// cluster's queues are shown with a line saying one could not be read,
// and r keeps them.
func TestAQueueThatCannotBeReadIsSkippedAndSaid(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30,
		wrap: rewrite("/queues", withItem(`{"id": 42, "key": "odd-queue"}`))})
	d.waitFor("Mobile", "PAUSED")
	d.keys("/")
	d.typeText("mobile")
	d.keys("enter", "enter")
	frame := d.waitFor("macos-large", "1 queue could not be read")
	if strings.Contains(frame, "could not load queues") {
		t.Fatalf("the odd queue failed the list:\n%s", frame)
	}
	if !strings.Contains(frame, `"odd-queue"`) && !strings.Contains(frame, "item 4 of page 1") {
		t.Fatalf("the note does not say which item:\n%s", frame)
	}
	d.keys("r")
	frame = d.waitFor("macos-large", "1 queue could not be read")
	if strings.Contains(frame, "refresh failed") {
		t.Fatalf("a refresh with the odd queue counted as failed:\n%s", frame)
	}
}

// Pages the client stopped following (a rel="next" back to itself): the
// tokens read are shown with the reason, not "could not load tokens".
func TestTokensWhosePagesLoopShowWhatWasRead(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30,
		wrap: rewrite("/tokens", func(r *http.Request, body []byte, h http.Header) []byte {
			u := *r.URL
			u.Scheme, u.Host = "http", r.Host
			h.Set("Link", "<"+u.String()+`>; rel="next"`)
			return body
		})})
	openTokens(d, "Production")
	frame := d.waitFor("Legacy EC2 fleet", "showing only what was read: the API's pages could not be followed")
	if strings.Contains(frame, "could not load tokens") {
		t.Fatalf("the loop failed the list:\n%s", frame)
	}
}

// A pipeline that cannot be read is skipped by the progressive loader of
// the shared pipelines: the rest are shown, and the count of those
// skipped is said (issue 14).
func TestAPipelineThatCannotBeReadIsSkippedAndSaid(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30,
		wrap: rewrite("/pipelines", withItem(`{"id": 7, "name": "Odd pipeline", "slug": "odd"}`))})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	frame := d.waitFor("Pipelines", "1 pipeline could not be read")
	if strings.Contains(frame, "could not load pipelines") || !strings.Contains(frame, "Checkout") {
		t.Fatalf("the odd pipeline failed the list:\n%s", frame)
	}
}

// The create form's expiry says its rule (at least 10 minutes ahead) with
// examples that are valid now, and a span such as 90d shows the date it
// stands for before anything is sent (issue 14; issue 17, 24).
func TestTokenExpiryShowsTheDateAndTheRule(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 35})
	openTokens(d, "Mobile")
	d.keys("n")
	d.waitFor("New agent token in Mobile", "at least 10 minutes from now: 2026-06-08, 2026-06-08T12:00:00Z")
	d.typeText("CI agents")
	d.formKeys("enter")
	d.typeText("90d")
	d.waitFor("expires Sun 30 Aug 2026, 12:00 UTC (in 90d)")
	for range 3 {
		d.keys("backspace")
	}
	d.typeText("2020-01-01")
	d.waitFor("expiry: expiry must be in the future, at least 10 minutes from now: such as 2026-06-08T12:00:00Z")
}

// The edit form offers the description only: the API changes nothing
// else, so no expiry or address field claims otherwise, and an expired
// token's description can still be changed (its expiry is not checked).
func TestTokenEditChangesTheDescriptionOnly(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 35})
	openTokens(d, "Production")
	d.waitFor("Legacy EC2 fleet")
	d.keys("down", "e")
	frame := d.waitFor("Edit token Legacy EC2 fleet", "fixed when a token is created: the API changes only the description")
	if strings.Contains(frame, "Expires") || strings.Contains(frame, "Allowed IP addresses\n") {
		t.Fatalf("the edit form offers what the API does not change:\n%s", frame)
	}
	d.typeText(" (old)")
	d.formKeys("enter", "enter")
	d.waitFor("updated token Legacy EC2 fleet (old)")
	cl, _ := findQueue(t, d, "Production", "default")
	tokens, err := d.env.Client.ListTokens(context.Background(), cl.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tokens {
		if strings.HasPrefix(tk.Description, "Legacy EC2 fleet") {
			if tk.Description != "Legacy EC2 fleet (old)" || model.Value(tk.AllowedIPAddresses) != "10.30.0.0/16 10.31.0.0/16" ||
				tk.ExpiresAt == nil || !tk.ExpiresAt.Equal(sandboxtest.Now.Add(-10*24*time.Hour)) {
				t.Fatalf("the token after the edit: %+v %v %v", tk, model.Value(tk.AllowedIPAddresses), tk.ExpiresAt)
			}
			return
		}
	}
	t.Fatal("the token is gone")
}

// enter on a token opens its detail: the addresses one per line, the
// expiry as a date, who made it (issue 17, 17).
func TestTokenDetail(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 100, height: 30})
	openTokens(d, "Production")
	d.waitFor("Legacy EC2 fleet")
	d.keys("down", "enter")
	frame := d.waitFor("Token Legacy EC2 fleet", "Allowed IPs", "10.30.0.0/16", "10.31.0.0/16",
		"Expires", "expired 2026-05-22 12:00 UTC (10d ago)", "Created by", "Jordan Lee")
	if strings.Contains(frame, "Allowed IPs        10.30.0.0/16 10.31.0.0/16") {
		t.Fatalf("the addresses are not one per line:\n%s", frame)
	}
	d.keys("r")
	d.waitFor("refreshed token Legacy EC2 fleet")
	d.keys("esc")
	d.waitFor("Tokens (2)")
}

func TestGoldenTokenDetail(t *testing.T) {
	t.Parallel()
	forSizes(t, "token-detail", func(t *testing.T, d *driver) string {
		openTokens(d, "Production")
		d.waitFor("Legacy EC2 fleet")
		d.keys("down", "enter")
		return d.waitFor("Token Legacy EC2 fleet", "Allowed IPs")
	})
}

func TestGoldenTokenEditForm(t *testing.T) {
	t.Parallel()
	forSizes(t, "token-edit-form", func(t *testing.T, d *driver) string {
		openTokens(d, "Production")
		d.waitFor("Legacy EC2 fleet")
		d.keys("down", "e")
		return d.waitFor("Edit token Legacy EC2 fleet", "fixed when a token is created")
	})
}

// p and space on the Pipelines and Tokens tabs say where they act instead
// of doing nothing; r says when it is done (issue 17, 17).
func TestQueueKeysElsewhereAndRefreshSaySomething(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 40})
	openMobile(d)
	d.keys("r")
	d.waitFor("refreshed: 3 queues")
	d.keys("tab")
	d.waitFor("Tokens (1)")
	d.keys("p")
	d.waitFor("p pauses and resumes queues on the Queues tab or a queue; tokens have no such action")
	d.keys("tab")
	d.waitFor("Pipelines (")
	d.keys("space")
	d.waitFor("space marks queues for incident mode on the Queues tab or a queue; pipelines have no such action")
	d.keys("p")
	d.waitFor("p pauses and resumes queues on the Queues tab or a queue; pipelines have no such action")
	d.keys("r")
	d.waitFor("refreshed: 6 pipelines")
	d.keys("esc")
	d.waitFor("Clusters  5")
	d.keys("r")
	d.waitFor("refreshed: 5 clusters")
}

// openProductionQueue opens the Production cluster with the cursor on the
// queue key.
func openProductionQueue(d *driver, key string) {
	d.waitFor("Production", "PAUSED")
	d.keys("/")
	d.typeText("production")
	d.keys("enter", "enter")
	d.waitFor("linux-large", "Queues (3)")
	d.keys("/")
	d.typeText(key)
	d.keys("enter")
}

// A new queue can take either retry agent affinity; an edit changes it
// (issue 14).
func TestQueueRetryAgentAffinity(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openMobile(d)
	d.keys("n")
	d.waitFor("New queue in Mobile")
	d.typeText("retry-elsewhere")
	d.formKeys("enter", "enter", "enter") // no description, self-hosted
	d.waitFor("Retry agent affinity", "prefer-different: retries prefer another agent")
	d.formKeys("down", "enter")
	d.waitFor("created queue retry-elsewhere")
	cl, q := findQueue(t, d, "Mobile", "retry-elsewhere")
	if q.RetryAgentAffinity != model.RetryPreferDifferent {
		t.Fatalf("created with %q", q.RetryAgentAffinity)
	}
	d.keys("e")
	d.waitFor("Edit queue retry-elsewhere", "Retry agent affinity")
	d.formKeys("enter", "up", "enter")
	d.waitFor("updated queue retry-elsewhere")
	got, err := d.env.Client.GetQueue(context.Background(), cl.ID, q.ID)
	if err != nil || got.RetryAgentAffinity != model.RetryPreferWarmest {
		t.Fatalf("after the edit: %q, %v", got.RetryAgentAffinity, err)
	}
}

// A hosted queue of a shape this console does not know: the edit form
// keeps it first (sending nothing when untouched) and offers only sizes of
// the machine and architecture its name tells; never "current shape
// unknown" (issue 14).
func TestResizeAnUnknownShape(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40,
		wrap: rewrite("/queues", func(_ *http.Request, body []byte, _ http.Header) []byte {
			return []byte(strings.ReplaceAll(string(body), "LINUX_AMD64_8X32", "LINUX_AMD64_128X512"))
		})})
	openProductionQueue(d, "linux-large")
	d.waitFor("linux-large", "Linux AMD64 8 vCPU 32 G")
	d.keys("e")
	frame := d.waitFor("Edit queue linux-large", "Instance shape",
		"keep Linux AMD64, 8 vCPU, 32 GB (LINUX_AMD64_128X512)")
	if strings.Contains(frame, "ARM64") || strings.Contains(frame, "macOS") || strings.Contains(frame, "unknown") {
		t.Fatalf("the resize offers what the API refuses, or says unknown:\n%s", frame)
	}
	if !strings.Contains(frame, "Linux AMD64 Small, 2 vCPU, 4 GB (LINUX_AMD64_2X4)") {
		t.Fatalf("the sizes of the same machine are not offered:\n%s", frame)
	}
	d.formKeys("enter", "enter", "enter")
	d.waitFor("nothing changed")
}

// U+202E in a name must not reach the terminal inside a prefilled input,
// and an untouched field is not sent back cleaned (issue 21, 13).
func TestPrefilledInputsAreCleaned(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	ctx := context.Background()
	made, err := d.env.Client.CreateCluster(ctx, model.ClusterCreate{Name: "Evil\u202Egnp.exe", Description: "about\u200B it"})
	if err != nil {
		t.Fatal(err)
	}
	d.keys("r")
	d.waitFor("Evilgnp.exe")
	d.keys("/")
	d.typeText("evil")
	d.keys("enter", "e")
	raw := d.waitFor("Edit Evilgnp.exe", "> Evilgnp.exe", "> about it")
	if strings.ContainsAny(raw, "\u202E\u200B") {
		t.Fatalf("a bidi override or zero-width space reached the screen:\n%q", raw)
	}
	d.formKeys("enter", "enter", "enter", "enter")
	d.waitFor("nothing changed")
	got, err := d.env.Client.GetCluster(ctx, made.ID)
	if err != nil || got.Name != "Evil\u202Egnp.exe" {
		t.Fatalf("the untouched name was changed: %q, %v", got.Name, err)
	}
}

// startLiveDriver is startDriver on a sandbox that simulates builds on a
// clock the test moves by hand.
func startLiveDriver(t *testing.T, width, height int) (*driver, *sandboxtest.Clock) {
	t.Helper()
	clock := sandboxtest.NewClock()
	return startDriver(t, driverOptions{clock: clock, width: width, height: height}), clock
}

// A pipeline with running builds: the API refuses its deletion (422). The
// console shows the server's message and keeps the pipeline (issue 14).
func TestDeletingABusyPipelineShowsTheServersMessage(t *testing.T) {
	t.Parallel()
	d, clock := startLiveDriver(t, 160, 40)
	ctx := context.Background()
	var busy model.Pipeline
	for step := 0; step < 120 && busy.ID == ""; step++ {
		pipelines, err := d.env.Client.ListPipelines(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pipelines {
			if p.RunningBuildsCount > 0 && !p.Archived() {
				busy = p
				break
			}
		}
		clock.Add(15 * time.Second)
	}
	if busy.ID == "" {
		t.Fatal("the simulation ran no build")
	}
	d.waitFor("Production")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("Pipelines", "RUN/SCH/WAIT")
	d.keys("/")
	d.typeText(busy.Slug)
	d.keys("enter", "d")
	d.waitFor("Delete pipeline")
	d.typeText(busy.Slug)
	d.keys("enter")
	frame := d.waitFor("This pipeline has builds that are still running. Cancel them before deleting the pipeline.")
	if !strings.Contains(frame, common.Clean(busy.Name)) {
		t.Fatalf("the pipeline left the list:\n%s", frame)
	}
	if _, err := d.env.Client.GetPipeline(ctx, busy.Slug); err != nil {
		t.Fatalf("the pipeline is gone from the sandbox: %v", err)
	}
}

// Every form's view is guarded (common.DropMarks): a pipeline's edit form,
// whose inputs start with the API's values, draws no bidi override.
func TestFormViewsDropBidiOverrides(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	ctx := context.Background()
	cl, _ := findQueue(t, d, "Production", "default")
	if _, err := d.env.Client.CreatePipeline(ctx, model.PipelineCreate{Name: "Evil\u202Egnp", ClusterID: cl.ID, Repository: "git@github.com:acme/evil.git",
		Configuration: "steps:\n  - command: echo \u202Eok\n"}); err != nil {
		t.Fatal(err)
	}
	d.waitFor("Production")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("Pipelines", "Evilgnp")
	d.keys("/")
	d.typeText("evil")
	d.keys("enter", "e")
	d.waitFor("Edit")
	d.formKeys("space", "enter")
	raw := d.waitFor("Evilgnp")
	if strings.ContainsRune(raw, '\u202E') {
		t.Fatalf("a bidi override reached the screen:\n%q", raw)
	}
}

// A year-9999 dispatch_paused_at from the API reads as far in the future,
// never "paused in -9223372036s" (issue 21, 13).
func TestAPauseDatedYear9999(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 40,
		wrap: rewrite("/queues", func(_ *http.Request, body []byte, _ http.Header) []byte {
			var items []map[string]any
			if err := json.Unmarshal(body, &items); err != nil {
				return body
			}
			for _, q := range items {
				if q["dispatch_paused"] == true {
					q["dispatch_paused_at"] = "9999-12-31T23:59:59Z"
				}
			}
			out, _ := json.Marshal(items)
			return out
		})})
	openMobile(d)
	frame := d.waitFor("paused in 7973y")
	if strings.Contains(frame, "-9223372036") {
		t.Fatalf("the saturated duration is shown:\n%s", frame)
	}
}

func TestGoldenHostedQueueEditForm(t *testing.T) {
	t.Parallel()
	forSizes(t, "queue-edit-hosted", func(t *testing.T, d *driver) string {
		openMobile(d)
		d.keys("j", "e")
		return d.waitFor("Edit queue macos", "keep macOS Medium")
	})
}

func TestGoldenQueuesWithASkippedItem(t *testing.T) {
	t.Parallel()
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := startDriver(t, driverOptions{width: size[0], height: size[1],
				wrap: rewrite("/queues", withItem(`{"id": 42, "key": "odd-queue"}`))})
			openMobile(d)
			golden(t, fmt.Sprintf("queues-skipped-%dx%d", size[0], size[1]), d.waitFor("1 queue could not be read"))
		})
	}
}

// The token's detail scrolls when the screen is shorter than its fields:
// the last lines are reachable with G and j (nothing cut off for good).
func TestTokenDetailScrolls(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 14})
	openTokens(d, "Production")
	d.waitFor("Legacy EC2 fleet")
	d.keys("down", "enter")
	frame := d.waitFor("Token Legacy EC2 fleet", "Allowed IPs")
	if strings.Contains(frame, "d revokes it") {
		t.Fatalf("the whole detail fits: the test needs a shorter screen:\n%s", frame)
	}
	d.keys("G")
	d.waitFor("d revokes it")
	d.keys("g")
	d.waitFor("Allowed IPs")
	for range 30 {
		d.keys("j")
	}
	d.waitFor("d revokes it")
}
