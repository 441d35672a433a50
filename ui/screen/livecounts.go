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
// agent counts and the waiting jobs with the three oldest).
const queuePoints = 5

// liveCounted is QueueCounts' reply for the queues asked about.
type liveCounted struct {
	ids    []string
	counts map[string]api.LiveCount
	err    error
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
// timer's reloads at a pace the points allow (n queues on screen) make
// the next count ask again.
func (l *liveQueues) refreshed(msg common.RefreshMsg, n int) {
	if !msg.Auto || msg.Changed {
		l.due = true
		return
	}
	every := int64(max(graphQLCountEvery, (queuePoints*n+1)*2/countShare+1))
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
	return b.Run(org.Background, "counting", func(ctx context.Context) tea.Msg {
		counts, err := b.C.Client.QueueCounts(ctx, todo)
		return liveCounted{ids: ids, counts: counts, err: err}
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
