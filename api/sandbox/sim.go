package sandbox

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kiteconsole/kiteconsole/model"
)

// simulation is the sandbox's live part: the organisation's agents, and
// the builds and jobs they run. It moves in fixed steps of simStep on the
// sandbox's clock (Options.Now), lazily: each request first brings it up
// to now. Its randomness is its own seeded stream, drawn in step order, so
// the same seed and the same clock give the same organisation however the
// requests fall; and adding it left the ids and data of the seeded
// clusters and pipelines as they were.
type simulation struct {
	rng *rand.Rand
	ids *rand.ChaCha8

	agents        []*agentRecord // in registration order, as the API lists them
	agentByID     map[string]*agentRecord
	agentsByQueue map[string][]*agentRecord
	// agentSerial numbers agents' names and hostnames.
	agentSerial int
	// hostedCap is how many agents a hosted queue scales up to.
	hostedCap map[string]int

	// last is the time of the last step taken.
	last time.Time
	// buildsPerStep is how many builds arrive per step, on average.
	buildsPerStep float64

	builds     []*buildRecord // oldest first
	byPipeline map[string][]*buildRecord
	nextNumber map[string]int
	jobByID    map[string]*jobRecord
	// waiting holds each queue's scheduled jobs, oldest first.
	waiting map[string][]*jobRecord
	// running holds the jobs agents are running, in the order they started.
	running []*jobRecord
	steps   int
	// counted are the pipelines whose build and job counts the
	// simulation last set (countWork).
	counted []*model.Pipeline
}

// The simulation's pace.
const (
	simStep = 10 * time.Second
	// simWarmup is how much of the past a new sandbox simulates, so it
	// opens with builds under way and jobs waiting.
	simWarmup = 30 * time.Minute
	// simMaxCatchUp bounds the steps one request may take: after a longer
	// gap (a laptop asleep, a test's clock moved by days) the simulation
	// skips to this far before now and carries on from there.
	simMaxCatchUp = 6 * time.Hour
	// keepBuilds is how many builds of a pipeline are kept; older finished
	// ones are forgotten, so a long-running sandbox stays small.
	keepBuilds = 40
)

// agentRecord is one agent and where it is registered.
type agentRecord struct {
	agent     model.Agent // without its URLs and job, which are derived
	clusterID string
	queueID   string
	hosted    bool
	// pausedUntil is when a pause with a timeout ends (zero: none).
	pausedUntil time.Time
	// job is the job the agent is running, or nil.
	job *jobRecord
}

// buildRecord is one build and its jobs.
type buildRecord struct {
	build    model.Build // without URLs, jobs, counts and pipeline, which are derived
	pipeline *model.Pipeline
	jobs     []*jobRecord
	// stage is the stage of jobs under way; jobs of later stages wait.
	stage int
}

// jobRecord is one job of a simulated build.
type jobRecord struct {
	job   model.Job // without its URLs and agent, which are derived
	build *buildRecord
	stage int
	agent *agentRecord
	// finishAt is when a running job ends; fail says how.
	finishAt time.Time
	fail     bool
	// runFor is how long the job runs once an agent takes it.
	runFor time.Duration
	// logDeleted is set by "Delete a job's log output": the log is empty
	// from then on.
	logDeleted bool
}

func newSimulation(seed uint64) *simulation {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "kiteconsole-simulation-seed")
	return &simulation{
		rng:           rand.New(rand.NewPCG(seed, 0x73696d75)),
		ids:           rand.NewChaCha8(key),
		agentByID:     map[string]*agentRecord{},
		agentsByQueue: map[string][]*agentRecord{},
		hostedCap:     map[string]int{},
		byPipeline:    map[string][]*buildRecord{},
		nextNumber:    map[string]int{},
		jobByID:       map[string]*jobRecord{},
		waiting:       map[string][]*jobRecord{},
	}
}

// newID is newID of the simulation's own stream.
func (m *simulation) newID() string {
	id, err := uuid.NewRandomFromReader(m.ids)
	if err != nil { // ChaCha8 never fails to read
		panic(err)
	}
	return id.String()
}

// agentVersions are the agent versions seeded agents run, newest last; a
// few old ones make the version filter worth having.
var agentVersions = []string{"3.87.1", "3.91.0", "3.95.1", "3.97.0", "3.97.0", "3.97.0"}

