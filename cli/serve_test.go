package cli

import (
	"context"
	"net/http"
	"testing"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
)

// The demo's sandbox (serve --demo, --demo) answers only its own random
// token: the well-known default token is refused.
func TestTheDemoSandboxHasARandomToken(t *testing.T) {
	b, err := StartDemo(false, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Client.ListClusters(context.Background(), nil); err != nil {
		t.Fatalf("the demo's own client: %v", err)
	}
	for _, tok := range []string{sandbox.DefaultToken, sandbox.DefaultReadOnlyToken} {
		req, _ := http.NewRequest(http.MethodGet, b.Client.Endpoint()+"/v2/organizations/"+b.Client.Org()+"/clusters", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the well-known token %q got %d", tok, resp.StatusCode)
		}
	}
	if a, b := demoToken(), demoToken(); a == b || len(a) < 20 {
		t.Fatalf("demo tokens %q and %q", a, b)
	}
}
