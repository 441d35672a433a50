package screen

import (
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
)

func TestParsePauseTimeout(t *testing.T) {
	for _, c := range []struct {
		in      string
		minutes int
		ok      bool
	}{
		{"", 0, true}, {"1", 1, true}, {"30m", 30, true}, {"4h", 240, true}, {"2d", 2880, true},
		{"7d", 10080, true}, {" 90M ", 90, true},
		{"0", 0, false}, {"0m", 0, false}, {"8d", 0, false}, {"10081", 0, false}, {"-5m", 0, false}, {"soon", 0, false}, {"h", 0, false},
	} {
		got, err := ParsePauseTimeout(c.in)
		if (err == nil) != c.ok || got != c.minutes {
			t.Errorf("ParsePauseTimeout(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.minutes, c.ok)
		}
	}
}

func TestHoldsText(t *testing.T) {
	load := model.QueueLoad{Waiting: 12, Running: 8}
	if got, want := HoldsText(&load, 10), "12 jobs waiting · 8 running on 10 agents. Running jobs finish; waiting ones stay queued until you resume."; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	one := model.QueueLoad{Waiting: 1}
	if got, want := HoldsText(&one, -1), "1 job waiting · 0 running. Running jobs finish; waiting ones stay queued until you resume."; got != want {
		t.Errorf("agents unknown: got %q", got)
	}
	if got := HoldsText(nil, 3); got != "Running jobs finish; waiting ones stay queued until you resume." {
		t.Errorf("nothing known: got %q", got)
	}
}

func TestCountAgentsAndTheirQueue(t *testing.T) {
	job := &model.AgentJob{Job: model.Job{ID: "j"}}
	agents := []model.Agent{
		{ID: "a", Job: job}, {ID: "b"}, {ID: "c", Paused: true}, {ID: "d", Paused: true, Job: job},
	}
	n := countAgents(agents)
	if n != (agentCounts{connected: 4, busy: 2, idle: 1, paused: 2}) {
		t.Errorf("counts %+v", n)
	}
	a := model.Agent{WebURL: "https://buildkite.com/organizations/acme/clusters/c1/queues/q-42/agents/a1"}
	if got := agentQueueID(a); got != "q-42" {
		t.Errorf("agentQueueID = %q", got)
	}
	if got := agentQueueID(model.Agent{WebURL: "https://buildkite.com/organizations/acme/agents/a1"}); got != "" {
		t.Errorf("an agent without a queue in its URL: %q", got)
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]int{0, 0}); got != "▁▁" {
		t.Errorf("flat zero: %q", got)
	}
	if got := sparkline([]int{0, 7, 14}); got != "▁▄█" {
		t.Errorf("rising: %q", got)
	}
}
