package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"

	"github.com/kiteconsole/kiteconsole/api/gqlschema"
	"github.com/kiteconsole/kiteconsole/model"
)

// The resolvers of the GraphQL schema the sandbox serves (gqlschema.SDL):
// they read the same organisation and simulation as the REST endpoints,
// under s.mu, held by serveGraphQL for the whole query.

// gqlExecutable is the subset schema with its resolvers, parsed once.
var gqlExecutable = sync.OnceValue(func() *graphql.Schema {
	// One goroutine per query: the resolvers read the organisation under
	// the lock their request holds, and a query of a thousand aliases
	// gains nothing from being spread over the machine's cores.
	return graphql.MustParseSchema(gqlschema.SDL, &gqlRoot{}, graphql.MaxParallelism(1))
})

// gqlQuery is what one query's resolvers share: the server, its now, and
// the organisation's jobs indexed once for the query.
type gqlQuery struct {
	s   *Server
	now time.Time

	jobsOnce sync.Once
	// jobs is every job of the organisation's kept builds, newest first;
	// jobsByQueue the same by cluster queue.
	jobs        []*jobRecord
	jobsByQueue map[string][]*jobRecord
}

type gqlQueryKey struct{}

func queryOf(ctx context.Context) *gqlQuery { return ctx.Value(gqlQueryKey{}).(*gqlQuery) }

// indexJobs lists the jobs once per query, newest first, as
// RECENTLY_CREATED orders them.
func (q *gqlQuery) indexJobs() {
	q.jobsOnce.Do(func() {
		for _, b := range q.s.sim.builds {
			q.jobs = append(q.jobs, b.jobs...)
		}
		// Builds are kept oldest first and their jobs in creation order:
		// reversed, and stably sorted by creation, they are newest first.
		slices.Reverse(q.jobs)
		sort.SliceStable(q.jobs, func(i, j int) bool {
			return q.jobs[i].job.CreatedAt.After(q.jobs[j].job.CreatedAt.Time)
		})
		q.jobsByQueue = map[string][]*jobRecord{}
		for _, j := range q.jobs {
			if id := model.Value(j.job.ClusterQueueID); id != "" {
				q.jobsByQueue[id] = append(q.jobsByQueue[id], j)
			}
		}
	})
}

// dateTime is the schema's DateTime: RFC 3339 in UTC.
type dateTime struct{ time.Time }

func (dateTime) ImplementsGraphQLType(name string) bool { return name == "DateTime" }

func (d *dateTime) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("a DateTime is a string, not %T", input)
	}
	t, err := time.Parse(time.RFC3339, s)
	d.Time = t
	return err
}

func (d dateTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.UTC().Format(time.RFC3339))
}

func timeOf(t *model.Timestamp) *dateTime {
	if t == nil || t.IsZero() {
		return nil
	}
	return &dateTime{t.Time}
}

// matchesID reports whether a GraphQL argument names an object by its
// GraphQL id or its UUID: Buildkite's cookbooks pass either.
func matchesID(arg graphql.ID, graphQLID, id string) bool {
	return string(arg) == graphQLID || string(arg) == id
}

type gqlRoot struct{}

func (gqlRoot) Organization(ctx context.Context, args struct{ Slug, Uuid *graphql.ID }) *gqlOrganization {
	q := queryOf(ctx)
	o := &gqlOrganization{q: q}
	switch {
	case args.Slug != nil && string(*args.Slug) == q.s.org.slug:
		return o
	case args.Uuid != nil && string(*args.Uuid) == o.uuid():
		return o
	}
	return nil
}

type gqlOrganization struct{ q *gqlQuery }

func (o *gqlOrganization) uuid() string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("kiteconsole-sandbox-org:"+o.q.s.org.slug)).String()
}

func (o *gqlOrganization) ID() graphql.ID { return graphql.ID(graphQLID("Organization", o.uuid())) }
func (o *gqlOrganization) UUID() string   { return o.uuid() }
func (o *gqlOrganization) Slug() string   { return o.q.s.org.slug }
func (o *gqlOrganization) Name() string   { return o.q.s.org.slug }

