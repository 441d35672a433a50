package screen

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// tokenScreen shows every field of one cluster agent token (enter on the
// Tokens tab): what the list's columns cut short, the allowed addresses
// one per line, the expiry as a date and time, who made it. Its value is
// never here: the API gives it only once, when the token is created.
type tokenScreen struct {
	common.ScreenBase
	cluster model.Cluster
	token   model.Token
	gone    bool
	// offset is the first line shown, when the fields are taller than the
	// screen.
	offset int
}

type tokenLoaded struct {
	token model.Token
	err   error
	// asked is set for a person's r, which says when it is done.
	asked bool
}

func NewTokenScreen(c *common.Common, cl model.Cluster, t model.Token) *tokenScreen {
	return &tokenScreen{ScreenBase: common.NewBase(c), cluster: cl, token: withoutValue(t)}
}

func (s *tokenScreen) Crumb() string {
	return "Token " + common.Emojize(s.token.Description)
}
func (s *tokenScreen) Capturing() bool { return false }
func (s *tokenScreen) Init() tea.Cmd   { return nil }

func (s *tokenScreen) Help() []key.Binding {
	k := s.C.Keys
	return []key.Binding{k.Edit, k.Delete, k.CopyURL, k.CopyID, k.Refresh, k.Back}
}

// KeyAction: edit and delete change the token (common.KeyActions).
func (s *tokenScreen) KeyAction(b key.Binding) (api.Action, bool) {
	if k := s.C.Keys; sameKey(b, k.Edit) || sameKey(b, k.Delete) {
		return api.ActionChangeToken, true
	}
	return "", false
}

func (s *tokenScreen) load(lane org.Lane) tea.Cmd {
	cid, id, asked := s.cluster.ID, s.token.ID, lane == org.Fresh
	return s.Run(lane, "loading token", func(ctx context.Context) tea.Msg {
		t, err := s.C.Client.GetToken(ctx, cid, id)
		return tokenLoaded{token: t, err: err, asked: asked}
	})
}

func (s *tokenScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k := s.C.Keys
	if component.ScrollBy(msg, k, s.C.Height-1, s.scroll) {
		return s, nil
	}
	switch msg := msg.(type) {
	case tokenLoaded:
		if cmd, done := common.LoadFailed(msg.err, "token"); done {
			return s, cmd
		}
		s.token = withoutValue(msg.token)
		cmd := common.Send(org.TokenChanged{ClusterID: s.cluster.ID, Token: s.token})
		if msg.asked {
			cmd = tea.Batch(cmd, common.Flash(common.FlashOK, "refreshed token "+s.token.Description))
		}
		return s, cmd
	case org.TokenChanged:
		if msg.Token.ID == s.token.ID {
			s.token = withoutValue(msg.Token)
		}
	case org.TokenRemoved:
		if msg.TokenID == s.token.ID {
			s.gone = true
			return common.Asking(s, common.PopMsg{}), nil
		}
	case org.ClusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
		}
	case org.ClusterRemoved:
		if msg.ClusterID == s.cluster.ID {
			s.gone = true
			return common.Asking(s, common.PopMsg{}), nil
		}
	case common.RefreshMsg:
		if !s.gone {
			return s, s.load(msg.Lane)
		}
	case tea.KeyPressMsg:
		t := s.token
		switch {
		case key.Matches(msg, k.Back):
			return common.Asking(s, common.PopMsg{}), nil
		case key.Matches(msg, k.Edit):
			return common.Answer(s, component.PushForm(s.C, newTokenForm(s.C, s.cluster, &t)))
		case key.Matches(msg, k.Delete):
			return common.Answer(s, confirmRevokeToken(s.C, s.cluster, t))
		case key.Matches(msg, k.CopyURL):
			return s, s.C.CopyAPIURL("the token's API URL", t.URL)
		case key.Matches(msg, k.CopyID):
			return s, s.C.CopyText("the token's ID", t.ID)
		}
	}
	return s, nil
}

// scroll moves the view by delta lines, within the fields.
func (s *tokenScreen) scroll(delta int) {
	s.offset = min(max(s.offset+delta, 0), max(len(s.lines())-s.C.Height, 0))
}

// lines are the screen's lines at the current width: each value wraps
// under its label, so no address or URL is cut.
func (s *tokenScreen) lines() []string {
	st := s.C.Styles
	t := s.token
	width := max(s.C.Width, 30)
	label := st.Label.GetWidth()
	valueWidth := max(width-label-1, 12)
	indent := strings.Repeat(" ", label)
	none := st.Muted.Render("—")
	var out []string
	field := func(name string, values ...string) {
		if len(values) == 0 {
			values = []string{none}
		}
		for i, v := range values {
			if v == "" {
				v = none
			}
			wrapped := strings.Split(lipgloss.NewStyle().Width(valueWidth).Render(v), "\n")
			for j, w := range wrapped {
				head := indent
				if i == 0 && j == 0 {
					head = st.Label.Render(name)
				}
				out = append(out, head+strings.TrimRight(w, " "))
			}
		}
	}
	title := component.Draw(st, present.As(present.Title, common.Emojize(t.Description)))
	out = append(out, title, "")
	field("Cluster", component.Text(common.Emojize(s.cluster.Name)))
	field("Expires", component.Draw(st, present.Expiry(s.C.Now(), t.ExpiresAt)))
	if ips := strings.Fields(component.Text(model.Value(t.AllowedIPAddresses))); len(ips) > 0 {
		field("Allowed IPs", ips...)
	} else {
		field("Allowed IPs", "any address")
	}
	out = append(out, "")
	field("Created", component.Draw(st, present.TimeField(s.C.Now(), t.CreatedAt)))
	created := component.Text(t.CreatedBy.DisplayName())
	if t.CreatedBy != nil && t.CreatedBy.Email != "" && created != "" && !strings.Contains(created, "@") {
		created += st.Muted.Render(" <" + component.Text(t.CreatedBy.Email) + ">")
	}
	field("Created by", created)
	out = append(out, "")
	field("ID", component.Draw(st, present.As(present.Muted, t.ID)))
	field("GraphQL ID", component.Draw(st, present.As(present.Muted, t.GraphQLID)))
	field("API URL", component.Draw(st, present.As(present.Muted, t.URL)))
	out = append(out, "")
	// One entry a line: scrolling counts lines.
	for _, l := range strings.Split(lipgloss.NewStyle().Width(width-2).Render(
		"The token's value was shown once, when it was created: Buildkite keeps no copy to show again. "+
			"Its expiry and allowed addresses are fixed; e changes its description, d revokes it."), "\n") {
		out = append(out, st.Muted.Render(strings.TrimRight(l, " ")))
	}
	return out
}

func (s *tokenScreen) View() string {
	lines := s.lines()
	s.offset = min(s.offset, max(len(lines)-s.C.Height, 0))
	end := min(len(lines), s.offset+s.C.Height)
	return strings.Join(lines[s.offset:end], "\n")
}

func init() {
	Register(Registration[TokenArg]{Name: "token", Place: 150,
		Open: func(c *common.Common, a TokenArg) common.Screen { return NewTokenScreen(c, a.Cluster, a.Token) }})
}
