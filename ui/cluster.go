package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
)

// clusterScreen shows a cluster's fields and, in tabs, what belongs to it:
// its queues.
type clusterScreen struct {
	screenBase
	cluster  model.Cluster
	queues   []model.Queue
	known    bool // queues holds what the server sent, not a guess
	table    *table
	tab      int
	loading  bool
	err      error
	loadedAt time.Time

	tokens      []model.Token
	tokensKnown bool
	tokensErr   error
	tokenTable  *table

	pipes *pipelineList
}

const (
	tabQueues = iota
	tabTokens
	tabPipelines
)

var clusterTabs = []string{"Queues", "Tokens", "Pipelines"}

type tokensLoaded struct {
	target
	tokens []model.Token
	err    error
}

type queuesLoaded struct {
	target
	queues []model.Queue
	err    error
}

type clusterLoaded struct {
	target
	cluster model.Cluster
	err     error
}

func newClusterScreen(c *Common, cl model.Cluster, queues []model.Queue) *clusterScreen {
	s := &clusterScreen{screenBase: newBase(c), cluster: cl, queues: queues, known: queues != nil}
	s.table = newTable(c, []column{
		{title: "KEY", width: 12, flex: 1},
		{title: "DESCRIPTION", width: 8, flex: 2, minTable: 100},
		{title: "STATE", width: 22, flex: 3},
		{title: "AGENTS", width: 24},
	}, 0, "no queues yet: n creates one")
	s.tokenTable = newTable(c, []column{
		{title: "DESCRIPTION", width: 14, flex: 2},
		{title: "ALLOWED IPS", width: 14, flex: 1, minTable: 90},
		{title: "EXPIRY", width: 16},
		{title: "CREATED", width: 12, flex: 1, minTable: 70},
	}, 0, "no agent tokens: n creates one")
	s.pipes = newPipelineList(c, cl.ID)
	s.rebuild()
	return s
}

func (s *clusterScreen) Crumb() string { return clean(emojize(s.cluster.Name)) }

func (s *clusterScreen) Capturing() bool { return s.current().capturing() }

// current is the table of the tab on show.
func (s *clusterScreen) current() *table {
	switch s.tab {
	case tabTokens:
		return s.tokenTable
	case tabPipelines:
		return s.pipes.table
	}
	return s.table
}

func (s *clusterScreen) Help() []key.Binding {
	k := s.c.Keys
	switch s.tab {
	case tabTokens:
		return []key.Binding{k.NextTab, k.New, k.Edit, k.Delete, k.CopyID, k.Filter, k.Back}
	case tabPipelines:
		return append([]key.Binding{k.NextTab}, s.pipes.help()...)
	}
	return []key.Binding{k.NextTab, k.Open, k.Pause, k.Mark, k.Filter, k.New, k.Edit, k.Delete, k.Back}
}

func (s *clusterScreen) Init() tea.Cmd { return s.load() }

func (s *clusterScreen) load() tea.Cmd {
	s.loading = true
	id := s.cluster.ID
	var tab tea.Cmd
	switch s.tab {
	case tabTokens:
		tab = s.loadTokens()
	case tabPipelines:
		tab = s.c.loadPipelines(true)
	}
	return tea.Batch(tab,
		s.c.run(s.ctx, "loading queues", func(ctx context.Context) tea.Msg {
			qs, err := s.c.Client.ListQueues(ctx, id, nil)
			return queuesLoaded{target: target(s.id), queues: qs, err: err}
		}),
		s.c.run(s.ctx, "loading cluster", func(ctx context.Context) tea.Msg {
			cl, err := s.c.Client.GetCluster(ctx, id)
			return clusterLoaded{target: target(s.id), cluster: cl, err: err}
		}),
	)
}