func (o *gqlOrganization) Cluster(args struct{ ID graphql.ID }) *gqlCluster {
	for _, c := range o.q.s.org.clusters {
		if matchesID(args.ID, c.cluster.GraphQLID, c.cluster.ID) {
			return &gqlCluster{q: o.q, c: c}
		}
	}
	return nil
}

// pageArgs are a connection's first, last, after and before.
type pageArgs struct {
	First, Last   *int32
	After, Before *string
}

func cursorOf(i int) string {
	return base64.StdEncoding.EncodeToString([]byte("cursor:" + strconv.Itoa(i)))
}

func indexOfCursor(c string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:"))
	return n, err == nil && strings.HasPrefix(string(b), "cursor:")
}

// window is the part of a list of n items a connection's arguments select:
// items [start, end).
type window struct {
	n, start, end int
}

func pageOfList(n int, a pageArgs) window {
	w := window{n: n, end: n}
	if a.After != nil {
		if i, ok := indexOfCursor(*a.After); ok {
			w.start = min(max(i+1, 0), n)
		}
	}
	if a.Before != nil {
		if i, ok := indexOfCursor(*a.Before); ok {
			w.end = min(max(i, w.start), n)
		}
	}
	if a.First != nil {
		w.end = min(w.end, w.start+max(int(*a.First), 0))
	}
	if a.Last != nil {
		w.start = max(w.start, w.end-max(int(*a.Last), 0))
	}
	return w
}

func (w window) Count() int32 { return int32(w.n) }

func (w window) PageInfo() *gqlPageInfo { return &gqlPageInfo{w: w} }

type gqlPageInfo struct{ w window }

func (p *gqlPageInfo) HasNextPage() bool     { return p.w.end < p.w.n }
func (p *gqlPageInfo) HasPreviousPage() bool { return p.w.start > 0 }
func (p *gqlPageInfo) StartCursor() *string {
	if p.w.start >= p.w.end {
		return nil
	}
	c := cursorOf(p.w.start)
	return &c
}
func (p *gqlPageInfo) EndCursor() *string {
	if p.w.start >= p.w.end {
		return nil
	}
	c := cursorOf(p.w.end - 1)
	return &c
}

// clusters

type gqlClusterConnection struct {
	window
	q     *gqlQuery
	items []*clusterRecord
}

type gqlClusterEdge struct {
	i    int
	node *gqlCluster
}

func (e *gqlClusterEdge) Cursor() string    { return cursorOf(e.i) }
func (e *gqlClusterEdge) Node() *gqlCluster { return e.node }

func (c *gqlClusterConnection) Edges() *[]*gqlClusterEdge {
	out := []*gqlClusterEdge{}
	for i := c.start; i < c.end; i++ {
		out = append(out, &gqlClusterEdge{i: i, node: &gqlCluster{q: c.q, c: c.items[i]}})
	}
	return &out
}

func (o *gqlOrganization) Clusters(args struct {
	pageArgs
	Order string
}) *gqlClusterConnection {
	items := slices.Clone(o.q.s.org.clusters)
	if args.Order == "NAME" {
		slices.SortStableFunc(items, func(a, b *clusterRecord) int {
			return strings.Compare(strings.ToLower(a.cluster.Name), strings.ToLower(b.cluster.Name))
		})
	} else {
		// The organisation keeps them in creation order: newest first.
		slices.Reverse(items)
	}
	return &gqlClusterConnection{window: pageOfList(len(items), args.pageArgs), q: o.q, items: items}
}

type gqlCluster struct {
	q *gqlQuery
	c *clusterRecord
}

