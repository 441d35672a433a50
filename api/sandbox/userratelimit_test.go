package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// rateHeaderNames are the headers the docs list for each window.
var (
	orgHeaderNames  = []string{"RateLimit-Scope", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
	userHeaderNames = []string{"RateLimit-User-Scope", "RateLimit-User-Limit", "RateLimit-User-Remaining", "RateLimit-User-Reset"}
)

func headerValues(h http.Header, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = h.Get(n)
	}
	return out
}

func decode429(t *testing.T, resp *http.Response) sandbox.RateLimitExceeded {
	t.Helper()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	var body sandbox.RateLimitExceeded
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body
}

// The per-user window refuses a user's 4th request while others of the
// same organisation go on, and every reply carries both header sets.
func TestUserRateLimitIsPerUser(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty, Clock: clock,
		RateLimit:     sandbox.RateLimit{Limit: 100, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 3, Window: time.Minute},
		UserTokens:    map[string]string{"alex": "alex-token"}}, nil)
	full := env.Sandbox.Token()
	for i := range 3 {
		resp := getAs(t, env, full, "/clusters")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
		wantUser := []string{"rest_user", "3", strconv.Itoa(2 - i), "60"}
		if got := headerValues(resp.Header, userHeaderNames); !slices.Equal(got, wantUser) {
			t.Fatalf("request %d: user headers %v, want %v", i+1, got, wantUser)
		}
		wantOrg := []string{"rest", "100", strconv.Itoa(99 - i), "60"}
		if got := headerValues(resp.Header, orgHeaderNames); !slices.Equal(got, wantOrg) {
			t.Fatalf("request %d: organisation headers %v, want %v", i+1, got, wantOrg)
		}
		// The warning appears once the window has nothing left.
		if w := resp.Header.Get("RateLimit-User-Warning"); (i == 2) != (w == "You have exceeded your API rate limit.") {
			t.Fatalf("request %d: user warning %q", i+1, w)
		}
		if resp.Header.Get("RateLimit-Warning") != "" {
			t.Fatalf("request %d: an organisation warning with 97 left", i+1)
		}
	}
	clock.Add(18 * time.Second)
	resp := getAs(t, env, full, "/clusters")
	body := decode429(t, resp)
	want := sandbox.RateLimitExceeded{Message: "You have exceeded your API rate limit. Please wait 42 seconds before making more requests.",
		Scope: "rest_user", Limit: 3, Current: 4, Reset: 42}
	if body != want {
		t.Fatalf("429 body %+v, want %+v", body, want)
	}
	if resp.Header.Get("RateLimit-User-Warning") != "You have exceeded your API rate limit." || resp.Header.Get("RateLimit-Warning") != "" {
		t.Fatalf("429 warnings: %v", resp.Header)
	}
	// A refused request spends nothing of the organisation's window.
	if resp.Header.Get("RateLimit-Remaining") != "97" || resp.Header.Get("RateLimit-User-Remaining") != "0" {
		t.Fatalf("429 headers: %v", resp.Header)
	}
	// The read-only token and an added user's token are other users.
	for _, tok := range []string{env.Sandbox.ReadOnlyToken(), "alex-token"} {
		resp := getAs(t, env, tok, "/clusters")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-User-Remaining") != "2" {
			t.Fatalf("another user: %d %v", resp.StatusCode, resp.Header)
		}
	}
	// The user's window resets on its own clock.
	clock.Add(42 * time.Second)
	if resp := getAs(t, env, full, "/clusters"); resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-User-Remaining") != "2" {
		t.Fatalf("after the reset: %d %v", resp.StatusCode, resp.Header)
	}
}

// When the organisation's window is spent, the 429 names scope "rest",
// carries RateLimit-Warning, and holds for every user.
func TestOrganisationWindowRefusesEveryUser(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty, Clock: clock,
		RateLimit:     sandbox.RateLimit{Limit: 4, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 50, Window: time.Minute},
		UserTokens:    map[string]string{"alex": "alex-token", "blair": "blair-token"}}, nil)
	for i := range 4 {
		if resp := getAs(t, env, []string{"alex-token", "blair-token"}[i%2], "/clusters"); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	clock.Add(10 * time.Second)
	for _, tok := range []string{env.Sandbox.Token(), "alex-token"} {
		resp := getAs(t, env, tok, "/clusters")
		body := decode429(t, resp)
		if body.Scope != "rest" || body.Limit != 4 || body.Reset != 50 || body.Current < 5 {
			t.Fatalf("429 body %+v", body)
		}
		if resp.Header.Get("RateLimit-Warning") == "" || resp.Header.Get("RateLimit-User-Warning") != "" {
			t.Fatalf("warnings: %v", resp.Header)
		}
		if got := headerValues(resp.Header, userHeaderNames); got[0] != "rest_user" || got[1] != "50" {
			t.Fatalf("a 429 without the user's headers: %v", resp.Header)
		}
	}
}

