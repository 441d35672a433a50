package sandbox

import (
	"bytes"
	"io"
	"net/http"
)

type handler func(w http.ResponseWriter, r *http.Request, u urls) reply

// routes registers every endpoint of the spec. write marks the endpoints a
// read-only token may not call.
func (s *Server) routes() {
	m := http.NewServeMux()
	const org = "/v2/organizations/{org}"
	const cluster = org + "/clusters/{cluster}"
	const queue = cluster + "/queues/{queue}"
	const token = cluster + "/tokens/{token}"
	const pipeline = org + "/pipelines/{slug}"
	read, write := false, true

	s.handle(m, "GET "+org+"/clusters", read, s.listClusters)
	s.handle(m, "POST "+org+"/clusters", write, s.createCluster)
	s.handle(m, "GET "+cluster, read, s.getCluster)
	// The spec documents PUT for updates; Buildkite also routes PATCH to
	// them, and the official Go client sends PATCH, so both are served.
	s.handle(m, "PUT "+cluster, write, s.updateCluster)
	s.handle(m, "PATCH "+cluster, write, s.updateCluster)
	s.handle(m, "DELETE "+cluster, write, s.deleteCluster)

	s.handle(m, "GET "+cluster+"/queues", read, s.listQueues)
	s.handle(m, "POST "+cluster+"/queues", write, s.createQueue)
	s.handle(m, "GET "+queue, read, s.getQueue)
	s.handle(m, "PUT "+queue, write, s.updateQueue)
	s.handle(m, "PATCH "+queue, write, s.updateQueue)
	s.handle(m, "DELETE "+queue, write, s.deleteQueue)
	s.handle(m, "POST "+queue+"/pause_dispatch", write, s.pauseQueue)
	s.handle(m, "POST "+queue+"/resume_dispatch", write, s.resumeQueue)

	s.handle(m, "GET "+cluster+"/tokens", read, s.listTokens)
	s.handle(m, "POST "+cluster+"/tokens", write, s.createToken)
	s.handle(m, "GET "+token, read, s.getToken)
	s.handle(m, "PUT "+token, write, s.updateToken)
	s.handle(m, "PATCH "+token, write, s.updateToken)
	s.handle(m, "DELETE "+token, write, s.revokeToken)

	s.handle(m, "GET "+org+"/pipelines", read, s.listPipelines)
	s.handle(m, "POST "+org+"/pipelines", write, s.createPipeline)
	s.handle(m, "GET "+pipeline, read, s.getPipeline)
	s.handle(m, "PATCH "+pipeline, write, s.updatePipeline)
	s.handle(m, "PUT "+pipeline, write, s.updatePipeline)
	s.handle(m, "DELETE "+pipeline, write, s.deletePipeline)
	s.handle(m, "POST "+pipeline+"/archive", write, s.archivePipeline)
	s.handle(m, "POST "+pipeline+"/unarchive", write, s.unarchivePipeline)
	s.handle(m, "POST "+pipeline+"/webhook", write, s.addWebhook)

	s.handle(m, "GET "+org+"/rate_limit", read, s.getRateLimit)
	s.routeTeams(m) // teams and the access token (teams.go)

	const agent = org + "/agents/{agent}"
	s.handle(m, "GET "+org+"/agents", read, s.listAgents)
	s.handle(m, "GET "+agent, read, s.getAgent)
	s.handle(m, "PUT "+agent+"/stop", write, s.stopAgent)
	s.handle(m, "PUT "+agent+"/pause", write, s.pauseAgent)
	s.handle(m, "PUT "+agent+"/resume", write, s.resumeAgent)

	const build = pipeline + "/builds/{number}"
	s.handle(m, "GET "+org+"/builds", read, s.listOrgBuilds)
	s.handle(m, "GET "+pipeline+"/builds", read, s.listPipelineBuilds)
	s.handle(m, "GET "+build, read, s.getBuild)
	s.handle(m, "GET "+build+"/jobs", read, s.listJobs)
	s.handle(m, "GET "+build+"/jobs/{job}", read, s.getJob)
	s.handle(m, "GET "+org+"/jobs/{job}", read, s.getJob)

	s.handle(m, "POST "+pipeline+"/builds", write, s.createBuild)
	s.handle(m, "PUT "+build+"/cancel", write, s.cancelBuildHandler)
	s.handle(m, "PUT "+build+"/rebuild", write, s.rebuild)
	s.handle(m, "PUT "+build+"/retry_failed_jobs", write, s.retryFailedJobs)
	for _, job := range []string{build + "/jobs/{job}", org + "/jobs/{job}"} {
		s.handle(m, "PUT "+job+"/retry", write, s.retryJobHandler)
		s.handle(m, "PUT "+job+"/unblock", write, s.unblockJob)
		s.handle(m, "GET "+job+"/log", read, s.getJobLog)
		s.handle(m, "GET "+job+"/log.txt", read, s.getJobLog)
	}

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeMessage(w, http.StatusNotFound, "Not Found")
	})
	s.mux = m
}

func (s *Server) handle(m *http.ServeMux, pattern string, isWrite bool, h handler) {
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("org") != s.org.slug {
			writeMessage(w, http.StatusNotFound, "No organization found")
			return
		}
		if isWrite && grantOf(r).readOnly {
			writeMessage(w, http.StatusForbidden, "Forbidden")
			return
		}
		// Read the body before taking the lock, so a slow client holds up
		// nobody else.
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "Could not read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.advance(s.opts.Now())
		rp := h(w, r, urls{base: baseURL(r), org: s.org.slug})
		s.mu.Unlock()
		rp.write(w)
	})
}
