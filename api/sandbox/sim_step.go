package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// advance brings the simulation up to now, one step at a time. Callers
// hold s.mu.
func (s *Server) advance(now time.Time) {
	m := s.sim
	if now.Sub(m.last) > simMaxCatchUp {
		m.last = now.Add(-simMaxCatchUp).Truncate(simStep)
	}
	for next := m.last.Add(simStep); !next.After(now); next = m.last.Add(simStep) {
		m.last = next
		s.step(next)
	}
	if !s.opts.Quiet {
		s.countWork()
	}
}

// countWork sets each pipeline's counts of scheduled and running builds
// and of scheduled, running and waiting jobs from the simulation, so the
// pipelines list agrees with the builds.
func (s *Server) countWork() {
	m := s.sim
	for _, p := range m.counted {
		p.ScheduledBuildsCount, p.RunningBuildsCount = 0, 0
		p.ScheduledJobsCount, p.RunningJobsCount, p.WaitingJobsCount = 0, 0, 0
	}
	m.counted = m.counted[:0:0]
	for _, b := range m.builds {
		if b.build.State != model.BuildScheduled && b.build.State != model.BuildRunning && b.build.State != model.BuildFailing {
			continue
		}
		p := b.pipeline
		if p.ScheduledBuildsCount+p.RunningBuildsCount == 0 {
			m.counted = append(m.counted, p)
		}
		if b.build.State == model.BuildScheduled {
			p.ScheduledBuildsCount++
		} else {
			p.RunningBuildsCount++
		}
		for _, j := range b.jobs {
			switch {
			case j.job.Retried:
			case j.job.State == model.JobScheduled:
				p.ScheduledJobsCount++
			case model.JobOnAgent(j.job.State):
				p.RunningJobsCount++
			case j.job.State == model.JobWaiting:
				p.WaitingJobsCount++
			}
		}
	}
}

// step is one step of the simulation at time t: pauses run out, running
// jobs finish, builds arrive, hosted queues start agents for their waiting
// jobs, and idle agents take the jobs waiting on their queues.
func (s *Server) step(t time.Time) {
	m := s.sim
	m.steps++
	for _, a := range m.agents {
		if a.agent.Paused && !a.pausedUntil.IsZero() && !t.Before(a.pausedUntil) {
			resume(a)
		}
	}
	still := m.running[:0]
	var done []*jobRecord
	for _, j := range m.running {
		if t.Before(j.finishAt) {
			still = append(still, j)
		} else {
			done = append(done, j)
		}
	}
	m.running = still
	for _, j := range done {
		s.finishJob(j, t)
	}
	arrivals := int(m.buildsPerStep)
	if m.rng.Float64() < m.buildsPerStep-float64(arrivals) {
		arrivals++
	}
	for i := 0; i < arrivals; i++ {
		if p := s.pickPipeline(); p != nil {
			s.newBuild(p, t, buildSpec{source: "webhook", creator: s.someoneSim()})
		}
	}
	s.scaleHosted(t)
	s.dispatch(t)
	if m.steps%360 == 0 { // hourly
		s.forgetOldBuilds()
		s.forgetGoneAgents(t)
	}
}

func (s *Server) someoneSim() *model.User {
	return s.org.users[s.sim.rng.IntN(len(s.org.users))]
}

// pickPipeline picks a pipeline for a build to arrive on: one that is not
// archived and belongs to a cluster with queues. It gives up after a few
// tries (an organisation without such pipelines gets no builds).
func (s *Server) pickPipeline() *model.Pipeline {
	m := s.sim
	if len(s.org.pipelines) == 0 {
		return nil
	}
	for try := 0; try < 5; try++ {
		p := s.org.pipelines[m.rng.IntN(len(s.org.pipelines))]
		if p.Archived() || p.ClusterID == nil {
			continue
		}
		if c := s.org.clusterByID[*p.ClusterID]; c != nil && len(c.queues) > 0 {
			return p
		}
	}
	return nil
}

// buildSpec is what a new build is made from: a webhook's push, or the
// body of "Create a build".
type buildSpec struct {
	source, branch, commit, message string
	env                             map[string]any
	metaData                        map[string]string
	creator                         *model.User
	rebuiltFrom                     *buildRecord
}

