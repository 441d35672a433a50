package sandbox

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// The builds and jobs APIs' messages (builds.md, jobs.md).
const (
	msgTooDeep    = "Listing builds this deep is not supported. Please narrow your query using filters such as branch or created_from."
	msgNoJob      = "No job found"
	msgNoBuild    = "No build found"
	msgBusyDelete = "This pipeline has builds that are still running. Cancel them before deleting the pipeline."
)

// maxUnfilteredDepth is how many builds an unfiltered list reaches: the
// docs name the 400 for listing "too deep" but not the depth, so the
// sandbox picks ten pages of a hundred. A list narrowed by branch,
// commit, state or created_from/created_to may go deeper.
const maxUnfilteredDepth = 1000

// buildURLs are a build's API and web URLs.
func (u urls) build(b *buildRecord) (api, web string) {
	n := strconv.Itoa(b.build.Number)
	return u.api("pipelines", b.pipeline.Slug, "builds", n), u.base + "/" + u.org + "/" + b.pipeline.Slug + "/builds/" + n
}

// jobView is a job as the API writes it, with its URLs and (when
// withAgent) the agent running it.
func (s *Server) jobView(u urls, j *jobRecord, withAgent bool) model.Job {
	out := j.job
	buildAPI, buildWeb := u.build(j.build)
	out.BuildURL = buildAPI
	out.WebURL = buildWeb + "#" + j.job.ID
	if j.job.Type == model.JobScript {
		out.LogURL = buildAPI + "/jobs/" + j.job.ID + "/log"
		out.RawLogURL = buildAPI + "/jobs/" + j.job.ID + "/log.txt"
		out.ArtifactsURL = buildAPI + "/jobs/" + j.job.ID + "/artifacts"
	}
	if j.job.Type == model.JobManual && j.job.State == model.JobBlocked {
		// The docs' example: the build's web page at the job.
		out.UnblockURL = model.Ptr(buildWeb + "#" + j.job.ID)
	}
	if c := model.Value(j.job.ClusterID); c != "" {
		out.ClusterURL = model.Ptr(u.api("clusters", c))
		if q := model.Value(j.job.ClusterQueueID); q != "" {
			out.ClusterQueueURL = model.Ptr(u.api("clusters", c, "queues", q))
		}
	}
	out.AgentQueryRules = slices.Clone(j.job.AgentQueryRules)
	if withAgent && j.agent != nil {
		a := j.agent.agent
		a.URL = u.api("agents", a.ID)
		a.WebURL = u.web("clusters", j.agent.clusterID, "queues", j.agent.queueID, "agents", a.ID)
		a.Job = nil
		out.Agent = &a
	}
	return out
}

// agentJob is the job an agent is running, as the API nests it in the
// agent, or nil.
func (s *Server) agentJob(u urls, a *agentRecord) *model.AgentJob {
	if a.job == nil {
		return nil
	}
	return &model.AgentJob{Job: s.jobView(u, a.job, false)}
}

// buildOptions are the query parameters that shape a build's reply.
type buildOptions struct {
	excludeJobs, excludePipeline, withCounts bool
	includeRetried                           bool
	// pausedQueues, when not nil, leaves out jobs on those queues
	// (include_paused=false).
	pausedQueues map[string]bool
	jobStates    map[string]bool
}

func (s *Server) buildView(u urls, b *buildRecord, o buildOptions) model.Build {
	out := b.build
	out.URL, out.WebURL = u.build(b)
	out.Env = b.build.Env
	if !o.excludePipeline {
		p := u.pipeline(*b.pipeline)
		p.Steps, p.Configuration = nil, ""
		out.Pipeline = &p
	}
	if out.RebuiltFrom != nil {
		ref := *out.RebuiltFrom
		ref.URL = u.api("pipelines", b.pipeline.Slug, "builds", strconv.Itoa(ref.Number))
		out.RebuiltFrom = &ref
	}
	if o.withCounts {
		counts := &model.JobStateCounts{States: map[string]int{}}
		for _, j := range b.jobs {
			if j.job.Retried && !o.includeRetried {
				continue
			}
			counts.Total++
			counts.States[j.job.State]++
		}
		out.JobStateCounts = counts
	}
	if !o.excludeJobs {
		out.Jobs = []model.Job{}
		for _, j := range b.jobs {
			switch {
			case j.job.Retried && !o.includeRetried,
				o.pausedQueues[model.Value(j.job.ClusterQueueID)],
				o.jobStates != nil && !o.jobStates[j.job.State]:
				continue
			}
			out.Jobs = append(out.Jobs, s.jobView(u, j, true))
		}
	}
	return out
}