// refresh is the timer's reload: only what the open tab shows, one
// request; the pipelines tab (the organisation's whole list) reloads
// only when a person asks (r).
func (s *clusterScreen) refresh() tea.Cmd {
	id := s.cluster.ID
	switch s.tab {
	case tabTokens:
		return s.loadTokens()
	case tabPipelines:
		return nil
	}
	return s.c.run(s.ctx, "loading queues", func(ctx context.Context) tea.Msg {
		qs, err := s.c.Client.ListQueues(ctx, id, nil)
		return queuesLoaded{target: target(s.id), queues: qs, err: err}
	})
}

func (s *clusterScreen) loadTokens() tea.Cmd {
	id := s.cluster.ID
	return s.c.run(s.ctx, "loading tokens", func(ctx context.Context) tea.Msg {
		ts, err := s.c.Client.ListTokens(ctx, id, nil)
		return tokensLoaded{target: target(s.id), tokens: ts, err: err}
	})
}

func (s *clusterScreen) rebuildTokens() { s.tokenTable.setRows(tokenRows(s.c, s.tokens)) }

// switchTab shows another tab, loading what it needs the first time.
func (s *clusterScreen) switchTab(to int) tea.Cmd {
	s.tab = to
	switch to {
	case tabTokens:
		if !s.tokensKnown {
			return s.loadTokens()
		}
	case tabPipelines:
		s.pipes.rebuild()
		return s.c.loadPipelines(false)
	}
	return nil
}

func (s *clusterScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, used := s.pipes.update(msg, s.tab == tabPipelines); used {
		return s, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.table.setSize(msg.Width, msg.Height-s.tableTop())
	case tokensLoaded:
		if deferred(msg.err) {
			return s, nil // a background refresh the budget put off: keep what is shown
		}
		if msg.err != nil {
			s.tokensErr = msg.err
			return s, flash(flashError, "could not load tokens: "+errorText(msg.err))
		}
		s.tokens, s.tokensKnown, s.tokensErr = msg.tokens, true, nil
		s.rebuildTokens()
	case tokenChanged:
		if msg.ClusterID != s.cluster.ID {
			return s, nil
		}
		s.tokens, _ = upsert(s.tokens, msg.Token, func(t model.Token) bool { return t.ID == msg.Token.ID })
		s.rebuildTokens()
		s.tokenTable.selectKey(msg.Token.ID)
	case tokenRemoved:
		s.tokens = slices.DeleteFunc(s.tokens, func(t model.Token) bool { return t.ID == msg.TokenID })
		s.rebuildTokens()
	case queuesLoaded:
		s.loading = false
		if deferred(msg.err) {
			return s, nil
		}
		if msg.err != nil {
			s.err = msg.err
			return s, flash(flashError, "could not load queues: "+errorText(msg.err))
		}
		s.err = nil
		s.queues, s.known, s.loadedAt = msg.queues, true, s.c.Now()
		s.rebuild()
		return s, send(queuesSeen{ClusterID: s.cluster.ID, Queues: msg.queues})
	case clusterLoaded:
		if msg.err == nil {
			s.cluster = msg.cluster
		}
	case queueChanged:
		if msg.ClusterID != s.cluster.ID {
			return s, nil
		}
		var added bool
		s.queues, added = upsert(s.queues, msg.Queue, func(q model.Queue) bool { return q.ID == msg.Queue.ID })
		s.rebuild()
		if added {
			s.table.selectKey(msg.Queue.ID)
		}
	case queueRemoved:
		s.queues = slices.DeleteFunc(s.queues, func(q model.Queue) bool { return q.ID == msg.QueueID })
		s.rebuild()
	case clusterChanged:
		if msg.Cluster.ID == s.cluster.ID {
			s.cluster = msg.Cluster
			s.rebuild()
		}
	case clusterRemoved:
		if msg.ClusterID == s.cluster.ID {
			return s, s.c.post(popMsg{})
		}
	case marksChanged:
		s.rebuild()
	case refreshMsg:
		if msg.auto {
			return s, s.refresh()
		}
		return s, s.load()
	case clickMsg:
		s.current().clickRow(msg.y - s.tableTop())
	case tea.MouseWheelMsg:
		s.current().update(msg)
	case tea.KeyPressMsg:
		return s, s.key(msg)
	}
	return s, nil
}

