package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, dir, name, body string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

const twoOrgs = `default_org: acme
refresh: 10s
theme: dark
organizations:
  - slug: acme
    endpoint: https://file.example
    token_command: echo file-token
  - slug: beta
    token: inline-token
keys:
  pause: [P]
`

func TestPrecedence(t *testing.T) {
	ten := 10 * time.Second
	five := 5 * time.Second
	cases := []struct {
		name                          string
		file, bk                      string
		flags                         Flags
		env                           map[string]string
		org, endpoint, token, warning string
		refresh                       time.Duration
	}{
		{name: "nothing at all", refresh: DefaultRefresh},
		{name: "the file's default org, its token_command", file: twoOrgs, org: "acme", endpoint: "https://file.example", token: "file-token", refresh: ten},
		{name: "the environment beats the file", file: twoOrgs, env: map[string]string{EnvOrg: "beta", EnvToken: "env-token", EnvEndpoint: "https://env.example"},
			org: "beta", endpoint: "https://env.example", token: "env-token", refresh: ten},
		{name: "flags beat the environment", file: twoOrgs, flags: Flags{Org: "beta", Endpoint: "https://flag.example", Refresh: &five},
			env: map[string]string{EnvOrg: "acme", EnvEndpoint: "https://env.example"}, org: "beta", endpoint: "https://flag.example", token: "inline-token", refresh: five},
		{name: "bk's selected_org comes last", bk: "selected_org: from-bk\n", org: "from-bk", refresh: DefaultRefresh},
		{name: "the file beats bk", file: twoOrgs, bk: "selected_org: from-bk\n", org: "acme", endpoint: "https://file.example", token: "file-token", refresh: ten},
		{name: "a lone organisation needs no default", file: "organizations:\n  - slug: solo\n    token: t\n", org: "solo", token: "t", refresh: DefaultRefresh},
		{name: "an inline token in a readable file warns", file: "organizations:\n  - slug: solo\n    token: t\n", org: "solo", token: "t", refresh: DefaultRefresh, warning: "chmod 600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mode := os.FileMode(0o600)
			if tc.warning != "" {
				mode = 0o644
			}
			path := filepath.Join(dir, "kiteconsole", "config.yaml")
			if tc.file != "" {
				write(t, dir, "kiteconsole/config.yaml", tc.file, mode)
			}
			if tc.bk != "" {
				write(t, dir, "bk.yaml", tc.bk, 0o600)
			}
			env := map[string]string{"XDG_CONFIG_HOME": dir}
			for k, v := range tc.env {
				env[k] = v
			}
			s, err := Resolve(context.Background(), tc.flags, func(k string) string { return env[k] }, path)
			if err != nil {
				t.Fatal(err)
			}
			if s.Org != tc.org || s.Endpoint != tc.endpoint || s.Token != tc.token || s.Refresh != tc.refresh {
				t.Fatalf("got org %q endpoint %q token %q refresh %v; want %q %q %q %v", s.Org, s.Endpoint, s.Token, s.Refresh, tc.org, tc.endpoint, tc.token, tc.refresh)
			}
			if got := strings.Join(s.Warnings, "\n"); (tc.warning == "") != (got == "") || !strings.Contains(got, tc.warning) {
				t.Fatalf("warnings = %q, want %q", got, tc.warning)
			}
		})
	}
}

func TestKeysAndSwitching(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "config.yaml", twoOrgs, 0o600)
	s, err := Resolve(context.Background(), Flags{}, func(string) string { return "" }, path)
	if err != nil {
		t.Fatal(err)
	}
	if keys := s.Keys.Pause.Keys(); len(keys) != 1 || keys[0] != "P" || s.Keys.Pause.Help().Key != "P" {
		t.Fatalf("pause rebound to %v", keys)
	}
	if s.Theme != "dark" || len(s.Orgs) != 2 {
		t.Fatalf("theme %q orgs %v", s.Theme, s.Orgs)
	}
	beta, err := s.Switch(context.Background(), "beta")
	if err != nil || beta.Org != "beta" || beta.Token != "inline-token" || beta.Endpoint != "" {
		t.Fatalf("switch: %+v %v", beta, err)
	}
	if _, err := s.Switch(context.Background(), "nope"); err == nil {
		t.Fatal("switched to an unknown organisation")
	}
}

func TestConfigErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct{ body, want string }{
		{"refresh: 3 minutes\n", `config.yaml:1: refresh: "3 minutes" is not a duration`},
		{"theme: dark\ntheme2: x\n", "config.yaml:2: theme2: not a setting kiteconsole knows"},
		{"theme: purple\n", `config.yaml:1: theme: "purple" is not one of auto, dark, light`},
		{"organizations:\n  - endpoint: https://x.example\n", "config.yaml:2: organizations[0].slug: every organisation needs a slug"},
		{"organizations:\n  - slug: a\n  - slug: a\n", `config.yaml:3: organizations[1].slug: "a" is listed twice`},
		{"organizations:\n  - slug: a\n    token: t\n    token_command: echo t\n", "config.yaml:2: organizations[0]: give token or token_command, not both"},
		{"organizations:\n  - slug: a\n    endpoint: ftp://x\n", "config.yaml:3: organizations[0].endpoint: endpoint \"ftp://x\" is not an http(s) URL"},
		{"default_org: b\norganizations:\n  - slug: a\n", `config.yaml:1: default_org: "b" is not one of the organisations listed`},
		{"keys:\n  launch: [l]\n", `config.yaml:2: keys.launch: "launch" is not an action`},
		{"keys:\n  pause: []\n", "config.yaml:2: keys.pause: pause: give at least one key"},
		{"parallel: 100\n", "config.yaml:1: parallel: 100 is not between 1 and 32"},
		{"timeout: soon\n", `config.yaml:1: timeout: "soon" is not a duration such as 15s`},
		{"refresh: [1\n", "config.yaml:"},
		{"organizations: 12\n", "config.yaml:1: yaml: cannot unmarshal"},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		path := write(t, dir, "config.yaml", tc.body, 0o600)
		_, _, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%q: error %v, want it to contain %q and the path", tc.body, err, tc.want)
		}
	}
}

func TestTokenCommandFailureShowsNoOutput(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "config.yaml", "organizations:\n  - slug: a\n    token_command: echo secret-part >&2; exit 3\n", 0o600)
	_, err := Resolve(context.Background(), Flags{}, func(string) string { return "" }, path)
	if err == nil || !strings.Contains(err.Error(), "status 3") || strings.Contains(err.Error(), "secret-part") {
		t.Fatalf("err = %v", err)
	}
}

func TestACollidingKeyBindingIsRefused(t *testing.T) {
	path := write(t, t.TempDir(), "config.yaml", "refresh: 10s\nkeys:\n  down: [j]\n  pause: [P, q]\n", 0o600)
	_, _, err := Load(path)
	if err == nil || !strings.HasSuffix(err.Error(), "config.yaml:4: keys.pause: q is bound to both quit and pause: give one of them another key") {
		t.Fatalf("err = %v", err)
	}
	swap := write(t, t.TempDir(), "config.yaml", "keys:\n  pause: [q]\n  quit: [p]\n", 0o600)
	if _, _, err := Load(swap); err != nil {
		t.Fatalf("a swap: %v", err)
	}
}

// A pause made over SSH is signed with who made it unless the file says
// otherwise; note_signature: "" turns it off (issue 29).
func TestNoteSignature(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{twoOrgs, DefaultNoteSignature},
		{twoOrgs + "note_signature: \"{user} on the bastion\"\n", "{user} on the bastion"},
		{twoOrgs + "note_signature: \"\"\n", ""},
	} {
		path := write(t, t.TempDir(), "config.yaml", tc.file, 0o600)
		s, err := Resolve(context.Background(), Flags{}, func(string) string { return "" }, path)
		if err != nil {
			t.Fatal(err)
		}
		if s.NoteSignature != tc.want {
			t.Errorf("note signature %q, want %q for:\n%s", s.NoteSignature, tc.want, tc.file)
		}
	}
}
