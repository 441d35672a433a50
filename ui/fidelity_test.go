package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Tests of the console parts of issues 14 (fidelity), 21 (hardening) and
// 17 (items 7, 17, 24): each fails without its fix.

// A paste goes into the / filter as typing does (issue 21, 13): it once
// did nothing.
func TestPasteIntoTheFilter(t *testing.T) {
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