// values reads a parameter given as name or name[] (Rails' array form),
// one or many times.
func values(q url.Values, name string) []string {
	var out []string
	for _, v := range append(q[name], q[name+"[]"]...) {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// glob matches s against a pattern whose * stands for any run of
// characters, as the branch filter's "*dev*".
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// buildMatcher is a build list's filters.
type buildMatcher struct {
	states, branches, commits []string
	creator                   string
	createdFrom, createdTo    time.Time
	finishedFrom              time.Time
	metaData                  map[string]string
	pausedQueues              map[string]bool
	narrowed                  bool
}

// parseTime reads a time filter; the docs do not say what a malformed one
// does, so the sandbox ignores it (the permissive answer).
func parseTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := model.ParseTimestamp(v)
	if err != nil {
		return time.Time{}
	}
	return t.Time
}

func (s *Server) buildFilters(q url.Values) buildMatcher {
	m := buildMatcher{states: values(q, "state"), branches: values(q, "branch"), commits: values(q, "commit"),
		creator: q.Get("creator"), createdFrom: parseTime(q.Get("created_from")), createdTo: parseTime(q.Get("created_to")),
		finishedFrom: parseTime(q.Get("finished_from")), metaData: map[string]string{}}
	for k, v := range q {
		if strings.HasPrefix(k, "meta_data[") && strings.HasSuffix(k, "]") && len(v) > 0 {
			m.metaData[k[len("meta_data["):len(k)-1]] = v[0]
		}
	}
	if q.Get("include_paused") == "false" {
		m.pausedQueues = map[string]bool{}
		for _, c := range s.org.clusters {
			for _, qu := range c.queues {
				if qu.DispatchPaused {
					m.pausedQueues[qu.ID] = true
				}
			}
		}
	}
	m.narrowed = len(m.states) > 0 || len(m.branches) > 0 || len(m.commits) > 0 || m.creator != "" ||
		!m.createdFrom.IsZero() || !m.createdTo.IsZero() || !m.finishedFrom.IsZero() || len(m.metaData) > 0
	return m
}

// stateMatches applies the state filter, with its failing and finished
// shortcuts.
func stateMatches(b model.Build, want string) bool {
	switch want {
	case model.BuildFinished:
		return b.State == model.BuildPassed || b.State == model.BuildFailed || b.State == model.BuildCanceled || b.Blocked
	case model.BuildBlocked:
		return b.Blocked
	case model.BuildFailing:
		return b.State == model.BuildFailing
	}
	return b.State == want
}

func (m buildMatcher) match(b *buildRecord) bool {
	x := b.build
	if len(m.states) > 0 && !slices.ContainsFunc(m.states, func(s string) bool { return stateMatches(x, s) }) {
		return false
	}
	if len(m.branches) > 0 && !slices.ContainsFunc(m.branches, func(p string) bool { return glob(p, x.Branch) }) {
		return false
	}
	if len(m.commits) > 0 && !slices.Contains(m.commits, x.Commit) {
		return false
	}
	if m.creator != "" && (x.Creator == nil || x.Creator.ID != m.creator) {
		return false
	}
	if !m.createdFrom.IsZero() && x.CreatedAt.Before(m.createdFrom) {
		return false
	}
	if !m.createdTo.IsZero() && !x.CreatedAt.Before(m.createdTo) {
		return false
	}
	if !m.finishedFrom.IsZero() && (x.FinishedAt == nil || x.FinishedAt.Before(m.finishedFrom)) {
		return false
	}
	for k, v := range m.metaData {
		if x.MetaData[k] != v {
			return false
		}
	}
	if m.pausedQueues != nil {
		// A build whose clustered jobs are all on paused queues is left out.
		clustered, paused := 0, 0
		for _, j := range b.jobs {
			if q := model.Value(j.job.ClusterQueueID); q != "" {
				clustered++
				if m.pausedQueues[q] {
					paused++
				}
			}
		}
		if clustered > 0 && clustered == paused {
			return false
		}
	}
	return true
}

// listBuilds answers both build lists: builds newest first, filtered,
// one page of them.
func (s *Server) listBuilds(w http.ResponseWriter, r *http.Request, u urls, builds []*buildRecord) reply {
	q := r.URL.Query()
	f := s.buildFilters(q)
	if !f.narrowed {
		page, _ := strconv.Atoi(q.Get("page"))
		perPage, _ := strconv.Atoi(q.Get("per_page"))
		if perPage < 1 {
			perPage = defaultPerPage
		}
		if (max(page, 1)-1)*min(perPage, maxPerPage) >= maxUnfilteredDepth {
			return message(http.StatusBadRequest, msgTooDeep)
		}
	}
	var matched []*buildRecord
	for i := len(builds) - 1; i >= 0; i-- {
		// A deleted pipeline's builds go with it.
		if b := builds[i]; s.org.pipelineBySlug[b.pipeline.Slug] == b.pipeline && f.match(b) {
			matched = append(matched, builds[i])
		}
	}
	lo, hi := paginate(w, r, len(matched))
	o := buildOptions{excludeJobs: q.Get("exclude_jobs") == "true", excludePipeline: q.Get("exclude_pipeline") == "true",
		includeRetried: q.Get("include_retried_jobs") == "true", pausedQueues: f.pausedQueues}
	out := make([]model.Build, 0, hi-lo)
	for _, b := range matched[lo:hi] {
		out = append(out, s.buildView(u, b, o))
	}
	return ok(out)
}

func (s *Server) listOrgBuilds(w http.ResponseWriter, r *http.Request, u urls) reply {
	return s.listBuilds(w, r, u, s.sim.builds)
}

func (s *Server) listPipelineBuilds(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	return s.listBuilds(w, r, u, s.sim.byPipeline[p.ID])
}

// findBuild is the build a request names by pipeline slug and number.
func (s *Server) findBuild(r *http.Request) *buildRecord {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return nil
	}
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return nil
	}
	builds := s.sim.byPipeline[p.ID]
	i, found := slices.BinarySearchFunc(builds, n, func(b *buildRecord, n int) int { return b.build.Number - n })
	if !found {
		return nil
	}
	return builds[i]
}

