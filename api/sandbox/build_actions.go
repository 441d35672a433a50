package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// createBuildBody is "Create a build"'s body. env and meta_data are read
// raw: env must be an object (the docs warn that a string is refused),
// and meta_data's values may be any JSON scalar.
type createBuildBody struct {
	Commit   *string         `json:"commit"`
	Branch   *string         `json:"branch"`
	Message  string          `json:"message"`
	Env      json.RawMessage `json:"env"`
	MetaData json.RawMessage `json:"meta_data"`
	Author   *struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"author"`
}

func (s *Server) createBuild(w http.ResponseWriter, r *http.Request, u urls) reply {
	p := s.org.pipelineBySlug[r.PathValue("slug")]
	if p == nil {
		return notFound()
	}
	var req createBuildBody
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	var errs []fieldError
	if strings.TrimSpace(model.Value(req.Commit)) == "" {
		errs = append(errs, fieldError{Field: "commit", Code: "missing_field", Message: "Commit can't be blank"})
	}
	if strings.TrimSpace(model.Value(req.Branch)) == "" {
		errs = append(errs, fieldError{Field: "branch", Code: "missing_field", Message: "Branch can't be blank"})
	}
	env := map[string]any{}
	if len(req.Env) > 0 && string(req.Env) != "null" {
		if err := json.Unmarshal(req.Env, &env); err != nil {
			errs = append(errs, fieldError{Field: "env", Code: "invalid", Message: "Env must be a JSON object of names and values, not a string"})
		}
	}
	meta := map[string]string{}
	if len(req.MetaData) > 0 && string(req.MetaData) != "null" {
		var raw map[string]any
		if err := json.Unmarshal(req.MetaData, &raw); err != nil {
			errs = append(errs, fieldError{Field: "meta_data", Code: "invalid", Message: "Meta data must be a JSON object"})
		}
		for k, v := range raw {
			meta[k] = fmt.Sprint(v)
		}
	}
	if len(errs) > 0 {
		return validationFailed(errs...)
	}
	if p.Archived() {
		return message(http.StatusUnprocessableEntity, "Builds can't be created on an archived pipeline")
	}
	creator := grantOf(r).user
	if a := req.Author; a != nil && a.Name != "" {
		// The author is shown as the build's creator; the sandbox makes
		// no account for them.
		c := *creator
		c.Name, c.Email = a.Name, a.Email
		creator = &c
	}
	b := s.newBuild(p, s.opts.Now(), buildSpec{source: "api", branch: *req.Branch, commit: *req.Commit,
		message: req.Message, env: env, metaData: meta, creator: creator})
	return created(s.buildView(u, b, buildOptions{}))
}

func (s *Server) cancelBuildHandler(w http.ResponseWriter, r *http.Request, u urls) reply {
	b := s.findBuild(r)
	if b == nil {
		return message(http.StatusNotFound, msgNoBuild)
	}
	// builds.md: a build is canceled "if its state is either scheduled,
	// running, or failing"; a blocked build waits for a person, and is
	// not one of them.
	if b.build.Blocked {
		return message(http.StatusUnprocessableEntity, "The build can't be canceled because it is blocked")
	}
	if model.BuildFinishedState(b.build.State) {
		return message(http.StatusUnprocessableEntity, "The build can't be canceled because it has already finished")
	}
	s.cancelBuild(b, s.opts.Now(), "Canceled by "+grantOf(r).user.DisplayName())
	return ok(s.buildView(u, b, buildOptions{}))
}

func (s *Server) rebuild(w http.ResponseWriter, r *http.Request, u urls) reply {
	b := s.findBuild(r)
	if b == nil {
		return message(http.StatusNotFound, msgNoBuild)
	}
	p := b.pipeline
	if p.Archived() {
		return message(http.StatusUnprocessableEntity, "Builds can't be rebuilt on an archived pipeline")
	}
	if p.AllowRebuilds != nil && !*p.AllowRebuilds {
		return message(http.StatusUnprocessableEntity, "Rebuilds are turned off for this pipeline")
	}
	env := map[string]any{}
	for k, v := range b.build.Env {
		env[k] = v
	}
	meta := map[string]string{}
	for k, v := range b.build.MetaData {
		meta[k] = v
	}
	nb := s.newBuild(p, s.opts.Now(), buildSpec{source: "api", branch: b.build.Branch, commit: b.build.Commit,
		message: b.build.Message, env: env, metaData: meta, creator: grantOf(r).user, rebuiltFrom: b})
	return ok(s.buildView(u, nb, buildOptions{}))
}

// retryableStates are the failure kinds "Retry failed jobs" takes.
var retryableStates = []string{"canceled", "expired", "failed", "soft_failed", "timed_out"}

func (s *Server) retryFailedJobs(w http.ResponseWriter, r *http.Request, u urls) reply {
	b := s.findBuild(r)
	if b == nil {
		return message(http.StatusNotFound, msgNoBuild)
	}
	var req struct {
		States string `json:"states"`
	}
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	want := map[string]bool{}
	var invalid []string
	for _, st := range strings.Split(req.States, ",") {
		st = strings.TrimSpace(st)
		switch {
		case st == "":
		case slices.Contains(retryableStates, st):
			want[st] = true
		default:
			invalid = append(invalid, st)
		}
	}
	if len(invalid) > 0 {
		return message(http.StatusBadRequest, "Invalid states: "+strings.Join(invalid, ", ")+". Valid states are canceled, expired, failed, soft_failed, timed_out.")
	}
	if len(want) == 0 {
		for _, st := range retryableStates {
			want[st] = true
		}
	}
	count := 0
	now := s.opts.Now()
	for _, j := range slices.Clone(b.jobs) {
		kind := j.job.State
		if j.job.SoftFailed {
			kind = "soft_failed"
		}
		if j.job.Type == model.JobScript && !j.job.Retried && want[kind] {
			s.retryJob(j, now, "manual")
			count++
		}
	}
	out := s.buildView(u, b, buildOptions{})
	out.RetriedJobsCount = model.Ptr(count)
	return reply{status: http.StatusAccepted, body: out}
}

// retryJob makes a new attempt of j, scheduled on its queue, and takes j's
// build back to j's stage.
func (s *Server) retryJob(j *jobRecord, t time.Time, kind string) *jobRecord {
	m := s.sim
	b := j.build
	id := m.newID()
	n := *j
	n.agent, n.finishAt, n.fail = nil, time.Time{}, false
	n.job = j.job
	n.job.ID, n.job.GraphQLID = id, graphQLID("Job", id)
	n.job.State = model.JobWaiting
	n.job.ExitStatus, n.job.Signal, n.job.SignalReason = nil, nil, nil
	n.job.StartedAt, n.job.FinishedAt, n.job.RunnableAt = nil, nil, nil
	n.job.CreatedAt = model.NewTimestamp(t)
	n.job.Retried, n.job.RetriedInJobID = false, nil
	n.job.RetriesCount = j.job.RetriesCount + 1
	n.job.RetrySource = &model.RetrySource{JobID: j.job.ID, RetryType: kind}
	n.job.RetryType = model.Ptr(kind)
	n.job.AgentQueryRules = slices.Clone(j.job.AgentQueryRules)
	j.job.Retried = true
	j.job.RetriedInJobID = model.Ptr(id)
	b.jobs = append(b.jobs, &n)
	m.jobByID[id] = &n
	// The build runs again from the retried job's stage; later stages
	// that a failure had stopped wait again.
	for _, x := range b.jobs {
		if x.stage > j.stage && x.job.State == "waiting_failed" {
			x.job.State = model.JobWaiting
		}
	}
	b.stage = j.stage
	b.build.State = model.BuildRunning
	if b.build.StartedAt == nil {
		b.build.State = model.BuildScheduled
	}
	// Another hard failure not yet retried keeps the build failing;
	// failing_at, once set, stays (builds.md).
	for _, x := range b.jobs {
		if x.job.State == model.JobFailed && !x.job.Retried && b.build.StartedAt != nil {
			b.build.State = model.BuildFailing
		}
	}
	b.build.FinishedAt = nil
	n.job.State = model.JobScheduled
	n.job.RunnableAt = model.NewTimestamp(t)
	q := model.Value(n.job.ClusterQueueID)
	m.waiting[q] = append(m.waiting[q], &n)
	return &n
}

func (s *Server) retryJobHandler(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	switch j.job.State {
	case model.JobFailed, model.JobTimedOut, model.JobCanceled:
	default:
		return message(http.StatusBadRequest, "Only failed, timed out or canceled jobs can be retried")
	}
	if j.build.build.State == model.BuildCanceled {
		return message(http.StatusUnprocessableEntity, "Jobs from canceled builds cannot be retried")
	}
	if j.job.Retried {
		// The docs: each job can be retried once; retry the new one.
		return message(http.StatusBadRequest, "This job has already been retried; retry job "+model.Value(j.job.RetriedInJobID)+" instead")
	}
	return ok(s.jobView(u, s.retryJob(j, s.opts.Now(), "manual"), true))
}

func (s *Server) unblockJob(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	var req struct {
		Unblocker *string         `json:"unblocker"`
		Fields    json.RawMessage `json:"fields"`
	}
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	if j.job.Type != model.JobManual {
		return message(http.StatusBadRequest, "This job type cannot be unblocked")
	}
	unblocker := grantOf(r).user
	if id := model.Value(req.Unblocker); id != "" {
		i := slices.IndexFunc(s.org.users, func(x *model.User) bool { return x.ID == id })
		if i < 0 {
			return message(http.StatusUnprocessableEntity, "Unblocker is not a valid user id for this organization")
		}
		unblocker = s.org.users[i]
	}
	b := j.build
	if b.build.State == model.BuildCanceled {
		return message(http.StatusUnprocessableEntity, "Jobs from canceled builds cannot be unblocked")
	}
	if j.job.State != model.JobBlocked {
		// Buildkite's own words for a job that is not (or no longer)
		// blocked; the docs list no such error, and the status is the
		// sandbox's choice.
		return message(http.StatusUnprocessableEntity, "The job's state must be blocked")
	}
	// A block step's field values become the build's meta-data, as on
	// Buildkite; the docs do not say what a missing required field does,
	// so the sandbox takes what it is given.
	fields := map[string]any{}
	if len(req.Fields) > 0 && string(req.Fields) != "null" {
		if err := json.Unmarshal(req.Fields, &fields); err != nil {
			return validationFailed(fieldError{Field: "fields", Code: "invalid", Message: "Fields must be a JSON object"})
		}
	}
	for k, v := range fields {
		b.build.MetaData[k] = fmt.Sprint(v)
	}
	now := s.opts.Now()
	j.job.State = model.JobUnblocked
	j.job.Unblockable = model.Ptr(false)
	j.job.UnblockedBy = unblocker
	j.job.UnblockedAt = model.NewTimestamp(now)
	j.job.FinishedAt = model.NewTimestamp(now)
	b.build.Blocked = false
	b.build.State = model.BuildRunning
	b.build.FinishedAt = nil
	s.startStage(b, j.stage+1, now)
	return ok(s.jobView(u, j, true))
}
