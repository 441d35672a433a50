package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
)

func TestDescribeNamesEveryChange(t *testing.T) {
	const o = "/v2/organizations/acme"
	cases := []struct {
		method, path, action string
		want                 Target
	}{
		{"POST", o + "/clusters", "cluster.create", Target{}},
		{"PUT", o + "/clusters/c1", "cluster.update", Target{ClusterID: "c1"}},
		{"DELETE", o + "/clusters/c1", "cluster.delete", Target{ClusterID: "c1"}},
		{"POST", o + "/clusters/c1/queues", "queue.create", Target{ClusterID: "c1"}},
		{"PUT", o + "/clusters/c1/queues/q1", "queue.update", Target{ClusterID: "c1", QueueID: "q1"}},
		{"DELETE", o + "/clusters/c1/queues/q1", "queue.delete", Target{ClusterID: "c1", QueueID: "q1"}},
		{"POST", o + "/clusters/c1/queues/q1/pause_dispatch", "queue.pause", Target{ClusterID: "c1", QueueID: "q1"}},
		{"POST", o + "/clusters/c1/queues/q1/resume_dispatch", "queue.resume", Target{ClusterID: "c1", QueueID: "q1"}},
		{"POST", o + "/clusters/c1/tokens", "token.create", Target{ClusterID: "c1"}},
		{"PUT", o + "/clusters/c1/tokens/t1", "token.update", Target{ClusterID: "c1", TokenID: "t1"}},
		{"DELETE", o + "/clusters/c1/tokens/t1", "token.revoke", Target{ClusterID: "c1", TokenID: "t1"}},
		{"POST", o + "/pipelines", "pipeline.create", Target{}},
		{"PATCH", o + "/pipelines/app", "pipeline.update", Target{PipelineSlug: "app"}},
		{"DELETE", o + "/pipelines/app", "pipeline.delete", Target{PipelineSlug: "app"}},
		{"POST", o + "/pipelines/app/archive", "pipeline.archive", Target{PipelineSlug: "app"}},
		{"POST", o + "/pipelines/app/unarchive", "pipeline.unarchive", Target{PipelineSlug: "app"}},
		{"PUT", o + "/agents/a1/pause", "agent.pause", Target{AgentID: "a1"}},
		{"PUT", o + "/agents/a1/resume", "agent.resume", Target{AgentID: "a1"}},
		{"PUT", o + "/agents/a1/stop", "agent.stop", Target{AgentID: "a1"}},
		{"POST", o + "/pipelines/app/builds", "build.create", Target{PipelineSlug: "app"}},
		{"PUT", o + "/pipelines/app/builds/7/cancel", "build.cancel", Target{PipelineSlug: "app", BuildNumber: "7"}},
		{"PUT", o + "/pipelines/app/builds/7/rebuild", "build.rebuild", Target{PipelineSlug: "app", BuildNumber: "7"}},
		{"PUT", o + "/pipelines/app/builds/7/retry_failed_jobs", "build.retry_failed_jobs", Target{PipelineSlug: "app", BuildNumber: "7"}},
		{"PUT", o + "/pipelines/app/builds/7/jobs/j1/retry", "job.retry", Target{PipelineSlug: "app", BuildNumber: "7", JobID: "j1"}},
		{"PUT", o + "/pipelines/app/builds/7/jobs/j1/unblock", "job.unblock", Target{PipelineSlug: "app", BuildNumber: "7", JobID: "j1"}},
	}
	for _, tc := range cases {
		action, target := describe(tc.method, tc.path)
		if action != tc.action || target != tc.want {
			t.Errorf("%s %s = %s %+v, want %s %+v", tc.method, tc.path, action, target, tc.action, tc.want)
		}
	}
}

func TestHookWritesOneLinePerChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "audit.log")
	log, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("log file mode: %v %v", info, err)
	}
	hook := log.Hook(Actor{Who: "sam", Via: "local"}, "acme", nil)
	ctx := WithNames(context.Background(), Target{ClusterName: "Mobile", QueueKey: "macos"})
	hook(ctx, api.ChangeEvent{Method: "POST", Path: "/v2/organizations/acme/clusters/c1/queues/q1/pause_dispatch", Body: []byte(`{"dispatch_paused_note":"INC-1"}`)})
	hook(ctx, api.ChangeEvent{Method: "POST", Path: "/v2/organizations/acme/clusters/c1/queues/q1/resume_dispatch", Refused: true, Err: api.ErrReadOnly})
	hook(context.Background(), api.ChangeEvent{Method: "POST", Path: "/v2/organizations/acme/clusters/c1/tokens", Body: []byte(`{"description":"CI"}`),
		Err: &api.Error{StatusCode: 422, Message: "Validation failed: Description can't be blank"}})
	hook(context.Background(), api.ChangeEvent{Method: "DELETE", Path: "/v2/organizations/acme/pipelines/app", Err: errors.New("connection reset")})
	hook(context.Background(), api.ChangeEvent{Method: "PUT", Path: "/v2/organizations/acme/agents/a1/pause", Body: []byte(`{"note":"disk full","timeout_in_minutes":60}`)})

	entries := readEntries(t, path)
	if len(entries) != 5 {
		t.Fatalf("%d lines", len(entries))
	}
	if e := entries[0]; e.Action != "queue.pause" || e.Note != "INC-1" || e.Result != "ok" || e.Target.QueueKey != "macos" || e.Target.QueueID != "q1" || e.Who != "sam" || e.Time.IsZero() {
		t.Errorf("pause: %+v", e)
	}
	if e := entries[1]; e.Result != "refused" || e.Action != "queue.resume" {
		t.Errorf("refused: %+v", e)
	}
	if e := entries[2]; e.Result != "failed" || e.Status != 422 || e.Target.TokenName != "CI" || e.Message == "" {
		t.Errorf("failed: %+v", e)
	}
	if e := entries[3]; e.Result != "failed" || e.Message != "connection reset" || e.Action != "pipeline.delete" {
		t.Errorf("network failure: %+v", e)
	}
	if e := entries[4]; e.Action != "agent.pause" || e.Note != "disk full" || e.Target.AgentID != "a1" || e.Result != "ok" {
		t.Errorf("agent pause: %+v", e)
	}
}

func readEntries(t *testing.T, path string) []Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON line: %s", sc.Text())
		}
		entries = append(entries, e)
	}
	return entries
}

// A viewer holding down p writes a line and a count per window, not a
// line per key; another person's, or another action's, refusals are their
// own lines; what is not a refusal is never gathered.
func TestRepeatedRefusalsAreCounted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	log.now = func() time.Time { return now }
	vera := Actor{Who: "vera", WhoIs: WhoIsClientName, Via: "ssh", Fingerprint: "SHA256:vera"}
	mallory := Actor{Who: "vera", WhoIs: WhoIsClientName, Via: "ssh", Fingerprint: "SHA256:mallory"} // same name, other key
	target := Target{QueueKey: "default"}
	for range 20000 {
		log.Refused(vera, "acme", "queue.pause", target, "")
		now = now.Add(time.Millisecond) // 20 s in all: one window
	}
	log.Refused(mallory, "acme", "queue.pause", target, "")
	log.Refused(vera, "acme", "cluster.delete", Target{}, "")
	hook := log.Hook(vera, "acme", nil)
	hook(context.Background(), api.ChangeEvent{Method: "POST", Path: "/v2/organizations/acme/clusters/c1/queues/q1/pause_dispatch", Err: errors.New("x")})
	hook(context.Background(), api.ChangeEvent{Method: "POST", Path: "/v2/organizations/acme/clusters/c1/queues/q1/pause_dispatch", Err: errors.New("x")})
	if n := len(readEntries(t, path)); n != 5 {
		t.Fatalf("%d lines during the window, want 5 (1 + mallory + delete + 2 failures)", n)
	}
	// The window ends: the next refusal writes the count, then itself.
	now = now.Add(RefusalWindow)
	log.Refused(vera, "acme", "queue.pause", target, "")
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	entries := readEntries(t, path)
	if len(entries) != 7 {
		t.Fatalf("%d lines, want 7: %+v", len(entries), entries)
	}
	first, count, next := entries[0], entries[5], entries[6]
	if first.Repeated != 0 || first.Who != "vera" || first.WhoIs != WhoIsClientName || first.Fingerprint != "SHA256:vera" {
		t.Errorf("first refusal: %+v", first)
	}
	if count.Repeated != 19999 || !count.Since.Equal(first.Time) || count.Action != "queue.pause" || count.Fingerprint != "SHA256:vera" {
		t.Errorf("count: %+v", count)
	}
	if next.Repeated != 0 || next.Action != "queue.pause" {
		t.Errorf("the refusal after the window: %+v", next)
	}
	total := 0
	for _, e := range entries {
		if e.Fingerprint == "SHA256:vera" && e.Action == "queue.pause" && e.Result == "refused" {
			total += max(1, e.Repeated) // a count's line stands for its repeats
		}
	}
	if total != 20001 {
		t.Errorf("the lines account for %d refusals, want 20001", total)
	}
}
