package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// The new build form at 80×24 keeps every field's label on screen as the
// focus moves down it: the form scrolled a line when Commit took the
// focus, leaving Branch's value without its label (issue 29, 11). The
// environment's hint is the text area's placeholder, a line less.
func TestTheNewBuildFormKeepsEveryLabelOnScreenAt80x24(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 80, height: 24})
	p := d.pipeline("deploy-production")
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
	d.waitFor("Builds (", "MESSAGE")
	d.keys("n")
	d.waitFor("New build of deploy-production", "Branch")
	for i, focused := range []string{"Branch", "Commit", "Message", "Environment"} {
		if i > 0 {
			d.formKeys("enter")
		}
		frame, _ := d.frame()
		if !strings.Contains(frame, "┃ "+focused) {
			t.Fatalf("the focus is not on %s:\n%s", focused, frame)
		}
		for _, label := range []string{"Branch", "Commit", "Message", "Environment"} {
			if !strings.Contains(frame, "  "+label+" ") && !strings.Contains(frame, "┃ "+label+" ") {
				t.Errorf("with the focus on %s the %s label is off screen:\n%s", focused, label, frame)
			}
		}
	}
}

// An idle agent's detail says what it is (queue, host, IP, version, tags,
// since when it is connected) and that it runs no job, not only the latter
// (issue 29, 15).
func TestAnIdleAgentsDetail(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 80, height: 24})
	frame := openQueue(d, "Production", "default")
	for i := 0; i < 12 && !strings.Contains(selectedLine(frame), "idle"); i++ {
		d.keys("j")
		frame, _ = d.frame()
	}
	if !strings.Contains(selectedLine(frame), "idle") {
		t.Fatalf("no idle agent on Production's default queue:\n%s", frame)
	}
	d.keys("enter")
	frame = d.waitFor("Queue", "Production › default", "IP", "Tags", "Connected", "Version", "Host")
	if !strings.Contains(frame, "○ idle") || !strings.Contains(frame, "Job               none") {
		t.Errorf("the idle agent's detail does not say it is idle:\n%s", frame)
	}
}

// The pipelines' help says what RUN/SCH/WAIT count (issue 29, 9).
func TestThePipelinesHelpSaysWhatRunSchWaitCount(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 200, height: 60})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("RUN/SCH/WAIT")
	d.keys("?")
	d.waitFor("What the columns say")
	d.keys("G")
	frame, _ := d.frame()
	if !strings.Contains(strings.Join(strings.Fields(frame), " "), "RUN/SCH/WAIT: running builds / scheduled builds / jobs waiting for an agent") {
		t.Fatalf("the help does not say what RUN/SCH/WAIT count:\n%s", frame)
	}
}

// A joined emoji (🧑‍💻, a person and a laptop joined by a zero-width
// joiner) is drawn whole on the home screen, not cut at its joiner to 🧑
// (issue 29, 12).
func TestAJoinedEmojiIsWholeOnScreen(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 80, height: 24})
	frame := d.waitFor("Open Source", "PAUSED")
	for _, line := range strings.Split(frame, "\n") {
		if strings.Contains(line, "Open Source") && !strings.Contains(line, "🧑\u200d💻") {
			t.Fatalf("the Open Source cluster's emoji is not whole: %q", line)
		}
	}
}

// At 200 columns a cluster's queues are drawn whole: every queue's key
// and description, and a paused queue's note, with room to spare; nothing
// is cut with … (issue 29, 10).
func TestAt200ColumnsAClustersQueuesAreWhole(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 200, height: 60})
	openMobile(d)
	frame, _ := d.frame()
	ctx := context.Background()
	clusters, err := d.env.Client.ListClusters(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var notes int
	for _, c := range clusters {
		if c.Name != "Mobile" {
			continue
		}
		queues, err := d.env.Client.ListQueues(ctx, c.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queues {
			whole := []string{q.Key}
			if q.Description != nil {
				whole = append(whole, *q.Description)
			}
			for _, whole := range whole {
				if !strings.Contains(frame, whole) {
					t.Errorf("%q is not whole:\n%s", whole, frame)
				}
			}
			if q.DispatchPausedNote != nil && *q.DispatchPausedNote != "" {
				notes++
				if !strings.Contains(frame, *q.DispatchPausedNote) {
					t.Errorf("the pause note %q is not whole:\n%s", *q.DispatchPausedNote, frame)
				}
			}
		}
	}
	if notes == 0 {
		t.Fatal("no paused queue with a note on Mobile")
	}
	for _, line := range strings.Split(frame, "\n") {
		if strings.Contains(line, "…") {
			t.Errorf("a line is cut: %q", line)
		}
	}
}
