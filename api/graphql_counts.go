package api

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/kiteconsole/kiteconsole/api/gqlschema"
	"github.com/kiteconsole/kiteconsole/model"
)

// The queries the client sends, kept as .graphql files. A test validates
// every document built from them against Buildkite's published schema.
//
//go:embed queries/*.graphql
var queryFiles embed.FS

// MaxGraphQLQueryPoints is the most a batched count query asks for: far
// below the single-query limit (50,000), and a small part of a user's
// window (5,000 per five minutes), so that one screen's refresh never
// spends the window on its own.
const MaxGraphQLQueryPoints = 1_000

// LiveCount is what GraphQL counts of a queue, a cluster or the
// organisation: its connected agents, those running a job and those
// paused, and the jobs waiting for an agent.
type LiveCount struct {
	Connected, Busy, Paused int
	Waiting                 int
	// OldestWaiting is when the longest-waiting job became runnable (zero
	// when none waits): exact (oldestWaiting.go says how it is found)
	// unless OldestAtLeast.
	OldestWaiting time.Time
	// OldestAtLeast says that more waiting jobs had to be read to prove
	// OldestWaiting than a count spends on it: a job did become runnable
	// then, and the longest wait is at least that long.
	OldestAtLeast bool
}

// ClusterCount is a cluster's live numbers for the home screen: its
// queues, its connected agents and those running a job, and the jobs
// waiting for an agent with the longest wait (as LiveCount's).
type ClusterCount struct {
	Queues          int
	Connected, Busy int
	Waiting         int
	OldestWaiting   time.Time
	OldestAtLeast   bool
	// PausedQueues counts those whose dispatch is paused, and PausedIDs
	// names them, when ClusterCounts was asked for them (PausedKnown);
	// only the first 100 queues of a cluster are read for it.
	PausedQueues int
	PausedIDs    []string
	PausedKnown  bool
	// QueueList is the cluster's queues as that read gives them: ID
	// (REST's), GraphQLID, key, description and dispatch state, no more.
	QueueList []model.Queue
}

// HomeCounts is what the home screen shows: each cluster's numbers, by
// cluster ID, and the organisation's (the clusters' added up).
type HomeCounts struct {
	Clusters map[string]ClusterCount
	Org      ClusterCount
	// DispatchPoints is, when the queues' dispatch state was read
	// (withPaused), what that part was charged: the home screen paces it
	// apart from the counts.
	DispatchPoints int
}

// countReply is a count alone.
type countReply struct {
	Count int `json:"count"`
}

// template is one of the query files, parsed: its operation's
// organization field is what is repeated per item.
type template struct {
	name string
	doc  *ast.QueryDocument
	// param is the variable each repetition gets its own of ("queue").
	param string
	// itemPoints is what one repetition asks for.
	itemPoints int
}

func loadTemplate(file, param string) *template {
	src, err := queryFiles.ReadFile("queries/" + file)
	if err != nil {
		panic(err)
	}
	doc, perr := parser.ParseQuery(&ast.Source{Name: file, Input: string(src)})
	if perr != nil {
		panic(fmt.Sprintf("%s: %v", file, perr))
	}
	t := &template{name: file, doc: doc, param: param}
	one, err := t.build([]string{"x"}, "")
	if err != nil {
		panic(fmt.Sprintf("%s: %v", file, err))
	}
	t.itemPoints = max(1, one.requested-1) // less the organization
	return t
}

var (
	queueCountsQuery   = loadTemplate("queue_counts.graphql", "queue")
	clusterCountsQuery = loadTemplate("cluster_counts.graphql", "cluster")
	clusterQueuesQuery = loadTemplate("cluster_queues.graphql", "cluster")
)

// build makes the query for items, each the value of $param: the
// organization's fields once per item, aliased with the item's prefix
// (i0_, i1_ ...), $param renamed to the item's own variable. org is the
// organisation slug.
func (t *template) build(items []string, org string) (graphQLQuery, error) {
	each := make([]map[string]any, len(items))
	for i, item := range items {
		each[i] = map[string]any{t.param: item}
	}
	return t.buildEach(each, org)
}

