package present

import (
	"cmp"
	"strings"
)

// What the lists' columns and signs mean, said in the help of the screen
// that shows them (issue 29, 9).

// LegendEllipsis tells the two "…" apart.
const LegendEllipsis = "… alone in a count: not counted yet (it comes with the next read). … at the end of a text: cut to fit (a wider terminal shows more; y copies the whole URL)."

// LegendSort says how the rows are ordered.
const LegendSort = "O sorts by the next column (its title then shows ↑ or ↓), I reverses the order; the list's own order comes back after the last column."

// Legends of the lists, by the list's noun.
var (
	LegendClusters = []string{
		"QUEUES: the cluster's queues. PAUSED: those of them paused. WAITING: jobs waiting on its queues for an agent.",
		"DEFAULT QUEUE: where a pipeline's jobs go when a step names no queue.",
		LegendEllipsis,
	}
	LegendQueues = []string{
		"AGENTS busy/connected: 0/2 is two agents connected, neither running a job; \"no scope\": the token may not read agents.",
		"WAITING 14 29m: 14 jobs wait for an agent of this queue, the oldest for 29 minutes (amber when the queue is paused).",
		"STATE: running or paused (by whom, when, why). RUNS ON: a hosted queue's machine shape, or self-hosted.",
		"space marks a queue (in any cluster): p then pauses or resumes every marked queue with one note.",
		LegendEllipsis,
		LegendSort,
	}
	LegendPipelines = []string{
		"RUN/SCH/WAIT: running builds / scheduled builds / jobs waiting for an agent; · : not read yet (known from the cache only).",
		LegendEllipsis,
		LegendSort,
	}
	LegendAgents = []string{
		"STATE: idle, busy, paused (until when, by whom) or stopping. JOB: the job it runs, with its pipeline and build.",
		"CONNECTED: how long ago it connected. space marks agents: z, S and K then act on every marked one.",
		"enter on an agent shows its detail: tags, IP, version, queue and job.",
		LegendEllipsis,
		LegendSort,
	}
	LegendWaiting = []string{
		"WAITING SINCE: how long the job has waited for an agent of this queue.",
		LegendEllipsis,
		LegendSort,
	}
	LegendBuilds = []string{
		"STATE: the build's state, as Buildkite names it. CREATED: how long ago; TOOK: how long it ran.",
		LegendEllipsis,
		LegendSort,
	}
	LegendPaused = []string{
		"WHAT: a queue or an agent. WHEN: how long ago it was paused; FOR: when an agent's pause ends.",
		LegendEllipsis,
		LegendSort,
	}
)

// CompareText orders two cells' texts for a sort by their column: a
// leading number as a number ("9 3m" before "14 29m", "2/4" before
// "10/12"), the rest without regard to case; "…", "—" and other text that
// is not a number after every number.
func CompareText(a, b string) int {
	na, ra, okA := leadingNumber(a)
	nb, rb, okB := leadingNumber(b)
	switch {
	case okA && okB:
		if na != nb {
			return cmp.Compare(na, nb)
		}
		return CompareText(ra, rb)
	case okA:
		return -1
	case okB:
		return 1
	}
	return cmp.Compare(strings.ToLower(a), strings.ToLower(b))
}

func leadingNumber(s string) (n int, rest string, ok bool) {
	s = strings.TrimLeft(s, "#")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i < 18 {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:], i > 0
}