var (
	simBranches = []string{"main", "main", "main", "feature/faster-checkout", "fix/flaky-login", "renovate/go-1.x", "release/2026.06"}
	simMessages = []string{"Bump dependencies", "Fix the flaky login test", "Add retries to the payment client",
		"Speed up the Docker build", "Merge pull request #%d from acme-inc/feature", "Update the changelog",
		"Refactor the queue worker\n\nSplits the worker in two so each part can be tested.", "Revert \"Add caching\""}
	simSteps = []struct{ label, command string }{
		{":go: Unit tests", "go test ./..."}, {":eslint: Lint", "npm run lint"}, {":docker: Build image", "docker build ."},
		{":rspec: RSpec", "bundle exec rspec"}, {":jest: Jest", "npm test"}, {":hammer: Build", "make build"},
		{":mag: Integration tests", "make integration"}, {":terraform: Plan", "terraform plan"},
	}
)

// newBuild makes a build of p at t: a pipeline upload, then one to four
// command jobs on queues of the pipeline's cluster, and for a deploy or
// release pipeline a block step and a deploy job after them.
func (s *Server) newBuild(p *model.Pipeline, t time.Time, spec buildSpec) *buildRecord {
	m := s.sim
	c := s.org.clusterByID[model.Value(p.ClusterID)]
	if spec.source == "webhook" {
		// A push: the branch, commit and message are made up.
		spec.branch = simBranches[m.rng.IntN(len(simBranches))]
		spec.commit = fmt.Sprintf("%016x%016x%08x", m.rng.Uint64(), m.rng.Uint64(), m.rng.Uint32())
		spec.message = simMessages[m.rng.IntN(len(simMessages))]
		if strings.Contains(spec.message, "%d") {
			spec.message = fmt.Sprintf(spec.message, 100+m.rng.IntN(900))
		}
	}
	if spec.env == nil {
		spec.env = map[string]any{}
	}
	if spec.metaData == nil {
		spec.metaData = map[string]string{}
	}
	m.nextNumber[p.ID]++
	id := m.newID()
	at := model.NewTimestamp(t)
	b := &buildRecord{pipeline: p, build: model.Build{
		ID: id, GraphQLID: graphQLID("Build", id), Number: m.nextNumber[p.ID], State: model.BuildScheduled,
		Message: spec.message, Commit: spec.commit, Branch: spec.branch, Env: spec.env, Source: spec.source,
		Creator: spec.creator, CreatedAt: at, ScheduledAt: at, MetaData: spec.metaData,
	}}
	if r := spec.rebuiltFrom; r != nil {
		b.build.RebuiltFrom = &model.BuildRef{ID: r.build.ID, Number: r.build.Number}
	}
	var queues []*model.Queue
	if c != nil {
		queues = c.queues
	}
	defaultQueue := func() *model.Queue {
		for _, q := range queues {
			if q.ID == model.Value(c.cluster.DefaultQueueID) {
				return q
			}
		}
		if len(queues) > 0 {
			return queues[0]
		}
		return nil
	}
	// Most steps go where agents are; now and then one lands on a queue
	// without any, and waits there as it would.
	pickQueue := func() *model.Queue {
		if len(queues) == 0 {
			return nil
		}
		q := queues[m.rng.IntN(len(queues))]
		if len(m.agentsByQueue[q.ID]) == 0 && m.rng.IntN(5) != 0 {
			q = queues[m.rng.IntN(len(queues))]
		}
		return q
	}
	s.addJob(b, 0, model.JobScript, ":pipeline: Upload", "buildkite-agent pipeline upload", defaultQueue(), t, 5*time.Second+time.Duration(m.rng.IntN(10))*time.Second)
	for i, n := 0, 1+m.rng.IntN(4); i < n; i++ {
		st := simSteps[m.rng.IntN(len(simSteps))]
		s.addJob(b, 1, model.JobScript, st.label, st.command, pickQueue(), t, time.Duration(30+m.rng.IntN(270))*time.Second)
	}
	if deploysOrReleases(p.Name) {
		s.addJob(b, 2, model.JobManual, ":shipit: Release?", "", nil, t, 0)
		deployQueue := defaultQueue()
		for _, q := range queues {
			if q.Key == "deploy" {
				deployQueue = q
			}
		}
		s.addJob(b, 3, model.JobScript, ":rocket: Deploy", "scripts/deploy.sh", deployQueue, t, time.Duration(60+m.rng.IntN(120))*time.Second)
	}
	m.builds = append(m.builds, b)
	m.byPipeline[p.ID] = append(m.byPipeline[p.ID], b)
	s.startStage(b, 0, t)
	return b
}

