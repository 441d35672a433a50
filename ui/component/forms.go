package component

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// FormSpec is one create or update form: how to build it (bound to
// values that outlive a rebuild), and what to send.
type FormSpec struct {
	Title string
	// Action names what the form does, for read-only mode's message.
	Action string
	Build  func() *huh.Form
	// Submit sends the request; on success it returns the command that
	// shows the change (broadcasts and a flash).
	Submit func(ctx context.Context) (tea.Cmd, error)
	// Audit and target say what the form changes, for the audit log.
	Audit  string
	Target audit.Target
	// Preview, when set, is drawn above the form from its live values
	// (the pipeline's slug as its name is typed). It runs in the event
	// loop, as the form's own updates do.
	Preview func() string
	// Review, when set, lists what the filled-in form will change; it is
	// shown for a yes before anything is sent. Nothing listed: nothing
	// to send.
	Review func() []string
	// Fields are the keys (huh's Key) of the fields a rejection (422) may
	// name, as the API names them ("configuration"): focus goes back to
	// the first one named, not to the top of the form.
	Fields []string
}

// formScreen hosts a huh form. A rejected submission (422) keeps every
// value and shows the server's message beside the form.
type formScreen struct {
	common.ScreenBase
	spec       FormSpec
	form       *huh.Form
	submitting bool
	serverErr  string
	// reviewing holds the changes shown for a yes before sending.
	reviewing []string
}

type formSubmitted struct {
	title string
	done  tea.Cmd
	err   error
}

// Orphaned is what a reply does when its form was closed while it was on
// its way: the change still shows, or the failure is still said.
func (m formSubmitted) Orphaned() tea.Cmd {
	if m.err != nil {
		return common.Flash(common.FlashError, m.title+" failed: "+common.ErrorText(m.err))
	}
	return m.done
}

// PushForm opens a form, unless changes are turned off.
func PushForm(c *common.Common, spec FormSpec) common.Reply {
	if c.ReadOnly {
		return common.Do(c.Refuse(spec.Audit, spec.Target, spec.Action))
	}
	return common.Push(newFormScreen(c, spec))
}

// formTheme is huh's Charm theme, built once for each background: huh
// asks its theme for the styles on every update and every view, and
// building them anew each time was most of a form's cost per key. The
// styles are values that huh only reads.
var formTheme = huh.ThemeFunc(func(isDark bool) *huh.Styles {
	if isDark {
		return darkFormStyles()
	}
	return lightFormStyles()
})

var (
	darkFormStyles  = sync.OnceValue(func() *huh.Styles { return huh.ThemeCharm(true) })
	lightFormStyles = sync.OnceValue(func() *huh.Styles { return huh.ThemeCharm(false) })
)

func newFormScreen(c *common.Common, spec FormSpec) *formScreen {
	s := &formScreen{ScreenBase: common.NewBase(c), spec: spec}
	s.rebuild()
	return s
}

func (s *formScreen) rebuild() {
	form := s.spec.Build()
	if s.C.Remote {
		form = form.WithKeyMap(RemoteFormKeyMap())
	}
	s.form = form.
		WithTheme(formTheme).
		WithShowHelp(true).
		WithWidth(min(max(s.C.Width-2, 30), 90)).
		WithHeight(s.formHeight())
}

// RemoteFormKeyMap is huh's key map for a form served over SSH: without
// the external editor. huh's text field starts $EDITOR (else nano) on
// ctrl+e, as a process of the server attached to the session: a shell on
// the server, with its token in the environment, for anyone who may open
// a form. Text.ExternalEditor(false) would only hide the key from the help
// (huh 2.0.3 applies it in KeyBinds alone, and Update still matches the
// binding), so the binding itself loses its keys: it then matches nothing,
// and the help, which shows only bindings with keys, never lists it.
// Every form passes through rebuild, so no form is left out. Locally
// ctrl+e keeps its editor.
func RemoteFormKeyMap() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Text.Editor.Unbind()
	km.Text.Editor.SetEnabled(false)
	return km
}

// formHeight is the height left for the form under its title, preview
// and message: a tall group scrolls to its focused field instead of
// running off the screen with its error.
func (s *formScreen) formHeight() int {
	// title, preview, blank line, and the line huh puts above a group's
	// footer without counting it.
	above := 4
	if s.serverErr != "" {
		above += lipgloss.Height(s.errorView())
	}
	return max(8, s.C.Height-above)
}

func (s *formScreen) Crumb() string { return s.spec.Title }

func (s *formScreen) Capturing() bool { return true }

func (s *formScreen) Help() []key.Binding {
	if s.reviewing != nil {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter/y", "send")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc/n", "back to the form")),
		}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next / submit")),
		key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "back")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

func (s *formScreen) Init() tea.Cmd { return s.form.Init() }

