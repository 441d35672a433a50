package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

// A change held by a hang fault waits on the sandbox's clock; net/http
// does not tell a handler that has not read its request's body that the
// connection closed, so a test's sandbox whose clock stopped held it,
// and httptest.Server.Close waited for it until the package's timeout (a
// monkey walk's cleanup, 10 minutes). Close lets it go.
func TestCloseLetsGoOfAHeldChange(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Clock: clockwork.NewFakeClock(), Quiet: true})
	sb.SetFaults(&sandbox.Faults{Rate: 1, Kinds: []sandbox.Fault{sandbox.FaultHang}, Hang: time.Hour})
	srv := httptest.NewServer(sb)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v2/organizations/"+sb.Org()+"/clusters", strings.NewReader(`{"name":"held"}`))
		req.Header.Set("Authorization", "Bearer "+sb.Token())
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	// (A bound for a hang, not a timing.)
	for deadline := time.Now().Add(20 * time.Second); len(sb.Requests()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the change never reached the sandbox")
		}
		time.Sleep(time.Millisecond)
	}
	sb.Close()
	closed := make(chan struct{})
	go func() {
		srv.CloseClientConnections()
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("the server's Close waited for the held change")
	}
	<-done
}
