package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

type handler func(w http.ResponseWriter, r *http.Request, u urls) reply

// routes registers every endpoint of the spec, each with the scope its
// page says a token needs.
func (s *Server) routes() {
	m := http.NewServeMux()
	const org = "/v2/organizations/{org}"
	const cluster = org + "/clusters/{cluster}"
	const queue = cluster + "/queues/{queue}"
	const token = cluster + "/tokens/{token}"
	const pipeline = org + "/pipelines/{slug}"
	// The spec documents PUT for updates; Buildkite also routes PATCH to
	// them, and the official Go client sends PATCH, so both are served.
	s.handleResource(m, org+"/clusters", cluster, scopeReadClusters, scopeWriteClusters, resource{
		list: s.listClusters, create: s.createCluster, get: s.getCluster, update: s.updateCluster, remove: s.deleteCluster})

	s.handleResource(m, cluster+"/queues", queue, scopeReadClusters, scopeWriteClusters, resource{
		list: s.listQueues, create: s.createQueue, get: s.getQueue, update: s.updateQueue, remove: s.deleteQueue})
	s.handle(m, "POST "+queue+"/pause_dispatch", scopeWriteClusters, s.pauseQueue)
	s.handle(m, "POST "+queue+"/resume_dispatch", scopeWriteClusters, s.resumeQueue)

	s.handleResource(m, cluster+"/tokens", token, scopeReadClusters, scopeWriteClusters, resource{
		list: s.listTokens, create: s.createToken, get: s.getToken, update: s.updateToken, remove: s.revokeToken})

	s.handleResource(m, org+"/pipelines", pipeline, scopeReadPipelines, scopeWritePipelines, resource{
		list: s.listPipelines, create: s.createPipeline, get: s.getPipeline, update: s.updatePipeline, remove: s.deletePipeline})
	s.handle(m, "POST "+pipeline+"/archive", scopeWritePipelines, s.archivePipeline)
	s.handle(m, "POST "+pipeline+"/unarchive", scopeWritePipelines, s.unarchivePipeline)
	s.handle(m, "POST "+pipeline+"/webhook", scopeWritePipelines, s.addWebhook)

	s.handle(m, "GET "+org+"/rate_limit", scopeReadAccounts, s.getRateLimit)
	s.routeTeams(m) // teams and the access token (teams.go)

	const agent = org + "/agents/{agent}"
	s.handle(m, "GET "+org+"/agents", scopeReadAgents, s.listAgents)
	s.handle(m, "GET "+agent, scopeReadAgents, s.getAgent)
	s.handle(m, "PUT "+agent+"/stop", scopeWriteAgents, s.stopAgent)
	s.handle(m, "PUT "+agent+"/pause", scopeWriteAgents, s.pauseAgent)
	s.handle(m, "PUT "+agent+"/resume", scopeWriteAgents, s.resumeAgent)

	const build = pipeline + "/builds/{number}"
	s.handle(m, "GET "+org+"/builds", scopeReadBuilds, s.listOrgBuilds)
	// "List all builds": every organisation the token reaches, which for
	// a sandbox's token is its one.
	s.handle(m, "GET /v2/builds", scopeReadBuilds, s.listOrgBuilds)
	s.handle(m, "GET "+pipeline+"/builds", scopeReadBuilds, s.listPipelineBuilds)
	s.handle(m, "GET "+build, scopeReadBuilds, s.getBuild)
	s.handle(m, "GET "+build+"/jobs", scopeReadBuilds, s.listJobs)
	s.handle(m, "GET "+build+"/jobs/{job}", scopeReadBuilds, s.getJob)
	s.handle(m, "GET "+org+"/jobs/{job}", scopeReadBuilds, s.getJob)

	s.handle(m, "POST "+pipeline+"/builds", scopeWriteBuilds, s.createBuild)
	s.handle(m, "PUT "+build+"/cancel", scopeWriteBuilds, s.cancelBuildHandler)
	s.handle(m, "PUT "+build+"/rebuild", scopeWriteBuilds, s.rebuild)
	s.handle(m, "PUT "+build+"/retry_failed_jobs", scopeWriteBuilds, s.retryFailedJobs)
	for _, job := range []string{build + "/jobs/{job}", org + "/jobs/{job}"} {
		s.handle(m, "PUT "+job+"/retry", scopeWriteBuilds, s.retryJobHandler)
		s.handle(m, "PUT "+job+"/unblock", scopeWriteBuilds, s.unblockJob)
		s.handle(m, "GET "+job+"/log", scopeReadBuildLogs, s.getJobLog)
		s.handle(m, "GET "+job+"/log.txt", scopeReadBuildLogs, s.getJobLog)
		s.handle(m, "DELETE "+job+"/log", scopeWriteBuildLogs, s.deleteJobLog)
		s.handle(m, "PUT "+job+"/reprioritize", scopeWriteBuilds, s.reprioritizeJob)
		s.handle(m, "GET "+job+"/env", scopeReadJobEnv, s.getJobEnv)
		s.handle(m, "GET "+job+"/env.txt", scopeReadJobEnv, s.getJobEnv)
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
func (s *Server) handleResource(m *http.ServeMux, collection, item, read, write string, h resource) {
	s.handle(m, "GET "+collection, read, h.list)
	s.handle(m, "POST "+collection, write, h.create)
	s.handle(m, "GET "+item, read, h.get)
	s.handle(m, "PUT "+item, write, h.update)
	s.handle(m, "PATCH "+item, write, h.update)
	s.handle(m, "DELETE "+item, write, h.remove)
}

// handle registers an endpoint that needs scope ("" for none).
func (s *Server) handle(m *http.ServeMux, pattern string, scope string, h handler) {
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if org := r.PathValue("org"); org != s.org.slug && strings.Contains(pattern, "{org}") {
			writeMessage(w, http.StatusNotFound, "No organization found")
			return
		}
		if !grantOf(r).has(scope) {
			writeMessage(w, http.StatusForbidden, missingScope(scope))
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

// The scopes the endpoints need, as their pages name them.
const (
	scopeReadClusters   = "read_clusters"
	scopeWriteClusters  = "write_clusters"
	scopeReadPipelines  = "read_pipelines"
	scopeWritePipelines = "write_pipelines"
	scopeReadAgents     = "read_agents"
	scopeWriteAgents    = "write_agents"
	scopeReadBuilds     = "read_builds"
	scopeWriteBuilds    = "write_builds"
	scopeReadBuildLogs  = "read_build_logs"
	scopeWriteBuildLogs = "write_build_logs"
	scopeReadJobEnv     = "read_job_env"
	scopeReadTeams      = "read_teams"
	scopeReadAccounts   = "read_accounts" // organizations-rate_limits.md
)

// missingScope is Buildkite's 403 message for a token without the scope
// an endpoint needs (as Buildkite's own CLI quotes it).
func missingScope(scope string) string {
	return "Your access token doesn't have the " + scope + " scope"
}