// buildEach is build for items given as their variables by name ($param
// and any other of the file's but $org): each item gets its own of each
// ($i0 for $param, $i0_before for $before ...). A variable an item has no
// value for is left out, and with it the argument it gives.
func (t *template) buildEach(items []map[string]any, org string) (graphQLQuery, error) {
	src := t.doc.Operations[0]
	op := *src
	op.VariableDefinitions = nil
	vars := map[string]any{"org": org}
	var perItem []*ast.VariableDefinition
	for _, v := range src.VariableDefinitions {
		if v.Variable == "org" {
			op.VariableDefinitions = append(op.VariableDefinitions, v)
		} else {
			perItem = append(perItem, v)
		}
	}
	orgField := *src.SelectionSet[0].(*ast.Field)
	orgField.SelectionSet = nil
	for i, item := range items {
		prefix := "i" + strconv.Itoa(i)
		renames := map[string]string{}
		for _, v := range perItem {
			name := prefix
			if v.Variable != t.param {
				name = prefix + "_" + v.Variable
			}
			renames[v.Variable] = name
			def := *v
			def.Variable = name
			op.VariableDefinitions = append(op.VariableDefinitions, &def)
			value, ok := item[v.Variable]
			if !ok || value == nil {
				continue
			}
			if one, isString := value.(string); isString && v.Type.Elem != nil {
				value = []string{one}
			}
			vars[name] = value
		}
		for _, sel := range src.SelectionSet[0].(*ast.Field).SelectionSet {
			f := cloneField(sel.(*ast.Field), renames)
			f.Alias = prefix + "_" + aliasOf(sel.(*ast.Field))
			orgField.SelectionSet = append(orgField.SelectionSet, f)
		}
	}
	op.SelectionSet = ast.SelectionSet{&orgField}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatQueryDocument(&ast.QueryDocument{Operations: ast.OperationList{&op}})
	text := buf.String()
	doc, errs := gqlschema.Parse(text)
	if len(errs) > 0 {
		return graphQLQuery{}, fmt.Errorf("%s: %v", t.name, errs)
	}
	checked := doc.Operations[0]
	return graphQLQuery{text: text, op: checked, vars: vars, requested: gqlschema.Requested(gqlschema.Schema(), checked, vars)}, nil
}

func aliasOf(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// cloneField copies f with its arguments' references to variables
// renamed as renames says, and its selections likewise.
func cloneField(f *ast.Field, renames map[string]string) *ast.Field {
	out := *f
	out.Arguments = nil
	for _, a := range f.Arguments {
		ca := *a
		ca.Value = renameVariable(a.Value, renames)
		out.Arguments = append(out.Arguments, &ca)
	}
	out.SelectionSet = cloneSelections(f.SelectionSet, renames)
	return &out
}

func cloneSelections(set ast.SelectionSet, renames map[string]string) ast.SelectionSet {
	var out ast.SelectionSet
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			out = append(out, cloneField(sel, renames))
		case *ast.InlineFragment:
			cp := *sel
			cp.SelectionSet = cloneSelections(sel.SelectionSet, renames)
			out = append(out, &cp)
		default:
			out = append(out, sel)
		}
	}
	return out
}

func renameVariable(v *ast.Value, renames map[string]string) *ast.Value {
	if v == nil {
		return nil
	}
	out := *v
	if to, ok := renames[v.Raw]; ok && v.Kind == ast.Variable {
		out.Raw = to
	}
	out.Children = nil
	for _, c := range v.Children {
		out.Children = append(out.Children, &ast.ChildValue{Name: c.Name, Value: renameVariable(c.Value, renames), Position: c.Position})
	}
	return &out
}

// batches splits n items so that each query asks for at most
// MaxGraphQLQueryPoints: the [from, to) of each batch.
func (t *template) batches(n int) [][2]int {
	per := max(1, (MaxGraphQLQueryPoints-1)/t.itemPoints)
	var out [][2]int
	for from := 0; from < n; from += per {
		out = append(out, [2]int{from, min(from+per, n)})
	}
	return out
}

// run sends t for items, batch by batch, and gives each item's fields (by
// their names in the file) to read.
func (c *Client) runCounts(ctx context.Context, t *template, items []string, read func(item string, fields map[string]json.RawMessage) error) error {
	each := make([]map[string]any, len(items))
	for i, item := range items {
		each[i] = map[string]any{t.param: item}
	}
	return c.runCountsEach(ctx, t, each, func(i int, fields map[string]json.RawMessage) error { return read(items[i], fields) })
}

// runCountsEach is runCounts for items given as their variables
// (buildEach); read is given each item's index.
func (c *Client) runCountsEach(ctx context.Context, t *template, items []map[string]any, read func(i int, fields map[string]json.RawMessage) error) error {
	for _, span := range t.batches(len(items)) {
		batch := items[span[0]:span[1]]
		q, err := t.buildEach(batch, c.org)
		if err != nil {
			return err
		}
		var data struct {
			Organization map[string]json.RawMessage `json:"organization"`
		}
		if err := c.queryGraphQL(ctx, q, &data); err != nil {
			return err
		}
		if data.Organization == nil {
			return &GraphQLUnavailableError{Reason: GraphQLFailed, Err: fmt.Errorf("no organization %q", c.org)}
		}
		for i := range batch {
			prefix := "i" + strconv.Itoa(i) + "_"
			fields := map[string]json.RawMessage{}
			for k, v := range data.Organization {
				if name, ok := strings.CutPrefix(k, prefix); ok {
					fields[name] = v
				}
			}
			if err := read(span[0]+i, fields); err != nil {
				return &GraphQLUnavailableError{Reason: GraphQLFailed, Err: err}
			}
		}
	}
	return nil
}

