package ui

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/org"
)

// formSpec is one create or update form: how to build it (bound to
// values that outlive a rebuild), and what to send.
type formSpec struct {
	title string
	// action names what the form does, for read-only mode's message.
	action string
	build  func() *huh.Form
	// submit sends the request; on success it returns the command that
	// shows the change (broadcasts and a flash).
	submit func(ctx context.Context) (tea.Cmd, error)
	// audit and target say what the form changes, for the audit log.
	audit  string
	target audit.Target
	// preview, when set, is drawn above the form from its live values
	// (the pipeline's slug as its name is typed). It runs in the event
	// loop, as the form's own updates do.
	preview func() string
	// review, when set, lists what the filled-in form will change; it is
	// shown for a yes before anything is sent. Nothing listed: nothing
	// to send.
	review func() []string
}

// formScreen hosts a huh form. A rejected submission (422) keeps every
// value and shows the server's message beside the form.
type formScreen struct {
	screenBase
	spec       formSpec
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

// orphaned is what a reply does when its form was closed while it was on
// its way: the change still shows, or the failure is still said.
func (m formSubmitted) Orphaned() tea.Cmd {
	if m.err != nil {
		return flash(flashError, m.title+" failed: "+errorText(m.err))
	}
	return m.done
}

// pushForm opens a form, unless changes are turned off.
func pushForm(c *Common, spec formSpec) tea.Cmd {
	if c.ReadOnly {
		return c.refuse(spec.audit, spec.target, spec.action)
	}
	return c.push(newFormScreen(c, spec))
}

func newFormScreen(c *Common, spec formSpec) *formScreen {
	s := &formScreen{screenBase: newBase(c), spec: spec}
	s.rebuild()
	return s
}

func (s *formScreen) rebuild() {
	s.form = s.spec.build().
		WithTheme(huh.ThemeFunc(huh.ThemeCharm)).
		WithShowHelp(true).
		WithWidth(min(max(s.c.Width-2, 30), 90)).
		WithHeight(s.formHeight())
}

// formHeight is the height left for the form under its title, preview
// and message: a tall group scrolls to its focused field instead of
// running off the screen with its error.
func (s *formScreen) formHeight() int {
	// title, preview, blank line, and the line huh puts above a group's
	// footer without counting it.
	above := 4
	if s.serverErr != "" {
		above += 1 + strings.Count(s.serverErr, "\n")
	}
	return max(8, s.c.Height-above)
}

func (s *formScreen) Crumb() string { return s.spec.title }

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

func (s *formScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.form = s.form.WithWidth(min(max(msg.Width-2, 30), 90)).WithHeight(s.formHeight())
		return s, nil
	case formSubmitted:
		s.submitting = false
		if msg.err == nil {
			return s, tea.Batch(s.c.post(popMsg{}), msg.done)
		}
		s.serverErr = errorText(msg.err)
		var apiErr *api.Error
		if errors.As(msg.err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity {
			s.serverErr = "The server said: " + s.serverErr
		}
		// The values live outside the form: rebuilding keeps them all.
		s.rebuild()
		return s, s.form.Init()
	case tea.KeyPressMsg:
		if s.submitting {
			if msg.String() == "esc" {
				// The request is on its way and cannot be called back; its
				// answer is still shown when it comes (see Orphaned).
				return s, tea.Batch(s.c.post(popMsg{}), flash(flashInfo, s.spec.title+": already sent; its answer will show here"))
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
			return s, tea.Batch(s.c.post(popMsg{}), flash(flashInfo, s.spec.title+": cancelled, nothing was sent"))
		}
	case refreshMsg, org.QueueChanged, org.QueuesSeen, org.ClusterChanged, marksChanged:
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
		if s.spec.review != nil {
			changes := s.spec.review()
			if len(changes) == 0 {
				return s, tea.Batch(s.c.post(popMsg{}), flash(flashInfo, s.spec.title+": nothing changed, nothing was sent"))
			}
			s.reviewing = changes
			return s, nil
		}
		return s, s.send()
	case huh.StateAborted:
		return s, s.c.post(popMsg{})
	}
	return s, cmd
}

// send submits the form's request.
func (s *formScreen) send() tea.Cmd {
	s.submitting = true
	s.serverErr = ""
	return s.runUnder(s.c.appCtx, org.Interactive, s.spec.title, func(ctx context.Context) tea.Msg {
		done, err := s.spec.submit(named(ctx, s.spec.target))
		return formSubmitted{title: s.spec.title, done: done, err: err}
	})
}

func (s *formScreen) View() string {
	st := s.c.Styles
	lines := []string{st.Title.Render(s.spec.title)}
	if s.serverErr != "" {
		lines = append(lines, st.FlashError.Render("✗ "+s.serverErr))
	}
	if s.submitting {
		lines = append(lines, st.Pending.Render("sending…"))
	}
	if s.spec.preview != nil {
		lines = append(lines, st.Muted.Render(s.spec.preview()))
	}
	if s.reviewing != nil {
		lines = append(lines, "", st.Bold.Render("Send "+plural(len(s.reviewing), "change", "changes")+"?"))
		for _, c := range s.reviewing {
			lines = append(lines, "  "+c)
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines, "", s.form.View())
	return strings.Join(lines, "\n")
}

// validator adapts a validation function to huh.
func validator(fn func(string) error) func(string) error {
	return func(s string) error { return fn(s) }
}
