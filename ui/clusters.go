package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
)

// clustersScreen is the home screen: every cluster, with its queue counts
// fetched in the background after the first paint.
type clustersScreen struct {
	screenBase
	table    *table
	clusters []model.Cluster
	queues   map[string][]model.Queue // by cluster id, once seen
	loading  bool
	err      error
	loadedAt time.Time
}

// recountEvery is how many timer reloads of the list go by between
// recounts of every cluster's queues (one request a cluster): with the
// default 30 s, the PAUSED column is at most two minutes old.
const recountEvery = 4

type clustersLoaded struct {
	target
	clusters []model.Cluster
	err      error
	counts   bool // also fetch the queue counts
	// background is set for the timer's reload: its counts go in the
	// budget's background lane too.
	background bool
}

type countsFailed struct {
	target
	clusterID string
	err       error
}

// countParallel bounds the background requests for queue counts, so they
// never crowd out what a person asks for.
const countParallel = 2

func newClustersScreen(c *Common) *clustersScreen {
	s := &clustersScreen{screenBase: newBase(c), queues: map[string][]model.Queue{}}
	s.table = newTable(c, []column{
		{title: "", width: 2},
		{title: "", width: 1},
		{title: "NAME", width: 14, flex: 1},
		{title: "DESCRIPTION", width: 10, flex: 2, minTable: 70},
		{title: "DEFAULT QUEUE", width: 13},
		{title: "QUEUES", width: 6},
		{title: "PAUSED", width: 6},
	}, 2, "no clusters yet: n creates one")
	return s
}

func (s *clustersScreen) Crumb() string { return "" }

func (s *clustersScreen) Capturing() bool { return s.table.capturing() }

func (s *clustersScreen) Help() []key.Binding {
	k := s.c.Keys
	return []key.Binding{k.Open, k.Filter, k.New, k.Edit, k.Delete, k.Refresh}
}

func (s *clustersScreen) Init() tea.Cmd { return s.load(true) }

func (s *clustersScreen) load(counts bool) tea.Cmd {
	s.loading = true
	background := s.c.background
	return s.c.run(s.ctx, "loading clusters", func(ctx context.Context) tea.Msg {
		cl, err := s.c.Client.ListClusters(ctx, nil)
		return clustersLoaded{target: target(s.id), clusters: cl, err: err, counts: counts, background: background}
	})
}

// loadCounts lists each cluster's queues, a few at a time.
func (s *clustersScreen) loadCounts() tea.Cmd {
	sem := make(chan struct{}, countParallel)
	var cmds []tea.Cmd
	for _, cl := range s.clusters {
		id := cl.ID
		cmds = append(cmds, s.c.run(s.ctx, "counting queues", func(ctx context.Context) tea.Msg {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return countsFailed{target: target(s.id), clusterID: id, err: ctx.Err()}
			}
			defer func() { <-sem }()
			qs, err := s.c.Client.ListQueues(ctx, id, nil)
			if err != nil {
				return countsFailed{target: target(s.id), clusterID: id, err: err}
			}
			return queuesSeen{ClusterID: id, Queues: qs}
		}))
	}
	return tea.Batch(cmds...)
}

func (s *clustersScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.table.setSize(msg.Width, msg.Height)
	case clustersLoaded:
		s.loading = false
		if deferred(msg.err) {
			return s, nil
		}
		if msg.err != nil {
			s.err = msg.err
			return s, flash(flashError, "could not load clusters: "+errorText(msg.err))
		}
		s.err = nil
		s.clusters = msg.clusters
		s.c.clusters = slices.Clone(msg.clusters)
		s.loadedAt = s.c.Now()
		s.rebuild()
		if msg.counts {
			s.c.background = msg.background
			defer func() { s.c.background = false }()
			return s, s.loadCounts()
		}
	case countsFailed:
		// The counts stay unknown ("?"); the table is still usable.
	case queuesSeen:
		s.queues[msg.ClusterID] = msg.Queues
		s.rebuild()
	case queueChanged:
		qs := s.queues[msg.ClusterID]
		for i := range qs {
			if qs[i].ID == msg.Queue.ID {
				qs[i] = msg.Queue
			}
		}
		s.rebuild()
	case clusterChanged:
		var added bool
		s.clusters, added = upsert(s.clusters, msg.Cluster, func(cl model.Cluster) bool { return cl.ID == msg.Cluster.ID })
		if added {
			s.queues[msg.Cluster.ID] = []model.Queue{}
		}
		s.rebuild()
		if added {
			s.table.selectKey(msg.Cluster.ID)
		}
	case clusterRemoved:
		s.clusters = slices.DeleteFunc(s.clusters, func(cl model.Cluster) bool { return cl.ID == msg.ClusterID })
		delete(s.queues, msg.ClusterID)
		s.rebuild()
	case refreshMsg:
		// The timer reloads the list (one request) and now and then
		// recounts, unless the budget is low; r always recounts.
		recount := !msg.auto || msg.changed
		if msg.auto && !msg.changed {
			recount = msg.tick%recountEvery == 0 && !s.c.Client.Budget().Low()
		}
		return s, s.load(recount)
	case clickMsg:
		if s.table.clickRow(msg.y - s.tableTop()) {
			return s, nil
		}
	case tea.KeyPressMsg:
		return s, s.key(msg)
	case tea.MouseWheelMsg:
		s.table.update(msg)
	}
	return s, nil
}