func (s *formScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.form = s.form.WithWidth(min(max(msg.Width-2, 30), 90)).WithHeight(s.formHeight())
		return s, nil
	case formSubmitted:
		s.submitting = false
		if msg.err == nil {
			return common.Asking(s, common.PopMsg{}), msg.done
		}
		s.serverErr = common.ErrorText(msg.err)
		var apiErr *api.Error
		var failed []string
		if errors.As(msg.err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity {
			s.serverErr = "The server said: " + s.serverErr
			for _, e := range apiErr.Errors {
				if field, _, ok := strings.Cut(e, ":"); ok {
					failed = append(failed, strings.TrimSpace(field))
				}
			}
		}
		// The values live outside the form: rebuilding keeps them all.
		s.rebuild()
		return s, tea.Batch(s.form.Init(), s.focusFailed(failed))
	case tea.KeyPressMsg:
		if s.submitting {
			if msg.String() == "esc" {
				// The request is on its way and cannot be called back; its
				// answer is still shown when it comes (see Orphaned).
				return common.Asking(s, common.PopMsg{}), common.Flash(common.FlashInfo, s.spec.Title+": already sent; its answer will show here")
			}
			return s, nil
		}
		if s.reviewing != nil {
			switch msg.String() {
			case "enter", "y":
				s.reviewing = nil
				return s, s.send()
			case "esc", "n", "shift+tab":
				// Back to the form, every value kept.
				s.reviewing = nil
				s.rebuild()
				return s, s.form.Init()
			}
			return s, nil
		}
		if msg.String() == "esc" {
			return common.Asking(s, common.PopMsg{}), common.Flash(common.FlashInfo, s.spec.Title+": cancelled, nothing was sent")
		}
	case common.RefreshMsg, org.QueueChanged, org.QueuesSeen, org.ClusterChanged, common.MarksChanged:
		return s, nil // a refresh never disturbs an open form
	}
	if s.submitting || s.reviewing != nil {
		return s, nil
	}
	f, cmd := s.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		s.form = ff
	}
	switch s.form.State {
	case huh.StateCompleted:
		if s.spec.Review != nil {
			changes := s.spec.Review()
			if len(changes) == 0 {
				return common.Asking(s, common.PopMsg{}), common.Flash(common.FlashInfo, s.spec.Title+": nothing changed, nothing was sent")
			}
			s.reviewing = changes
			return s, nil
		}
		return s, s.send()
	case huh.StateAborted:
		return common.Asking(s, common.PopMsg{}), nil
	}
	return s, cmd
}

// focusFailed moves the focus to the first field a rejection named, so
// that the person lands on what to mend (a YAML error sent them back to
// Name, nine enters away). Only fields the spec lists are looked for:
// they come before the form's last group, so the walk never submits it.
func (s *formScreen) focusFailed(failed []string) tea.Cmd {
	want := ""
	for _, f := range s.spec.Fields {
		if slices.Contains(failed, f) {
			want = f
			break
		}
	}
	if want == "" {
		return nil
	}
	var cmds []tea.Cmd
	for range 64 { // a bound, far above any form's groups
		for range 64 {
			focused := s.form.GetFocusedField()
			if focused.GetKey() == want {
				return tea.Batch(cmds...)
			}
			cmd := s.form.NextField()
			if s.form.GetFocusedField() == focused {
				// The group's last field: its command would move to the
				// next group, which NextGroup below does at once.
				break
			}
			cmds = append(cmds, cmd)
		}
		cmds = append(cmds, s.form.NextGroup())
		if s.form.State != huh.StateNormal {
			break
		}
	}
	// Not found: start over at the top rather than leave a form submitted.
	s.rebuild()
	return s.form.Init()
}

// errorView is the server's message, whole, wrapped to the width.
func (s *formScreen) errorView() string {
	return s.C.Styles.FlashError.Width(max(20, min(s.C.Width, 100))).Render("✗ " + s.serverErr)
}

// send submits the form's request.
func (s *formScreen) send() tea.Cmd {
	s.submitting = true
	s.serverErr = ""
	return s.RunUnder(s.C.AppCtx, org.Interactive, s.spec.Title, func(ctx context.Context) tea.Msg {
		done, err := s.spec.Submit(common.Named(ctx, s.spec.Target))
		return formSubmitted{title: s.spec.Title, done: done, err: err}
	})
}

func (s *formScreen) View() string {
	st := s.C.Styles
	// The title, preview and changes name things from the API: cleaned
	// here, where they are drawn.
	lines := []string{st.Title.Render(common.Clean(s.spec.Title))}
	if s.serverErr != "" {
		lines = append(lines, s.errorView())
	}
	if s.submitting {
		lines = append(lines, st.Pending.Render("sending…"))
	}
	if s.spec.Preview != nil {
		lines = append(lines, st.Muted.Render(common.Clean(s.spec.Preview())))
	}
	if s.reviewing != nil {
		lines = append(lines, "", st.Bold.Render("Send "+common.Plural(len(s.reviewing), "change", "changes")+"?"))
		for _, c := range s.reviewing {
			lines = append(lines, "  "+common.Clean(c))
		}
		return strings.Join(lines, "\n")
	}
	// The inputs may hold values from the API (an edit form's): no bidi
	// override or invisible mark of theirs reaches the terminal.
	lines = append(lines, "", common.DropMarks(s.form.View()))
	return strings.Join(lines, "\n")
}

// Validator adapts a validation function to huh.
func Validator(fn func(string) error) func(string) error {
	return func(s string) error { return fn(s) }
}