// readLive reads the connected, busy, paused (when asked for) and waiting
// fields.
func readLive(fields map[string]json.RawMessage) (LiveCount, error) {
	var out LiveCount
	for name, n := range map[string]*int{"connected": &out.Connected, "busy": &out.Busy, "paused": &out.Paused} {
		if _, asked := fields[name]; !asked && name == "paused" {
			continue
		}
		var r countReply
		if err := json.Unmarshal(fields[name], &r); err != nil {
			return out, fmt.Errorf("%s: %w", name, err)
		}
		*n = r.Count
	}
	var w waitingReply
	if err := json.Unmarshal(fields["waiting"], &w); err != nil {
		return out, fmt.Errorf("waiting: %w", err)
	}
	out.Waiting, out.OldestWaiting = w.Count, w.oldest()
	out.OldestAtLeast = !w.provesOldest()
	return out, nil
}

func graphQLIDOf(id, graphQLID string) string {
	if graphQLID != "" {
		return graphQLID
	}
	return id
}

// QueueCounts is each queue's live numbers, by queue ID, from GraphQL:
// one query per batch of queues (about a hundred), far below the single-
// query limit. A GraphQLUnavailableError says to read REST instead
// (QueueLoads and ListAgents).
func (c *Client) QueueCounts(ctx context.Context, queues []model.Queue) (map[string]LiveCount, error) {
	out := make(map[string]LiveCount, len(queues))
	ids := make([]string, len(queues))
	byGraphQLID := map[string]string{}
	for i, q := range queues {
		ids[i] = graphQLIDOf(q.ID, q.GraphQLID)
		byGraphQLID[ids[i]] = q.ID
	}
	err := c.runCounts(ctx, queueCountsQuery, ids, func(item string, fields map[string]json.RawMessage) error {
		l, err := readLive(fields)
		out[byGraphQLID[item]] = l
		return err
	})
	if err != nil {
		return nil, err
	}
	var probes []*oldestProbe
	for _, id := range ids {
		if l := out[byGraphQLID[id]]; l.OldestAtLeast {
			probes = append(probes, &oldestProbe{id: byGraphQLID[id], of: map[string]any{"queue": id}, oldest: l.OldestWaiting})
		}
	}
	if err := c.settleOldest(ctx, probes); err != nil {
		return nil, err
	}
	for _, p := range probes {
		l := out[p.id]
		l.OldestWaiting, l.OldestAtLeast = p.oldest, !p.exact
		out[p.id] = l
	}
	return out, nil
}