// With both windows spent, the 429 names the one that opens later.
func TestBothWindowsSpentNamesTheLaterReset(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty, Clock: clock,
		RateLimit:     sandbox.RateLimit{Limit: 2, Window: time.Minute},
		UserRateLimit: sandbox.RateLimit{Limit: 1, Window: 2 * time.Minute}}, nil)
	getAs(t, env, env.Sandbox.Token(), "/clusters")
	getAs(t, env, env.Sandbox.ReadOnlyToken(), "/clusters")
	body := decode429(t, getAs(t, env, env.Sandbox.Token(), "/clusters"))
	if body.Scope != "rest_user" || body.Reset != 120 {
		t.Fatalf("429 body %+v", body)
	}
}

func TestUserRateLimitOffByDefault(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty, RateLimit: sandbox.DefaultRateLimit}, nil)
	resp := getAs(t, env, env.Sandbox.Token(), "/clusters")
	if resp.Header.Get("RateLimit-Scope") != "rest" || resp.Header.Get("RateLimit-User-Limit") != "" || resp.Header.Get("RateLimit-User-Scope") != "" {
		t.Fatalf("headers %v", resp.Header)
	}
}

// The pipelines list's name and repository filters match part of the
// field, whatever its case, and page like the whole list.
func TestListPipelinesFilters(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	type pipeline struct{ Name, Repository string }
	list := func(query url.Values) ([]pipeline, http.Header) {
		t.Helper()
		resp := getAs(t, env, env.Sandbox.Token(), "/pipelines?"+query.Encode())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", query.Encode(), resp.StatusCode)
		}
		var out []pipeline
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out, resp.Header
	}
	all, _ := list(url.Values{"per_page": {"100"}})
	if len(all) < 10 {
		t.Fatalf("the demo organisation has %d pipelines", len(all))
	}
	want := func(keep func(pipeline) bool) []pipeline {
		var out []pipeline
		for _, p := range all {
			if keep(p) {
				out = append(out, p)
			}
		}
		return out
	}
	// Part of a real name, in another case.
	name := all[3].Name
	part := strings.ToUpper(name[1 : len(name)-1])
	got, _ := list(url.Values{"per_page": {"100"}, "name": {part}})
	if exp := want(func(p pipeline) bool { return strings.Contains(strings.ToLower(p.Name), strings.ToLower(part)) }); len(got) == 0 || !slices.Equal(got, exp) {
		t.Fatalf("name=%s: %v, want %v", part, got, exp)
	}
	repoPart := strings.ToUpper(all[5].Repository[len(all[5].Repository)/2:])
	got, _ = list(url.Values{"per_page": {"100"}, "repository": {repoPart}})
	if exp := want(func(p pipeline) bool {
		return strings.Contains(strings.ToLower(p.Repository), strings.ToLower(repoPart))
	}); len(got) == 0 || !slices.Equal(got, exp) {
		t.Fatalf("repository=%s: %v, want %v", repoPart, got, exp)
	}
	// Both at once narrow to what matches both.
	got, _ = list(url.Values{"per_page": {"100"}, "name": {part}, "repository": {"no-such-repository"}})
	if len(got) != 0 {
		t.Fatalf("both filters: %v", got)
	}
	// A filtered list pages, and its links keep the filter.
	matchingAny := want(func(p pipeline) bool { return strings.Contains(strings.ToLower(p.Repository), "git") })
	if len(matchingAny) < 3 {
		t.Fatalf("only %d repositories contain git", len(matchingAny))
	}
	got, h := list(url.Values{"per_page": {"2"}, "repository": {"GIT"}})
	if !slices.Equal(got, matchingAny[:2]) || !strings.Contains(h.Get("Link"), "repository=GIT") ||
		!strings.Contains(h.Get("Link"), "page="+strconv.Itoa((len(matchingAny)+1)/2)+"&") {
		t.Fatalf("a filtered page: %v %s", got, h.Get("Link"))
	}
}