func (s *clusterScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.NextTab) && !s.current().capturing():
		return s.switchTab((s.tab + 1) % len(clusterTabs))
	case key.Matches(msg, k.PrevTab) && !s.current().capturing():
		return s.switchTab((s.tab + len(clusterTabs) - 1) % len(clusterTabs))
	}
	if used, cmd := s.current().update(msg); used {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		return s.c.post(popMsg{})
	case key.Matches(msg, k.Refresh):
		return s.load()
	}
	switch s.tab {
	case tabTokens:
		return s.tokenKey(msg)
	case tabPipelines:
		return s.pipes.key(msg)
	}
	q, ok := s.selected()
	ref := queueRef{ClusterID: s.cluster.ID, ClusterName: s.cluster.Name, Queue: q}
	switch {
	case key.Matches(msg, k.Open) && ok:
		return s.c.push(newQueueScreen(s.c, s.cluster, q))
	case key.Matches(msg, k.Pause) && ok:
		return pauseOrResume(s.c, ref)
	case key.Matches(msg, k.Mark) && ok:
		if _, marked := s.c.marks[q.ID]; marked {
			delete(s.c.marks, q.ID)
		} else {
			s.c.marks[q.ID] = ref
		}
		s.rebuild()
		s.table.move(1)
	case key.Matches(msg, k.New):
		return pushForm(s.c, newQueueForm(s.c, s.cluster, nil))
	case key.Matches(msg, k.Edit) && ok:
		return pushForm(s.c, newQueueForm(s.c, s.cluster, &q))
	case key.Matches(msg, k.Delete) && ok:
		return confirmDeleteQueue(s.c, s.cluster, q)
	}
	if ok {
		cmd, _ := s.c.linkKey(msg, "queue", q.WebURL, q.ID)
		return cmd
	}
	return nil
}

func (s *clusterScreen) tokenKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	var tok model.Token
	id, ok := s.tokenTable.selectedKey()
	if ok {
		ok = false
		for _, t := range s.tokens {
			if t.ID == id {
				tok, ok = t, true
			}
		}
	}
	switch {
	case key.Matches(msg, k.New):
		return pushForm(s.c, newTokenForm(s.c, s.cluster, nil))
	case key.Matches(msg, k.Edit) && ok:
		return pushForm(s.c, newTokenForm(s.c, s.cluster, &tok))
	case key.Matches(msg, k.Delete) && ok:
		return confirmRevokeToken(s.c, s.cluster, tok)
	case key.Matches(msg, k.CopyID) && ok:
		return s.c.copyText("the token's ID", tok.ID)
	case key.Matches(msg, k.CopyURL) && ok:
		return s.c.copyText("the token's API URL", tok.URL)
	}
	return nil
}

// pauseOrResume is the one key: a running queue asks for a note, a
// paused one resumes at once.
func pauseOrResume(c *Common, ref queueRef) tea.Cmd {
	if ref.Queue.DispatchPaused {
		return c.post(resumeMsg{targets: []queueRef{ref}})
	}
	return c.post(askNoteMsg{targets: []queueRef{ref}})
}

func (s *clusterScreen) selected() (model.Queue, bool) {
	id, ok := s.table.selectedKey()
	if !ok {
		return model.Queue{}, false
	}
	for _, q := range s.queues {
		if q.ID == id {
			return q, true
		}
	}
	return model.Queue{}, false
}

func (s *clusterScreen) rebuild() {
	st := s.c.Styles
	rows := make([]row, 0, len(s.queues))
	def := model.Value(s.cluster.DefaultQueueID)
	for _, q := range s.queues {
		k := clean(q.Key)
		cell := k
		if q.ID == def {
			cell += st.Muted.Render(" ★")
		}
		_, marked := s.c.marks[q.ID]
		rows = append(rows, row{
			key:      q.ID,
			cells:    []string{cell, st.Muted.Render(queueDescription(q)), queueState(s.c, q), shapeLabel(q)},
			match:    k + " " + queueDescription(q),
			matchLen: len(k),
			marked:   marked,
		})
	}
	s.table.setRows(rows)
}

