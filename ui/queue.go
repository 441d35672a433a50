package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
)

// queueScreen shows every field of one queue.
type queueScreen struct {
	screenBase
	cluster model.Cluster
	queue   model.Queue
	gone    bool
}

type queueLoaded struct {
	queue model.Queue
	err   error
}

func newQueueScreen(c *Common, cl model.Cluster, q model.Queue) *queueScreen {
	return &queueScreen{screenBase: newBase(c), cluster: cl, queue: q}
}

func (s *queueScreen) Crumb() string { return clean(s.queue.Key) }

func (s *queueScreen) Capturing() bool { return false }

func (s *queueScreen) Help() []key.Binding {
	k := s.c.Keys
	return []key.Binding{k.Pause, k.Mark, k.Edit, k.Delete, k.Refresh, k.Back}
}

func (s *queueScreen) Init() tea.Cmd { return nil }

func (s *queueScreen) load(lane org.Lane) tea.Cmd {
	cid, qid := s.cluster.ID, s.queue.ID
	return s.run(lane, "loading queue", func(ctx context.Context) tea.Msg {
		q, err := s.c.Client.GetQueue(ctx, cid, qid)
		return queueLoaded{queue: q, err: err}
	})
}

func (s *queueScreen) ref() queueRef {
	return queueRef{ClusterID: s.cluster.ID, ClusterName: s.cluster.Name, Queue: s.queue}
}

func (s *queueScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	k := s.c.Keys
	switch msg := msg.(type) {
	case queueLoaded:
		if deferred(msg.err) {
			return s, nil
		}
		if msg.err != nil {
			return s, flash(flashError, "could not load the queue: "+errorText(msg.err))
		}
		s.queue = msg.queue
		return s, send(org.QueueChanged{ClusterID: s.cluster.ID, Queue: msg.queue})
	case org.QueueChanged:
		if msg.Queue.ID == s.queue.ID {
			s.queue = msg.Queue
		}
	case org.QueueRemoved:
		if msg.QueueID == s.queue.ID {
			s.gone = true
			return s, s.c.post(popMsg{})
		}
	case org.ClusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
		}
	case refreshMsg:
		if !s.gone {
			return s, s.load(msg.lane)
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return s, s.c.post(popMsg{})
		case key.Matches(msg, k.Pause):
			return s, pauseOrResume(s.c, s.ref())
		case key.Matches(msg, k.Mark):
			if _, marked := s.c.marks[s.queue.ID]; marked {
				delete(s.c.marks, s.queue.ID)
			} else {
				s.c.marks[s.queue.ID] = s.ref()
			}
			return s, send(marksChanged{})
		case key.Matches(msg, k.Edit):
			// A copy: the form's request runs off the event loop, while a
			// refresh may replace s.queue (found by the monkey under -race).
			q := s.queue
			return s, pushForm(s.c, newQueueForm(s.c, s.cluster, &q))
		case key.Matches(msg, k.Delete):
			return s, confirmDeleteQueue(s.c, s.cluster, s.queue)
		}
		if cmd, ok := s.c.linkKey(msg, "queue", s.queue.WebURL, s.queue.ID); ok {
			return s, cmd
		}
	}
	return s, nil
}

func (s *queueScreen) View() string {
	st := s.c.Styles
	q := s.queue
	field := func(label, value string) string { return st.Label.Render(label) + value }
	none := st.Muted.Render("—")
	or := func(v string) string {
		if v == "" {
			return none
		}
		return v
	}
	title := st.Title.Render(clean(q.Key))
	if q.ID == model.Value(s.cluster.DefaultQueueID) {
		title += st.Muted.Render("  default queue of ") + clean(emojize(s.cluster.Name))
	}
	if _, marked := s.c.marks[q.ID]; marked {
		title += "  " + st.Marked.Render("● marked")
	}
	lines := []string{title, "",
		field("State", queueState(s.c, q)),
		field("Description", or(queueDescription(q))),
		field("Cluster", clean(emojize(s.cluster.Name))),
	}
	if q.DispatchPaused {
		lines = append(lines, "",
			field("Paused by", or(clean(q.DispatchPausedBy.DisplayName()))),
			field("Paused at", or(timeField(s.c, q.DispatchPausedAt))),
			field("Note", or(clean(model.Value(q.DispatchPausedNote)))))
	}
	lines = append(lines, "")
	if q.Hosted && q.HostedAgents != nil {
		sh := q.HostedAgents.InstanceShape
		size := ""
		if info, ok := model.LookupShape(sh.Name); ok {
			size = info.Size
			if info.Deprecated {
				size += st.Warning.Render(" (deprecated: resize to a current shape)")
			}
		}
		lines = append(lines,
			field("Agents", "Buildkite hosted"),
			field("Instance shape", clean(sh.Name)),
			field("Machine", fmt.Sprintf("%s, %s", clean(sh.MachineType), clean(sh.Architecture))),
			field("Size", or(size)),
			field("vCPU / memory", fmt.Sprintf("%d vCPU, %d GB", sh.CPU, sh.Memory)))
	} else {
		lines = append(lines, field("Agents", "self-hosted"))
	}
	lines = append(lines, "",
		field("Created", or(timeField(s.c, q.CreatedAt))),
		field("Created by", or(clean(q.CreatedBy.DisplayName()))),
		field("ID", st.Muted.Render(clean(q.ID))),
		field("API URL", st.Muted.Render(clean(q.URL))),
		field("Web URL", st.Muted.Render(clean(q.WebURL))),
	)
	return strings.Join(lines, "\n")
}

// timeField is a time with how long ago it was.
func timeField(c *Common, t *model.Timestamp) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC") + c.Styles.Muted.Render(" ("+ago(c.Now(), t.Time)+")")
}
