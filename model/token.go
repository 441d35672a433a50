package model

import (
	"fmt"
	"time"
)

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
// ExpiresAt, when set, must be at least MinTokenLifetime ahead
// (ValidateTokenExpiry); AllowedIPAddresses is a space-separated list of
// CIDRs. Expiry and addresses are fixed here: the update endpoint changes
// the description only.
type TokenCreate struct {
	Description        string     `json:"description"`
	ExpiresAt          *Timestamp `json:"expires_at,omitempty"`
	AllowedIPAddresses string     `json:"allowed_ip_addresses,omitempty"`
}

// TokenUpdate is the body of "Update a token". The API documents
// description as the only property it changes, and that is all the client
// sends.
type TokenUpdate struct {
	Description Field[string] `json:"description,omitzero"`
	// Deprecated: the API does not change a token's expiry. Kept only so
	// that older callers compile; api.Client.UpdateToken refuses an update
	// that sets it (nothing is sent), so no screen can claim the change.
	ExpiresAt Field[Timestamp] `json:"-"`
	// Deprecated: the API does not change a token's allowed addresses;
	// refused like ExpiresAt.
	AllowedIPAddresses Field[string] `json:"-"`
}

// UnsupportedChanges names what u sets that the update endpoint does not
// change, for the refusal's message; empty when u is sendable.
func (u TokenUpdate) UnsupportedChanges() []string {
	var out []string
	if u.ExpiresAt.IsSet() {
		out = append(out, "expiry")
	}
	if u.AllowedIPAddresses.IsSet() {
		out = append(out, "allowed IP addresses")
	}
	return out
}

// MinTokenLifetime is how far ahead a new token's expiry must be:
// Buildkite refuses a token that would expire sooner.
const MinTokenLifetime = 10 * time.Minute

// ValidateTokenExpiry checks a new token's expiry against now: at least
// MinTokenLifetime ahead. The message gives an example that is itself
// valid (a week from now), so copying it works.
func ValidateTokenExpiry(at, now time.Time) error {
	if at.Before(now.Add(MinTokenLifetime)) {
		return fmt.Errorf("expiry must be in the future, at least 10 minutes from now: such as %s or 7d",
			now.Add(7*24*time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
	}
	return nil
}
