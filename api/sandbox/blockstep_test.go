package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// blockedStep moves the clock until a deploy pipeline's build waits on its
// block step, and returns the build and the step.
func blockedStep(t *testing.T, c *api.Client, clock interface{ Add(time.Duration) }) (model.Build, model.Job) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 120; i++ {
		clock.Add(30 * time.Second)
		for _, b := range must[[]model.Build](t)(c.ListBuilds(ctx, model.BuildFilter{States: []string{model.BuildBlocked}}, nil)) {
			for _, j := range b.Jobs {
				if j.Type == model.JobManual && j.State == model.JobBlocked {
					return b, j
				}
			}
		}
	}
	t.Fatal("no build blocked in an hour")
	return model.Build{}, model.Job{}
}

// A block step's job has no fields, as Buildkite's REST jobs have none;
// its fields are in the pipeline's YAML, where the console finds them by
// the step's key. Unblocking takes free fields, which become meta-data;
// the unblock URL is the docs' web URL, and a second unblock gets
// Buildkite's message.
func TestBlockStepsHaveTheirFieldsInTheYAMLNotOnTheJob(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	ctx := context.Background()
	b, j := blockedStep(t, env.Client, clock)
	if len(j.Fields) != 0 {
		t.Fatalf("the block step's job carries fields: %+v", j.Fields)
	}
	if want := env.Server.URL + "/acme/" + b.Pipeline.Slug + "/builds/"; !strings.HasPrefix(model.Value(j.UnblockURL), want) ||
		!strings.HasSuffix(model.Value(j.UnblockURL), "#"+j.ID) {
		t.Fatalf("unblock_url = %q; the docs show the build's web page at the job", model.Value(j.UnblockURL))
	}
	p := must[model.Pipeline](t)(env.Client.GetPipeline(ctx, b.Pipeline.Slug))
	fields, found := j.BlockFields(p.Configuration)
	if !found || len(fields) != 2 || fields[0].Key != "release-name" || fields[1].Key != "environment" || len(fields[1].Options) != 2 {
		t.Fatalf("fields from the YAML: %+v, %v", fields, found)
	}
	un := must[model.Job](t)(env.Client.UnblockJob(ctx, b.Pipeline.Slug, b.Number, j.ID, map[string]string{"release-name": "v3", "anything": "goes"}))
	if un.State != model.JobUnblocked {
		t.Fatalf("unblocked job = %+v", un)
	}
	after := must[model.Build](t)(env.Client.GetBuild(ctx, b.Pipeline.Slug, b.Number))
	if after.MetaData["release-name"] != "v3" || after.MetaData["anything"] != "goes" {
		t.Fatalf("meta-data = %v", after.MetaData)
	}
	_, err := env.Client.UnblockJob(ctx, b.Pipeline.Slug, b.Number, j.ID, nil)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity || apiErr.Message != "The job's state must be blocked" {
		t.Fatalf("a second unblock: %v", err)
	}
}
