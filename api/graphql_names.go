package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/kiteconsole/kiteconsole/api/gqlschema"
)

// clusterNamesQuery is cluster_names.graphql, checked against the schema.
var clusterNamesQuery = func() graphQLQuery {
	src, err := queryFiles.ReadFile("queries/cluster_names.graphql")
	if err != nil {
		panic(err)
	}
	doc, errs := gqlschema.Parse(string(src))
	if len(errs) > 0 {
		panic(fmt.Sprintf("cluster_names.graphql: %v", errs))
	}
	return graphQLQuery{text: string(src), op: doc.Operations[0]}
}()

// ErrTooManyClusters is an organisation with more clusters than one
// GraphQL page of them.
var ErrTooManyClusters = errors.New("more than 100 clusters")

// ClusterNames is the organisation's clusters' names by id, read over
// GraphQL (a few points of its windows, no REST request). A
// GraphQLUnavailableError says to list the clusters over REST instead.
func (c *Client) ClusterNames(ctx context.Context) (map[string]string, error) {
	q := clusterNamesQuery
	q.vars = map[string]any{"org": c.org}
	q.requested = gqlschema.Requested(gqlschema.Schema(), q.op, q.vars)
	var out struct {
		Organization *struct {
			Clusters *struct {
				PageInfo *struct {
					HasNextPage bool `json:"hasNextPage"`
				} `json:"pageInfo"`
				Edges []struct {
					Node *struct {
						UUID string `json:"uuid"`
						Name string `json:"name"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"clusters"`
		} `json:"organization"`
	}
	if err := c.queryGraphQL(ctx, q, &out); err != nil {
		return nil, err
	}
	if out.Organization == nil || out.Organization.Clusters == nil {
		return nil, &GraphQLUnavailableError{Reason: GraphQLFailed, Err: errors.New("no clusters in the reply")}
	}
	if pi := out.Organization.Clusters.PageInfo; pi != nil && pi.HasNextPage {
		return nil, &GraphQLUnavailableError{Reason: GraphQLFailed, Err: ErrTooManyClusters}
	}
	names := map[string]string{}
	for _, e := range out.Organization.Clusters.Edges {
		if e.Node != nil {
			names[e.Node.UUID] = e.Node.Name
		}
	}
	return names, nil
}
