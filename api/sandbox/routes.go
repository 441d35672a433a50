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

	// The spec documents PUT for updates; Buildkite also routes PATCH to
	// them, and the official Go client sends PATCH, so both are served.
	s.handleResource(m, org+"/clusters", cluster, resource{
		list: s.listClusters, create: s.createCluster, get: s.getCluster, update: s.updateCluster, remove: s.deleteCluster})

	s.handleResource(m, cluster+"/queues", queue, resource{
		list: s.listQueues, create: s.createQueue, get: s.getQueue, update: s.updateQueue, remove: s.deleteQueue})
	s.handle(m, "POST "+queue+"/pause_dispatch", write, s.pauseQueue)
	s.handle(m, "POST "+queue+"/resume_dispatch", write, s.resumeQueue)

	s.handleResource(m, cluster+"/tokens", token, resource{
		list: s.listTokens, create: s.createToken, get: s.getToken, update: s.updateToken, remove: s.revokeToken})

	s.handleResource(m, org+"/pipelines", pipeline, resource{
		list: s.listPipelines, create: s.createPipeline, get: s.getPipeline, update: s.updatePipeline, remove: s.deletePipeline})
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

// resource is the five handlers of a collection the spec lets one list,
// create in, and read, update and delete one of.
type resource struct {
	list, create, get, update, remove handler
}

// handleResource registers a resource's endpoints: GET and POST on its
// collection; GET, PUT, PATCH (the same update) and DELETE on one item.
func (s *Server) handleResource(m *http.ServeMux, collection, item string, h resource) {
	read, write := false, true
	s.handle(m, "GET "+collection, read, h.list)
	s.handle(m, "POST "+collection, write, h.create)
	s.handle(m, "GET "+item, read, h.get)
	s.handle(m, "PUT "+item, write, h.update)
	s.handle(m, "PATCH "+item, write, h.update)
	s.handle(m, "DELETE "+item, write, h.remove)
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
