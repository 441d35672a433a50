package ui

import (
	"context"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
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

func TestTextFromTheAPICannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 160, height: 40, size: sandbox.SizeEmpty})
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
	if _, err := c.PauseQueue(ctx, cl.ID, q.ID, "note "+evil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateToken(ctx, cl.ID, model.TokenCreate{Description: "token " + evil}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePipeline(ctx, model.PipelineCreate{Name: "Evil", ClusterID: cl.ID, Repository: "git@github.com:x/y.git" + evil,
		Description: "pipeline " + evil, DefaultBranch: "main" + evil, Tags: []string{evil},
		Configuration: "steps:\n  - label: \"\\e[2J\\a\"\n    command: \"echo \\e]52;c;x\\a\"\n"}); err != nil {
		t.Fatal(err)
	}

	check := func(where string) {
		t.Helper()
		frame := rawFrame(d)
		for _, bad := range dangerous {
			if strings.Contains(frame, bad) {
				t.Fatalf("%s: the frame holds %q", where, bad)
			}
		}
		for i, line := range strings.Split(frame, "\n") {
			if w := lipgloss.Width(line); w > 160 {
				t.Fatalf("%s: line %d is %d wide", where, i, w)
			}
		}
	}
	d.keys("r")              // the console started before the data was made
	d.waitFor("Ops", "evil") // the text is shown, its sequences gone
	check("clusters")
	d.keys("enter")
	d.waitFor("queue", "note")
	check("queues")
	d.keys("enter")
	d.waitFor("Agents (")
	check("queue")
	d.keys("shift+tab") // the settings tab
	d.waitFor("Paused by")
	check("queue settings")
	d.keys("esc", "tab")
	d.waitFor("token")
	check("tokens")
	d.keys("tab")
	d.waitFor("Evil")
	check("cluster's pipelines")
	d.keys("enter")
	d.waitFor("Default branch")
	check("pipeline")
	d.keys("esc", "esc", ":")
	d.typeText("ops")
	d.waitFor("Ops")
	check("palette")
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
