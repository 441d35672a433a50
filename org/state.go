package org

import (
	"slices"
	"sort"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
)

// State is one console's knowledge of one organisation. A switch of
// organisation starts a new State.
type State struct {
	Client *api.Client
	now    func() time.Time

	clusters   []model.Cluster
	clustersAt time.Time
	// queues indexes every queue seen, by id, with its cluster; keys
	// remembers a queue's key even after the queue is gone, so a cluster
	// whose default queue was deleted still names it.
	queues map[string]QueueEntry
	keys   map[string]string

	// Pipelines is the organisation's pipelines, loaded once and shared
	// by every screen that shows them.
	Pipelines *Pipelines
	// Filler completes the on-disk pipelines index in the background;
	// nil until the index is taken (TakeIndex), and without one.
	Filler *IndexFiller

	index *sharedIndex
	// agents is the latest whole list of the agents (AgentsRead).
	agents *AgentsRead
}

// UseIndex starts reading the on-disk index of this organisation's
// pipelines in dir, in the background, and returns at once: a console
// never waits for the file. Consoles of this process that use the same
// file share one index, read once. Once IndexReady is closed,
// PrepareIndex (off the event loop) and TakeIndex (on it) show what it
// holds. A missing, corrupt or refused file is an empty index, never an
// error.
func (s *State) UseIndex(dir string) {
	s.index = sharedIndexFor(dir, s.Client.Endpoint(), s.Client.Org())
}

// IndexReady is closed once the index UseIndex started reading is read;
// nil without one.
func (s *State) IndexReady() <-chan struct{} {
	if s.index == nil {
		return nil
	}
	return s.index.ready
}

// PrepareIndex, off the event loop once IndexReady is closed, makes the
// index's pipelines ready to show (nil without an index). It touches
// nothing TakeIndex or the event loop changes.
func (s *State) PrepareIndex() *IndexRows {
	sh := s.index
	if sh == nil {
		return nil
	}
	<-sh.ready
	return s.Pipelines.prepareIndex(sh.ix)
}

// TakeIndex, on the event loop, shows the pipelines PrepareIndex made
// ready, and from now on keeps the index current (pages, filters,
// changes made here) and completed in the background by Filler. It
// reports why a file found on disk was ignored, to be said once: to the
// first console of the process to take the index. A second call does
// nothing.
func (s *State) TakeIndex(rows *IndexRows) (discarded string) {
	sh := s.index
	if sh == nil || rows == nil || rows.ix != sh.ix || s.Filler != nil {
		return ""
	}
	s.Pipelines.useIndex(rows, sh.saver)
	s.Filler = &IndexFiller{Index: sh.ix, Client: s.Client, saver: sh.saver, progress: &sh.fill}
	if d := sh.ix.Discarded(); d != "" && sh.told.CompareAndSwap(false, true) {
		return d
	}
	return ""
}

// QueueEntry is a queue with the cluster it belongs to.
type QueueEntry struct {
	ClusterID string
	Queue     model.Queue
}

// New starts an empty State. now is the console's clock; display makes a
// pipeline's name ready to draw (it runs once a pipeline, as pages come).
func New(client *api.Client, now func() time.Time, display func(string) string) *State {
	if now == nil {
		now = time.Now
	}
	return &State{Client: client, now: now, queues: map[string]QueueEntry{}, keys: map[string]string{},
		Pipelines: &Pipelines{display: display, now: now}}
}

// Clusters are the clusters last listed, with later changes applied.
func (s *State) Clusters() []model.Cluster { return s.clusters }

// ClustersAt is when the clusters were last listed (zero: never).
func (s *State) ClustersAt() time.Time { return s.clustersAt }

// SetClusters records a fresh list of the clusters.
func (s *State) SetClusters(clusters []model.Cluster) {
	s.clusters, s.clustersAt = slices.Clone(clusters), s.now()
}

// Cluster finds a known cluster by id.
func (s *State) Cluster(id string) (model.Cluster, bool) {
	for _, cl := range s.clusters {
		if cl.ID == id {
			return cl, true
		}
	}
	return model.Cluster{}, false
}

// QueueKey is the key of a queue seen at some time, by id.
func (s *State) QueueKey(id string) (string, bool) {
	k, ok := s.keys[id]
	return k, ok
}

// Queues are the queues seen and not removed since, in no set order.
func (s *State) Queues() []QueueEntry {
	out := make([]QueueEntry, 0, len(s.queues))
	for _, e := range s.queues {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Queue.ID < out[j].Queue.ID })
	return out
}

// Apply records a change.
func (s *State) Apply(c Change) {
	switch c := c.(type) {
	case QueuesSeen:
		for _, q := range c.Queues {
			s.keys[q.ID] = q.Key
			s.queues[q.ID] = QueueEntry{ClusterID: c.ClusterID, Queue: q}
		}
	case QueueChanged:
		s.keys[c.Queue.ID] = c.Queue.Key
		s.queues[c.Queue.ID] = QueueEntry{ClusterID: c.ClusterID, Queue: c.Queue}
	case QueueRemoved:
		delete(s.queues, c.QueueID)
	case ClusterChanged:
		s.clusters, _ = Upsert(s.clusters, c.Cluster, func(cl model.Cluster) bool { return cl.ID == c.Cluster.ID })
	case ClusterRemoved:
		s.clusters = slices.DeleteFunc(s.clusters, func(cl model.Cluster) bool { return cl.ID == c.ClusterID })
		for id, e := range s.queues {
			if e.ClusterID == c.ClusterID {
				delete(s.queues, id)
			}
		}
	case PipelineChanged, PipelineRemoved:
		s.Pipelines.apply(c)
	}
}

// Upsert replaces the item of list that same picks out, or appends item;
// it reports whether item is new.
func Upsert[T any](list []T, item T, same func(T) bool) ([]T, bool) {
	for i := range list {
		if same(list[i]) {
			list[i] = item
			return list, false
		}
	}
	return append(list, item), true
}
