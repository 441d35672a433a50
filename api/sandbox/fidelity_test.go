package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// The sandbox's rules against the current docs: what they allow it
// allows, what they say it refuses, and no rule of its own.

// send makes one raw request to the sandbox, as any HTTP client would,
// and decodes the reply into out (when not nil).
func send(t *testing.T, env *sandboxtest.Env, method, path, body string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, env.Server.URL+"/v2/organizations/"+env.Sandbox.Org()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, raw := env.Do(t, req)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

func TestSandboxInventsNoDefaultQueueRules(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	var cl model.Cluster
	if send(t, env, "POST", "/clusters", `{"name":"Linux"}`, &cl) != 201 || cl.DefaultQueueID != nil || cl.DefaultQueueURL != nil {
		t.Fatalf("a new cluster: %+v", cl)
	}
	var first, second model.Queue
	send(t, env, "POST", "/clusters/"+cl.ID+"/queues", `{"key":"first"}`, &first)
	send(t, env, "POST", "/clusters/"+cl.ID+"/queues", `{"key":"second"}`, &second)
	send(t, env, "GET", "/clusters/"+cl.ID, "", &cl)
	if cl.DefaultQueueID != nil {
		t.Fatalf("a queue became the default without an update: %v", *cl.DefaultQueueID)
	}
	// Deleting a queue that is not the default, and one that is.
	if code := send(t, env, "DELETE", "/clusters/"+cl.ID+"/queues/"+first.ID, "", nil); code != 204 {
		t.Fatalf("delete the only-ever-first queue: %d", code)
	}
	if code := send(t, env, "PUT", "/clusters/"+cl.ID, `{"default_queue_id":"`+second.ID+`"}`, &cl); code != 200 || model.Value(cl.DefaultQueueID) != second.ID {
		t.Fatalf("set the default: %d %+v", code, cl)
	}
	if code := send(t, env, "DELETE", "/clusters/"+cl.ID+"/queues/"+second.ID, "", nil); code != 204 {
		t.Fatalf("delete the default queue: %d", code)
	}
	send(t, env, "GET", "/clusters/"+cl.ID, "", &cl)
	if cl.DefaultQueueID != nil || cl.DefaultQueueURL != nil {
		t.Fatalf("the cluster names a deleted default queue: %+v", cl)
	}
	// The setting of a default queue is checked as before.
	var e struct{ Message string }
	if code := send(t, env, "PUT", "/clusters/"+cl.ID, `{"default_queue_id":"`+second.ID+`"}`, &e); code != 422 {
		t.Fatalf("a deleted queue as default: %d %s", code, e.Message)
	}
}

func TestSandboxRetryAgentAffinity(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	var cl model.Cluster
	send(t, env, "POST", "/clusters", `{"name":"Linux"}`, &cl)
	base := "/clusters/" + cl.ID + "/queues"

	var q model.Queue
	if code := send(t, env, "POST", base, `{"key":"plain"}`, &q); code != 201 || q.RetryAgentAffinity != model.RetryPreferWarmest {
		t.Fatalf("omitted affinity: %d %q, want prefer-warmest", code, q.RetryAgentAffinity)
	}
	if code := send(t, env, "POST", base, `{"key":"elsewhere","retry_agent_affinity":"prefer-different"}`, &q); code != 201 || q.RetryAgentAffinity != model.RetryPreferDifferent {
		t.Fatalf("prefer-different: %d %q", code, q.RetryAgentAffinity)
	}
	id := q.ID
	var e struct{ Message string }
	for _, body := range []string{`{"key":"x","retry_agent_affinity":"sticky"}`, `{"key":"y","retry_agent_affinity":"PREFER-WARMEST"}`} {
		if code := send(t, env, "POST", base, body, &e); code != 422 || !strings.Contains(e.Message, "prefer-warmest or prefer-different") {
			t.Errorf("%s: %d %q", body, code, e.Message)
		}
	}
	if code := send(t, env, "PUT", base+"/"+id, `{"retry_agent_affinity":"prefer-warmest"}`, &q); code != 200 || q.RetryAgentAffinity != model.RetryPreferWarmest {
		t.Fatalf("update: %d %q", code, q.RetryAgentAffinity)
	}
	for _, body := range []string{`{"retry_agent_affinity":"nearest"}`, `{"retry_agent_affinity":""}`, `{"retry_agent_affinity":null}`} {
		if code := send(t, env, "PUT", base+"/"+id, body, &e); code != 422 {
			t.Errorf("update %s: %d", body, code)
		}
	}
	// An update of something else keeps it.
	send(t, env, "PUT", base+"/"+id, `{"description":"Linux"}`, &q)
	if q.RetryAgentAffinity != model.RetryPreferWarmest {
		t.Fatalf("a description update changed the affinity: %q", q.RetryAgentAffinity)
	}
	// The console's client sends it too.
	made, err := env.Client.CreateQueue(context.Background(), cl.ID, model.QueueCreate{Key: "via-client", RetryAgentAffinity: model.RetryPreferDifferent})
	if err != nil || made.RetryAgentAffinity != model.RetryPreferDifferent {
		t.Fatalf("client create: %v %+v", err, made)
	}
	made, err = env.Client.UpdateQueue(context.Background(), cl.ID, made.ID, model.QueueUpdate{RetryAgentAffinity: model.Set(model.RetryPreferWarmest)})
	if err != nil || made.RetryAgentAffinity != model.RetryPreferWarmest {
		t.Fatalf("client update: %v %+v", err, made)
	}
}

func TestSandboxTokenUpdateChangesTheDescriptionOnly(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	var cl model.Cluster
	send(t, env, "POST", "/clusters", `{"name":"Windows"}`, &cl)
	base := "/clusters/" + cl.ID + "/tokens"
	expires := sandboxtest.Now.Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var tok model.Token
	if code := send(t, env, "POST", base, `{"description":"Windows agents","expires_at":"`+expires+`","allowed_ip_addresses":"202.144.0.0/24"}`, &tok); code != 201 {
		t.Fatalf("create: %d", code)
	}
	later := sandboxtest.Now.Add(90 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var up model.Token
	if code := send(t, env, "PUT", base+"/"+tok.ID, `{"description":"Windows fleet","expires_at":"`+later+`","allowed_ip_addresses":"10.0.0.0/8"}`, &up); code != 200 {
		t.Fatalf("update: %d", code)
	}
	var got model.Token
	send(t, env, "GET", base+"/"+tok.ID, "", &got)
	for _, v := range []model.Token{up, got} {
		if v.Description != "Windows fleet" || v.ExpiresAt.UTC().Format(time.RFC3339) != expires || model.Value(v.AllowedIPAddresses) != "202.144.0.0/24" {
			t.Fatalf("after an update sending expiry and addresses: %+v expires %v ips %q", v, v.ExpiresAt, model.Value(v.AllowedIPAddresses))
		}
	}
	// Even an expiry the create would refuse is ignored, not refused.
	if code := send(t, env, "PUT", base+"/"+tok.ID, `{"expires_at":"not a time"}`, &up); code != 200 {
		t.Fatalf("an ignored malformed expiry: %d", code)
	}
	var e struct{ Message string }
	if code := send(t, env, "PUT", base+"/"+tok.ID, `{"description":"  "}`, &e); code != 422 {
		t.Fatalf("a blank description: %d", code)
	}
}

func TestSandboxTokenExpiryTenMinutesAhead(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	var cl model.Cluster
	send(t, env, "POST", "/clusters", `{"name":"Windows"}`, &cl)
	base := "/clusters/" + cl.ID + "/tokens"
	at := func(d time.Duration) string { return sandboxtest.Now.Add(d).UTC().Format(time.RFC3339) }
	var e struct{ Message string }
	for _, d := range []time.Duration{-time.Hour, 0, 9*time.Minute + 59*time.Second} {
		if code := send(t, env, "POST", base, `{"description":"short","expires_at":"`+at(d)+`"}`, &e); code != 422 || !strings.Contains(e.Message, "at least 10 minutes") {
			t.Errorf("expiry %v ahead: %d %q", d, code, e.Message)
		}
	}
	var tok model.Token
	if code := send(t, env, "POST", base, `{"description":"ten","expires_at":"`+at(10*time.Minute)+`"}`, &tok); code != 201 {
		t.Fatalf("exactly ten minutes ahead: %d", code)
	}
	if code := send(t, env, "POST", base, `{"description":"never"}`, &tok); code != 201 || tok.ExpiresAt != nil {
		t.Fatalf("no expiry: %d %v", code, tok.ExpiresAt)
	}
}

func TestSandboxHostedShapesOfTheCurrentDocs(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	var cl model.Cluster
	send(t, env, "POST", "/clusters", `{"name":"Hosted"}`, &cl)
	base := "/clusters/" + cl.ID + "/queues"
	for i, s := range model.InstanceShapes {
		var q model.Queue
		code := send(t, env, "POST", base, `{"key":"q`+string(rune('a'+i))+`","hostedAgents":{"instanceShape":"`+s.Name+`"}}`, &q)
		if s.Deprecated {
			if code != 422 {
				t.Errorf("%s (removed): %d", s.Name, code)
			}
			continue
		}
		if code != 201 || q.HostedAgents == nil || q.HostedAgents.InstanceShape != s.InstanceShape {
			t.Errorf("%s: %d %+v", s.Name, code, q.HostedAgents)
			continue
		}
		// Linux queues report their (absent) custom image; macOS ones do not.
		linux := q.HostedAgents.PlatformSettings != nil && q.HostedAgents.PlatformSettings.Linux != nil
		if linux != (s.MachineType == model.MachineLinux) {
			t.Errorf("%s: platform settings %+v", s.Name, q.HostedAgents.PlatformSettings)
		}
	}
	var q model.Queue
	send(t, env, "POST", base, `{"key":"grow","hostedAgents":{"instanceShape":"LINUX_ARM64_2X4"}}`, &q)
	if code := send(t, env, "PUT", base+"/"+q.ID, `{"hostedAgents":{"instanceShape":"LINUX_ARM64_64X256"}}`, &q); code != 200 || q.HostedAgents.InstanceShape.CPU != 64 {
		t.Fatalf("resize to 3XL: %d %+v", code, q.HostedAgents)
	}
	var e struct{ Message string }
	if code := send(t, env, "PUT", base+"/"+q.ID, `{"hostedAgents":{"instanceShape":"LINUX_AMD64_64X256"}}`, &e); code != 422 || !strings.Contains(e.Message, "architecture") {
		t.Fatalf("an architecture change: %d %q", code, e.Message)
	}
}

// The env a pipeline's YAML gives it is sent with its YAML types, as the
// API sends it, and the console's client reads every type.
func TestSandboxSendsEnvWithItsYAMLTypes(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	var cl model.Cluster
	send(t, env, "POST", "/clusters", `{"name":"Default"}`, &cl)
	config := "env:\n  NAME: web\n  RETRIES: 3\n  RATIO: 0.5\n  DEBUG: true\n  EMPTY:\n  QUOTED: \"3\"\n" +
		"steps:\n  - group: Tests\n    steps:\n      - command: make\n        env:\n          SHARDS: 4\n  - wait\n  - command: deploy\n    env:\n      DRY_RUN: false\n"
	body, _ := json.Marshal(map[string]any{"name": "Typed", "cluster_id": cl.ID, "repository": "git@github.com:acme/typed.git", "configuration": config})
	if code := send(t, env, "POST", "/pipelines", string(body), nil); code != 201 {
		t.Fatalf("create: %d", code)
	}
	var raw struct {
		Env   map[string]json.RawMessage `json:"env"`
		Steps []struct {
			Env map[string]json.RawMessage `json:"env"`
		} `json:"steps"`
	}
	send(t, env, "GET", "/pipelines/typed", "", &raw)
	want := map[string]string{"NAME": `"web"`, "RETRIES": `3`, "RATIO": `0.5`, "DEBUG": `true`, "EMPTY": `null`, "QUOTED": `"3"`}
	for k, v := range want {
		if string(raw.Env[k]) != v {
			t.Errorf("env %s = %s, want %s", k, raw.Env[k], v)
		}
	}
	if len(raw.Steps) != 3 || string(raw.Steps[0].Env["SHARDS"]) != "4" || string(raw.Steps[2].Env["DRY_RUN"]) != "false" {
		t.Fatalf("steps = %+v", raw.Steps)
	}

	p, err := env.Client.GetPipeline(context.Background(), "typed")
	if err != nil || p.Env["RETRIES"] != "3" || p.Env["DEBUG"] != "true" || p.Env["EMPTY"] != "null" || p.Env["QUOTED"] != "3" ||
		p.Steps[0].Env["SHARDS"] != "4" {
		t.Fatalf("client: %v %v", err, p.Env)
	}

	// An update of env sends strings, and they are sent back as strings.
	if code := send(t, env, "PATCH", "/pipelines/typed", `{"env":{"RETRIES":"5","DEBUG":"true"}}`, nil); code != 200 {
		t.Fatalf("update: %d", code)
	}
	send(t, env, "GET", "/pipelines/typed", "", &raw)
	if string(raw.Env["RETRIES"]) != `"5"` {
		t.Fatalf("after update: %s", raw.Env["RETRIES"])
	}
}

// The command line's scoped token, NAME=scope,scope: a typo in a scope is
// refused rather than making a token that silently lacks it.
func TestParseScopedToken(t *testing.T) {
	tok, scopes, err := sandbox.ParseScopedToken("ci=write_builds, read_builds,write_teams")
	if err != nil || tok != "ci" || strings.Join(scopes, " ") != "write_builds read_builds write_teams" {
		t.Fatalf("%q %v %v", tok, scopes, err)
	}
	for _, bad := range []string{"ci", "=read_builds", "ci=write-builds", "ci=admin"} {
		if _, _, err := sandbox.ParseScopedToken(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
