package model

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A pipeline as the real API may send it: env values of every JSON type,
// fields this build does not know, and null wherever the docs allow it.
const realShapedPipeline = `{
  "id": "849411f9-9e6d-4739-a0d8-e247088e9b52",
  "graphql_id": "UGlwZWxpbmUtLS1lOTM4ZGQxYy03MDgwLTQ4ZmQtOGQyMC0yNmQ4M2E0ZjNkNDU=",
  "url": "https://api.buildkite.com/v2/organizations/acme-inc/pipelines/my-pipeline",
  "web_url": "https://buildkite.com/acme-inc/my-pipeline",
  "name": "My Pipeline",
  "description": null,
  "slug": "my-pipeline",
  "repository": "git@github.com:acme-inc/my-pipeline.git",
  "cluster_id": null,
  "pipeline_template_uuid": null,
  "branch_configuration": null,
  "default_branch": "main",
  "skip_queued_branch_builds": false,
  "skip_queued_branch_builds_filter": null,
  "cancel_running_branch_builds": false,
  "cancel_running_branch_builds_filter": null,
  "allow_rebuilds": true,
  "provider": {"id": "github", "webhook_url": "https://webhook.buildkite.com/deliver/x", "settings": {"trigger_mode": "code", "some_new_setting": 7}},
  "builds_url": "https://api.buildkite.com/v2/organizations/acme-inc/pipelines/my-pipeline/builds",
  "badge_url": "https://badge.buildkite.com/x.svg",
  "created_by": null,
  "created_at": "2013-09-03 13:24:38 UTC",
  "archived_at": null,
  "env": {"STRING": "text", "INT": 3, "FLOAT": 2.5, "TRUE": true, "FALSE": false, "NULL": null, "LIST": ["a", 1], "OBJECT": {"k": "v"}},
  "scheduled_builds_count": 0,
  "running_builds_count": 0,
  "scheduled_jobs_count": 0,
  "running_jobs_count": 0,
  "waiting_jobs_count": 0,
  "visibility": "private",
  "tags": null,
  "emoji": ":rocket:",
  "color": null,
  "pipeline_template": null,
  "steps": [
    {"type": "script", "name": null, "command": "make", "artifact_paths": null, "branch_configuration": null,
     "env": {"RETRIES": 2, "DEBUG": true}, "timeout_in_minutes": null, "agent_query_rules": null, "concurrency": null, "parallelism": null,
     "some_new_property": {"nested": true}},
    {"type": "trigger", "label": null, "pipeline": "deploy", "build": {"message": null, "branch": null, "commit": null, "env": {"REGION": 1}}, "async": false},
    {"type": "waiter"},
    {"type": "manual", "label": null}
  ]
}`

func TestPipelineDecodesEnvOfEveryJSONType(t *testing.T) {
	var p Pipeline
	if err := json.Unmarshal([]byte(realShapedPipeline), &p); err != nil {
		t.Fatalf("a real-shaped pipeline could not be read: %v", err)
	}
	want := map[string]string{"STRING": "text", "INT": "3", "FLOAT": "2.5", "TRUE": "true", "FALSE": "false",
		"NULL": "null", "LIST": `["a",1]`, "OBJECT": `{"k":"v"}`}
	for k, v := range want {
		if got, ok := p.Env[k]; !ok || got != v {
			t.Errorf("env %s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	if len(p.Env) != len(want) {
		t.Errorf("env has %d variables, want %d", len(p.Env), len(want))
	}
	if got := p.Steps[0].Env; got["RETRIES"] != "2" || got["DEBUG"] != "true" {
		t.Errorf("step env = %v", got)
	}
	if got := p.Steps[1].Build.Env; got["REGION"] != "1" {
		t.Errorf("trigger build env = %v", got)
	}
	if p.Description != nil || p.ClusterID != nil || p.CreatedBy != nil || p.ArchivedAt != nil || p.Tags != nil {
		t.Errorf("nulls were not read as unset: %+v", p)
	}
	if p.CreatedAt == nil || p.CreatedAt.Year() != 2013 {
		t.Errorf("legacy time not read: %v", p.CreatedAt)
	}
	// Shown as sent: FormatEnv (what the edit form and the screen use)
	// writes the JSON text.
	if got := FormatEnv(p.Steps[0].Env); got != "DEBUG=true\nRETRIES=2" {
		t.Errorf("FormatEnv = %q", got)
	}
}

func TestEnvDecodingEdges(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{`null`, nil, false},
		{`{}`, map[string]string{}, false},
		{`[]`, map[string]string{}, false},
		{`{"A": "x\ny", "B": 1e3, "C": -0.5}`, map[string]string{"A": "x\ny", "B": "1e3", "C": "-0.5"}, false},
		{`["A=1"]`, nil, true},
		{`"A=1"`, nil, true},
		{`7`, nil, true},
	} {
		var e Env
		err := json.Unmarshal([]byte(tc.in), &e)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if tc.wantErr {
			continue
		}
		if (e == nil) != (tc.want == nil) || len(e) != len(tc.want) {
			t.Errorf("%s: %#v, want %#v", tc.in, e, tc.want)
		}
		for k, v := range tc.want {
			if e[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.in, k, e[k], v)
			}
		}
	}
	// Written back, every value is a string.
	out, _ := json.Marshal(Env{"N": "3"})
	if string(out) != `{"N":"3"}` {
		t.Errorf("marshal: %s", out)
	}
}

