package model

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
)

// What a person types into the pipeline form: steps, teams, environment;
// and what a request's provider_settings holds. None may panic, and each
// keeps its promise on any input.

func FuzzParseVisualSteps(f *testing.F) {
	f.Add("Build :package: | script/release.sh\nwait\nblock: Ship it?\nmake deploy")
	f.Add("block\n\n# a comment\nwaiter")
	f.Add(" | ")
	f.Fuzz(func(t *testing.T, s string) {
		steps, err := ParseVisualSteps(s)
		if err != nil {
			return
		}
		if len(steps) == 0 {
			t.Fatal("no steps and no error")
		}
		for _, st := range steps {
			switch st.Type {
			case StepScript:
				if strings.TrimSpace(Value(st.Command)) == "" {
					t.Fatalf("a script step without a command from %q", s)
				}
			case StepWaiter, StepManual:
			default:
				t.Fatalf("step type %q", st.Type)
			}
		}
	})
}

func FuzzParseTeams(f *testing.F) {
	f.Add("14e9501c-69fe-4cda-ae07-daea9ca3afd3 build_and_read\n5b6c4a01-8e4f-49a3-bf88-be0d47ef9c0a=manage_build_and_read")
	f.Add("3f195bcd-28f2-4e1a-bcff-09f3543e5abf")
	f.Add("team admin")
	f.Fuzz(func(t *testing.T, s string) {
		teams, err := ParseTeams(s)
		if err != nil {
			return
		}
		if problems := CheckTeams(teams); len(problems) > 0 {
			t.Fatalf("parsed teams the API would refuse: %v", problems)
		}
	})
}

func FuzzParseEnv(f *testing.F) {
	f.Add("KEY=value\nOTHER=a=b\n# note\n")
	f.Add("=x")
	f.Fuzz(func(t *testing.T, s string) {
		env, err := ParseEnv(s)
		if err != nil {
			return
		}
		// What the form shows (FormatEnv) reads back as the same variables.
		again, err := ParseEnv(FormatEnv(env))
		if err != nil {
			t.Fatalf("FormatEnv(%v) does not parse: %v", env, err)
		}
		if !maps.Equal(env, again) {
			t.Fatalf("round trip of %q: %v != %v", s, env, again)
		}
	})
}

func FuzzCheckProviderSettings(f *testing.F) {
	f.Add("github", []byte(`{"trigger_mode":"deployment","build_pull_request_forks":true,"filter_condition":null}`))
	f.Add("bitbucket_server", []byte(`{"publish_commit_status":true}`))
	f.Add("git", []byte(`{"filter_enabled":"yes"}`))
	f.Fuzz(func(t *testing.T, provider string, data []byte) {
		var raw map[string]json.RawMessage
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		problems := CheckProviderSettings(provider, raw)
		if len(problems) > 0 {
			return
		}
		// Whatever passes applies cleanly and names only the provider's
		// own settings.
		var ps ProviderSettings
		for name, value := range raw {
			if !ProviderHasSetting(provider, name) {
				t.Fatalf("%s passed for %s", name, provider)
			}
			var v any
			if err := json.Unmarshal(value, &v); err != nil {
				t.Fatal(err)
			}
			ps.SetSetting(name, v)
		}
	})
}
