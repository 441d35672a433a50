package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// Issue 17, 3: a spinner stayed for ever after :clusters from a cluster:
// the palette closed the screens and dropped the reload of the home
// screen, whose task nothing would end.
func TestNoSpinnerOutlivesItsRequest(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	d.waitFor("Production", "PAUSED")
	d.keys("enter")
	d.waitFor("Queues")
	d.keys(":")
	d.typeText("clusters")
	d.keys("enter")
	d.waitUntil("stopped loading", true, func(f string) bool {
		return strings.Contains(f, "PAUSED") && !strings.Contains(f, "loading")
	})
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("Pipelines  ", "API Gateway")
	d.keys(":")
	d.typeText("clusters")
	d.keys("enter")
	d.waitUntil("stopped loading", true, func(f string) bool {
		return strings.Contains(f, "PAUSED") && !strings.Contains(f, "loading")
	})
}

// A task shows from when its command runs: one made and never run shows
// nothing, and one that runs shows until its reply.
func TestATaskShowsOnlyWhileItsCommandRuns(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	app := New(context.Background(), Options{Client: env.Client})
	c := app.c
	dropped := c.Run(context.Background(), 0, "never run", func(context.Context) tea.Msg { return nil })
	_ = dropped
	if len(c.Tasks.Label) != 0 {
		t.Fatalf("a command never run shows in the footer: %v", c.Tasks.Label)
	}
	run := c.Run(context.Background(), 0, "loading things", func(context.Context) tea.Msg { return nil })
	started, ok := run().(common.TaskStarted)
	if !ok {
		t.Fatal("a task's command does not start with TaskStarted")
	}
	app.Update(started)
	if !strings.Contains(app.status(), "loading things") {
		t.Fatalf("a running task is not shown: %q", app.status())
	}
	app.Update(started.Run())
	if len(c.Tasks.Label) != 0 || strings.Contains(app.status(), "loading things") {
		t.Fatalf("a finished task is still shown: %q", app.status())
	}
}

// Issue 17, 5: a jump from the palette showed where one came from, not
// where the item is: from Mobile › macos, :checkout gave acme › Mobile ›
// macos › Checkout.
func TestPaletteJumpShowsTheTruePath(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	openMobile(d)
	d.keys("/")
	d.typeText("macos")
	d.keys("enter", "enter")
	d.waitFor("acme › Mobile › macos")
	d.keys(":")
	d.typeText("checkout")
	d.waitFor("pipeline  Checkout")
	d.keys("enter")
	frame := d.waitFor("acme › Production › Checkout")
	if strings.Contains(frame, "Mobile") {
		t.Fatalf("the jump kept the path it came from:\n%s", frame)
	}
	d.keys("esc")
	d.waitFor("acme › Production", "Queues")
}

// Issue 17, 13: enter on the highlighted section of an edit closed the
// form with "nothing changed"; the hint named space where huh says x.
func TestEditEnterGoesOnWithTheHighlightedSection(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipeline(d, "checkout", "Checkout")
	d.keys("e")
	frame := d.waitFor("What do you want to change?")
	if !strings.Contains(frame, "x chooses") || strings.Contains(frame, "space selects") {
		t.Fatalf("the hint does not name the form's key:\n%s", frame)
	}
	d.formKeys("down", "enter") // Steps, highlighted, not chosen
	frame = d.waitFor("Configuration")
	if strings.Contains(frame, "nothing changed") {
		t.Fatalf("enter closed the form:\n%s", frame)
	}
}

// Issue 17, 20: archived pipelines differed only by a dim colour, which
// the selected row and NO_COLOR do not show.
func TestArchivedPipelinesSayItInWords(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	openPipelines(d)
	d.keys("H")
	d.waitFor("Pipelines  40")
	d.keys("/")
	d.typeText("monolith")
	d.keys("enter")
	frame := d.waitFor("› Monolith (archived)")
	if strings.Contains(frame, "API Gateway (archived)") {
		t.Fatalf("a pipeline not archived is marked:\n%s", frame)
	}
}

// Issue 17, 11: at 80 columns the footer's help was cut ("/ f…") and
// "esc back" never showed.
func TestFooterHelpFitsWhatMatters(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	openMobile(d)
	frame := d.waitFor("Queues", "macos")
	lines := strings.Split(frame, "\n")
	help := strings.TrimRight(lines[len(lines)-1], " ")
	if !strings.HasSuffix(help, "esc back · ? more") || strings.Contains(help, "…") {
		t.Fatalf("the help line: %q", help)
	}
	if !strings.HasPrefix(help, "tab next tab · enter open") {
		t.Fatalf("the screen's first keys are not first: %q", help)
	}
}