// addJob adds a job of the given stage to b, waiting for its stage.
func (s *Server) addJob(b *buildRecord, stage int, kind, label, command string, q *model.Queue, t time.Time, runFor time.Duration) *jobRecord {
	m := s.sim
	id := m.newID()
	j := &jobRecord{build: b, stage: stage, runFor: runFor, job: model.Job{
		ID: id, GraphQLID: graphQLID("Job", id), Type: kind, Name: model.Ptr(label), Label: model.Ptr(label),
		StepKey: model.Ptr(stepKey(label)), State: model.JobWaiting, CreatedAt: model.NewTimestamp(t),
		Step: &model.JobStep{ID: m.newID()}, Priority: &model.JobPriority{},
	}}
	if kind == model.JobScript {
		j.job.Command = model.Ptr(command)
		j.job.AgentQueryRules = []string{}
		if q != nil {
			j.job.AgentQueryRules = []string{"queue=" + q.Key}
			j.job.ClusterQueueID = model.Ptr(q.ID)
		}
		j.job.ClusterID = b.pipeline.ClusterID
	}
	// A block step's job carries no fields, as on Buildkite: they are in
	// the pipeline's YAML (deployConfiguration).
	b.jobs = append(b.jobs, j)
	m.jobByID[id] = j
	return j
}

// stepKey makes a step key from a label: ":go: Unit tests" → "unit-tests".
func stepKey(label string) string {
	if i := strings.LastIndex(label, ": "); i >= 0 {
		label = label[i+2:]
	}
	return strings.ToLower(strings.ReplaceAll(strings.TrimRight(label, "?"), " ", "-"))
}

// startStage starts the jobs of b's given stage: command jobs are
// scheduled on their queues, a block step blocks the build. A build with
// no stage left is finished.
func (s *Server) startStage(b *buildRecord, stage int, t time.Time) {
	m := s.sim
	b.stage = stage
	at := model.NewTimestamp(t)
	started := false
	for _, j := range b.jobs {
		if j.stage != stage {
			continue
		}
		started = true
		switch j.job.Type {
		case model.JobManual:
			j.job.State = model.JobBlocked
			j.job.Unblockable = model.Ptr(true)
			// A blocked build keeps its last state, with blocked set
			// (builds.md, "Get a build").
			b.build.Blocked = true
			if b.build.State == model.BuildScheduled || b.build.State == model.BuildRunning {
				b.build.State = model.BuildPassed
			}
			b.build.FinishedAt = at
		default:
			j.job.State = model.JobScheduled
			j.job.ScheduledAt = model.NewTimestamp(b.build.CreatedAt.Time)
			j.job.RunnableAt = at
			q := model.Value(j.job.ClusterQueueID)
			m.waiting[q] = append(m.waiting[q], j)
		}
	}
	if !started {
		s.finishBuild(b, t)
	}
}

// finishBuild marks b passed or failed by its jobs.
func (s *Server) finishBuild(b *buildRecord, t time.Time) {
	b.build.State = model.BuildPassed
	for _, j := range b.jobs {
		if j.job.State == model.JobFailed && !j.job.Retried {
			b.build.State = model.BuildFailed
		}
	}
	b.build.FinishedAt = model.NewTimestamp(t)
}

