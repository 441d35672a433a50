package common

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
)

// The screens say what the API's error means as the client does (Hint): a
// 401 names no scope, a 403 the one missing, a 429 which limit; a 429's
// scope ("rest_user") was once shown as a scope the token needs.
func TestErrorTextUsesTheAPIHint(t *testing.T) {
	cases := []struct {
		err  *api.Error
		want string
	}{
		{&api.Error{StatusCode: http.StatusUnauthorized, Message: "Authentication required"},
			"Authentication required (the API token was not accepted: it may be mistyped, revoked or expired)"},
		{&api.Error{StatusCode: http.StatusForbidden, Message: "Forbidden", Scope: "write_clusters"},
			"Forbidden (this needs an API token with the write_clusters scope)"},
		{&api.Error{StatusCode: http.StatusTooManyRequests, Message: "Too many requests", Scope: "rest_user", Limit: api.LimitUser},
			"Too many requests (your own request limit is spent; the organisation's is not)"},
		{&api.Error{StatusCode: http.StatusUnprocessableEntity, Message: "Validation Failed", Errors: []string{"key: taken"}},
			"Validation Failed: key: taken"},
	}
	for _, c := range cases {
		if got := ErrorText(c.err); got != c.want {
			t.Errorf("%d: got %q, want %q", c.err.StatusCode, got, c.want)
		}
	}
}

// An error of a request that did not reach the API says why first: the
// URL before it filled the footer (issue 29).
func TestAnUnreachableAPISaysWhyFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = http.Get("http://" + addr + "/v2/organizations/acme/agents?cluster_queue_id=" + strings.Repeat("x", 80))
	if err == nil {
		t.Fatal("a closed port answered")
	}
	got := ErrorText(fmt.Errorf("listing agents: %w", err))
	if !strings.HasPrefix(got, "could not reach the API (connection refused)") || !strings.Contains(got, addr) {
		t.Fatalf("ErrorText = %q", got)
	}
}

// The client's error for a refused connection names the request, not the
// URL: its cause comes first too (issue 29, 4: the footer said "GET
// /v2/organizations/acme/clusters: dial tcp …" before why).
func TestTheClientsUnreachableErrorSaysWhyFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	client, err := api.New(api.Config{Endpoint: "http://" + addr, Org: "acme", Token: "t", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListClusters(context.Background(), nil)
	if err == nil {
		t.Fatal("a closed port answered")
	}
	got := ErrorText(err)
	if want := "could not reach the API (connection refused) at " + addr; got != want {
		t.Fatalf("ErrorText = %q, want %q", got, want)
	}
}
