package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// evil is text written by someone who would like to drive the operator's
// terminal: clear it, set its title, write to its clipboard, move the
// cursor, ring the bell, and hide text with C1 controls and bidi tricks.
const evil = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b[H\x1bP+q\x1b\\\u009b31m\u202eevil\x07"

// dangerous are sequences no frame of ours ever draws.
var dangerous = []string{"\x1b[2J", "\x1b]", "\x07", "\x1b[H", "\x1bP", "\u009b", "\u202e"}

func rawFrame(d *driver) string {
	ch := make(chan string, 1)
	d.p.Send(probe{fn: func(a *App) { ch <- a.render() }})
	return <-ch
}

// Text from the API cannot drive the operator's terminal, on any screen:
// one hostile item of each kind (a cluster, its queue paused with a note,
// a token, a pipeline, a build, a job, a team, a paused agent) has evil in every name and
// description, and every registered screen is opened on it, each of its
// tabs looked at. The test names no screen: a screen added to the
// registry is covered the day it is added.
func TestTextFromTheAPICannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	const width = 160
	team, _ := json.Marshal(model.Team{ID: "0b8f6a8e-5a55-4e11-9b0c-7e3f0f9f1a11", Name: "Team " + evil, Slug: "team" + evil,
		Description: "team " + evil, Privacy: "visible" + evil})
	// An agent, which the API does not make, joins the queue once the
	// queue is made.
	var agent atomic.Value
	agent.Store("")
	withAgent := rewrite("/agents", func(r *http.Request, body []byte, h http.Header) []byte {
		if a := agent.Load().(string); a != "" {
			return withItem(a)(r, body, h)
		}
		return body
	})
	d := startDriver(t, driverOptions{width: width, height: 40, size: sandbox.SizeEmpty,
		wrap: func(h http.Handler) http.Handler { return rewrite("/teams", withItem(string(team)))(withAgent(h)) }})
	args := hostileItems(t, d)
	q := args[reflect.TypeFor[screen.QueueArg]()].(screen.QueueArg)
	note := "agent " + evil
	raw, _ := json.Marshal(model.Agent{ID: "5d7a3a4e-1111-4b7c-9a55-0c1d2e3f4a5b", Name: "agent " + evil, Hostname: "host" + evil,
		Version: "3" + evil, ConnectionState: "connected", IPAddress: "10.0.0.1" + evil, UserAgent: "buildkite-agent" + evil,
		WebURL:   "https://buildkite.com/organizations/acme/clusters/" + q.Cluster.ID + "/queues/" + q.Queue.ID + "/agents/x",
		MetaData: []string{"queue=" + q.Queue.Key, "os=" + evil}, Paused: true, PausedNote: &note,
		PausedBy: &model.User{Name: "pauser " + evil}, PausedAt: model.NewTimestamp(sandboxtest.Now)})
	agent.Store(string(raw))

	check := func(t *testing.T, where string, shown bool) {
		t.Helper()
		frame := rawFrame(d)
		for _, bad := range dangerous {
			if strings.Contains(frame, bad) {
				t.Fatalf("%s: the frame holds %q:\n%s", where, bad, ansi.Strip(frame))
			}
		}
		for i, line := range strings.Split(frame, "\n") {
			if w := lipgloss.Width(line); w > width {
				t.Fatalf("%s: line %d is %d wide", where, i, w)
			}
		}
		// The hostile text is drawn, its sequences gone: a screen that
		// showed nothing of it would pass for nothing.
		if plain, _ := d.frame(); shown && !strings.Contains(plain, "evil") {
			t.Fatalf("%s shows nothing of the hostile item:\n%s", where, plain)
		}
	}
	d.keys("r") // the console started before the data was made
	d.waitFor("Ops", "evil")
	screens := screen.Registered()
	for _, e := range screens {
		arg, ok := args[e.Arg()]
		if !ok {
			t.Fatalf("screen %q opens on a %v: give hostileItems one", e.Name, e.Arg())
		}
		d.p.Send(probe{fn: func(a *App) {
			for len(a.stack) > 1 {
				a.closeTop()
			}
		}})
		t.Run(e.Name, func(t *testing.T) {
			d.open(func(c *common.Common) common.Screen { return e.Open(c, arg) })
			d.settle()
			check(t, e.Name, true)
			// Every tab of it, and back to the first.
			for tab := 1; tab <= 3; tab++ {
				d.keys("tab")
				d.settle()
				check(t, fmt.Sprintf("%s, tab %d", e.Name, tab), false)
			}
		})
	}
	// The palette's jumps, as the screens register them.
	d.keys(":")
	d.typeText("evil")
	d.settle()
	check(t, "palette", true)
	if len(screens) < 10 {
		t.Fatalf("only %d screens are registered", len(screens))
	}
}

