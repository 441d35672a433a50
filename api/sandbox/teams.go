package sandbox

import (
	"crypto/sha256"
	"fmt"
	"net/http"

	"github.com/kiteconsole/kiteconsole/model"
)

// Teams and the access token. Neither is in the spec the sandbox follows
// (../shared/spec); both are Buildkite's REST API as its documentation
// and official client describe them:
//
//	GET /v2/organizations/{org}/teams   scope read_teams, a page of teams
//	GET /v2/access-token                no scope: the token's uuid, scopes,
//	                                    description, created_at and user
//
// The sandbox's teams are fixed: a few, the same for every organisation
// of a given slug, so that a test can name them.

// demoTeams are the sandbox's teams: name, description, and whether new
// members join it.
var demoTeams = []struct {
	name, description string
	isDefault         bool
}{
	{"Everyone", "Every member of the organisation", true},
	{"Platform", "Clusters, agents and the deploy pipelines", false},
	{"Mobile", "The iOS and Android apps", false},
	{"Data", "Warehouse, models and their pipelines", false},
}

// Scopes of the sandbox's two tokens: the full one has every REST scope,
// the read-only one the read scopes.
var (
	fullScopes = []string{"read_agents", "write_agents", "read_teams", "read_artifacts", "write_artifacts",
		"read_builds", "write_builds", "read_job_env", "read_build_logs", "write_build_logs", "read_organizations",
		"read_pipelines", "write_pipelines", "read_user", "read_clusters", "write_clusters", "read_accounts"}
	readScopes = []string{"read_agents", "read_teams", "read_artifacts", "read_builds", "read_job_env",
		"read_build_logs", "read_organizations", "read_pipelines", "read_user", "read_clusters", "read_accounts"}
)

// routeTeams registers the teams and the access token.
func (s *Server) routeTeams(m *http.ServeMux) {
	s.handle(m, "GET /v2/organizations/{org}/teams", scopeReadTeams, s.listTeams)
	// No organisation in its path: the token is the user's, not the
	// organisation's.
	m.HandleFunc("GET /v2/access-token", func(w http.ResponseWriter, r *http.Request) {
		g := grantOf(r)
		if g == nil {
			writeMessage(w, http.StatusUnauthorized, "Authentication required")
			return
		}
		s.mu.Lock()
		token := model.AccessToken{UUID: stableUUID("token", s.org.slug, g.name), Description: "sandbox " + g.name + " token",
			Scopes: g.scopeList(), CreatedAt: s.org.operator.CreatedAt}
		// The sandbox's tokens do not expire: expires_at is there, null.
		token.User.Name, token.User.Email = s.org.operator.Name, s.org.operator.Email
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, token)
	})
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, _ urls) reply {
	teams := make([]model.Team, 0, len(demoTeams))
	// user_id keeps the teams the user is a member of: in the sandbox
	// every user of the organisation is in the default team, and its
	// operator in Platform too; an unknown user is in none.
	userID := r.URL.Query().Get("user_id")
	for _, t := range demoTeams {
		if userID != "" && !s.teamHas(t.name, t.isDefault, userID) {
			continue
		}
		id := stableUUID("team", s.org.slug, t.name)
		slug, _ := model.DeriveSlug(t.name)
		teams = append(teams, model.Team{ID: id, GraphQLID: graphQLID("Team", id), Name: t.name, Slug: slug,
			Description: t.description, Privacy: "visible", Default: t.isDefault,
			CreatedAt: s.org.operator.CreatedAt, CreatedBy: s.org.operator})
	}
	lo, hi := paginate(w, r, len(teams))
	return ok(teams[lo:hi])
}

// stableUUID is a UUID-shaped id derived from parts: the same parts give
// the same id in every run.
func stableUUID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x50 // version 5 (name-based)
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// teamHas reports whether a user is a member of a sandbox team.
func (s *Server) teamHas(team string, isDefault bool, userID string) bool {
	if userID == s.org.operator.ID {
		return isDefault || team == "Platform"
	}
	if !isDefault {
		return false
	}
	for _, u := range s.org.users {
		if u.ID == userID {
			return true
		}
	}
	return false
}