func (s *clustersScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	if used, cmd := s.table.update(msg); used {
		return cmd
	}
	k := s.c.Keys
	cl, ok := s.selected()
	switch {
	case key.Matches(msg, k.Refresh):
		return s.load(true)
	case key.Matches(msg, k.Open) && ok:
		return s.c.push(newClusterScreen(s.c, cl, s.queues[cl.ID]))
	case key.Matches(msg, k.New):
		return pushForm(s.c, newClusterForm(s.c, nil, nil))
	case key.Matches(msg, k.Edit) && ok:
		return pushForm(s.c, newClusterForm(s.c, &cl, s.queues[cl.ID]))
	case key.Matches(msg, k.Delete) && ok:
		return confirmDeleteCluster(s.c, cl, len(s.queues[cl.ID]))
	case key.Matches(msg, k.Pause):
		return flash(flashInfo, "open a cluster (enter) to pause its queues, or mark queues with space")
	}
	if ok {
		cmd, _ := s.c.linkKey(msg, "cluster", cl.WebURL, cl.ID)
		return cmd
	}
	return nil
}

func (s *clustersScreen) selected() (model.Cluster, bool) {
	id, ok := s.table.selectedKey()
	if !ok {
		return model.Cluster{}, false
	}
	for _, c := range s.clusters {
		if c.ID == id {
			return c, true
		}
	}
	return model.Cluster{}, false
}

func (s *clustersScreen) rebuild() {
	st := s.c.Styles
	rows := make([]row, 0, len(s.clusters))
	for _, cl := range s.clusters {
		name := clean(emojize(cl.Name))
		queues, paused, def := "…", "…", "…"
		if qs, ok := s.queues[cl.ID]; ok {
			n := 0
			for _, q := range qs {
				if q.DispatchPaused {
					n++
				}
			}
			queues = strconv.Itoa(len(qs))
			paused = st.Muted.Render("0")
			if n > 0 {
				paused = st.Paused.Render(strconv.Itoa(n))
			}
			def = st.Muted.Render("none")
		}
		if id := model.Value(cl.DefaultQueueID); id != "" {
			if k, ok := s.c.queueKeys[id]; ok {
				def = clean(k)
			}
		}
		rows = append(rows, row{
			key: cl.ID,
			cells: []string{emojiCell(model.Value(cl.Emoji)), s.c.Styles.Swatch(validColor(model.Value(cl.Color))), name,
				st.Muted.Render(clean(emojize(model.Value(cl.Description)))), def, queues, paused},
			match: name, matchLen: len(name),
		})
	}
	s.table.setRows(rows)
}

// validColor passes on a colour only if it is a hex code.
func validColor(c string) string {
	if model.ValidateColor(c) != nil {
		return ""
	}
	return c
}

func (s *clustersScreen) tableTop() int { return 1 }

func (s *clustersScreen) View() string {
	st := s.c.Styles
	title := st.Title.Render("Clusters")
	switch {
	case s.loading && s.clusters == nil:
		title += st.Muted.Render("  loading…")
	case s.err != nil && s.clusters == nil:
		return title + "\n\n" + st.FlashError.Render("Could not load clusters: "+errorText(s.err)) + "\n" + st.Muted.Render("r tries again")
	default:
		title += st.Muted.Render(fmt.Sprintf("  %d", len(s.clusters)))
		if s.err != nil {
			title += st.Warning.Render("  refresh failed; showing data from " + ago(s.c.Now(), s.loadedAt))
		}
	}
	s.table.setSize(s.c.Width, s.c.Height-s.tableTop())
	return title + "\n" + s.table.render()
}
