package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

func getAs(t *testing.T, env *sandboxtest.Env, token, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/v2/organizations/"+env.Sandbox.Org()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestRateLimitWindow(t *testing.T) {
	clock := sandboxtest.NewClock()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty, RateLimit: sandbox.RateLimit{Limit: 5, Window: time.Minute}, Clock: clock}, nil)
	tokens := []string{env.Sandbox.Token(), env.Sandbox.ReadOnlyToken()} // one organisation, one window
	for i := range 5 {
		resp := getAs(t, env, tokens[i%2], "/clusters")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
		if got := resp.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(4-i) {
			t.Fatalf("request %d: remaining %s", i+1, got)
		}
		if resp.Header.Get("RateLimit-Limit") != "5" || resp.Header.Get("RateLimit-Reset") != "60" {
			t.Fatalf("headers %v", resp.Header)
		}
	}
	clock.Add(20 * time.Second)
	resp := getAs(t, env, tokens[0], "/clusters")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("RateLimit-Remaining") != "0" || resp.Header.Get("RateLimit-Reset") != "40" {
		t.Fatalf("past the limit: %d %v", resp.StatusCode, resp.Header)
	}
	var body struct{ Message string }
	if json.NewDecoder(resp.Body).Decode(&body) != nil || body.Message == "" {
		t.Fatal("a 429 without a message")
	}
	// The organisation's rate-limits API says the same.
	clock.Add(39 * time.Second)
	env.Sandbox.SetRateLimit(sandbox.RateLimit{Limit: 5, Window: time.Minute})
	getAs(t, env, tokens[0], "/clusters")
	var rl struct {
		Scopes struct {
			REST struct {
				Current  int       `json:"current"`
				Enforced bool      `json:"enforced"`
				Limit    int       `json:"limit"`
				Reset    int       `json:"reset"`
				ResetAt  time.Time `json:"reset_at"`
			} `json:"rest"`
		} `json:"scopes"`
	}
	resp = getAs(t, env, tokens[0], "/rate_limit")
	if err := json.NewDecoder(resp.Body).Decode(&rl); err != nil {
		t.Fatal(err)
	}
	if r := rl.Scopes.REST; !r.Enforced || r.Limit != 5 || r.Current != 2 || r.Reset != 60 || !r.ResetAt.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("rate_limit = %+v", r)
	}
	// A new window: the count starts again.
	clock.Add(61 * time.Second)
	if resp := getAs(t, env, tokens[0], "/clusters"); resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Remaining") != "4" {
		t.Fatalf("new window: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestRateLimitOffSendsNoHeaders(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	for range 300 {
		if resp := getAs(t, env, env.Sandbox.Token(), "/clusters"); resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Limit") != "" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	for in, want := range map[string]sandbox.RateLimit{
		"200/1m": {Limit: 200, Window: time.Minute}, "200": {Limit: 200, Window: time.Minute}, "50/30s": {Limit: 50, Window: 30 * time.Second},
		"10/m": {Limit: 10, Window: time.Minute}, "0": {},
	} {
		if got, err := sandbox.ParseRateLimit(in); err != nil || got != want {
			t.Errorf("%s: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "x", "-1", "5/0s", "5/soon"} {
		if _, err := sandbox.ParseRateLimit(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if s := sandbox.DefaultRateLimit.String(); s != "200/1m" {
		t.Errorf("default = %s", s)
	}
}
