package sandbox_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	buildkite "github.com/buildkite/go-buildkite/v4"
)

func TestOfficialClientBuildsAndJobs(t *testing.T) {
	t.Parallel()
	env, clock := startLive(t, 0)
	clock.Add(20 * time.Minute)
	bk, ctx, org := officialClient(t, env), context.Background(), env.Sandbox.Org()

	active := ok[[]buildkite.Build](t)(bk.Builds.ListByOrg(ctx, org, &buildkite.BuildsListOptions{State: []string{"scheduled", "running"}}))
	if len(active) == 0 {
		t.Fatal("no active builds")
	}
	for _, b := range active {
		if (b.State != "scheduled" && b.State != "running") || len(b.Jobs) == 0 || b.Pipeline == nil {
			t.Fatalf("build %d: %s, %d jobs", b.Number, b.State, len(b.Jobs))
		}
		for _, j := range b.Jobs {
			if j.Type == "script" && j.ClusterQueueID == "" {
				t.Fatalf("job %s has no cluster_queue_id", j.Name)
			}
		}
	}
	slug := active[0].Pipeline.Slug
	ofPipeline := ok[[]buildkite.Build](t)(bk.Builds.ListByPipeline(ctx, org, slug, &buildkite.BuildsListOptions{Branch: []string{active[0].Branch}}))
	if len(ofPipeline) == 0 {
		t.Fatal("branch filter found nothing")
	}
	got := ok[buildkite.Build](t)(bk.Builds.Get(ctx, org, slug, strconv.Itoa(active[0].Number), nil))
	if got.ID != active[0].ID {
		t.Fatalf("get = %+v", got)
	}

	created := ok[buildkite.Build](t)(bk.Builds.Create(ctx, org, "deploy-production", buildkite.CreateBuild{Commit: "HEAD", Branch: "main",
		Message: "Ship it", Env: map[string]string{"A": "1"}, MetaData: map[string]string{"k": "v"}}))
	if created.Number == 0 || created.State != "scheduled" || created.Env["A"] != "1" || created.MetaData["k"] != "v" || created.Creator.Name == "" {
		t.Fatalf("created = %+v", created)
	}
	number := strconv.Itoa(created.Number)
	canceled, err := bk.Builds.Cancel(ctx, org, "deploy-production", number)
	if err != nil || canceled.State != "canceled" {
		t.Fatalf("cancel = %s, %v", canceled.State, err)
	}
	rebuilt, err := bk.Builds.Rebuild(ctx, org, "deploy-production", number)
	if err != nil || rebuilt.Number <= created.Number || rebuilt.RebuiltFrom == nil || rebuilt.RebuiltFrom.Number != created.Number {
		t.Fatalf("rebuild = %+v, %v", rebuilt, err)
	}

	// A deploy pipeline's build blocks before deploying: unblock one, and
	// read a log.
	var block buildkite.Job
	var blocked buildkite.Build
	for i := 0; i < 120 && block.ID == ""; i++ {
		clock.Add(30 * time.Second)
		for _, b := range ok[[]buildkite.Build](t)(bk.Builds.ListByOrg(ctx, org, &buildkite.BuildsListOptions{State: []string{"blocked"}})) {
			for _, j := range b.Jobs {
				if j.Type == "manual" && j.State == "blocked" && block.ID == "" {
					block, blocked = j, b
				}
			}
		}
	}
	slugB, rn := blocked.Pipeline.Slug, strconv.Itoa(blocked.Number)
	if block.ID == "" || !block.Unblockable || block.UnblockURL == "" {
		t.Fatalf("no blocked step: %+v", block)
	}
	un := ok[buildkite.Job](t)(bk.Jobs.UnblockJob(ctx, org, slugB, rn, block.ID, &buildkite.JobUnblockOptions{Fields: map[string]string{"release-name": "v2"}}))
	if un.State != "unblocked" || un.UnblockedBy == nil {
		t.Fatalf("unblock = %+v", un)
	}
	_, _, err = bk.Jobs.UnblockJob(ctx, org, slugB, rn, block.ID, nil)
	wantStatus(t, err, http.StatusUnprocessableEntity, "")

	b := ok[buildkite.Build](t)(bk.Builds.Get(ctx, org, slugB, rn, nil))
	upload := b.Jobs[0]
	log := ok[buildkite.JobLog](t)(bk.Jobs.GetJobLog(ctx, org, slugB, rn, upload.ID))
	if log.Size != len(log.Content) || !strings.Contains(log.Content, "_bk;t=") || len(log.HeaderTimes) == 0 {
		t.Fatalf("log = %d bytes, %d header times", log.Size, len(log.HeaderTimes))
	}
	_, _, err = bk.Jobs.RetryJob(ctx, org, slugB, rn, upload.ID)
	wantStatus(t, err, http.StatusBadRequest, "Only failed, timed out or canceled jobs can be retried")
}
