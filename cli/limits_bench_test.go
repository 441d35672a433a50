package cli

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	buildkite "github.com/buildkite/go-buildkite/v4"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

// BenchmarkCLIBulkLists runs `pipeline list --json` (10,000 pipelines)
// and `agent list --json` (about 3,000 agents) on the large organisation
// at 30 ms a request, against a serial Link-following loop with
// go-buildkite in the same run: with Buildkite's two REST windows on
// (200 a minute for the organisation, 50 for the user; real time, so a
// round of pipelines is two minutes or more) and with them off. Each
// round starts on a fresh sandbox, so both clients start on whole windows.
//
//	go test ./cli -run '^$' -bench CLIBulkLists/off -benchtime 3x
//	go test ./cli -run '^$' -bench CLIBulkLists/limits -benchtime 1x
func BenchmarkCLIBulkLists(b *testing.B) {
	lists := []struct {
		name  string
		args  []string
		count func(ctx context.Context, bk *buildkite.Client, org string) (int, error)
	}{
		{"pipelines", []string{"pipeline", "list", "--json"}, func(ctx context.Context, bk *buildkite.Client, org string) (int, error) {
			opt := &buildkite.PipelineListOptions{ListOptions: buildkite.ListOptions{PerPage: 100}}
			n := 0
			for {
				page, resp, err := bk.Pipelines.List(ctx, org, opt)
				if err != nil {
					return n, err
				}
				n += len(page)
				if resp.NextPage == 0 {
					return n, nil
				}
				opt.Page = resp.NextPage
			}
		}},
		{"agents", []string{"agent", "list", "--json"}, func(ctx context.Context, bk *buildkite.Client, org string) (int, error) {
			opt := &buildkite.AgentListOptions{ListOptions: buildkite.ListOptions{PerPage: 100}}
			n := 0
			for {
				page, resp, err := bk.Agents.List(ctx, org, opt)
				if err != nil {
					return n, err
				}
				n += len(page)
				if resp.NextPage == 0 {
					return n, nil
				}
				opt.Page = resp.NextPage
			}
		}},
	}
	for _, limits := range []struct {
		name       string
		org, users sandbox.RateLimit
	}{{"limits", sandbox.DefaultRateLimit, sandbox.DefaultUserRateLimit}, {"off", sandbox.RateLimit{}, sandbox.RateLimit{}}} {
		fresh := func(b *testing.B) *cliEnv {
			b.StopTimer()
			defer b.StartTimer()
			env := sandboxtest.Start(b, sandbox.Options{Size: sandbox.SizeLarge, Latency: 30 * time.Millisecond,
				RateLimit: limits.org, UserRateLimit: limits.users}, nil)
			// The garbage of seeding the organisation is collected before
			// the clock starts, not by whichever client runs next.
			runtime.GC()
			return &cliEnv{Env: env, token: env.Sandbox.Token(), dir: b.TempDir()}
		}
		for _, l := range lists {
			b.Run(limits.name+"/"+l.name+"/kiteconsole", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					e := fresh(b)
					args := append(append([]string{}, l.args...), "--endpoint", e.Server.URL, "--org", e.Sandbox.Org(), "--audit-log", e.dir+"/audit.log")
					if code := Execute(context.Background(), args, io.Discard, io.Discard, e.getenv); code != 0 {
						b.Fatalf("exit %d", code)
					}
					b.ReportMetric(float64(len(e.Sandbox.Requests())), "requests/op")
					b.ReportMetric(float64(refusedRequests(e)), "429s/op")
				}
			})
			b.Run(limits.name+"/"+l.name+"/go-buildkite-serial", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					e := fresh(b)
					bk, err := buildkite.NewOpts(buildkite.WithBaseURL(e.Server.URL+"/"), buildkite.WithTokenAuth(e.Sandbox.Token()))
					if err != nil {
						b.Fatal(err)
					}
					if n, err := l.count(context.Background(), bk, e.Sandbox.Org()); err != nil || n < 2000 {
						b.Fatalf("%d listed: %v", n, err)
					}
					b.ReportMetric(float64(len(e.Sandbox.Requests())), "requests/op")
					b.ReportMetric(float64(refusedRequests(e)), "429s/op")
				}
			})
		}
	}
}