// finishJob ends a running job at t, frees its agent, and moves its build
// on when the job's stage is done.
func (s *Server) finishJob(j *jobRecord, t time.Time) {
	m := s.sim
	b := j.build
	j.job.FinishedAt = model.NewTimestamp(t)
	if j.fail {
		j.job.State = model.JobFailed
		j.job.ExitStatus = model.Ptr(1 + m.rng.IntN(2))
		if b.build.FailingAt == nil {
			b.build.FailingAt = model.NewTimestamp(t)
		}
		// As on Buildkite: a build with a hard failure is failing while
		// its other jobs still run or wait, and failed once they are done
		// (stageDone).
		if b.build.State == model.BuildRunning || b.build.State == model.BuildScheduled {
			b.build.State = model.BuildFailing
		}
	} else {
		j.job.State = model.JobPassed
		j.job.ExitStatus = model.Ptr(0)
	}
	if a := j.agent; a != nil {
		a.job = nil
		a.agent.LastJobFinishedAt = model.NewTimestamp(t)
		switch {
		case a.agent.ConnectionState == model.AgentStopping:
			a.agent.ConnectionState = model.AgentStopped
			a.agent.StoppedAt = model.NewTimestamp(t)
			a.agent.DisconnectedAt = model.NewTimestamp(t)
		case a.hosted && m.rng.IntN(3) == 0:
			// Hosted agents are ephemeral: many go away after a job.
			a.agent.ConnectionState = model.AgentDisconnected
			a.agent.DisconnectedAt = model.NewTimestamp(t)
		}
	}
	s.stageDone(b, t)
}

// stageDone moves b to its next stage once every job of the current one
// is over; after a failure the rest of the build does not run.
func (s *Server) stageDone(b *buildRecord, t time.Time) {
	if b.build.State == model.BuildCanceled || b.build.State == model.BuildCanceling {
		return
	}
	failed := false
	for _, j := range b.jobs {
		if j.stage == b.stage && !model.JobFinished(j.job.State) {
			return
		}
		if j.stage <= b.stage && j.job.State == model.JobFailed && !j.job.Retried {
			failed = true
		}
	}
	if failed {
		for _, j := range b.jobs {
			if j.stage > b.stage {
				j.job.State = "waiting_failed"
			}
		}
		b.build.State = model.BuildFailed
		b.build.FinishedAt = model.NewTimestamp(t)
		return
	}
	s.startStage(b, b.stage+1, t)
}

// scaleHosted starts agents on hosted queues that have jobs waiting, up to
// each queue's size: hosted agents come when there is work and go after it.
func (s *Server) scaleHosted(t time.Time) {
	m := s.sim
	for _, c := range s.org.clusters {
		for _, q := range c.queues {
			if !q.Hosted || q.DispatchPaused || len(m.waiting[q.ID]) == 0 {
				continue
			}
			connected := 0
			for _, a := range m.agentsByQueue[q.ID] {
				if agentListed(a) {
					connected++
				}
			}
			for want := min(m.hostedCap[q.ID], connected+len(m.waiting[q.ID])); connected < want; connected++ {
				s.registerAgent(c, q, t)
			}
		}
	}
}

// dispatch gives each queue's waiting jobs, oldest first, to its idle
// agents, unless the queue's dispatch or the agent is paused.
func (s *Server) dispatch(t time.Time) {
	m := s.sim
	for _, c := range s.org.clusters {
		for _, q := range c.queues {
			waiting := m.waiting[q.ID]
			if len(waiting) == 0 || q.DispatchPaused {
				continue
			}
			for _, a := range m.agentsByQueue[q.ID] {
				if len(waiting) == 0 {
					break
				}
				if a.agent.ConnectionState != model.AgentConnected || a.agent.Paused || a.job != nil {
					continue
				}
				j := waiting[0]
				waiting = waiting[1:]
				s.startJob(j, a, t)
			}
			if len(waiting) == 0 {
				delete(m.waiting, q.ID)
			} else {
				m.waiting[q.ID] = waiting
			}
		}
	}
}

// startJob runs j on agent a from t.
func (s *Server) startJob(j *jobRecord, a *agentRecord, t time.Time) {
	m := s.sim
	j.agent = a
	a.job = j
	j.job.State = model.JobRunning
	j.job.StartedAt = model.NewTimestamp(t)
	j.finishAt = t.Add(j.runFor)
	j.fail = m.rng.IntN(8) == 0
	m.running = append(m.running, j)
	b := j.build
	if b.build.StartedAt == nil {
		b.build.StartedAt = model.NewTimestamp(t)
	}
	if b.build.State == model.BuildScheduled {
		b.build.State = model.BuildRunning
	}
}

