package config

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnOrganisationsGraphQLEndpointComesFromTheFile: graphql_endpoint
// overrides where the GraphQL API is, per organisation, and must be an
// http(s) URL.
func TestAnOrganisationsGraphQLEndpointComesFromTheFile(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "kiteconsole/config.yaml", `organizations:
  - slug: acme
    token: t
    graphql_endpoint: https://graphql.proxy.example/v1
`, 0o600)
	env := map[string]string{"XDG_CONFIG_HOME": dir}
	s, err := Resolve(context.Background(), Flags{Org: "acme"}, func(k string) string { return env[k] }, path)
	if err != nil {
		t.Fatal(err)
	}
	if s.GraphQLEndpoint != "https://graphql.proxy.example/v1" {
		t.Errorf("GraphQLEndpoint = %q", s.GraphQLEndpoint)
	}
	bad := write(t, dir, "bad/config.yaml", "organizations:\n  - slug: a\n    graphql_endpoint: ftp://x\n", 0o600)
	_, err = Resolve(context.Background(), Flags{Org: "a"}, func(k string) string { return env[k] }, filepath.Clean(bad))
	if err == nil || !strings.Contains(err.Error(), "config.yaml:3: organizations[0].graphql_endpoint:") {
		t.Errorf("err = %v, want the bad graphql_endpoint named", err)
	}
}