// hostileItems makes one hostile item of each kind in the sandbox, and
// returns what each type of screen argument opens on them.
func hostileItems(t *testing.T, d *driver) map[reflect.Type]any {
	t.Helper()
	ctx := context.Background()
	c := d.env.Client
	cl, err := c.CreateCluster(ctx, model.ClusterCreate{Name: "Ops " + evil, Description: "desc " + evil, Emoji: ":rocket:" + evil})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.CreateSelfHostedQueue(ctx, cl.ID, "default", "queue "+evil)
	if err != nil {
		t.Fatal(err)
	}
	if q, err = c.PauseQueue(ctx, cl.ID, q.ID, "note "+evil); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, cl.ID, model.TokenCreate{Description: "token " + evil})
	if err != nil {
		t.Fatal(err)
	}
	tok.Token = ""
	p, err := c.CreatePipeline(ctx, model.PipelineCreate{Name: "Evil", ClusterID: cl.ID, Repository: "git@github.com:x/y.git" + evil,
		Description: "pipeline " + evil, DefaultBranch: "main" + evil, Tags: []string{evil},
		Configuration: "steps:\n  - label: \"\\e[2J\\a\"\n    command: \"echo \\e]52;c;x\\a\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateBuild(ctx, p.Slug, model.BuildCreate{Branch: "main" + evil, Commit: "HEAD", Message: "message " + evil + "\nsecond line",
		Author: &model.BuildAuthor{Name: "author " + evil, Email: "a@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if b, err = c.GetBuild(ctx, p.Slug, b.Number); err != nil || len(b.Jobs) == 0 {
		t.Fatalf("the build has no jobs: %v", err)
	}
	job := b.Jobs[0]
	name, command := "job "+evil, "echo "+evil
	job.Name, job.Label, job.Command = &name, &name, &command
	return map[reflect.Type]any{
		reflect.TypeFor[screen.NoArg]():      screen.NoArg{},
		reflect.TypeFor[screen.ClusterArg](): screen.ClusterArg{Cluster: cl},
		reflect.TypeFor[screen.QueueArg]():   screen.QueueArg{Cluster: cl, Queue: q},
		reflect.TypeFor[model.Pipeline]():    p,
		reflect.TypeFor[screen.BuildArg]():   screen.BuildArg{Slug: p.Slug, Number: b.Number},
		reflect.TypeFor[screen.JobArg]():     screen.JobArg{Slug: p.Slug, Number: b.Number, Job: job},
		reflect.TypeFor[screen.TokenArg]():   screen.TokenArg{Cluster: cl, Token: tok},
		reflect.TypeFor[screen.AgentArg](): screen.AgentArg{Cluster: cl, Queue: q, Agent: model.Agent{ID: "agent-evil",
			Name: "agent " + evil, Hostname: "host " + evil, IPAddress: "ip " + evil, Version: "v " + evil, OSID: evil,
			MetaData: []string{"queue=" + evil}, Job: &model.AgentJob{Job: job}, PausedNote: &name, Paused: true}},
	}
}

func TestWideRunesKeepTablesAligned(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 100, height: 30, size: sandbox.SizeEmpty})
	ctx := context.Background()
	for _, name := range []string{"日本語のクラスタ", "Ünïcödé ☕ cluster", "emoji 🚀🧪📱 cluster", "plain"} {
		if _, err := d.env.Client.CreateCluster(ctx, model.ClusterCreate{Name: name, Description: "説明 " + name, Emoji: ":rocket:"}); err != nil {
			t.Fatal(err)
		}
	}
	d.keys("r")
	frame := d.waitFor("日本語のクラスタ", "plain")
	cols := -1
	for _, line := range strings.Split(frame, "\n") {
		if !strings.Contains(line, "cluster") && !strings.Contains(line, "クラスタ") && !strings.Contains(line, "plain") ||
			strings.Contains(line, "refreshed: ") { // r's answer in the footer, not a row
			continue
		}
		if w := lipgloss.Width(line); w != 100 {
			t.Fatalf("a row is %d wide, not 100: %q", w, line)
		}
		// The description column starts at the same cell on every row.
		at := lipgloss.Width(line[:strings.Index(line, "説明")])
		if cols == -1 {
			cols = at
		} else if at != cols {
			t.Fatalf("columns do not line up: %d and %d in %q", cols, at, line)
		}
	}
	if cols == -1 {
		t.Fatal("no rows found")
	}
}