func (c *gqlCluster) ID() graphql.ID       { return graphql.ID(c.c.cluster.GraphQLID) }
func (c *gqlCluster) UUID() graphql.ID     { return graphql.ID(c.c.cluster.ID) }
func (c *gqlCluster) Name() string         { return c.c.cluster.Name }
func (c *gqlCluster) Description() *string { return c.c.cluster.Description }
func (c *gqlCluster) Emoji() *string       { return c.c.cluster.Emoji }
func (c *gqlCluster) Color() *string       { return c.c.cluster.Color }

func (c *gqlCluster) DefaultQueue() *gqlQueue {
	for _, q := range c.c.queues {
		if q.ID == model.Value(c.c.cluster.DefaultQueueID) {
			return &gqlQueue{q: c.q, c: c.c, queue: q}
		}
	}
	return nil
}

type gqlQueueConnection struct {
	window
	q     *gqlQuery
	c     *clusterRecord
	items []*model.Queue
}

type gqlQueueEdge struct {
	i    int
	node *gqlQueue
}

func (e *gqlQueueEdge) Cursor() string  { return cursorOf(e.i) }
func (e *gqlQueueEdge) Node() *gqlQueue { return e.node }

func (c *gqlQueueConnection) Edges() *[]*gqlQueueEdge {
	out := []*gqlQueueEdge{}
	for i := c.start; i < c.end; i++ {
		out = append(out, &gqlQueueEdge{i: i, node: &gqlQueue{q: c.q, c: c.c, queue: c.items[i]}})
	}
	return &out
}

func (c *gqlCluster) Queues(args struct {
	pageArgs
	Order string
}) *gqlQueueConnection {
	items := slices.Clone(c.c.queues)
	if args.Order == "KEY" {
		slices.SortStableFunc(items, func(a, b *model.Queue) int { return strings.Compare(a.Key, b.Key) })
	} else {
		slices.Reverse(items)
	}
	return &gqlQueueConnection{window: pageOfList(len(items), args.pageArgs), q: c.q, c: c.c, items: items}
}

// queues

type gqlQueue struct {
	q     *gqlQuery
	c     *clusterRecord
	queue *model.Queue
}

func (q *gqlQueue) ID() graphql.ID              { return graphql.ID(q.queue.GraphQLID) }
func (q *gqlQueue) UUID() graphql.ID            { return graphql.ID(q.queue.ID) }
func (q *gqlQueue) Key() string                 { return q.queue.Key }
func (q *gqlQueue) Description() *string        { return q.queue.Description }
func (q *gqlQueue) Hosted() bool                { return q.queue.Hosted }
func (q *gqlQueue) Cluster() *gqlCluster        { return &gqlCluster{q: q.q, c: q.c} }
func (q *gqlQueue) DispatchPaused() bool        { return q.queue.DispatchPaused }
func (q *gqlQueue) DispatchPausedAt() *dateTime { return timeOf(q.queue.DispatchPausedAt) }
func (q *gqlQueue) DispatchPausedNote() *string { return q.queue.DispatchPausedNote }
func (q *gqlQueue) DispatchPausedBy() *gqlUser {
	if q.queue.DispatchPausedBy == nil {
		return nil
	}
	return &gqlUser{u: q.queue.DispatchPausedBy}
}

// Metrics are the sandbox's reading of Buildkite's advanced queue metrics
// (whose computation the docs do not give): the queue's connected agents,
// its running and waiting jobs, and how long its waiting jobs have waited
// so far.
func (q *gqlQueue) Metrics() *gqlQueueMetrics {
	m := &gqlQueueMetrics{at: q.q.now}
	for _, a := range q.q.s.sim.agentsByQueue[q.queue.ID] {
		if agentListed(a) {
			m.connected++
		}
	}
	for _, j := range q.q.s.sim.running {
		if model.Value(j.job.ClusterQueueID) == q.queue.ID {
			m.running++
		}
	}
	for _, j := range q.q.s.sim.waiting[q.queue.ID] {
		since := j.job.RunnableAt
		if since == nil {
			since = j.job.ScheduledAt
		}
		if since != nil {
			m.waits = append(m.waits, q.q.now.Sub(since.Time).Seconds())
		}
	}
	m.waiting = len(q.q.s.sim.waiting[q.queue.ID])
	slices.Sort(m.waits)
	return m
}

