package screen

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/actions"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// expiryCell is a token's expiry as a date (a span such as "in 2mo"
// hides which day; issue 17, 24), or how soon when within two days:
// expired in red, within a week in amber.
func expiryCell(c *common.Common, t model.Token) present.Cell {
	if t.ExpiresAt == nil || t.ExpiresAt.IsZero() {
		return present.As(present.Muted, "never")
	}
	now := c.Now()
	at := t.ExpiresAt.Time
	date := at.UTC().Format("2006-01-02")
	switch {
	case !at.After(now):
		return present.As(present.Danger, "expired "+date)
	case at.Sub(now) < 48*time.Hour:
		return present.As(present.Warning, "expires "+present.Until(now, at))
	case at.Sub(now) <= 7*24*time.Hour:
		return present.As(present.Warning, "expires "+date)
	default:
		return present.Text("expires " + date)
	}
}

// tokenSpec declares the Tokens tab of a cluster (cl points at the
// screen's copy, which a refresh may replace).
func tokenSpec(c *common.Common, cl *model.Cluster) component.ListSpec[model.Token] {
	k := c.Keys
	description := func(t model.Token) string { return common.Emojize(t.Description) }
	ips := func(t model.Token) present.Cell {
		if ips := model.Value(t.AllowedIPAddresses); strings.TrimSpace(ips) != "" {
			return present.Text(ips)
		}
		return present.As(present.Muted, "any address")
	}
	return component.ListSpec[model.Token]{
		Noun: "tokens", Empty: "no agent tokens: n creates one",
		Columns: []component.ListColumn[model.Token]{
			component.Col("DESCRIPTION", 14, 2, 0, description),
			component.Col("ALLOWED IPS", 14, 1, 90, ips),
			component.Col("EXPIRY", 18, 0, 0, func(t model.Token) present.Cell { return expiryCell(c, t) }),
			component.Col("CREATED", 12, 1, 70, func(t model.Token) present.Cell {
				created := ""
				if t.CreatedAt != nil {
					created = present.Ago(c.Now(), t.CreatedAt.Time)
				}
				if by := t.CreatedBy.DisplayName(); by != "" {
					created += " by " + by
				}
				return present.As(present.Muted, created)
			}),
		},
		Key: func(t model.Token) string { return t.ID },
		Match: func(t model.Token) (string, int) {
			d := description(t)
			return d + " " + ips(t).String(), len(d)
		},
		Keys: []component.ListKey[model.Token]{
			component.Shown[model.Token](k.NextTab),
			component.OnItem(k.Open, func(t model.Token) common.Reply { return Open(c, "token", TokenArg{Cluster: *cl, Token: t}) }),
			component.OnList[model.Token](k.New, func() common.Reply { return component.PushForm(c, newTokenForm(c, *cl, nil)) }).Needs(api.ActionChangeToken),
			component.OnItem(k.Edit, func(t model.Token) common.Reply { return component.PushForm(c, newTokenForm(c, *cl, &t)) }).Needs(api.ActionChangeToken),
			component.OnItem(k.Delete, func(t model.Token) common.Reply { return confirmRevokeToken(c, *cl, t) }).Needs(api.ActionChangeToken),
			component.OnItem(k.CopyID, func(t model.Token) tea.Cmd { return c.CopyText("the token's ID", t.ID) }),
			component.Shown[model.Token](k.Filter),
			component.Shown[model.Token](k.Back),
			component.OnItem(k.CopyURL, func(t model.Token) tea.Cmd { return c.CopyAPIURL("the token's API URL", t.URL) }).Hide(),
			notOnThisList[model.Token](k.Pause, pausesQueues, "tokens"),
			notOnThisList[model.Token](k.Mark, marksQueues, "tokens"),
		},
	}
}

// notOnThisList is a queue key (pause, mark) pressed on a list of
// something else: it says what the key does and where, instead of
// nothing at all (issue 17, 17). Hidden from the help line.
func notOnThisList[T any](b key.Binding, does, what string) component.ListKey[T] {
	return component.OnList[T](b, func() tea.Cmd {
		return common.Flash(common.FlashInfo, b.Help().Key+" "+does+" on the Queues tab or a queue; "+what+" have no such action")
	}).Hide()
}

// Queue keys' actions, for notOnThisList.
const (
	pausesQueues = "pauses and resumes queues"
	marksQueues  = "marks queues for incident mode"
)

