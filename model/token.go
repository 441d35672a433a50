package model

// Token is a cluster agent token. Its secret value (Token) is present only
// in the reply to the request that created it.
type Token struct {
	ID                 string     `json:"id"`
	GraphQLID          string     `json:"graphql_id"`
	Description        string     `json:"description"`
	AllowedIPAddresses *string    `json:"allowed_ip_addresses"`
	ExpiresAt          *Timestamp `json:"expires_at"`
	URL                string     `json:"url"`
	ClusterURL         string     `json:"cluster_url"`
	CreatedAt          *Timestamp `json:"created_at"`
	CreatedBy          *User      `json:"created_by"`
	Token              string     `json:"token,omitempty"`
}

// String never shows the secret value, so a token printed by mistake
// (in a log line or an error) leaks nothing.
func (t Token) String() string {
	return "Token{" + t.ID + " " + t.Description + "}"
}

// GoString keeps %#v as safe as %v.
func (t Token) GoString() string { return t.String() }

// TokenCreate is the body of "Create a token". Description is required;
// ExpiresAt must be in the future; AllowedIPAddresses is a space-separated
// list of CIDRs.
type TokenCreate struct {
	Description        string     `json:"description"`
	ExpiresAt          *Timestamp `json:"expires_at,omitempty"`
	AllowedIPAddresses string     `json:"allowed_ip_addresses,omitempty"`
}

// TokenUpdate is the body of "Update a token".
type TokenUpdate struct {
	Description        Field[string]    `json:"description,omitzero"`
	ExpiresAt          Field[Timestamp] `json:"expires_at,omitzero"`
	AllowedIPAddresses Field[string]    `json:"allowed_ip_addresses,omitzero"`
}
