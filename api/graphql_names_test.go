package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// The clusters' names over GraphQL are REST's, with no REST request, in a
// query valid for the published schema.
func TestClusterNamesOverGraphQL(t *testing.T) {
	var capture captureGraphQL
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge, LargePipelines: 100}, capture.wrap)
	ctx := context.Background()
	names, err := env.Client.ClusterNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range env.Sandbox.Requests() {
		if r.Method == http.MethodGet {
			t.Fatalf("a REST request: %s", r.Path)
		}
	}
	clusters, err := env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(clusters) || len(clusters) < 2 {
		t.Fatalf("%d names for %d clusters", len(names), len(clusters))
	}
	for _, cl := range clusters {
		if names[cl.ID] != cl.Name {
			t.Fatalf("cluster %s: %q over GraphQL, %q over REST", cl.ID, names[cl.ID], cl.Name)
		}
	}
	pub := publishedSchema(t)
	for _, body := range capture.bodies {
		var req struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatal(err)
		}
		if _, errs := gqlparser.LoadQuery(pub, req.Query); len(errs) > 0 {
			t.Fatalf("not valid for the published schema: %v\n%s", errs, req.Query)
		}
	}
}