func TestQueueDecodesRetryAffinityAndPlatformSettings(t *testing.T) {
	const reply = `{"id": "q", "key": "default", "description": null, "retry_agent_affinity": "prefer-different",
	  "dispatch_paused": false, "dispatch_paused_by": null, "dispatch_paused_at": null, "dispatch_paused_note": null,
	  "created_at": "2023-05-03T04:17:55.867Z", "created_by": null, "hosted": true, "future_field": [1],
	  "hosted_agents": {"instance_shape": {"machine_type": "linux", "architecture": "amd64", "cpu": 2, "memory": 4, "name": "LINUX_AMD64_2X4"},
	    "platform_settings": {"linux": {"agent_image_ref": null}}}}`
	var q Queue
	if err := json.Unmarshal([]byte(reply), &q); err != nil {
		t.Fatal(err)
	}
	if q.RetryAgentAffinity != RetryPreferDifferent {
		t.Errorf("retry_agent_affinity = %q", q.RetryAgentAffinity)
	}
	if q.HostedAgents == nil || q.HostedAgents.PlatformSettings == nil || q.HostedAgents.PlatformSettings.Linux == nil ||
		q.HostedAgents.PlatformSettings.Linux.AgentImageRef != nil {
		t.Errorf("platform settings = %+v", q.HostedAgents)
	}
	for _, v := range []string{"", RetryPreferWarmest, RetryPreferDifferent} {
		if err := ValidateRetryAgentAffinity(v); err != nil {
			t.Errorf("%q refused: %v", v, err)
		}
	}
	if err := ValidateRetryAgentAffinity("prefer_warmest"); err == nil || !strings.Contains(err.Error(), "prefer-different") {
		t.Errorf("a wrong affinity: %v", err)
	}
}

func TestTokenExpiryAtLeastTenMinutesAhead(t *testing.T) {
	now := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	if err := ValidateTokenExpiry(now.Add(10*time.Minute), now); err != nil {
		t.Errorf("exactly 10 minutes ahead refused: %v", err)
	}
	err := ValidateTokenExpiry(now.Add(9*time.Minute), now)
	if err == nil {
		t.Fatal("9 minutes ahead accepted")
	}
	// The message's example date must itself be accepted: a person copies it.
	example := regexpDate.FindString(err.Error())
	at, perr := ParseExpiry(example, now)
	if example == "" || perr != nil || !at.After(now) {
		t.Errorf("the message's example %q (from %q) is not a valid expiry: %v", example, err, perr)
	}
	if _, err := ParseExpiry("5m", now); err == nil {
		t.Error("a span shorter than 10 minutes accepted")
	}
	if _, err := ParseExpiry("1h", now); err != nil {
		t.Errorf("1h refused: %v", err)
	}
	if _, err := ParseExpiry(now.Add(5*time.Minute).Format(time.RFC3339), now); err == nil || !strings.Contains(err.Error(), "10 minutes") {
		t.Errorf("5 minutes ahead: %v", err)
	}
	_, err = ParseExpiry("soon", now)
	if err == nil || !strings.Contains(err.Error(), "2026-12-04") {
		t.Errorf("the not-a-time message should give a future example: %v", err)
	}
	if u := (TokenUpdate{ExpiresAt: Set(Timestamp{now})}); len(u.UnsupportedChanges()) != 1 {
		t.Errorf("unsupported changes: %v", u.UnsupportedChanges())
	}
}