// withoutValue is a token as every list keeps it: without its value.
func withoutValue(t model.Token) model.Token { return actions.WithoutValue(t) }

var cidrHint = "space-separated CIDRs, e.g. 202.144.0.0/24 10.0.0.0/8; empty allows any"

// expiryHint is the create form's help for the expiry, with examples
// that are themselves valid (a week from now) and Buildkite's minimum.
func expiryHint(now time.Time) string {
	week := now.Add(7 * 24 * time.Hour).UTC()
	return fmt.Sprintf("optional; at least %d minutes from now: %s, %s or a span such as 90d",
		int(model.MinTokenLifetime.Minutes()), week.Format("2006-01-02"), week.Format("2006-01-02T15:04:05Z"))
}

// expiryPreview says the date an expiry as typed stands for ("90d" is a
// date the person should see before creating it; issue 17, 24), or why
// it will be refused.
func expiryPreview(c *common.Common, typed string) string {
	if strings.TrimSpace(typed) == "" {
		return "no expiry: the token works until it is revoked"
	}
	at, err := model.ParseExpiry(typed, c.Now())
	if err != nil {
		return "expiry: " + err.Error()
	}
	return "expires " + at.UTC().Format("Mon 2 Jan 2006, 15:04 UTC") + " (" + present.Until(c.Now(), at) + ")"
}

// newTokenForm creates a token in cl (t nil) or edits one. The API
// updates a token's description only: its expiry and allowed addresses
// are fixed when it is made, so the edit form offers neither (and never
// checks the expiry it has, which may be past).
func newTokenForm(c *common.Common, cl model.Cluster, t *model.Token) component.FormSpec {
	v := struct{ description, expiry, ips string }{}
	was := ""
	if t != nil {
		// Prefilled inputs draw what they hold: cleaned, so no bidi
		// override or escape from the API reaches the terminal.
		was = component.Text(t.Description)
		v.description = was
	}
	title, action := "New agent token in "+cl.Name, "creating tokens"
	if t != nil {
		title, action = "Edit token "+t.Description, "editing tokens"
	}
	validateExpiry := func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		_, err := model.ParseExpiry(s, c.Now())
		return err
	}
	description := func() *huh.Input {
		return component.InputField().Title("Description").Description("what the agents using it are").Value(&v.description).
			Validate(func(s string) error { return model.ValidateText("description", s, true) })
	}
	build := func() *huh.Form {
		if t != nil {
			return huh.NewForm(huh.NewGroup(
				description(),
				component.NoteField().Title("Expiry and allowed IP addresses").
					Description("fixed when a token is created: the API changes only the description"),
			))
		}
		return huh.NewForm(huh.NewGroup(
			description(),
			component.InputField().Title("Expires").Description(expiryHint(c.Now())).
				Value(&v.expiry).Validate(validateExpiry),
			component.InputField().Title("Allowed IP addresses").Description(cidrHint).Value(&v.ips).
				Validate(component.Validator(model.ValidateCIDRList)),
		))
	}
	submit := func(ctx context.Context) (tea.Cmd, error) {
		if t == nil {
			var expires *model.Timestamp
			if strings.TrimSpace(v.expiry) != "" {
				at, err := model.ParseExpiry(v.expiry, c.Now())
				if err != nil {
					return nil, err
				}
				expires = model.NewTimestamp(at)
			}
			return actions.CreateToken(ctx, c, cl, model.TokenCreate{Description: v.description, ExpiresAt: expires, AllowedIPAddresses: model.NormalizeCIDRList(v.ips)})
		}
		if v.description == was {
			return common.Flash(common.FlashInfo, "nothing changed"), nil
		}
		return actions.UpdateToken(ctx, c, cl.ID, t.ID, v.description)
	}
	spec := component.FormSpec{Title: title, Action: action, Build: build, Submit: submit, Audit: "token.create",
		Target: audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}}
	if t != nil {
		spec.Audit, spec.Target.TokenID, spec.Target.TokenName = "token.update", t.ID, t.Description
	} else {
		spec.Preview = func() string { return expiryPreview(c, v.expiry) }
	}
	return spec
}

// confirmRevokeToken asks for the token's description before revoking it.
func confirmRevokeToken(c *common.Common, cl model.Cluster, t model.Token) common.Reply {
	return actions.Start(c, actions.RevokeToken(c, cl, t))
}
