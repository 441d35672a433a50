package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// findBuild moves the clock until some build of the organisation matches.
func findBuild(t *testing.T, env *sandboxtest.Env, clock *sandboxtest.Clock, filter model.BuildFilter, match func(model.Build) bool) model.Build {
	t.Helper()
	for i := 0; i < 120; i++ {
		for _, b := range must[[]model.Build](t)(env.Client.RecentBuilds(context.Background(), "", filter, 100)) {
			if match(b) {
				return b
			}
		}
		clock.Add(30 * time.Second)
	}
	t.Fatal("no such build within an hour")
	return model.Build{}
}

func jobOf(b model.Build, match func(model.Job) bool) (model.Job, bool) {
	for _, j := range b.Jobs {
		if match(j) {
			return j, true
		}
	}
	return model.Job{}, false
}

func TestCreateCancelAndRebuild(t *testing.T) {
	env, clock := startLive(t)
	var events []api.ChangeEvent
	c := env.ClientWith(t, api.Config{OnChange: func(_ context.Context, ev api.ChangeEvent) { events = append(events, ev) }})
	ctx := context.Background()

	b := must[model.Build](t)(c.CreateBuild(ctx, "api-gateway", model.BuildCreate{Commit: "HEAD", Branch: "hotfix/tls",
		Message: "Rotate the TLS certificate", Env: map[string]string{"DEPLOY": "1"}, MetaData: map[string]string{"ticket": "INC-9"}}))
	if b.Number == 0 || b.State != model.BuildScheduled || b.Source != "api" || b.Env["DEPLOY"] != "1" || b.MetaData["ticket"] != "INC-9" ||
		b.Branch != "hotfix/tls" || b.Message != "Rotate the TLS certificate" || len(b.Jobs) == 0 || b.Creator == nil {
		t.Fatalf("created = %+v", b)
	}
	if len(events) != 1 || events[0].Method != http.MethodPost || !strings.HasSuffix(events[0].Path, "/pipelines/api-gateway/builds") {
		t.Fatalf("events = %+v", events)
	}
	listed := must[[]model.Build](t)(c.RecentBuilds(ctx, "api-gateway", model.BuildFilter{Branch: "hotfix/tls"}, 10))
	if len(listed) != 1 || listed[0].ID != b.ID {
		t.Fatalf("the new build is not listed: %d", len(listed))
	}

	// Missing fields and env as a string are refused, as the API does.
	wantAPIError(t, must2(c.CreateBuild(ctx, "api-gateway", model.BuildCreate{Branch: "main"})), http.StatusUnprocessableEntity, "Validation Failed")
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/v2/organizations/acme/pipelines/api-gateway/builds",
		strings.NewReader(`{"commit":"HEAD","branch":"main","env":"DEPLOY=1"}`))
	resp, body := env.Do(t, req)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"field":"env"`) {
		t.Fatalf("env as a string = %d %s", resp.StatusCode, body)
	}

	clock.Add(20 * time.Second) // the upload job starts
	canceled := must[model.Build](t)(c.CancelBuild(ctx, "api-gateway", b.Number))
	if canceled.State != model.BuildCanceled || canceled.FinishedAt == nil || canceled.CancelReason == nil {
		t.Fatalf("canceled = %+v", canceled)
	}
	for _, j := range canceled.Jobs {
		if !model.JobFinished(j.State) {
			t.Fatalf("job %s is %s in a canceled build", j.DisplayName(), j.State)
		}
	}
	for _, a := range env.Sandbox.Agents() {
		if a.Job != nil && a.Job.BuildURL != "" && strings.HasSuffix(a.Job.BuildURL, "/pipelines/api-gateway/builds/"+strconv.Itoa(b.Number)) {
			t.Fatalf("agent %s still runs a job of the canceled build", a.Name)
		}
	}
	wantAPIError(t, must2(c.CancelBuild(ctx, "api-gateway", b.Number)), http.StatusUnprocessableEntity, "already finished")

	re := must[model.Build](t)(c.Rebuild(ctx, "api-gateway", b.Number))
	if re.Number <= b.Number || re.RebuiltFrom == nil || re.RebuiltFrom.Number != b.Number || re.Commit != b.Commit ||
		re.Branch != b.Branch || re.Env["DEPLOY"] != "1" || re.State != model.BuildScheduled {
		t.Fatalf("rebuild = %+v", re)
	}
}

func TestRetryingJobs(t *testing.T) {
	env, clock := startLive(t)
	ctx := context.Background()
	failedJob := func(j model.Job) bool { return j.State == model.JobFailed && !j.Retried }
	b := findBuild(t, env, clock, model.BuildFilter{States: []string{model.BuildFailed}}, func(b model.Build) bool {
		_, ok := jobOf(b, failedJob)
		return ok
	})
	failed, _ := jobOf(b, failedJob)
	slug := b.Pipeline.Slug

	retry := must[model.Job](t)(env.Client.RetryJob(ctx, slug, b.Number, failed.ID))
	if retry.ID == failed.ID || retry.State != model.JobScheduled || retry.RetrySource == nil || retry.RetrySource.JobID != failed.ID ||
		retry.RetriesCount != failed.RetriesCount+1 || model.Value(retry.ClusterQueueID) != model.Value(failed.ClusterQueueID) {
		t.Fatalf("retry = %+v", retry)
	}
	again := must[model.Build](t)(env.Client.GetBuild(ctx, slug, b.Number))
	if again.State != model.BuildRunning && again.State != model.BuildScheduled {
		t.Fatalf("a retried build is %s", again.State)
	}
	old := must[model.Job](t)(env.Client.GetJob(ctx, slug, b.Number, failed.ID))
	if !old.Retried || model.Value(old.RetriedInJobID) != retry.ID {
		t.Fatalf("the retried job = %+v", old)
	}
	wantAPIError(t, must2(env.Client.RetryJob(ctx, slug, b.Number, failed.ID)), http.StatusBadRequest, "already been retried")
	passed, ok := jobOf(b, func(j model.Job) bool { return j.State == model.JobPassed })
	if ok {
		wantAPIError(t, must2(env.Client.RetryJob(ctx, slug, b.Number, passed.ID)), http.StatusBadRequest, "Only failed, timed out or canceled jobs can be retried")
	}

	// Retry failed jobs of another failed build, all at once.
	other := findBuild(t, env, clock, model.BuildFilter{States: []string{model.BuildFailed}}, func(x model.Build) bool {
		_, ok := jobOf(x, failedJob)
		return ok && x.ID != b.ID
	})
	wantAPIError(t, must2(env.Client.RetryFailedJobs(ctx, other.Pipeline.Slug, other.Number, "failed", "nonsense")), http.StatusBadRequest,
		"Invalid states: nonsense. Valid states are canceled, expired, failed, soft_failed, timed_out.")
	out := must[model.Build](t)(env.Client.RetryFailedJobs(ctx, other.Pipeline.Slug, other.Number))
	if out.RetriedJobsCount == nil || *out.RetriedJobsCount == 0 {
		t.Fatalf("retried_jobs_count = %v", out.RetriedJobsCount)
	}
	if _, ok := jobOf(out, failedJob); ok {
		t.Fatal("a failed job was not retried")
	}
}

func TestUnblockingABlockStep(t *testing.T) {
	env, clock := startLive(t)
	ctx := context.Background()
	// Deploy and release pipelines block before deploying.
	blocked := findBuild(t, env, clock, model.BuildFilter{States: []string{model.BuildBlocked}}, func(b model.Build) bool {
		_, ok := jobOf(b, func(j model.Job) bool { return j.State == model.JobBlocked })
		return ok && b.Blocked
	})
	b := blocked
	slug := b.Pipeline.Slug
	script, _ := jobOf(b, func(j model.Job) bool { return j.Type == model.JobScript })
	wantAPIError(t, must2(env.Client.UnblockJob(ctx, slug, b.Number, script.ID, nil)), http.StatusBadRequest, "This job type cannot be unblocked")
	block, ok := jobOf(blocked, func(j model.Job) bool { return j.Type == model.JobManual })
	// A REST job has no field definitions: they are in the pipeline's YAML.
	if !ok || block.State != model.JobBlocked || model.Value(block.UnblockURL) == "" || len(block.Fields) != 0 {
		t.Fatalf("no blocked block step: %+v", block)
	}
	un := must[model.Job](t)(env.Client.UnblockJob(ctx, slug, b.Number, block.ID, map[string]string{"release-name": "Flying Dolphin", "environment": "production"}))
	if un.State != model.JobUnblocked || un.UnblockedBy == nil || un.UnblockedAt == nil {
		t.Fatalf("unblocked = %+v", un)
	}
	after := must[model.Build](t)(env.Client.GetBuild(ctx, slug, b.Number))
	deploy, _ := jobOf(after, func(j model.Job) bool { return strings.Contains(j.DisplayName(), "Deploy") })
	if after.Blocked || after.State != model.BuildRunning || after.MetaData["release-name"] != "Flying Dolphin" || deploy.State != model.JobScheduled {
		t.Fatalf("after unblocking: blocked %v, %s, meta %v, deploy %s", after.Blocked, after.State, after.MetaData, deploy.State)
	}
	wantAPIError(t, must2(env.Client.UnblockJob(ctx, slug, b.Number, block.ID, nil)), http.StatusUnprocessableEntity, "The job's state must be blocked")
}

func TestJobLogAndItsTail(t *testing.T) {
	env, clock := startLive(t)
	ctx := context.Background()
	b := findBuild(t, env, clock, model.BuildFilter{States: []string{model.BuildRunning}}, func(b model.Build) bool {
		_, ok := jobOf(b, func(j model.Job) bool { return j.State == model.JobRunning })
		return ok
	})
	j, _ := jobOf(b, func(j model.Job) bool { return j.State == model.JobRunning })
	slug := b.Pipeline.Slug
	log := must[[]byte](t)(env.Client.JobLog(ctx, slug, b.Number, j.ID))
	if !bytes.Contains(log, []byte("\x1b_bk;t=")) || !bytes.Contains(log, []byte("\x1b[32m")) || !bytes.Contains(log, []byte(model.Value(j.Command))) {
		t.Fatalf("log has no timestamps, colours or command:\n%q", log)
	}
	tail, size, err := env.Client.JobLogTail(ctx, slug, b.Number, j.ID, 100)
	if err != nil || size != int64(len(log)) || !bytes.Equal(tail, log[len(log)-100:]) {
		t.Fatalf("tail of 100: %d bytes of %d (log %d), %v", len(tail), size, len(log), err)
	}
	whole, size, err := env.Client.JobLogTail(ctx, slug, b.Number, j.ID, len(log)+500)
	if err != nil || !bytes.Equal(whole, log) || size != int64(len(log)) {
		t.Fatalf("a tail longer than the log: %d bytes, %v", len(whole), err)
	}
	clock.Add(10 * time.Second)
	grown := must[[]byte](t)(env.Client.JobLog(ctx, slug, b.Number, j.ID))
	if len(grown) <= len(log) || !bytes.HasPrefix(grown, log) {
		t.Fatalf("a running job's log went from %d to %d bytes, or changed what it had", len(log), len(grown))
	}

	// The documented refusals.
	base := env.Server.URL + strings.TrimPrefix(j.LogURL, env.Server.URL)
	for _, tc := range []struct {
		accept, rangeHeader string
		status              int
		path                string
	}{
		{"application/json", "bytes=-10", http.StatusBadRequest, ""},
		// jobs.md: ranges only with Accept: text/plain, the .txt form too.
		{"", "bytes=-10", http.StatusBadRequest, ".txt"},
		{"text/plain", "bytes=0-10", http.StatusBadRequest, ""},
		{"text/plain", "bytes=-0", http.StatusBadRequest, ""},
		{"text/plain", "bytes=-5,-10", http.StatusBadRequest, ""},
		{"text/plain", "bytes=-10", http.StatusPartialContent, ""},
		{"text/plain", "bytes=-10", http.StatusPartialContent, ".txt"},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+tc.path, nil)
		req.Header.Set("Accept", tc.accept)
		req.Header.Set("Range", tc.rangeHeader)
		resp, _ := env.Do(t, req)
		if resp.StatusCode != tc.status {
			t.Fatalf("Accept %s, Range %s, %s: %d, want %d", tc.accept, tc.rangeHeader, tc.path, resp.StatusCode, tc.status)
		}
		if tc.status == http.StatusPartialContent && (resp.Header.Get("Content-Range") == "" || resp.ContentLength != 10) {
			t.Fatalf("206 headers: %v", resp.Header)
		}
	}
	head, _ := http.NewRequest(http.MethodHead, base, nil)
	resp, _ := env.Do(t, head)
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(grown)) || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("HEAD = %d, %d bytes (log %d)", resp.StatusCode, resp.ContentLength, len(grown))
	}

	// A job no agent has started has an empty log: 416 on the wire, an
	// empty tail from the client.
	w := findBuild(t, env, clock, model.BuildFilter{}, func(b model.Build) bool {
		_, ok := jobOf(b, func(j model.Job) bool { return j.State == model.JobWaiting })
		return ok
	})
	waiting, _ := jobOf(w, func(j model.Job) bool { return j.State == model.JobWaiting })
	tail, size, err = env.Client.JobLogTail(ctx, w.Pipeline.Slug, w.Number, waiting.ID, 100)
	if err != nil || len(tail) != 0 || size != 0 {
		t.Fatalf("empty log's tail = %q, %d, %v", tail, size, err)
	}
	var saw416 bool
	for _, r := range env.Sandbox.Requests() {
		saw416 = saw416 || (strings.Contains(r.Path, waiting.ID) && r.Status == http.StatusRequestedRangeNotSatisfiable)
	}
	if !saw416 {
		t.Fatal("the sandbox did not answer 416 for an empty log's tail")
	}
}

func TestBuildChangesRefusedReadOnly(t *testing.T) {
	env, _ := startLive(t)
	ro := env.ClientWith(t, api.Config{ReadOnly: true})
	ctx := context.Background()
	for _, err := range []error{
		must2(ro.CreateBuild(ctx, "api-gateway", model.BuildCreate{Commit: "HEAD", Branch: "main"})),
		must2(ro.CancelBuild(ctx, "api-gateway", 1)),
		must2(ro.Rebuild(ctx, "api-gateway", 1)),
		must2(ro.RetryFailedJobs(ctx, "api-gateway", 1)),
		must2(ro.RetryJob(ctx, "api-gateway", 1, "j")),
		must2(ro.UnblockJob(ctx, "api-gateway", 1, "j", nil)),
	} {
		if err != api.ErrReadOnly {
			t.Fatalf("err = %v, want ErrReadOnly", err)
		}
	}
	if w := env.Writes(); len(w) != 0 {
		t.Fatalf("read-only changes reached the API: %+v", w)
	}
}