func TestUnknownShapesAreShownAsSentAndResizedByTheirName(t *testing.T) {
	for _, name := range []string{"LINUX_AMD64_32X128", "LINUX_AMD64_64X256", "LINUX_ARM64_32X128", "LINUX_ARM64_64X256"} {
		if err := ValidateNewShape(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if s, _ := LookupShape("LINUX_ARM64_64X256"); s.Size != "3XL" || s.CPU != 64 || s.Memory != 256 {
		t.Errorf("LINUX_ARM64_64X256 = %+v", s)
	}

	// A newer Linux shape: its name tells machine type, architecture, size.
	newer := InstanceShape{Name: "LINUX_ARM64_128X512"}
	info := ShapeOf(newer)
	if !info.Unknown || info.MachineType != MachineLinux || info.Architecture != ArchARM64 || info.CPU != 128 || info.Memory != 512 {
		t.Fatalf("ShapeOf(%s) = %+v", newer.Name, info)
	}
	if d := DescribeShape(newer); !strings.Contains(d, "LINUX_ARM64_128X512") || strings.Contains(strings.ToLower(d), "unknown") ||
		!strings.Contains(d, "128 vCPU") {
		t.Errorf("DescribeShape = %q", d)
	}
	opts := ResizeOptionsFrom(newer)
	if len(opts) != 7 || opts[0].Name != newer.Name {
		t.Fatalf("options of %s: %v", newer.Name, names(opts))
	}
	for _, o := range opts[1:] {
		if o.MachineType != MachineLinux || o.Architecture != ArchARM64 {
			t.Errorf("offered %s for an ARM64 Linux queue", o.Name)
		}
	}
	if err := ResizeAllowed(newer.Name, "LINUX_AMD64_2X4"); err == nil {
		t.Error("an architecture change allowed from an unknown ARM64 shape")
	}

	// The reply's fields win where the name says nothing.
	odd := InstanceShape{Name: "GPU_BIG", MachineType: MachineMacOS}
	for _, o := range ResizeOptionsFrom(odd)[1:] {
		if o.MachineType != MachineMacOS {
			t.Errorf("offered %s for a macOS queue", o.Name)
		}
	}

	// Nothing can be told: every choosable shape, the server decides.
	opaque := InstanceShape{Name: "MYSTERY"}
	choosable := 0
	for _, s := range InstanceShapes {
		if !s.Deprecated {
			choosable++
		}
	}
	if got := ResizeOptionsFrom(opaque); len(got) != choosable+1 {
		t.Errorf("options of an opaque shape: %v", names(got))
	}
	if d := DescribeShape(opaque); d != "MYSTERY, not in this console's list of shapes" {
		t.Errorf("DescribeShape(opaque) = %q", d)
	}
	if d := DescribeShape(InstanceShape{Name: "LINUX_AMD64_2X4", MachineType: "linux", Architecture: "amd64", CPU: 2, Memory: 4}); d != "Linux AMD64 Small, 2 vCPU, 4 GB (LINUX_AMD64_2X4)" {
		t.Errorf("DescribeShape(known) = %q", d)
	}
}

func names(list []ShapeInfo) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}

var regexpDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`)

// Clusters and tokens as the API may send them: null wherever the docs
// allow, fields this build does not know.
func TestClusterAndTokenDecodeNullsAndUnknownFields(t *testing.T) {
	const cluster = `{"id":"c","graphql_id":"g","default_queue_id":null,"name":"Open Source","description":null,"emoji":null,
	  "color":null,"url":"u","web_url":"w","default_queue_url":null,"queues_url":"q","created_at":"2023-05-03T04:17:55.867Z",
	  "created_by":null,"maintainers":{"users":[],"teams":[]},"hosted_git_mirror_enabled":false}`
	var c Cluster
	if err := json.Unmarshal([]byte(cluster), &c); err != nil {
		t.Fatal(err)
	}
	if c.DefaultQueueID != nil || c.DefaultQueueURL != nil || c.Description != nil || c.Emoji != nil || c.Color != nil || c.CreatedBy != nil {
		t.Fatalf("cluster = %+v", c)
	}
	const token = `{"id":"t","graphql_id":"g","description":"Windows agents","allowed_ip_addresses":null,"expires_at":null,
	  "url":"u","cluster_url":"c","created_at":"2023-05-26T04:21:41.350Z","created_by":null,"last_used_at":null}`
	var tok Token
	if err := json.Unmarshal([]byte(token), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.AllowedIPAddresses != nil || tok.ExpiresAt != nil || tok.CreatedBy != nil || tok.Description != "Windows agents" {
		t.Fatalf("token = %+v", tok)
	}
}
