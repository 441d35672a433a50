package api

import (
	"context"
	"fmt"

	"github.com/kiteconsole/kiteconsole/api/gqlschema"
)

// pausedAgentsLimit is how many paused agents PausedAgentQueues reads.
const pausedAgentsLimit = 100

var pausedAgentsQuery = func() graphQLQuery {
	src, err := queryFiles.ReadFile("queries/paused_agents.graphql")
	if err != nil {
		panic(err)
	}
	doc, errs := gqlschema.Parse(string(src))
	if len(errs) > 0 {
		panic(fmt.Sprintf("paused_agents.graphql: %v", errs))
	}
	return graphQLQuery{text: string(src), op: doc.Operations[0]}
}()

// PausedAgentQueues is, from GraphQL, how many agents are paused on each
// queue (by queue ID) that has any, so that only those queues' agents are
// listed over REST. ok is false when more are paused than one query
// reads: the caller lists every agent. A GraphQLUnavailableError says to
// read REST instead.
func (c *Client) PausedAgentQueues(ctx context.Context) (byQueue map[string]int, ok bool, err error) {
	q := pausedAgentsQuery
	q.vars = map[string]any{"org": c.org}
	q.requested = gqlschema.Requested(gqlschema.Schema(), q.op, q.vars)
	var data struct {
		Organization *struct {
			Agents struct {
				Count int `json:"count"`
				Edges []struct {
					Node *struct {
						UUID         string `json:"uuid"`
						ClusterQueue *struct {
							UUID string `json:"uuid"`
						} `json:"clusterQueue"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"agents"`
		} `json:"organization"`
	}
	if err := c.queryGraphQL(ctx, q, &data); err != nil {
		return nil, false, err
	}
	if data.Organization == nil {
		return nil, false, &GraphQLUnavailableError{Reason: GraphQLFailed, Err: fmt.Errorf("no organization %q", c.org)}
	}
	out := map[string]int{}
	for _, e := range data.Organization.Agents.Edges {
		if e.Node != nil && e.Node.ClusterQueue != nil {
			out[e.Node.ClusterQueue.UUID]++
		}
	}
	return out, data.Organization.Agents.Count <= pausedAgentsLimit, nil
}
