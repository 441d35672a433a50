package cli

import (
	"context"
	"errors"
	"testing"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/config"
)

// The configuration's graphql_endpoint reaches the client.
func TestTheGraphQLEndpointSettingReachesTheClient(t *testing.T) {
	const endpoint = "https://graphql.example.test/v1"
	b, err := openBackend(rootOptions{}, &config.Settings{Org: "acme", Token: "t", GraphQLEndpoint: endpoint}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.Client.GraphQLEndpoint(); got != endpoint {
		t.Errorf("GraphQL endpoint %q, want %q", got, endpoint)
	}
}

// --demo --no-graphql-access: the demo's token has no GraphQL access, so
// the counts come from REST; without the flag GraphQL answers.
func TestDemoWithoutGraphQLAccess(t *testing.T) {
	for _, refused := range []bool{false, true} {
		b, err := openBackend(rootOptions{demo: true, noGraphQLAccess: refused}, &config.Settings{}, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		clusters, err := b.Client.ListClusters(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Client.ClusterCounts(ctx, clusters, false)
		var u *api.GraphQLUnavailableError
		if got := errors.As(err, &u) && u.Reason == api.GraphQLNoAccess; got != refused {
			t.Errorf("--no-graphql-access %v: ClusterCounts said %v", refused, err)
		}
		b.Close()
	}
}