// unqueue takes j off its queue's waiting list.
func (s *Server) unqueue(j *jobRecord) {
	q := model.Value(j.job.ClusterQueueID)
	s.sim.waiting[q] = slices.DeleteFunc(s.sim.waiting[q], func(x *jobRecord) bool { return x == j })
	if len(s.sim.waiting[q]) == 0 {
		delete(s.sim.waiting, q)
	}
}

// cancelJob cancels an unfinished job at t: off its queue or its agent.
func (s *Server) cancelJob(j *jobRecord, t time.Time) {
	if model.JobFinished(j.job.State) {
		return
	}
	if j.job.State == model.JobScheduled {
		s.unqueue(j)
	}
	if a := j.agent; a != nil && a.job == j {
		a.job = nil
		a.agent.LastJobFinishedAt = model.NewTimestamp(t)
		s.sim.running = slices.DeleteFunc(s.sim.running, func(x *jobRecord) bool { return x == j })
		if a.agent.ConnectionState == model.AgentStopping {
			a.agent.ConnectionState = model.AgentStopped
			a.agent.StoppedAt = model.NewTimestamp(t)
			a.agent.DisconnectedAt = model.NewTimestamp(t)
		}
	}
	j.job.State = model.JobCanceled
	j.job.FinishedAt = model.NewTimestamp(t)
	if j.job.Type == model.JobScript && j.job.StartedAt != nil {
		j.job.Signal = model.Ptr("SIGTERM")
		j.job.SignalReason = model.Ptr("cancel")
	}
}

// cancelBuild cancels every unfinished job of b, and b with them.
func (s *Server) cancelBuild(b *buildRecord, t time.Time, reason string) {
	for _, j := range b.jobs {
		switch {
		case j.job.State == model.JobWaiting || j.job.State == model.JobBlocked:
			j.job.State = model.JobCanceled
		default:
			s.cancelJob(j, t)
		}
	}
	b.build.State = model.BuildCanceled
	b.build.Blocked = false
	b.build.FinishedAt = model.NewTimestamp(t)
	if reason != "" {
		b.build.CancelReason = model.Ptr(reason)
	}
}

// agentBusy reports whether an agent is running a job.
func (s *Server) agentBusy(a *agentRecord) bool { return a.job != nil }

// cancelAgentJob cancels the job an agent is running, and its build (a
// forced stop).
func (s *Server) cancelAgentJob(a *agentRecord, now time.Time) {
	if j := a.job; j != nil {
		s.cancelBuild(j.build, now, "The agent running a job of this build was stopped")
	}
	a.job = nil
}

// forgetOldBuilds keeps the newest keepBuilds builds of each pipeline,
// and every unfinished one.
func (s *Server) forgetOldBuilds() {
	m := s.sim
	drop := map[*buildRecord]bool{}
	for pid, builds := range m.byPipeline {
		if len(builds) <= keepBuilds {
			continue
		}
		kept := builds[:0]
		for i, b := range builds {
			if i < len(builds)-keepBuilds && model.BuildFinishedState(b.build.State) && !b.build.Blocked {
				drop[b] = true
				for _, j := range b.jobs {
					delete(m.jobByID, j.job.ID)
				}
				continue
			}
			kept = append(kept, b)
		}
		m.byPipeline[pid] = kept
	}
	if len(drop) > 0 {
		m.builds = slices.DeleteFunc(m.builds, func(b *buildRecord) bool { return drop[b] })
	}
}

// forgetGoneAgents drops hosted agents that left more than an hour ago,
// so a long-running sandbox's lists do not grow with every one that came
// and went. Getting one by id is then a 404, as for an agent long gone.
func (s *Server) forgetGoneAgents(t time.Time) {
	m := s.sim
	gone := func(a *agentRecord) bool {
		return a.hosted && a.agent.ConnectionState == model.AgentDisconnected &&
			a.agent.DisconnectedAt != nil && t.Sub(a.agent.DisconnectedAt.Time) > time.Hour
	}
	m.agents = slices.DeleteFunc(m.agents, func(a *agentRecord) bool {
		if gone(a) {
			delete(m.agentByID, a.agent.ID)
			return true
		}
		return false
	})
	for q, agents := range m.agentsByQueue {
		m.agentsByQueue[q] = slices.DeleteFunc(agents, gone)
	}
}
