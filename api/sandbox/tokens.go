package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	return pageOf(w, r, c.tokens, func(t *model.Token) model.Token { return u.token(c.cluster.ID, *t) })
}

func (s *Server) findToken(r *http.Request) (*clusterRecord, *model.Token) {
	c := s.findCluster(r)
	if c == nil {
		return nil, nil
	}
	return c, s.org.token(c, r.PathValue("token"))
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, t := s.findToken(r)
	if t == nil {
		return notFound()
	}
	return ok(u.token(c.cluster.ID, *t))
}

// tokenBody is a token create body. Times are read as strings so that a
// malformed one gets the API's 422 rather than a parse error.
type tokenBody struct {
	Description        model.Field[string] `json:"description"`
	ExpiresAt          model.Field[string] `json:"expires_at"`
	AllowedIPAddresses model.Field[string] `json:"allowed_ip_addresses"`
}

// tokenUpdateBody is a token update body: the docs list description as
// its only property. The docs' own example also sends expires_at and
// allowed_ip_addresses; they are read and ignored, as the API ignores
// them, so such a request succeeds and changes the description only.
type tokenUpdateBody struct {
	Description model.Field[string] `json:"description"`
}

// applyToken validates a create body and applies it to t.
func (s *Server) applyToken(b tokenBody, t *model.Token) string {
	if b.Description.IsSet() {
		d, _ := b.Description.Get()
		if strings.TrimSpace(d) == "" {
			return "Description can't be blank"
		}
		if len([]rune(d)) > model.MaxTextLength {
			return "Description is too long"
		}
		t.Description = d
	}
	if b.ExpiresAt.IsSet() {
		v, _ := b.ExpiresAt.Get()
		if v == "" {
			t.ExpiresAt = nil
		} else {
			ts, err := model.ParseTimestamp(v)
			if err != nil {
				return "Expires at is not a valid ISO 8601 time"
			}
			// Buildkite's rule: a token lives at least ten minutes.
			if ts.Before(s.opts.Now().Add(model.MinTokenLifetime)) {
				return "Expires at must be at least 10 minutes in the future"
			}
			t.ExpiresAt = &ts
		}
	}
	if b.AllowedIPAddresses.IsSet() {
		v, _ := b.AllowedIPAddresses.Get()
		if err := model.ValidateCIDRList(v); err != nil {
			return "Allowed ip addresses " + err.Error()
		}
		t.AllowedIPAddresses = optional(model.NormalizeCIDRList(v))
	}
	return ""
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	var req tokenBody
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	if !req.Description.IsSet() {
		return invalid("Description can't be blank")
	}
	id := s.newID()
	t := &model.Token{
		ID:        id,
		GraphQLID: graphQLID("ClusterToken", id),
		CreatedAt: model.NewTimestamp(s.opts.Now()),
		CreatedBy: grantOf(r).user,
	}
	if reason := s.applyToken(req, t); reason != "" {
		return invalid(reason)
	}
	c.tokens = append(c.tokens, t)
	// The value is in this reply and nowhere else: the sandbox does not
	// keep it, as the API shows it only once.
	out := u.token(c.cluster.ID, *t)
	out.Token = s.tokenValue()
	return created(out)
}

func (s *Server) updateToken(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, t := s.findToken(r)
	if t == nil {
		return notFound()
	}
	var req tokenUpdateBody
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	if req.Description.IsSet() {
		d, _ := req.Description.Get()
		if strings.TrimSpace(d) == "" {
			return invalid("Description can't be blank")
		}
		if len([]rune(d)) > model.MaxTextLength {
			return invalid("Description is too long")
		}
		t.Description = d
	}
	return ok(u.token(c.cluster.ID, *t))
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, t := s.findToken(r)
	if t == nil {
		return notFound()
	}
	c.tokens = slices.DeleteFunc(c.tokens, func(x *model.Token) bool { return x == t })
	return noContent()
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// tokenValue makes an agent token's secret value from the seeded stream:
// a sandbox's secrets are for demos and tests, and repeatable output
// keeps screenshots stable.
func (s *Server) tokenValue() string {
	b := make([]byte, 48)
	for i := range b {
		b[i] = tokenAlphabet[s.rng.IntN(len(tokenAlphabet))]
	}
	return string(b)
}

// ParseScopedToken reads a scoped token as the command line gives it,
// NAME=scope,scope (for Options.ScopedTokens): the token's value and its
// scopes. Each scope must be one Buildkite names (fullScopes, or
// write_teams, read_user …: any read_ or write_ word), so a typo does not
// make a token that silently lacks the scope meant.
func ParseScopedToken(s string) (token string, scopes []string, err error) {
	token, list, ok := strings.Cut(s, "=")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		return "", nil, fmt.Errorf("a scoped token is NAME=scope,scope…, not %q", s)
	}
	for _, sc := range strings.Split(list, ",") {
		sc = strings.TrimSpace(sc)
		switch {
		case sc == "":
		case !validScope(sc):
			return "", nil, fmt.Errorf("%q is not a token scope (such as read_builds, write_agents)", sc)
		default:
			scopes = append(scopes, sc)
		}
	}
	return token, scopes, nil
}

func validScope(sc string) bool {
	if slices.Contains(fullScopes, sc) || sc == "write_teams" {
		return true
	}
	word, ok := strings.CutPrefix(sc, "read_")
	if !ok {
		word, ok = strings.CutPrefix(sc, "write_")
	}
	return ok && word != "" && strings.Trim(word, "abcdefghijklmnopqrstuvwxyz_") == ""
}
