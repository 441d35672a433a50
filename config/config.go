// Package config reads kiteconsole's configuration file and resolves the
// settings in force: flags, then the environment, then the file, then the
// bk CLI's selected organisation.
package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/keymap"
)

// File is config.yaml.
type File struct {
	DefaultOrg    string              `yaml:"default_org"`
	Refresh       string              `yaml:"refresh"`
	Theme         string              `yaml:"theme"`
	ReadOnly      bool                `yaml:"read_only"`
	AuditLog      string              `yaml:"audit_log"`
	Parallel      int                 `yaml:"parallel"`
	Timeout       string              `yaml:"timeout"`
	Organizations []Org               `yaml:"organizations"`
	Keys          map[string][]string `yaml:"keys"`
	// NoteSignature follows the note of a pause made over SSH (serve),
	// {user} the session's user: DefaultNoteSignature when absent, and
	// "" turns it off.
	NoteSignature *string `yaml:"note_signature"`
}

// Org is one organisation of the file. Its token comes from
// token_command (a password manager, say) or, less safely, inline.
type Org struct {
	Slug         string `yaml:"slug"`
	Endpoint     string `yaml:"endpoint"`
	Token        string `yaml:"token"`
	TokenCommand string `yaml:"token_command"`

	// GraphQLEndpoint overrides where the GraphQL API is (by default
	// Buildkite's for Buildkite's REST API, else the endpoint's /graphql).
	GraphQLEndpoint string `yaml:"graphql_endpoint"`
}

// Themes the file may name.
var Themes = []string{"auto", "dark", "light"}

// MaxParallel is the most pages of a list the file or --parallel may have
// fetched at once: each is a request in flight against the API.
const MaxParallel = 32

// Dir is $XDG_CONFIG_HOME (~/.config).
func Dir(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config")
}

// DefaultPath is $XDG_CONFIG_HOME/kiteconsole/config.yaml.
func DefaultPath(getenv func(string) string) string {
	return filepath.Join(Dir(getenv), "kiteconsole", "config.yaml")
}

// Error is a problem in a file, at a line, under a key.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}

