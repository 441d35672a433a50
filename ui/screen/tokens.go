package screen

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// expiryCell is a token's expiry, relative: expired in red, within a week
// in amber.
func expiryCell(c *common.Common, t model.Token) string {
	st := c.Styles
	if t.ExpiresAt == nil || t.ExpiresAt.IsZero() {
		return st.Muted.Render("never")
	}
	now := c.Now()
	at := t.ExpiresAt.Time
	switch {
	case !at.After(now):
		return st.Danger.Render("expired " + common.Ago(now, at))
	case at.Sub(now) <= 7*24*time.Hour:
		return st.Warning.Render("expires " + common.Until(now, at))
	default:
		return "expires " + common.Until(now, at)
	}
}

// tokenSpec declares the Tokens tab of a cluster (cl points at the
// screen's copy, which a refresh may replace).
func tokenSpec(c *common.Common, cl *model.Cluster) component.ListSpec[model.Token] {
	st, k := c.Styles, c.Keys
	description := func(t model.Token) string { return common.Clean(common.Emojize(t.Description)) }
	ips := func(t model.Token) string {
		if ips := common.Clean(model.Value(t.AllowedIPAddresses)); ips != "" {
			return ips
		}
		return st.Muted.Render("any address")
	}
	return component.ListSpec[model.Token]{
		Noun: "tokens", Empty: "no agent tokens: n creates one",
		Columns: []component.ListColumn[model.Token]{
			component.Col("DESCRIPTION", 14, 2, 0, description),
			component.Col("ALLOWED IPS", 14, 1, 90, ips),
			component.Col("EXPIRY", 16, 0, 0, func(t model.Token) string { return expiryCell(c, t) }),
			component.Col("CREATED", 12, 1, 70, func(t model.Token) string {
				created := ""
				if t.CreatedAt != nil {
					created = common.Ago(c.Now(), t.CreatedAt.Time)
				}
				if by := common.Clean(t.CreatedBy.DisplayName()); by != "" {
					created += " by " + by
				}
				return st.Muted.Render(created)
			}),
		},
		Key: func(t model.Token) string { return t.ID },
		Match: func(t model.Token) (string, int) {
			d := description(t)
			return d + " " + ips(t), len(d)
		},
		Keys: []component.ListKey[model.Token]{
			component.Shown[model.Token](k.NextTab),
			component.OnList[model.Token](k.New, func() tea.Cmd { return component.PushForm(c, newTokenForm(c, *cl, nil)) }),
			component.OnItem(k.Edit, func(t model.Token) tea.Cmd { return component.PushForm(c, newTokenForm(c, *cl, &t)) }),
			component.OnItem(k.Delete, func(t model.Token) tea.Cmd { return confirmRevokeToken(c, *cl, t) }),
			component.OnItem(k.CopyID, func(t model.Token) tea.Cmd { return c.CopyText("the token's ID", t.ID) }),
			component.Shown[model.Token](k.Filter),
			component.Shown[model.Token](k.Back),
			component.OnItem(k.CopyURL, func(t model.Token) tea.Cmd { return c.CopyText("the token's API URL", t.URL) }).Hide(),
		},
	}
}

// withoutValue is a token as every list keeps it: without its value.
func withoutValue(t model.Token) model.Token {
	t.Token = ""
	return t
}

var cidrHint = "space-separated CIDRs, e.g. 202.144.0.0/24 10.0.0.0/8; empty allows any"

// newTokenForm creates a token in cl (t nil) or edits one.
func newTokenForm(c *common.Common, cl model.Cluster, t *model.Token) component.FormSpec {
	v := struct{ description, expiry, ips string }{}
	if t != nil {
		v.description = t.Description
		v.ips = model.Value(t.AllowedIPAddresses)
		if t.ExpiresAt != nil {
			v.expiry = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
	}
	title, action := "New agent token in "+common.Clean(cl.Name), "creating tokens"
	if t != nil {
		title, action = "Edit token "+common.Clean(t.Description), "editing tokens"
	}
	validateExpiry := func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		_, err := model.ParseExpiry(s, c.Now())
		return err
	}
	build := func() *huh.Form {
		return huh.NewForm(huh.NewGroup(
			huh.NewInput().Title("Description").Description("what the agents using it are").Value(&v.description).
				Validate(func(s string) error { return model.ValidateText("description", s, true) }),
			huh.NewInput().Title("Expires").Description("optional: 2027-01-01, 2027-01-01T00:00:00Z or a span such as 90d").
				Value(&v.expiry).Validate(validateExpiry),
			huh.NewInput().Title("Allowed IP addresses").Description(cidrHint).Value(&v.ips).
				Validate(component.Validator(model.ValidateCIDRList)),
		))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		var expires *model.Timestamp
		if strings.TrimSpace(v.expiry) != "" {
			at, err := model.ParseExpiry(v.expiry, c.Now())
			if err != nil {
				return nil, err
			}
			expires = model.NewTimestamp(at)
		}
		ips := model.NormalizeCIDRList(v.ips)
		if t == nil {
			made, err := c.Client.CreateToken(ctx, cl.ID, model.TokenCreate{Description: v.description, ExpiresAt: expires, AllowedIPAddresses: ips})
			if err != nil {
				return nil, err
			}
			return tea.Batch(common.Send(org.TokenChanged{ClusterID: cl.ID, Token: withoutValue(made)}),
				common.Send(common.TokenShown{ClusterName: cl.Name, Token: made})), nil
		}
		var up model.TokenUpdate
		changed := false
		if v.description != t.Description {
			up.Description, changed = model.Set(v.description), true
		}
		if ips != model.Value(t.AllowedIPAddresses) {
			up.AllowedIPAddresses, changed = model.Set(ips), true
		}
		was := ""
		if t.ExpiresAt != nil {
			was = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		if strings.TrimSpace(v.expiry) != was && expires != nil {
			up.ExpiresAt, changed = model.Set(*expires), true
		}
		if !changed {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		made, err := c.Client.UpdateToken(ctx, cl.ID, t.ID, up)
		if err != nil {
			return nil, err
		}
		return tea.Batch(common.Send(org.TokenChanged{ClusterID: cl.ID, Token: withoutValue(made)}), common.Flash(common.FlashOK, "updated token "+common.Clean(made.Description))), nil
	}
	spec := component.FormSpec{Title: title, Action: action, Build: build, Submit: submit, Audit: "token.create",
		Target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}}
	if t != nil {
		spec.Audit, spec.Target.TokenID, spec.Target.TokenName = "token.update", t.ID, t.Description
	}
	return spec
}

// confirmRevokeToken asks for the token's description before revoking it.
func confirmRevokeToken(c *common.Common, cl model.Cluster, t model.Token) tea.Cmd {
	name := common.Clean(t.Description)
	return component.ConfirmThen(c, component.ConfirmedChange{Audit: "token.revoke", Target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name, TokenID: t.ID, TokenName: t.Description},
		Refused: "revoking tokens", Title: "Revoke token " + name + "?", Expect: t.Description, Verb: "revokes",
		Body:  fmt.Sprintf("Agents that connect to %s with this token will be refused from now on. This cannot be undone.", common.Clean(cl.Name)),
		Doing: "revoking " + name, Done: "revoked token " + name,
		Send:  func(ctx context.Context) error { return c.Client.RevokeToken(ctx, cl.ID, t.ID) },
		Shows: org.TokenRemoved{ClusterID: cl.ID, TokenID: t.ID}})
}
