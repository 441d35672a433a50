package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestUpdatesSendOnlyWhatIsSet(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"nothing", ClusterUpdate{}, `{}`},
		{"name only", ClusterUpdate{Name: Set("Open Source")}, `{"name":"Open Source"}`},
		{"empty description is sent", ClusterUpdate{Description: Set("")}, `{"description":""}`},
		{"default queue", ClusterUpdate{DefaultQueueID: Set("q1")}, `{"default_queue_id":"q1"}`},
		{"queue description", QueueUpdate{Description: Set("Linux")}, `{"description":"Linux"}`},
		{"queue resize", QueueUpdate{HostedAgents: &HostedAgentsRequest{InstanceShape: "LINUX_AMD64_4X16"}}, `{"hostedAgents":{"instanceShape":"LINUX_AMD64_4X16"}}`},
		{"token description", TokenUpdate{Description: Set("Linux agents")}, `{"description":"Linux agents"}`},
		{"token update never sends expiry or addresses", TokenUpdate{ExpiresAt: Set(Timestamp{}), AllowedIPAddresses: Set("10.0.0.0/8")}, `{}`},
		{"queue retry affinity", QueueUpdate{RetryAgentAffinity: Set(RetryPreferDifferent)}, `{"retry_agent_affinity":"prefer-different"}`},
		{"create queue with affinity", QueueCreate{Key: "k", RetryAgentAffinity: RetryPreferWarmest}, `{"key":"k","retry_agent_affinity":"prefer-warmest"}`},
		{"pipeline cluster removed", PipelineUpdate{ClusterID: Null[string]()}, `{"cluster_id":null}`},
		{"pipeline template and tags", PipelineUpdate{PipelineTemplateUUID: Null[string](), Tags: Set([]string{":terraform:"})}, `{"pipeline_template_uuid":null,"tags":[":terraform:"]}`},
		{"pipeline false is sent", PipelineUpdate{SkipQueuedBranchBuilds: Set(false)}, `{"skip_queued_branch_builds":false}`},
		{"pause note", QueuePause{Note: "INC-1"}, `{"dispatch_paused_note":"INC-1"}`},
		{"pause without note", QueuePause{}, `{}`},
		{"create cluster", ClusterCreate{Name: "x"}, `{"name":"x"}`},
		{"create hosted queue", QueueCreate{Key: "k", HostedAgents: &HostedAgentsRequest{InstanceShape: "LINUX_ARM64_2X4"}}, `{"key":"k","hostedAgents":{"instanceShape":"LINUX_ARM64_2X4"}}`},
	}
	for _, tc := range cases {
		got, err := json.Marshal(tc.in)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestFieldDecoding(t *testing.T) {
	var u PipelineUpdate
	if err := json.Unmarshal([]byte(`{"cluster_id":null,"name":"n"}`), &u); err != nil {
		t.Fatal(err)
	}
	if !u.ClusterID.IsNull() || !u.Name.IsSet() || u.Description.IsSet() {
		t.Fatalf("decoded %+v", u)
	}
	if v, ok := u.Name.Get(); !ok || v != "n" {
		t.Fatal("name not decoded")
	}
}

func TestTimestampReadsBothLayouts(t *testing.T) {
	for in, want := range map[string]string{
		`"2023-05-03T04:17:55.867Z"`:  "2023-05-03T04:17:55.867Z",
		`"2013-09-03 13:24:38 UTC"`:   "2013-09-03T13:24:38.000Z",
		`"2025-01-01T00:00:00+10:00"`: "2024-12-31T14:00:00.000Z",
	} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(in), &ts); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, _ := json.Marshal(ts)
		if string(out) != `"`+want+`"` {
			t.Errorf("%s → %s, want %s", in, out, want)
		}
	}
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"yesterday"`), &ts); err == nil {
		t.Fatal("accepted a non-time")
	}
}

func TestDeriveSlug(t *testing.T) {
	cases := map[string]string{
		"Hello there friend":     "hello-there-friend",
		"Hello    There Friend":  "hello-there-friend",
		"My Pipeline X":          "my-pipeline-x",
		"a - b":                  "a---b",
		"Deploy (prod) 🚀":        "deploy-prod-",
		"  leading":              "leading",
		"iOS\tApp":               "ios-app",
		strings.Repeat("x", 100): strings.Repeat("x", 100),
	}
	for name, want := range cases {
		got, err := DeriveSlug(name)
		if err != nil || got != want {
			t.Errorf("DeriveSlug(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "   ", "🚀", "---", strings.Repeat("x", 101)} {
		if got, err := DeriveSlug(bad); err == nil {
			t.Errorf("DeriveSlug(%q) = %q, want an error", bad, got)
		}
	}
}

func TestValidators(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	check := func(name string, err error, ok bool) {
		t.Helper()
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok=%v", name, err, ok)
		}
	}
	for s, ok := range map[string]bool{"": true, "#FFE0F1": true, "#fff": true, "#ffe0f1": true, "FFE0F1": false, "#FFE0F": false, "#GGGGGG": false, "pink": false, "#FFE0F1 ": false} {
		check("colour "+s, ValidateColor(s), ok)
	}
	for s, ok := range map[string]bool{"default": true, "linux-large": true, "mac_os2": true, "": false, " ": false, "has space": false, "emoji🚀": false, "a/b": false, strings.Repeat("k", 101): false} {
		check("key "+s, ValidateQueueKey(s), ok)
	}
	for s, ok := range map[string]bool{"": true, "202.144.0.0/24": true, "10.0.0.0/8  192.168.1.0/24": true, "10.0.0.1": false, "300.0.0.0/8": false, "10.0.0.0/33": false, "::1/128": false, "10.0.0.0/8,10.1.0.0/16": false} {
		check("cidr "+s, ValidateCIDRList(s), ok)
	}
	for s, ok := range map[string]bool{"2026-07-01T00:00:00Z": true, "2026-05-01T00:00:00Z": false, "tomorrow": false, "": false} {
		check("future "+s, ValidateFutureTime(s, now), ok)
	}
	for s, want := range map[string]string{
		"90d":                  "2026-08-30T12:00:00Z",
		"2w":                   "2026-06-15T12:00:00Z",
		"12h":                  "2026-06-02T00:00:00Z",
		"2026-07-01":           "2026-07-01T00:00:00Z",
		"2026-07-01T08:00:00Z": "2026-07-01T08:00:00Z",
	} {
		got, err := ParseExpiry(s, now)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %s", s, got, err, want)
		}
	}
	for _, s := range []string{"0d", "2026-01-01", "soon", "", "-5d"} {
		if _, err := ParseExpiry(s, now); err == nil {
			t.Errorf("ParseExpiry(%q) accepted", s)
		}
	}
	check("text control", ValidateText("description", "a\x1b[31mb", false), false)
	check("text long", ValidateText("description", strings.Repeat("x", MaxTextLength+1), false), false)
	check("text blank required", ValidateText("name", "  ", true), false)
	check("text fine", ValidateText("name", "Deploy 🚀", true), true)
}

func TestInstanceShapes(t *testing.T) {
	linux, macos, deprecated := 0, 0, 0
	for _, s := range InstanceShapes {
		switch {
		case s.Deprecated:
			deprecated++
		case s.MachineType == MachineLinux:
			linux++
		case s.MachineType == MachineMacOS:
			macos++
		}
	}
	if linux != 12 || macos != 2 || deprecated != 4 {
		t.Fatalf("catalogue: %d linux, %d macos, %d deprecated", linux, macos, deprecated)
	}
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"LINUX_AMD64_2X4", "LINUX_AMD64_16X64", true},
		{"LINUX_ARM64_8X32", "LINUX_ARM64_2X4", true},
		{"LINUX_AMD64_2X4", "LINUX_ARM64_2X4", false},
		{"LINUX_AMD64_2X4", "MACOS_ARM64_M4_6X28", false},
		{"MACOS_ARM64_M4_6X28", "MACOS_ARM64_M4_12X56", true},
		{"MACOS_M2_6X14", "MACOS_ARM64_M4_6X28", true},
		{"MACOS_ARM64_M4_6X28", "MACOS_M2_12X28", false},
		{"LINUX_AMD64_2X4", "LINUX_AMD64_3X5", false},
	} {
		if err := ResizeAllowed(tc.from, tc.to); (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v, want ok=%v", tc.from, tc.to, err, tc.ok)
		}
	}
	opts := ResizeOptions("LINUX_ARM64_2X4")
	if len(opts) != 6 {
		t.Fatalf("resize options of LINUX_ARM64_2X4: %d", len(opts))
	}
	for _, o := range opts {
		if o.Architecture != ArchARM64 || o.MachineType != MachineLinux {
			t.Fatalf("offered %s", o.Name)
		}
	}
	if err := ValidateNewShape("MACOS_M4_12X56"); err == nil || !strings.Contains(err.Error(), "deprecated") {
		t.Fatalf("deprecated shape: %v", err)
	}
}

func TestNormalizeColor(t *testing.T) {
	for in, want := range map[string]string{"ff0000": "#ff0000", " FFF ": "#FFF", "#ABCDEF": "#ABCDEF", "": "", "pink": "pink", "ff00": "ff00"} {
		if got := NormalizeColor(in); got != want {
			t.Errorf("NormalizeColor(%q) = %q, want %q", in, got, want)
		}
	}
}
