package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// Finding a pipeline by part of its name or repository in the large
// organisation costs one request, not a hundred pages.
func TestFindPipelinesAsksTheServer(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeLarge}, nil)
	// A pipeline from the middle of the list, read straight off the API.
	req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/v2/organizations/"+env.Sandbox.Org()+"/pipelines?page=50&per_page=100", nil)
	_, body := env.Do(t, req)
	var page []model.Pipeline
	if err := json.Unmarshal(body, &page); err != nil || len(page) == 0 {
		t.Fatalf("page 50: %v", err)
	}
	want := page[len(page)/2]
	env.Sandbox.ResetRequests()

	ctx := context.Background()
	contains := func(found []model.Pipeline) bool {
		for _, p := range found {
			if p.ID == want.ID {
				return true
			}
		}
		return false
	}
	found, _, err := env.Client.FindPipelines(ctx, api.PipelineFilter{Name: strings.ToUpper(want.Name)})
	if err != nil || !contains(found) {
		t.Fatalf("by name %q: %d found, %v", want.Name, len(found), err)
	}
	for _, p := range found {
		if !strings.Contains(strings.ToLower(p.Name), strings.ToLower(want.Name)) {
			t.Fatalf("%q does not match %q", p.Name, want.Name)
		}
	}
	found, _, err = env.Client.FindPipelines(ctx, api.PipelineFilter{Repository: want.Repository})
	if err != nil || !contains(found) {
		t.Fatalf("by repository %q: %d found, %v", want.Repository, len(found), err)
	}
	reqs := env.Sandbox.Requests()
	if len(reqs) != 2 || !strings.Contains(reqs[0].Path, "name=") || !strings.Contains(reqs[1].Path, "repository=") {
		t.Fatalf("requests: %+v", reqs)
	}
	// A filter that matches many says there is more than the first page.
	found, more, err := env.Client.FindPipelines(ctx, api.PipelineFilter{Repository: "git"})
	if err != nil || len(found) != api.PerPage || !more {
		t.Fatalf("a broad filter: %d found, more %v, %v", len(found), more, err)
	}
}