// seedAgents registers agents on every queue of the organisation: most
// queues get a handful, some none, and a large organisation's queues
// together have thousands.
func (s *Server) seedAgents(now time.Time) {
	m := s.sim
	for _, c := range s.org.clusters {
		for _, q := range c.queues {
			n := 0
			switch roll := m.rng.IntN(4); {
			case roll == 0: // a queue nobody has started agents on
			case q.Hosted:
				n = 2 + m.rng.IntN(5)
			default:
				n = 1 + m.rng.IntN(8)
			}
			if q.Hosted {
				m.hostedCap[q.ID] = max(n, 2)
			}
			for i := 0; i < n; i++ {
				connected := now.Add(-time.Duration(5+m.rng.IntN(60*24*3)) * time.Minute).Truncate(time.Second)
				s.registerAgent(c, q, connected)
			}
		}
	}
	// One agent of the demo organisation is paused, with a note and a
	// timeout, so that a paused agent is there to be seen and resumed.
	if len(m.agents) > 3 {
		a := m.agents[3]
		a.agent.Paused = true
		a.agent.PausedAt = model.NewTimestamp(now.Add(-40 * time.Minute).Truncate(time.Second))
		a.agent.PausedBy = s.org.users[2%len(s.org.users)]
		a.agent.PausedNote = model.Ptr("Disk nearly full; cleaning up the Docker cache")
		a.agent.PausedTimeoutInMinutes = model.Ptr(120)
		a.pausedUntil = a.agent.PausedAt.Add(120 * time.Minute)
	}
	// Builds arrive at about the pace that keeps half the agents busy,
	// bounded so a large organisation's sandbox starts quickly.
	m.buildsPerStep = min(float64(len(m.agents))/60, 3)
	m.last = now.Add(-simWarmup).Truncate(simStep)
	if s.opts.Quiet {
		m.buildsPerStep, m.last = 0, now
	} else {
		// A live organisation's pipelines count the simulation's builds,
		// not the seed's made-up numbers.
		m.counted = s.org.pipelines
	}
	s.advance(now)
}

// registerAgent connects a new agent to queue q of cluster c at connected.
func (s *Server) registerAgent(c *clusterRecord, q *model.Queue, connected time.Time) *agentRecord {
	m := s.sim
	m.agentSerial++
	id := m.newID()
	osID, arch := "linux", "amd64"
	if q.HostedAgents != nil {
		if strings.HasPrefix(q.HostedAgents.InstanceShape.Name, "MACOS") {
			osID = "darwin"
		}
		arch = strings.ToLower(q.HostedAgents.InstanceShape.Architecture)
	} else if strings.Contains(q.Key, "arm") || m.rng.IntN(6) == 0 {
		arch = "arm64"
	}
	version := agentVersions[m.rng.IntN(len(agentVersions))]
	var name, hostname string
	switch {
	case q.Hosted:
		short := strings.ReplaceAll(id, "-", "")[:12]
		name = "hosted-" + short
		hostname = "hosted-" + short
	default:
		host := fmt.Sprintf("ip-10-%d-%d-%d", m.rng.IntN(256), m.rng.IntN(256), 1+m.rng.IntN(254))
		name = fmt.Sprintf("%s-%s-%d", q.Key, host[3:], 1+m.rng.IntN(4))
		hostname = host
	}
	a := &agentRecord{clusterID: c.cluster.ID, queueID: q.ID, hosted: q.Hosted, agent: model.Agent{
		ID: id, GraphQLID: graphQLID("Agent", id), Name: name, ConnectionState: model.AgentConnected,
		Hostname:  hostname,
		IPAddress: fmt.Sprintf("203.0.113.%d", 1+m.rng.IntN(254)),
		UserAgent: fmt.Sprintf("buildkite-agent/%s.%d (%s; %s)", version, 10000+m.rng.IntN(9000), osID, arch),
		Version:   version, OSID: osID, Arch: arch, Queue: q.Key,
		Creator:     s.org.operator,
		CreatedAt:   model.NewTimestamp(connected),
		ConnectedAt: model.NewTimestamp(connected),
		MetaData:    []string{"queue=" + q.Key},
	}}
	if !q.Hosted && m.rng.IntN(3) == 0 {
		a.agent.MetaData = append(a.agent.MetaData, "docker=true")
	}
	m.agents = append(m.agents, a)
	m.agentByID[id] = a
	m.agentsByQueue[q.ID] = append(m.agentsByQueue[q.ID], a)
	return a
}

// Agents returns a copy of every agent the sandbox knows, in any
// connection state and with paths for URLs, brought up to the sandbox's now: for
// tests to check what an action did.
func (s *Server) Agents() []model.Agent {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.opts.Now())
	out := make([]model.Agent, 0, len(s.sim.agents))
	for _, a := range s.sim.agents {
		out = append(out, s.agentView(urls{org: s.org.slug}, a))
	}
	return out
}

// QueueJobs counts a queue's jobs waiting for an agent and running on
// one, brought up to the sandbox's now: for tests to check what the
// console shows.
func (s *Server) QueueJobs(queueID string) (waiting, running int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.opts.Now())
	for _, j := range s.sim.running {
		if model.Value(j.job.ClusterQueueID) == queueID {
			running++
		}
	}
	return len(s.sim.waiting[queueID]), running
}