// ClusterCounts is what the home screen shows of the clusters, by cluster
// ID, and of the organisation, from GraphQL. withPaused also reads each
// cluster's queues' dispatch state (a point per queue) for the PAUSED
// column. A GraphQLUnavailableError says to read REST instead.
func (c *Client) ClusterCounts(ctx context.Context, clusters []model.Cluster, withPaused bool) (HomeCounts, error) {
	out := HomeCounts{Clusters: make(map[string]ClusterCount, len(clusters))}
	ids := make([]string, len(clusters))
	byGraphQLID := map[string]string{}
	for i, cl := range clusters {
		ids[i] = graphQLIDOf(cl.ID, cl.GraphQLID)
		byGraphQLID[ids[i]] = cl.ID
	}
	err := c.runCounts(ctx, clusterCountsQuery, ids, func(item string, fields map[string]json.RawMessage) error {
		l, err := readLive(fields)
		if err != nil {
			return err
		}
		var cl *struct {
			Queues countReply `json:"queues"`
		}
		if err := json.Unmarshal(fields["cluster"], &cl); err != nil {
			return err
		}
		cc := ClusterCount{Connected: l.Connected, Busy: l.Busy, Waiting: l.Waiting, OldestWaiting: l.OldestWaiting, OldestAtLeast: l.OldestAtLeast}
		if cl != nil {
			cc.Queues = cl.Queues.Count
		}
		out.Clusters[byGraphQLID[item]] = cc
		return nil
	})
	if err != nil {
		return HomeCounts{}, err
	}
	var probes []*oldestProbe
	for _, id := range ids {
		if cc := out.Clusters[byGraphQLID[id]]; cc.OldestAtLeast {
			probes = append(probes, &oldestProbe{id: byGraphQLID[id], of: map[string]any{"cluster": id}, oldest: cc.OldestWaiting})
		}
	}
	if err := c.settleOldest(ctx, probes); err != nil {
		return HomeCounts{}, err
	}
	for _, p := range probes {
		cc := out.Clusters[p.id]
		cc.OldestWaiting, cc.OldestAtLeast = p.oldest, !p.exact
		out.Clusters[p.id] = cc
	}
	if withPaused {
		dctx, dispatch := CountPoints(ctx)
		if err := c.readDispatch(dctx, ids, byGraphQLID, out.Clusters); err != nil {
			return HomeCounts{}, err
		}
		out.DispatchPoints = dispatch.Points()
	}
	// The organisation's numbers are its clusters' (GraphQL's agents and
	// jobs are the clustered ones by default): no query of their own.
	for _, cc := range out.Clusters {
		o := &out.Org
		o.Queues += cc.Queues
		o.Connected += cc.Connected
		o.Busy += cc.Busy
		o.Waiting += cc.Waiting
		o.PausedQueues += cc.PausedQueues
		o.PausedKnown = cc.PausedKnown
		if !cc.OldestWaiting.IsZero() && (o.OldestWaiting.IsZero() || cc.OldestWaiting.Before(o.OldestWaiting)) {
			o.OldestWaiting = cc.OldestWaiting
		}
		o.OldestAtLeast = o.OldestAtLeast || cc.OldestAtLeast
	}
	return out, nil
}

// ClusterDispatch is the clusters' queues with their dispatch state (the
// PAUSED part of ClusterCounts, a point a queue), by cluster ID, without
// the counts: what :paused lists. A GraphQLUnavailableError says to read
// REST instead.
func (c *Client) ClusterDispatch(ctx context.Context, clusters []model.Cluster) (map[string]ClusterCount, error) {
	out := make(map[string]ClusterCount, len(clusters))
	ids := make([]string, len(clusters))
	byGraphQLID := map[string]string{}
	for i, cl := range clusters {
		ids[i] = graphQLIDOf(cl.ID, cl.GraphQLID)
		byGraphQLID[ids[i]] = cl.ID
	}
	if err := c.readDispatch(ctx, ids, byGraphQLID, out); err != nil {
		return nil, err
	}
	return out, nil
}

// readDispatch reads the clusters' queues and their dispatch state into
// their counts.
func (c *Client) readDispatch(ctx context.Context, ids []string, byGraphQLID map[string]string, into map[string]ClusterCount) error {
	return c.runCounts(ctx, clusterQueuesQuery, ids, func(item string, fields map[string]json.RawMessage) error {
		var cl *struct {
			Queues struct {
				Edges []struct {
					Node *struct {
						ID                 string     `json:"id"`
						UUID               string     `json:"uuid"`
						Key                string     `json:"key"`
						Description        *string    `json:"description"`
						DispatchPaused     bool       `json:"dispatchPaused"`
						DispatchPausedAt   *time.Time `json:"dispatchPausedAt"`
						DispatchPausedNote *string    `json:"dispatchPausedNote"`
						DispatchPausedBy   *struct {
							UUID string `json:"uuid"`
							Name string `json:"name"`
						} `json:"dispatchPausedBy"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"queues"`
		}
		if err := json.Unmarshal(fields["cluster"], &cl); err != nil {
			return err
		}
		cc := into[byGraphQLID[item]]
		cc.PausedKnown = true
		if cl != nil {
			for _, e := range cl.Queues.Edges {
				n := e.Node
				if n == nil {
					continue
				}
				q := model.Queue{ID: n.UUID, GraphQLID: n.ID, Key: n.Key, Description: n.Description,
					DispatchPaused: n.DispatchPaused, DispatchPausedNote: n.DispatchPausedNote}
				if n.DispatchPausedAt != nil {
					q.DispatchPausedAt = &model.Timestamp{Time: n.DispatchPausedAt.UTC()}
				}
				if n.DispatchPausedBy != nil {
					q.DispatchPausedBy = &model.User{ID: n.DispatchPausedBy.UUID, Name: n.DispatchPausedBy.Name}
				}
				cc.QueueList = append(cc.QueueList, q)
				if n.DispatchPaused {
					cc.PausedQueues++
					cc.PausedIDs = append(cc.PausedIDs, n.UUID)
				}
			}
		}
		into[byGraphQLID[item]] = cc
		return nil
	})
}
