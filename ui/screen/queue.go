package screen

import (
	"context"
	"fmt"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
)

// queueScreen shows every field of one queue.
type queueScreen struct {
	common.ScreenBase
	cluster model.Cluster
	queue   model.Queue
	gone    bool
}

type queueLoaded struct {
	queue model.Queue
	err   error
}

func NewQueueScreen(c *common.Common, cl model.Cluster, q model.Queue) *queueScreen {
	return &queueScreen{ScreenBase: common.NewBase(c), cluster: cl, queue: q}
}

func (s *queueScreen) Crumb() string { return common.Clean(s.queue.Key) }

func (s *queueScreen) Capturing() bool { return false }

func (s *queueScreen) Help() []key.Binding {
	k := s.C.Keys
	return []key.Binding{k.Pause, k.Mark, k.Edit, k.Delete, k.Refresh, k.Back}
}

func (s *queueScreen) Init() tea.Cmd { return nil }

func (s *queueScreen) load(lane org.Lane) tea.Cmd {
	cid, qid := s.cluster.ID, s.queue.ID
	return s.Run(lane, "loading queue", func(ctx context.Context) tea.Msg {
		q, err := s.C.Client.GetQueue(ctx, cid, qid)
		return queueLoaded{queue: q, err: err}
	})
}

func (s *queueScreen) ref() common.QueueRef {
	return common.QueueRef{ClusterID: s.cluster.ID, ClusterName: s.cluster.Name, Queue: s.queue}
}

func (s *queueScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k := s.C.Keys
	switch msg := msg.(type) {
	case queueLoaded:
		if common.Deferred(msg.err) {
			return s, nil
		}
		if msg.err != nil {
			return s, common.Flash(common.FlashError, "could not load the queue: "+common.ErrorText(msg.err))
		}
		s.queue = msg.queue
		return s, common.Send(org.QueueChanged{ClusterID: s.cluster.ID, Queue: msg.queue})
	case org.QueueChanged:
		if msg.Queue.ID == s.queue.ID {
			s.queue = msg.Queue
		}
	case org.QueueRemoved:
		if msg.QueueID == s.queue.ID {
			s.gone = true
			return s, s.C.Post(common.PopMsg{})
		}
	case org.ClusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
		}
	case common.RefreshMsg:
		if !s.gone {
			return s, s.load(msg.Lane)
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return s, s.C.Post(common.PopMsg{})
		case key.Matches(msg, k.Pause):
			return s, pauseOrResume(s.C, s.ref())
		case key.Matches(msg, k.Mark):
			if _, marked := s.C.Marks[s.queue.ID]; marked {
				delete(s.C.Marks, s.queue.ID)
			} else {
				s.C.Marks[s.queue.ID] = s.ref()
			}
			return s, common.Send(common.MarksChanged{})
		case key.Matches(msg, k.Edit):
			// A copy: the form's request runs off the event loop, while a
			// refresh may replace s.queue (found by the monkey under -race).
			q := s.queue
			return s, component.PushForm(s.C, newQueueForm(s.C, s.cluster, &q))
		case key.Matches(msg, k.Delete):
			return s, confirmDeleteQueue(s.C, s.cluster, s.queue)
		}
		if cmd, ok := s.C.LinkKey(msg, "queue", s.queue.WebURL, s.queue.ID); ok {
			return s, cmd
		}
	}
	return s, nil
}

func (s *queueScreen) View() string {
	st := s.C.Styles
	q := s.queue
	field := func(label, value string) string { return st.Label.Render(label) + value }
	none := st.Muted.Render("—")
	or := func(v string) string {
		if v == "" {
			return none
		}
		return v
	}
	title := st.Title.Render(common.Clean(q.Key))
	if q.ID == model.Value(s.cluster.DefaultQueueID) {
		title += st.Muted.Render("  default queue of ") + common.Clean(common.Emojize(s.cluster.Name))
	}
	if _, marked := s.C.Marks[q.ID]; marked {
		title += "  " + st.Marked.Render("● marked")
	}
	lines := []string{title, "",
		field("State", queueState(s.C, q)),
		field("Description", or(queueDescription(q))),
		field("Cluster", common.Clean(common.Emojize(s.cluster.Name))),
	}
	if q.DispatchPaused {
		lines = append(lines, "",
			field("Paused by", or(common.Clean(q.DispatchPausedBy.DisplayName()))),
			field("Paused at", or(timeField(s.C, q.DispatchPausedAt))),
			field("Note", or(common.Clean(model.Value(q.DispatchPausedNote)))))
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
			field("Instance shape", common.Clean(sh.Name)),
			field("Machine", fmt.Sprintf("%s, %s", common.Clean(sh.MachineType), common.Clean(sh.Architecture))),
			field("Size", or(size)),
			field("vCPU / memory", fmt.Sprintf("%d vCPU, %d GB", sh.CPU, sh.Memory)))
	} else {
		lines = append(lines, field("Agents", "self-hosted"))
	}
	lines = append(lines, "",
		field("Created", or(timeField(s.C, q.CreatedAt))),
		field("Created by", or(common.Clean(q.CreatedBy.DisplayName()))),
		field("ID", st.Muted.Render(common.Clean(q.ID))),
		field("API URL", st.Muted.Render(common.WrapAfter(common.Clean(q.URL), st.Label.GetWidth(), s.C.Width))),
		field("Web URL", st.Muted.Render(common.WrapAfter(common.Clean(q.WebURL), st.Label.GetWidth(), s.C.Width))),
	)
	return strings.Join(lines, "\n")
}

// timeField is a time with how long Ago it was.
func timeField(c *common.Common, t *model.Timestamp) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC") + c.Styles.Muted.Render(" ("+common.Ago(c.Now(), t.Time)+")")
}