type gqlQueueMetrics struct {
	at                          time.Time
	connected, running, waiting int
	waits                       []float64 // seconds, shortest first
}

func (m *gqlQueueMetrics) ConnectedAgentsCount() int32 { return int32(m.connected) }
func (m *gqlQueueMetrics) RunningJobsCount() int32     { return int32(m.running) }
func (m *gqlQueueMetrics) WaitingJobsCount() int32     { return int32(m.waiting) }
func (m *gqlQueueMetrics) Timestamp() dateTime         { return dateTime{m.at} }
func (m *gqlQueueMetrics) WaitTimeSec() *gqlWaitTime   { return &gqlWaitTime{waits: m.waits} }

type gqlWaitTime struct{ waits []float64 }

func (w *gqlWaitTime) pct(p float64) float64 {
	if len(w.waits) == 0 {
		return 0
	}
	return w.waits[min(len(w.waits)-1, int(p*float64(len(w.waits))))]
}
func (w *gqlWaitTime) Min() float64 { return w.pct(0) }
func (w *gqlWaitTime) Max() float64 { return w.pct(1) }
func (w *gqlWaitTime) P50() float64 { return w.pct(0.5) }
func (w *gqlWaitTime) P95() float64 { return w.pct(0.95) }

type gqlUser struct{ u *model.User }

func (u *gqlUser) ID() graphql.ID {
	if u.u.GraphQLID != "" {
		return graphql.ID(u.u.GraphQLID)
	}
	return graphql.ID(graphQLID("User", u.u.ID))
}
func (u *gqlUser) UUID() string { return u.u.ID }
func (u *gqlUser) Name() string { return u.u.Name }

// queueOf finds a queue (and its cluster) by id.
func (q *gqlQuery) queueOf(id string) (*clusterRecord, *model.Queue) {
	for _, c := range q.s.org.clusters {
		if qu := q.s.org.queue(c, id); qu != nil {
			return c, qu
		}
	}
	return nil, nil
}

// queueIDs turns clusterQueue: ids (GraphQL ids or UUIDs) into queue UUIDs;
// an id of no queue matches nothing.
func (q *gqlQuery) queueIDs(ids []graphql.ID) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[string(id)] = true // a UUID, or no queue's id
		for _, c := range q.s.org.clusters {
			for _, qu := range c.queues {
				if string(id) == qu.GraphQLID {
					out[qu.ID] = true
				}
			}
		}
	}
	return out
}

// clusterID turns a cluster: id (GraphQL id or UUID) into its UUID.
func (q *gqlQuery) clusterID(id graphql.ID) string {
	for _, c := range q.s.org.clusters {
		if matchesID(id, c.cluster.GraphQLID, c.cluster.ID) {
			return c.cluster.ID
		}
	}
	return string(id)
}

// agents

type gqlAgentConnection struct {
	window
	q     *gqlQuery
	items []*agentRecord
}

type gqlAgentEdge struct {
	i    int
	node *gqlAgent
}

func (e *gqlAgentEdge) Cursor() string  { return cursorOf(e.i) }
func (e *gqlAgentEdge) Node() *gqlAgent { return e.node }

func (c *gqlAgentConnection) Edges() *[]*gqlAgentEdge {
	out := []*gqlAgentEdge{}
	for i := c.start; i < c.end; i++ {
		out = append(out, &gqlAgentEdge{i: i, node: &gqlAgent{q: c.q, a: c.items[i]}})
	}
	return &out
}

