package screen

import (
	"context"
	"errors"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// Queues' live numbers from GraphQL (Client.QueueCounts): one query for
// the queues on screen, a few points a queue, in place of REST's lists of
// the organisation's active builds and agents. When GraphQL cannot be had
// (a token without access, an error, its windows spent) the screen reads
// REST as before; the header says why, once.

// countShare is the GraphQL points a minute one screen's counts may
// spend at the default 30 s: a fifth of the user's 5,000 per five minutes
// is 200, and the home screen's hourly PAUSED read has the rest.
const countShare = 190

// queuePoints is what one queue's counts ask for (QueueCounts: three
// agent counts and the waiting jobs with the three oldest): the pace's
// guess until a count has said what it cost.
const queuePoints = 5

// paceEvery is how many timer refreshes (at the default 30 s) go by
// between two counts that were charged points each, to stay within
// countShare a minute; never fewer than floor. What a count was charged
// is every query it sent (api.CountPoints): a queue whose longest wait
// takes pages of waiting jobs to prove costs up to 290 points more than
// its count's query, and paced by that query alone it spent 290 to 550
// points a minute.
func paceEvery(points int, floor int64) int64 {
	return max(floor, int64((points*2+countShare-1)/countShare))
}

// liveCounted is QueueCounts' reply for the queues asked about; points is
// what it was charged, all is set when it counted every queue on screen.
type liveCounted struct {
	ids    []string
	counts map[string]api.LiveCount
	err    error
	points int
	all    bool
}

// liveQueues are the GraphQL numbers a screen shows, by queue id.
type liveQueues struct {
	counts   map[string]api.LiveCount
	counting map[string]bool
	// rest is set while GraphQL cannot be had: the REST reads stand in.
	rest bool
	// due asks the next count for every queue on screen again; lastTick is
	// the timer's last reload.
	due      bool
	lastTick int64
	// points is what the last count of every queue on screen was charged
	// (0 before one): the timer's pace.
	points int
}

func newLiveQueues() liveQueues {
	return liveQueues{counts: map[string]api.LiveCount{}, counting: map[string]bool{}, due: true}
}

// of is q's numbers from GraphQL, when they are the ones shown.
func (l *liveQueues) of(q model.Queue) (api.LiveCount, bool) {
	if l.rest {
		return api.LiveCount{}, false
	}
	n, ok := l.counts[q.ID]
	return n, ok
}

// refreshed takes a refresh: r, a change another session made, and the
// timer's reloads at the pace the last count's points allow (before one,
// what n queues on screen ask for), every floor refreshes at most, make
// the next count ask again.
func (l *liveQueues) refreshed(msg common.RefreshMsg, n int, floor int64) {
	if !msg.Auto || msg.Changed {
		l.due = true
		return
	}
	points := l.points
	if points == 0 {
		points = queuePoints*n + 1
	}
	every := paceEvery(points, floor)
	if l.lastTick != 0 && msg.Tick/every != l.lastTick/every {
		l.due = true
	}
	l.lastTick = msg.Tick
}

// count counts the queues given (those on screen): all of them when due,
// else those not counted yet. nil when there is nothing to ask.
func (l *liveQueues) count(b *common.ScreenBase, queues []model.Queue) tea.Cmd {
	var todo []model.Queue
	var ids []string
	for _, q := range queues {
		if _, counted := l.counts[q.ID]; !l.due && (counted || l.counting[q.ID]) {
			continue
		}
		todo, ids = append(todo, q), append(ids, q.ID)
	}
	l.due = false
	if len(todo) == 0 {
		return nil
	}
	for _, id := range ids {
		l.counting[id] = true
	}
	all := len(todo) == len(queues)
	return b.Run(org.Background, "counting", func(ctx context.Context) tea.Msg {
		ctx, meter := api.CountPoints(ctx)
		counts, err := b.C.Client.QueueCounts(ctx, todo)
		return liveCounted{ids: ids, counts: counts, err: err, points: meter.Points(), all: all}
	})
}

// take applies a reply: it reports whether msg was one, and whether
// GraphQL could not be had for it (the screen then reads REST).
func (l *liveQueues) take(msg tea.Msg) (took, fellBack bool) {
	m, ok := msg.(liveCounted)
	if !ok {
		return false, false
	}
	for _, id := range m.ids {
		delete(l.counting, id)
	}
	switch {
	case m.err == nil:
		l.rest = false
		for id, n := range m.counts {
			l.counts[id] = n
		}
		if m.all {
			l.points = m.points
		}
	case errors.Is(m.err, api.ErrGraphQLUnavailable):
		l.rest = true
		return true, true
	}
	return true, false
}

// liveAgentsCell is "busy/connected".
func liveAgentsCell(n api.LiveCount) present.Cell {
	return busyOfConnected(n.Busy, n.Connected)
}

// liveWaitingCell is the waiting jobs with the longest wait, as the
// REST cell draws them.
func liveWaitingCell(now time.Time, q model.Queue, n api.LiveCount) present.Cell {
	if n.Waiting == 0 {
		return present.As(present.Muted, "0")
	}
	cell := present.Text(strconv.Itoa(n.Waiting))
	if q.DispatchPaused {
		cell = present.As(present.Paused, strconv.Itoa(n.Waiting))
	}
	if !n.OldestWaiting.IsZero() {
		cell = cell.And(present.Muted, " "+present.WaitedFor(now, n.OldestWaiting, n.OldestAtLeast))
	}
	return cell
}

// busyOfConnected is an AGENTS cell: "3/12", busy of connected.
func busyOfConnected(busy, connected int) present.Cell {
	if connected == 0 {
		return present.As(present.Muted, "0/0")
	}
	return present.Text(strconv.Itoa(busy) + "/" + strconv.Itoa(connected))
}