func (s *Server) getBuild(w http.ResponseWriter, r *http.Request, u urls) reply {
	b := s.findBuild(r)
	if b == nil {
		return message(http.StatusNotFound, msgNoBuild)
	}
	q := r.URL.Query()
	o := buildOptions{excludeJobs: q.Get("exclude_jobs") == "true", excludePipeline: q.Get("exclude_pipeline") == "true",
		includeRetried: q.Get("include_retried_jobs") == "true", withCounts: true}
	if states := values(q, "job_states"); len(states) > 0 {
		o.jobStates = map[string]bool{}
		for _, st := range states {
			o.jobStates[st] = true
		}
	}
	return ok(s.buildView(u, b, o))
}

// jobStates are the values the jobs list's state[] accepts (jobs.md).
var jobStates = map[string]bool{"pending": true, "waiting": true, "waiting_failed": true, "blocked": true,
	"blocked_failed": true, "unblocked": true, "unblocked_failed": true, "scheduled": true, "assigned": true,
	"accepted": true, "running": true, "passed": true, "failed": true, "timed_out": true, "timing_out": true,
	"canceled": true, "canceling": true, "skipped": true, "broken": true, "expired": true, "limited": true}

// jobCursor is an opaque cursor naming a job of the list.
func jobCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte("job:" + id)) }

