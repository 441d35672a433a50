package model

// Team is one of the organisation's teams (GET /v2/organizations/{org}/teams,
// scope read_teams). The pipelines API takes teams by UUID (the ID here).
type Team struct {
	ID          string     `json:"id"`
	GraphQLID   string     `json:"graphql_id,omitempty"`
	Name        string     `json:"name"`
	Slug        string     `json:"slug"`
	Description string     `json:"description"`
	Privacy     string     `json:"privacy"`
	Default     bool       `json:"default"`
	CreatedAt   *Timestamp `json:"created_at"`
	CreatedBy   *User      `json:"created_by"`
}

// AccessToken is the API token a request was made with, as GET
// /v2/access-token describes it: above all its scopes.
type AccessToken struct {
	UUID        string     `json:"uuid"`
	Scopes      []string   `json:"scopes"`
	Description string     `json:"description"`
	CreatedAt   *Timestamp `json:"created_at"`
	// ExpiresAt is when the token stops working; null for one that does
	// not expire.
	ExpiresAt *Timestamp `json:"expires_at"`
	User      struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
}

// HasScope reports whether the token has scope.
func (t AccessToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// A team's access to a pipeline, as the pipelines API takes it.
const (
	TeamAccessRead   = "read_only"
	TeamAccessBuild  = "build_and_read"
	TeamAccessManage = "manage_build_and_read"
)