// details are the cluster's fields above the tabs.
func (s *clusterScreen) details() []string {
	st := s.c.Styles
	cl := s.cluster
	title := strings.TrimSpace(emojiCell(model.Value(cl.Emoji)) + " " + st.Title.Render(clean(emojize(cl.Name))))
	if color := validColor(model.Value(cl.Color)); color != "" {
		title += "  " + st.Swatch(color) + " " + st.Muted.Render(color)
	}
	lines := []string{title}
	if d := clean(emojize(model.Value(cl.Description))); d != "" {
		lines = append(lines, d)
	}
	paused := 0
	for _, q := range s.queues {
		if q.DispatchPaused {
			paused++
		}
	}
	def := "none"
	if id := model.Value(cl.DefaultQueueID); id != "" {
		def = "…"
		if k, ok := s.c.queueKeys[id]; ok {
			def = clean(k)
		}
	}
	facts := []string{"default queue " + st.Bold.Render(def), plural(len(s.queues), "queue", "queues")}
	if paused > 0 {
		facts = append(facts, st.Paused.Render(fmt.Sprintf("%d paused", paused)))
	}
	if cl.CreatedAt != nil {
		created := "created " + ago(s.c.Now(), cl.CreatedAt.Time)
		if by := clean(cl.CreatedBy.DisplayName()); by != "" {
			created += " by " + by
		}
		facts = append(facts, created)
	}
	lines = append(lines, st.Muted.Render(strings.Join(facts, " · ")))
	if s.err != nil && s.known && !s.loadedAt.IsZero() {
		lines = append(lines, st.Warning.Render("refresh failed; showing queues from "+ago(s.c.Now(), s.loadedAt)+" (r tries again)"))
	}
	return lines
}

func (s *clusterScreen) tabs() string {
	st := s.c.Styles
	var parts []string
	for i, t := range clusterTabs {
		label := t
		switch {
		case i == tabQueues:
			label = fmt.Sprintf("%s (%d)", t, len(s.queues))
		case i == tabTokens && s.tokensKnown:
			label = fmt.Sprintf("%s (%d)", t, len(s.tokens))
		case i == tabPipelines && s.c.pipelines.loaded:
			label = fmt.Sprintf("%s (%d)", t, s.pipes.count())
		}
		if i == s.tab {
			parts = append(parts, st.TabOn.Render(label))
		} else {
			parts = append(parts, st.Tab.Render(label))
		}
	}
	return strings.Join(parts, " ")
}

func (s *clusterScreen) tableTop() int { return len(s.details()) + 2 }

func (s *clusterScreen) View() string {
	st := s.c.Styles
	out := append(s.details(), "", s.tabs())
	t := s.current()
	t.setSize(s.c.Width, s.c.Height-len(out))
	body := t.render()
	switch s.tab {
	case tabQueues:
		switch {
		case !s.known && s.loading:
			body = st.Muted.Render("  loading queues…")
		case !s.known && s.err != nil:
			body = st.FlashError.Render("  could not load queues: "+errorText(s.err)) + "\n" + st.Muted.Render("  r tries again")
		}
	case tabTokens:
		switch {
		case !s.tokensKnown && s.tokensErr != nil:
			body = st.FlashError.Render("  could not load tokens: "+errorText(s.tokensErr)) + "\n" + st.Muted.Render("  r tries again")
		case !s.tokensKnown:
			body = st.Muted.Render("  loading tokens…")
		}
	case tabPipelines:
		if b, ok := s.pipes.placeholder(); ok {
			body = b
		}
	}
	return strings.Join(out, "\n") + "\n" + body
}
