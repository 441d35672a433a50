package api_test

import (
	"context"
	"testing"
	"time"

	buildkite "github.com/buildkite/go-buildkite/v4"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// BenchmarkFullLoad10000Pipelines loads the large organisation's 10,000
// pipelines with 30 ms added to every request: kiteconsole's client
// against a serial Link-following loop with the official Go client, on
// the same sandbox in the same run.
func BenchmarkFullLoad10000Pipelines(b *testing.B) {
	env := sandboxtest.Start(b, sandbox.Options{Size: sandbox.SizeLarge, Latency: 30 * time.Millisecond}, nil)
	ctx := context.Background()

	b.Run("kiteconsole", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			all, err := env.Client.ListPipelines(ctx, nil)
			if err != nil || len(all) != 10000 {
				b.Fatalf("%d pipelines, %v", len(all), err)
			}
		}
	})
	b.Run("go-buildkite-serial", func(b *testing.B) {
		bk, err := buildkite.NewOpts(buildkite.WithBaseURL(env.Server.URL+"/"), buildkite.WithTokenAuth(env.Sandbox.Token()))
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			opt := &buildkite.PipelineListOptions{ListOptions: buildkite.ListOptions{PerPage: 100}}
			n := 0
			for {
				page, resp, err := bk.Pipelines.List(ctx, env.Sandbox.Org(), opt)
				if err != nil {
					b.Fatal(err)
				}
				n += len(page)
				if resp.NextPage == 0 {
					break
				}
				opt.Page = resp.NextPage
			}
			if n != 10000 {
				b.Fatalf("%d pipelines", n)
			}
		}
	})
}