// Issue 17, 9: URLs were cut mid-UUID at 80 columns; the cluster's
// creator was cut off its header line.
func TestLongValuesWrapAt80Columns(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 70})
	openPipeline(d, "checkout", "Checkout")
	p, err := d.env.Client.GetPipeline(context.Background(), "checkout")
	if err != nil {
		t.Fatal(err)
	}
	frame := d.waitFor("Links")
	var joined strings.Builder
	for _, line := range strings.Split(frame, "\n") {
		joined.WriteString(strings.TrimSpace(line))
	}
	for _, u := range []string{p.URL, p.WebURL, p.BadgeURL} {
		u = strings.ReplaceAll(u, d.env.Server.URL, "http://sandbox")
		if !strings.Contains(joined.String(), u) {
			t.Errorf("%s is not shown whole:\n%s", u, frame)
		}
	}
	for _, line := range strings.Split(frame, "\n") {
		// The webhook's URL is a secret, shown in part on purpose.
		if strings.Contains(line, "…") && strings.Contains(line, "http") && !strings.Contains(line, "Webhook") {
			t.Errorf("a URL is cut: %q", line)
		}
	}

	d2 := startDriver(t, driverOptions{})
	openMobile(d2)
	frame = d2.waitFor("Queues")
	if !strings.Contains(frame, "by Priya Natarajan") {
		t.Fatalf("the cluster's creator is cut:\n%s", frame)
	}
}

// Issue 17, 9: a long error was cut in the footer with no way to read
// it; the footer now says where it is kept whole (:messages).
func TestMessagesKeepTheWholeText(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{})
	d.waitFor("Production", "PAUSED")
	long := "deleting hosted-big failed: The default queue of a cluster cannot be deleted; make another queue the default first, then delete this one (cause: 422 end-of-text)"
	d.p.Send(common.FlashMsg{Kind: common.FlashError, Text: long})
	frame := d.waitFor("deleting hosted-big failed", ":messages")
	if strings.Contains(frame, "end-of-text") {
		t.Fatalf("the test's text fits the footer:\n%s", frame)
	}
	d.keys(":")
	d.typeText("messages")
	d.keys("enter")
	frame = d.waitFor("Messages")
	var joined strings.Builder
	for _, line := range strings.Split(frame, "\n") {
		joined.WriteString(strings.TrimSpace(line) + " ")
	}
	if !strings.Contains(strings.Join(strings.Fields(joined.String()), " "), long) {
		t.Fatalf("the message is not whole:\n%s", frame)
	}
	d.keys("esc")
	d.waitGone("Messages")
}

// Issue 17, 21: a token with read scopes only was found out on the first
// change (403). Its scopes are asked for at start and the changes it
// cannot make are struck through before anyone tries.
func TestATokenWithoutWriteScopesShowsItAtOnce(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{readScopesOnly: true, width: 160, height: 30})
	d.waitFor("Production", "no write scopes")
	type seen struct {
		pause, edit bool
		help        string
		want        string
	}
	ch := make(chan seen, 1)
	d.p.Send(probe{fn: func(a *App) {
		ch <- seen{pause: a.c.KeyOff(a.c.Keys.Pause), edit: a.c.KeyOff(a.c.Keys.Edit), help: a.helpLine(),
			want: a.c.Styles.KeyOff.Render("d delete")}
	}})
	s := <-ch
	if !s.pause || !s.edit || !strings.Contains(s.help, s.want) {
		t.Fatalf("the changes are not turned off: pause %v, edit %v, help %q", s.pause, s.edit, s.help)
	}

	full := startDriver(t, driverOptions{width: 160, height: 30})
	frame := full.waitFor("Production")
	full.p.Send(probe{fn: func(a *App) {
		ch <- seen{pause: a.c.KeyOff(a.c.Keys.Pause), edit: a.c.KeyOff(a.c.Keys.Edit), help: a.helpLine(), want: a.c.Styles.KeyOff.Render("d delete")}
	}})
	s = <-ch
	if s.pause || s.edit || strings.Contains(s.help, s.want) || strings.Contains(frame, "write scopes") {
		t.Fatalf("a full token's changes are turned off: pause %v, edit %v\n%s", s.pause, s.edit, frame)
	}
}

