package model

// User is a Buildkite user as it appears in created_by and
// dispatch_paused_by.
type User struct {
	ID        string     `json:"id"`
	GraphQLID string     `json:"graphql_id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	AvatarURL string     `json:"avatar_url"`
	CreatedAt *Timestamp `json:"created_at"`
}

// DisplayName is the name to show for a possibly absent user.
func (u *User) DisplayName() string {
	switch {
	case u == nil:
		return ""
	case u.Name != "":
		return u.Name
	default:
		return u.Email
	}
}