// Load reads the file at path. A missing file is an empty one. Warnings
// are for the person (an inline token in a file others can read).
func Load(path string) (*File, []string, error) {
	data, err := readConfigFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &File{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, yamlError(path, err)
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, yamlError(path, err)
	}
	at := func(keys ...string) int { return lineOf(&root, keys...) }
	fail := func(line int, key, format string, args ...any) error {
		return &Error{File: path, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	if f.Refresh != "" {
		if d, err := time.ParseDuration(f.Refresh); err != nil || d < 0 {
			return nil, nil, fail(at("refresh"), "refresh", "%q is not a duration such as 30s or 5m (0 turns it off)", f.Refresh)
		}
	}
	if f.Timeout != "" {
		if d, err := time.ParseDuration(f.Timeout); err != nil || d <= 0 {
			return nil, nil, fail(at("timeout"), "timeout", "%q is not a duration such as 15s", f.Timeout)
		}
	}
	if f.Parallel < 0 || f.Parallel > MaxParallel {
		return nil, nil, fail(at("parallel"), "parallel", "%d is not between 1 and %d", f.Parallel, MaxParallel)
	}
	if f.Theme != "" && !contains(Themes, f.Theme) {
		return nil, nil, fail(at("theme"), "theme", "%q is not one of %s", f.Theme, strings.Join(Themes, ", "))
	}
	slugs := map[string]bool{}
	for i, o := range f.Organizations {
		line := at("organizations", fmt.Sprint(i))
		key := fmt.Sprintf("organizations[%d]", i)
		switch {
		case o.Slug == "":
			return nil, nil, fail(line, key+".slug", "every organisation needs a slug")
		case slugs[o.Slug]:
			return nil, nil, fail(line, key+".slug", "%q is listed twice", o.Slug)
		case o.Token != "" && o.TokenCommand != "":
			return nil, nil, fail(line, key, "give token or token_command, not both")
		}
		if o.Endpoint != "" {
			if _, err := api.New(api.Config{Endpoint: o.Endpoint, Org: o.Slug, Token: "x"}); err != nil {
				return nil, nil, fail(at("organizations", fmt.Sprint(i), "endpoint"), key+".endpoint", "%v", err)
			}
		}
		if o.GraphQLEndpoint != "" {
			if _, err := api.New(api.Config{GraphQLEndpoint: o.GraphQLEndpoint, Org: o.Slug, Token: "x"}); err != nil {
				return nil, nil, fail(at("organizations", fmt.Sprint(i), "graphql_endpoint"), key+".graphql_endpoint", "%v", err)
			}
		}
		slugs[o.Slug] = true
	}
	if f.DefaultOrg != "" && len(f.Organizations) > 0 && !slugs[f.DefaultOrg] {
		return nil, nil, fail(at("default_org"), "default_org", "%q is not one of the organisations listed", f.DefaultOrg)
	}
	keys := keymap.Default()
	var rebound []string
	for action, ks := range f.Keys {
		if err := keys.Rebind(action, ks); err != nil {
			return nil, nil, fail(at("keys", action), "keys."+action, "%v", err)
		}
		rebound = append(rebound, action)
	}
	if c := keys.Collision(rebound...); c != nil {
		return nil, nil, fail(at("keys", c.Action), "keys."+c.Action, "%v", c)
	}
	var warnings []string
	for _, o := range f.Organizations {
		if o.Token == "" {
			continue
		}
		if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
			warnings = append(warnings, fmt.Sprintf("%s holds the API token of %s and others can read it: chmod 600 %s, or use token_command", path, o.Slug, path))
		}
	}
	return &f, warnings, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlError turns the YAML library's "yaml: line 3: ..." into an Error.
func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	key := "yaml"
	if i := strings.Index(msg, "field "); i >= 0 {
		rest := msg[i+len("field "):]
		if j := strings.Index(rest, " not found"); j >= 0 {
			key = rest[:j]
			msg = "not a setting kiteconsole knows"
		}
	}
	return &Error{File: path, Line: line, Key: key, Msg: msg}
}

// lineOf finds the line of a key path (map keys, or list indexes as
// numbers) in a YAML document.
func lineOf(n *yaml.Node, keys ...string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, k := range keys {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscan(k, &idx); err != nil || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

// SelectedOrg reads selected_org from the bk CLI's bk.yaml, if any.
func SelectedOrg(getenv func(string) string) string {
	data, err := readConfigFile(filepath.Join(Dir(getenv), "bk.yaml"))
	if err != nil {
		return ""
	}
	var bk struct {
		SelectedOrg string `yaml:"selected_org"`
	}
	if yaml.Unmarshal(data, &bk) != nil {
		return ""
	}
	return bk.SelectedOrg
}

// Flags are the command line's settings; empty or nil means not given.
type Flags struct {
	Org, Endpoint string
	Parallel      int
	Timeout       time.Duration
	Refresh       *time.Duration
	ReadOnly      bool
	AuditLog      string
}

// Settings are what is in force.
type Settings struct {
	Org, Endpoint, Token string
	Refresh              time.Duration
	Theme                string
	ReadOnly             bool
	// Parallel bounds the pages of one list fetched at once.
	Parallel int
	// Timeout bounds one request.
	Timeout  time.Duration
	AuditLog string
	Keys     keymap.KeyMap
	// Orgs are the organisations one can switch to, with how to get each
	// one's settings.
	Orgs     []string
	Warnings []string
	file     *File
	getenv   func(string) string

	// GraphQLEndpoint is the organisation's graphql_endpoint (api.Config's
	// default when empty).
	GraphQLEndpoint string
	// NoteSignature signs the notes of pauses made over SSH ("" none).
	NoteSignature string
}

// DefaultNoteSignature signs a pause made over SSH with who made it:
// every session shares the server's token, whose owner Buildkite shows.
const DefaultNoteSignature = "{user} via kiteconsole"

// Environment variables, the same as Buildkite's own bk CLI reads.
const (
	EnvToken    = "BUILDKITE_API_TOKEN"
	EnvOrg      = "BUILDKITE_ORGANIZATION_SLUG"
	EnvEndpoint = "BUILDKITE_REST_API_ENDPOINT"
)

// DefaultRefresh is how often the visible screen reloads.
const DefaultRefresh = 30 * time.Second

// Resolve works out the settings: flags, then the environment, then the
// file at path, then the bk CLI's selected organisation.
func Resolve(ctx context.Context, flags Flags, getenv func(string) string, path string) (*Settings, error) {
	f, warnings, err := Load(path)
	if err != nil {
		return nil, err
	}
	s := &Settings{Refresh: DefaultRefresh, Theme: "auto", Warnings: warnings, file: f, getenv: getenv, Keys: keymap.Default()}
	if f.Refresh != "" {
		s.Refresh, _ = time.ParseDuration(f.Refresh)
	}
	if flags.Refresh != nil {
		s.Refresh = *flags.Refresh
	}
	if f.Theme != "" {
		s.Theme = f.Theme
	}
	s.ReadOnly = flags.ReadOnly || f.ReadOnly
	s.Parallel = f.Parallel
	if flags.Parallel > 0 {
		s.Parallel = flags.Parallel
	}
	if f.Timeout != "" {
		s.Timeout, _ = time.ParseDuration(f.Timeout)
	}
	if flags.Timeout > 0 {
		s.Timeout = flags.Timeout
	}
	s.AuditLog = first(flags.AuditLog, f.AuditLog)
	s.NoteSignature = DefaultNoteSignature
	if f.NoteSignature != nil {
		s.NoteSignature = *f.NoteSignature
	}
	for action, ks := range f.Keys {
		_ = s.Keys.Rebind(action, ks) // checked by Load
	}
	for _, o := range f.Organizations {
		s.Orgs = append(s.Orgs, o.Slug)
	}
	only := ""
	if len(f.Organizations) == 1 {
		only = f.Organizations[0].Slug
	}
	s.Org = first(flags.Org, getenv(EnvOrg), f.DefaultOrg, SelectedOrg(getenv), only)
	if err := s.connect(ctx, s.Org, flags.Endpoint); err != nil {
		return nil, err
	}
	return s, nil
}

// connect fills in the endpoint and token of org.
func (s *Settings) connect(ctx context.Context, org, endpointFlag string) error {
	var fileOrg Org
	for _, o := range s.file.Organizations {
		if o.Slug == org {
			fileOrg = o
		}
	}
	s.Org = org
	s.Endpoint = first(endpointFlag, s.getenv(EnvEndpoint), fileOrg.Endpoint)
	s.GraphQLEndpoint = fileOrg.GraphQLEndpoint
	s.Token = s.getenv(EnvToken)
	if s.Token == "" {
		switch {
		case fileOrg.TokenCommand != "":
			tok, err := runTokenCommand(ctx, fileOrg.TokenCommand)
			if err != nil {
				return fmt.Errorf("the token_command of %s failed: %w", org, err)
			}
			s.Token = tok
		case fileOrg.Token != "":
			s.Token = fileOrg.Token
		}
	}
	return nil
}

// Switch returns the settings for another organisation of the file.
func (s *Settings) Switch(ctx context.Context, org string) (*Settings, error) {
	if !contains(s.Orgs, org) {
		return nil, fmt.Errorf("%s is not an organisation of the configuration file", org)
	}
	next := *s
	if err := next.connect(ctx, org, ""); err != nil {
		return nil, err
	}
	return &next, nil
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