// Agents lists the organisation's connected agents, as the REST list does,
// newest first.
func (o *gqlOrganization) Agents(args struct {
	pageArgs
	Cluster      *graphql.ID
	ClusterQueue *[]graphql.ID
	IsRunningJob *bool
	Paused       *bool
	Search       *string
}) *gqlAgentConnection {
	m := o.q.s.sim
	candidates := m.agents
	var queues map[string]bool
	if args.ClusterQueue != nil {
		queues = o.q.queueIDs(*args.ClusterQueue)
		candidates = nil
		for id := range queues {
			candidates = append(candidates, m.agentsByQueue[id]...)
		}
		// agentsByQueue is per queue; the list is in registration order.
		slices.SortStableFunc(candidates, func(a, b *agentRecord) int {
			return slices.Index(m.agents, a) - slices.Index(m.agents, b)
		})
	}
	cluster := ""
	if args.Cluster != nil {
		cluster = o.q.clusterID(*args.Cluster)
	}
	var items []*agentRecord
	for _, a := range candidates {
		switch {
		case !agentListed(a),
			cluster != "" && a.clusterID != cluster,
			args.IsRunningJob != nil && (a.job != nil) != *args.IsRunningJob,
			args.Paused != nil && a.agent.Paused != *args.Paused,
			args.Search != nil && !strings.Contains(a.agent.Name, *args.Search) && !strings.Contains(a.agent.Hostname, *args.Search):
			continue
		}
		items = append(items, a)
	}
	slices.Reverse(items)
	return &gqlAgentConnection{window: pageOfList(len(items), args.pageArgs), q: o.q, items: items}
}

type gqlAgent struct {
	q *gqlQuery
	a *agentRecord
}

func (a *gqlAgent) ID() graphql.ID          { return graphql.ID(a.a.agent.GraphQLID) }
func (a *gqlAgent) UUID() string            { return a.a.agent.ID }
func (a *gqlAgent) Name() string            { return a.a.agent.Name }
func (a *gqlAgent) Hostname() *string       { return &a.a.agent.Hostname }
func (a *gqlAgent) Version() *string        { return &a.a.agent.Version }
func (a *gqlAgent) ConnectionState() string { return a.a.agent.ConnectionState }
func (a *gqlAgent) IsRunningJob() bool      { return a.a.job != nil }
func (a *gqlAgent) Paused() bool            { return a.a.agent.Paused }
func (a *gqlAgent) PausedAt() *dateTime     { return timeOf(a.a.agent.PausedAt) }
func (a *gqlAgent) PausedNote() *string     { return a.a.agent.PausedNote }
func (a *gqlAgent) ClusterQueue() *gqlQueue {
	c, qu := a.q.queueOf(a.a.queueID)
	if qu == nil {
		return nil
	}
	return &gqlQueue{q: a.q, c: c, queue: qu}
}

// jobs

// jobStateEnum is a job's REST state as the schema's JobStates names it:
// the finished ones (passed, failed) are FINISHED.
func jobStateEnum(state string) string {
	switch state {
	case model.JobPassed, model.JobFailed:
		return "FINISHED"
	}
	return strings.ToUpper(state)
}

// jobTypeEnum is a job's REST type as the schema's JobTypes names it.
func jobTypeEnum(kind string) string {
	switch kind {
	case model.JobScript:
		return "COMMAND"
	case model.JobManual:
		return "BLOCK"
	case "waiter":
		return "WAIT"
	}
	return strings.ToUpper(kind)
}

type gqlJobConnection struct {
	window
	q     *gqlQuery
	items []*jobRecord
}

type gqlJobEdge struct {
	i    int
	node *gqlJob
}

func (e *gqlJobEdge) Cursor() string { return cursorOf(e.i) }
func (e *gqlJobEdge) Node() *gqlJob  { return e.node }

func (c *gqlJobConnection) Edges() *[]*gqlJobEdge {
	out := []*gqlJobEdge{}
	for i := c.start; i < c.end; i++ {
		out = append(out, &gqlJobEdge{i: i, node: &gqlJob{q: c.q, j: c.items[i]}})
	}
	return &out
}