func cursorJob(cursor string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !strings.HasPrefix(string(raw), "job:") {
		return "", false
	}
	return string(raw[len("job:"):]), true
}

// listJobs is "List jobs": a build's jobs with cursor pagination, a JSON
// object of items and links.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, u urls) reply {
	b := s.findBuild(r)
	if b == nil {
		return message(http.StatusNotFound, msgNoBuild)
	}
	q := r.URL.Query()
	perPage := defaultPerPage
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPerPage {
			return message(http.StatusBadRequest, "Invalid per_page value: it must be between 1 and 100")
		}
		perPage = n
	}
	states := values(q, "state")
	for _, st := range states {
		if !jobStates[st] {
			return message(http.StatusBadRequest, "Invalid state value: "+st)
		}
	}
	after, before := q.Get("after"), q.Get("before")
	if after != "" && before != "" {
		return message(http.StatusBadRequest, "Invalid cursor: after and before are mutually exclusive")
	}
	includeRetried := q.Get("include_retried_jobs") != "false"
	var matched []*jobRecord
	for _, j := range b.jobs {
		switch {
		case j.job.Retried && !includeRetried,
			len(states) > 0 && !slices.Contains(states, j.job.State),
			q.Get("step_key") != "" && model.Value(j.job.StepKey) != q.Get("step_key"),
			q.Get("group_key") != "" && model.Value(j.job.GroupKey) != q.Get("group_key"):
			continue
		}
		matched = append(matched, j)
	}
	lo, hi := 0, min(perPage, len(matched))
	for _, c := range []string{after, before} {
		if c == "" {
			continue
		}
		id, ok := cursorJob(c)
		i := slices.IndexFunc(matched, func(j *jobRecord) bool { return j.job.ID == id })
		if !ok || i < 0 {
			return message(http.StatusBadRequest, "Invalid cursor value")
		}
		if c == after {
			lo, hi = i+1, min(i+1+perPage, len(matched))
		} else {
			lo, hi = max(0, i-perPage), i
		}
	}
	items := make([]model.Job, 0, hi-lo)
	for _, j := range matched[lo:hi] {
		items = append(items, s.jobView(u, j, true))
	}
	link := func(key, cursor string) string {
		v := r.URL.Query()
		v.Del("after")
		v.Del("before")
		v.Set("per_page", strconv.Itoa(perPage))
		if key != "" {
			v.Set(key, cursor)
		}
		return baseURL(r) + r.URL.Path + "?" + v.Encode()
	}
	links := map[string]string{"self": baseURL(r) + r.URL.RequestURI()}
	if hi < len(matched) && hi > lo {
		links["next"] = link("after", jobCursor(matched[hi-1].job.ID))
	}
	if lo > 0 && hi > lo {
		links["prev"] = link("before", jobCursor(matched[lo].job.ID))
	}
	return ok(map[string]any{"items": items, "links": links})
}

// findJob is the job a request names, within its build when the route
// names one.
func (s *Server) findJob(r *http.Request) *jobRecord {
	j := s.sim.jobByID[r.PathValue("job")]
	if j == nil {
		return nil
	}
	if r.PathValue("slug") != "" {
		if b := s.findBuild(r); b != j.build {
			return nil
		}
	}
	return j
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	return ok(s.jobView(u, j, true))
}

// pipelineBusy reports whether a pipeline has builds under way: such a
// pipeline cannot be deleted.
func (s *Server) pipelineBusy(p *model.Pipeline) bool {
	for _, b := range s.sim.byPipeline[p.ID] {
		if b.build.State == model.BuildScheduled || b.build.State == model.BuildRunning || b.build.State == model.BuildFailing || b.build.State == model.BuildCanceling {
			return true
		}
	}
	return false
}
