package sandbox

import (
	"net/http"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// The agents API's error messages (agents.md).
const (
	msgNoAgent           = "No agent found"
	msgStopNotConnected  = "Can only stop connected agents"
	msgAlreadyPaused     = "Agent is already paused"
	msgPauseNotConnected = "Only connected agents may be paused"
	msgNotPaused         = "Agent is not paused"
)

// agentListed reports whether "List agents" returns an agent: only
// connected and stopping ones are.
func agentListed(a *agentRecord) bool {
	return a.agent.ConnectionState == model.AgentConnected || a.agent.ConnectionState == model.AgentStopping
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request, u urls) reply {
	q := r.URL.Query()
	name, hostname, version, queueID := q.Get("name"), q.Get("hostname"), q.Get("version"), q.Get("cluster_queue_id")
	var matched []*agentRecord
	for _, a := range s.sim.agents {
		switch {
		case !agentListed(a),
			// agents.md: "by the given agent name", "by the given
			// hostname": the whole of it, as version is.
			name != "" && a.agent.Name != name,
			hostname != "" && a.agent.Hostname != hostname,
			version != "" && a.agent.Version != version,
			queueID != "" && a.queueID != queueID:
			continue
		}
		matched = append(matched, a)
	}
	return pageOf(w, r, matched, func(a *agentRecord) model.Agent { return s.agentView(u, a) })
}

// agentView is an agent as the API writes it: with its URLs and the job
// it is running.
func (s *Server) agentView(u urls, a *agentRecord) model.Agent {
	out := a.agent
	out.URL = u.api("agents", a.agent.ID)
	out.WebURL = u.web("clusters", a.clusterID, "queues", a.queueID, "agents", a.agent.ID)
	out.MetaData = append([]string(nil), a.agent.MetaData...)
	out.Job = s.agentJob(u, a)
	return out
}

func (s *Server) findAgent(r *http.Request) *agentRecord {
	return s.sim.agentByID[r.PathValue("agent")]
}

// agentToChange finds the agent a change names and reads the change's body
// into body: the agent's 404 comes before a bad body's 400.
func (s *Server) agentToChange(r *http.Request, body any) (*agentRecord, *reply) {
	a := s.findAgent(r)
	if a == nil {
		rp := message(http.StatusNotFound, msgNoAgent)
		return nil, &rp
	}
	if rp := decode(r, body); rp != nil {
		return nil, rp
	}
	return a, nil
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request, u urls) reply {
	a := s.findAgent(r)
	if a == nil {
		return message(http.StatusNotFound, msgNoAgent)
	}
	return ok(s.agentView(u, a))
}

// stopBody is "Stop an agent"'s body; force defaults to true.
type stopBody struct {
	Force *bool `json:"force"`
}

func (s *Server) stopAgent(w http.ResponseWriter, r *http.Request, u urls) reply {
	var req stopBody
	a, rp := s.agentToChange(r, &req)
	if rp != nil {
		return *rp
	}
	if a.agent.ConnectionState != model.AgentConnected {
		return message(http.StatusBadRequest, msgStopNotConnected)
	}
	force := req.Force == nil || *req.Force
	s.stopAgentNow(a, force, s.opts.Now())
	return noContent()
}

// stopAgentNow stops an agent: at once when it is idle or force is set
// (its job, and that job's build, are cancelled), else it is stopping
// until its job is done.
func (s *Server) stopAgentNow(a *agentRecord, force bool, now time.Time) {
	if s.agentBusy(a) && !force {
		a.agent.ConnectionState = model.AgentStopping
		return
	}
	if s.agentBusy(a) {
		s.cancelAgentJob(a, now)
	}
	a.agent.ConnectionState = model.AgentStopped
	a.agent.StoppedAt = model.NewTimestamp(now.Truncate(time.Second))
	a.agent.DisconnectedAt = model.NewTimestamp(now.Truncate(time.Second))
}

// pauseAgentBody is "Pause an agent"'s body.
type pauseAgentBody struct {
	Note             *string `json:"note"`
	TimeoutInMinutes *int    `json:"timeout_in_minutes"`
}

func (s *Server) pauseAgent(w http.ResponseWriter, r *http.Request, u urls) reply {
	var req pauseAgentBody
	a, rp := s.agentToChange(r, &req)
	if rp != nil {
		return *rp
	}
	if a.agent.Paused {
		return message(http.StatusUnprocessableEntity, msgAlreadyPaused)
	}
	if a.agent.ConnectionState != model.AgentConnected {
		return message(http.StatusUnprocessableEntity, msgPauseNotConnected)
	}
	if len([]rune(model.Value(req.Note))) > model.MaxTextLength {
		return invalid("Note is too long")
	}
	now := s.opts.Now().Truncate(time.Second)
	a.agent.Paused = true
	a.agent.PausedAt = model.NewTimestamp(now)
	a.agent.PausedBy = grantOf(r).user
	a.agent.PausedNote = optional(model.Value(req.Note))
	// A pause always ends: Buildkite's default timeout is five minutes.
	// The docs give no bounds; the sandbox takes any positive number of
	// minutes (the console keeps to 1 minute .. 7 days) and treats none,
	// zero or less as the default.
	t := model.Value(req.TimeoutInMinutes)
	if t <= 0 {
		t = model.DefaultAgentPauseMinutes
	}
	a.agent.PausedTimeoutInMinutes = model.Ptr(t)
	a.pausedUntil = now.Add(time.Duration(t) * time.Minute)
	return noContent()
}

func (s *Server) resumeAgent(w http.ResponseWriter, r *http.Request, u urls) reply {
	a := s.findAgent(r)
	if a == nil {
		return message(http.StatusNotFound, msgNoAgent)
	}
	if !a.agent.Paused {
		return message(http.StatusUnprocessableEntity, msgNotPaused)
	}
	resume(a)
	return noContent()
}

// resume clears an agent's pause.
func resume(a *agentRecord) {
	a.agent.Paused = false
	a.agent.PausedAt = nil
	a.agent.PausedBy = nil
	a.agent.PausedNote = nil
	a.agent.PausedTimeoutInMinutes = nil
	a.pausedUntil = time.Time{}
}