// Jobs lists the jobs of the organisation's builds, newest first
// (RECENTLY_CREATED) or most recently started first (RECENTLY_ASSIGNED).
func (o *gqlOrganization) Jobs(args struct {
	pageArgs
	Cluster      *graphql.ID
	ClusterQueue *[]graphql.ID
	Order        string
	State        *[]string
	Type         *[]string
}) *gqlJobConnection {
	o.q.indexJobs()
	candidates := o.q.jobs
	if args.ClusterQueue != nil {
		candidates = nil
		for id := range o.q.queueIDs(*args.ClusterQueue) {
			candidates = append(candidates, o.q.jobsByQueue[id]...)
		}
		if len(*args.ClusterQueue) > 1 {
			slices.SortStableFunc(candidates, func(a, b *jobRecord) int {
				return b.job.CreatedAt.Compare(a.job.CreatedAt.Time)
			})
		}
	}
	cluster := ""
	if args.Cluster != nil {
		cluster = o.q.clusterID(*args.Cluster)
	}
	var items []*jobRecord
	for _, j := range candidates {
		switch {
		case cluster != "" && model.Value(j.job.ClusterID) != cluster,
			args.State != nil && !slices.Contains(*args.State, jobStateEnum(j.job.State)),
			args.Type != nil && !slices.Contains(*args.Type, jobTypeEnum(j.job.Type)):
			continue
		}
		items = append(items, j)
	}
	if args.Order == "RECENTLY_ASSIGNED" {
		slices.SortStableFunc(items, func(a, b *jobRecord) int {
			switch {
			case a.job.StartedAt == nil && b.job.StartedAt == nil:
				return 0
			case a.job.StartedAt == nil:
				return 1
			case b.job.StartedAt == nil:
				return -1
			}
			return b.job.StartedAt.Compare(a.job.StartedAt.Time)
		})
	}
	return &gqlJobConnection{window: pageOfList(len(items), args.pageArgs), q: o.q, items: items}
}

// gqlJob is the Job union: a command job or a block step.
type gqlJob struct {
	q *gqlQuery
	j *jobRecord
}

func (j *gqlJob) ToJobTypeCommand() (*gqlCommandJob, bool) {
	if j.j.job.Type != model.JobScript {
		return nil, false
	}
	return &gqlCommandJob{q: j.q, j: j.j}, true
}

func (j *gqlJob) ToJobTypeBlock() (*gqlBlockJob, bool) {
	if j.j.job.Type != model.JobManual {
		return nil, false
	}
	return &gqlBlockJob{j: j.j}, true
}

type gqlCommandJob struct {
	q *gqlQuery
	j *jobRecord
}

func (j *gqlCommandJob) ID() graphql.ID         { return graphql.ID(j.j.job.GraphQLID) }
func (j *gqlCommandJob) UUID() string           { return j.j.job.ID }
func (j *gqlCommandJob) Label() *string         { return j.j.job.Label }
func (j *gqlCommandJob) State() string          { return jobStateEnum(j.j.job.State) }
func (j *gqlCommandJob) CreatedAt() *dateTime   { return timeOf(j.j.job.CreatedAt) }
func (j *gqlCommandJob) ScheduledAt() *dateTime { return timeOf(j.j.job.ScheduledAt) }
func (j *gqlCommandJob) RunnableAt() *dateTime  { return timeOf(j.j.job.RunnableAt) }
func (j *gqlCommandJob) StartedAt() *dateTime   { return timeOf(j.j.job.StartedAt) }
func (j *gqlCommandJob) ClusterQueue() *gqlQueue {
	c, qu := j.q.queueOf(model.Value(j.j.job.ClusterQueueID))
	if qu == nil {
		return nil
	}
	return &gqlQueue{q: j.q, c: c, queue: qu}
}

type gqlBlockJob struct{ j *jobRecord }

func (j *gqlBlockJob) ID() graphql.ID { return graphql.ID(j.j.job.GraphQLID) }
func (j *gqlBlockJob) UUID() string   { return j.j.job.ID }
func (j *gqlBlockJob) Label() *string { return j.j.job.Label }
func (j *gqlBlockJob) State() string  { return jobStateEnum(j.j.job.State) }