// Issue 17, 18: teams were asked for as UUIDs the console never shows;
// they are picked by name.
func TestNewPipelinePicksTeamsByName(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	teams, err := d.env.Client.ListTeams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Team Player")
	d.formKeys("enter", "enter", "enter") // name, slug, cluster
	d.typeText("git@github.com:acme-inc/team.git")
	d.formKeys("enter", "enter", "enter", "enter", "enter") // repository, branch, description, visibility, tags
	d.waitFor("Teams", "Platform — Clusters, agents")
	d.formKeys("down", "x", "enter") // Platform
	d.waitFor("Access of the chosen teams")
	d.formKeys("down", "enter") // build and read
	d.formKeys("enter")         // no UUIDs
	d.waitFor("YAML configuration (recommended)")
	d.formKeys("enter", "tab", "enter")
	d.waitFor("created pipeline Team Player (team-player)")
	got, _ := d.env.Sandbox.PipelineTeams("team-player")
	var platform string
	for _, team := range teams {
		if team.Name == "Platform" {
			platform = team.ID
		}
	}
	if len(got) != 1 || got[platform] != model.TeamAccessBuild {
		t.Fatalf("teams sent = %v, want Platform (%s) build_and_read", got, platform)
	}
}

// Issue 17, 14: a YAML error on a new pipeline was found by the server
// (its 422 cut), and the form went back to Name, nine enters from the
// YAML. YAML is read here first and the error says the line; what the
// server still refuses is shown whole, with the focus on the YAML.
func TestNewPipelineYAMLErrorsStayOnTheYAML(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 100, height: 50})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Yaml Trouble")
	d.formKeys("enter", "enter", "enter") // name, slug, cluster
	d.typeText("git@github.com:acme-inc/yaml.git")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter") // repository … teams by UUID
	d.waitFor("YAML configuration (recommended)")
	d.formKeys("enter")
	d.waitFor("the pipeline's YAML steps")
	d.keys("ctrl+j")
	d.typeText(" bad: [")
	d.formKeys("tab")
	d.waitFor("the YAML does not parse: line 2")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("sent with YAML that does not parse: %q", w)
	}
	for range " bad: [" {
		d.keys("backspace")
	}
	d.typeText("  - foo")
	d.formKeys("tab")
	d.waitFor("Also set now?")
	d.formKeys("enter")
	frame := d.waitFor("The server said")
	joined := strings.Join(strings.Fields(strings.NewReplacer("┃", " ", "│", " ").Replace(frame)), " ")
	if want := `Configuration step 2: "foo" is not a step`; !strings.Contains(joined, want) {
		t.Fatalf("the server's message is not whole (want %q):\n%s", want, frame)
	}
	focused := false
	for _, line := range strings.Split(frame, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "┃ Configuration") {
			focused = true
		}
		if strings.HasPrefix(strings.TrimSpace(line), "┃ Name") {
			t.Fatalf("the focus went back to Name:\n%s", frame)
		}
	}
	if !focused {
		t.Fatalf("the focus is not on the YAML:\n%s", frame)
	}
}

func TestCheckPipelineYAMLSaysTheLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ yaml, want string }{
		{model.DefaultConfiguration, ""},
		{"- wait", ""},
		{"steps:\n  - command: x\n bad: [", "line 2"},
		{"env:\n  A: b", "no steps: key"},
		{"steps: make", "must be a list"},
		{"just text", "mapping with a steps: key"},
	} {
		err := screen.CheckPipelineYAML(c.yaml)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckPipelineYAML(%q) = %v, want %q", c.yaml, err, c.want)
		}
	}
}

// Issue 17, 3: the tasks' label took the status line's width from a
// flash; a flash now comes first and the tasks show as the spinner and
// their number.
func TestAFlashComesBeforeTheTasks(t *testing.T) {
	t.Parallel()
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	app := New(context.Background(), Options{Client: env.Client})
	for _, label := range []string{"loading queues", "loading pipelines"} {
		cmd := app.c.Run(context.Background(), 0, label, func(context.Context) tea.Msg { return nil })
		app.Update(cmd())
	}
	if got := ansi.Strip(app.status()); !strings.Contains(got, "loading queues (+1 more)") {
		t.Fatalf("without a flash the tasks are not named: %q", got)
	}
	text := "paused default (Mobile): disk full on the Android agents"
	app.Update(common.FlashMsg{Kind: common.FlashOK, Text: text})
	got := ansi.Strip(app.status())
	if !strings.Contains(got, text) || strings.Contains(got, "loading") || !strings.HasSuffix(strings.TrimRight(got, " "), " 2") {
		t.Fatalf("with a flash: %q", got)
	}
}
