package ui

import (
	"context"
	"os/exec"
	"runtime"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
)

// pipelineCache is the organisation's pipelines, fetched once and shared
// by every screen that shows them: the pipelines screen, each cluster's
// Pipelines tab and the palette. The API cannot list one cluster's
// pipelines, so sharing one list is what keeps the tabs cheap.
type pipelineCache struct {
	items    []model.Pipeline
	loaded   bool
	loading  bool
	err      error
	loadedAt time.Time
}

// pipelinesLoaded is broadcast when the list arrives.
type pipelinesLoaded struct {
	items []model.Pipeline
	err   error
}

func (pipelinesLoaded) everyScreen() {}

// pipelineChanged and pipelineRemoved keep every copy current.
type pipelineChanged struct{ Pipeline model.Pipeline }

func (pipelineChanged) everyScreen() {}

type pipelineRemoved struct{ Slug string }

func (pipelineRemoved) everyScreen() {}

// loadPipelines fetches the list unless it is loaded or on its way;
// force fetches it again.
func (c *Common) loadPipelines(force bool) tea.Cmd {
	pc := c.pipelines
	if pc.loading || (pc.loaded && !force) {
		return nil
	}
	pc.loading = true
	return c.run(c.appCtx, "loading pipelines", func(ctx context.Context) tea.Msg {
		items, err := c.Client.ListPipelines(ctx, nil)
		return pipelinesLoaded{items: items, err: err}
	})
}

// applyPipelines keeps the cache current; the root model calls it before
// screens see the message.
func (c *Common) applyPipelines(msg tea.Msg) {
	pc := c.pipelines
	switch m := msg.(type) {
	case pipelinesLoaded:
		pc.loading = false
		if m.err != nil {
			pc.err = m.err
			return
		}
		pc.items, pc.loaded, pc.err, pc.loadedAt = m.items, true, nil, c.Now()
	case pipelineChanged:
		pc.items, _ = upsert(pc.items, m.Pipeline, func(p model.Pipeline) bool { return p.ID == m.Pipeline.ID })
	case pipelineRemoved:
		pc.items = slices.DeleteFunc(pc.items, func(p model.Pipeline) bool { return p.Slug == m.Slug })
	case queuesSeen:
		for _, q := range m.Queues {
			c.queueKeys[q.ID] = q.Key
			c.queueIndex[q.ID] = queueIndexEntry{clusterID: m.ClusterID, queue: q}
		}
	case queueChanged:
		c.queueIndex[m.Queue.ID] = queueIndexEntry{clusterID: m.ClusterID, queue: m.Queue}
		c.queueKeys[m.Queue.ID] = m.Queue.Key
	case queueRemoved:
		delete(c.queueIndex, m.QueueID)
	case clusterChanged:
		c.clusters, _ = upsert(c.clusters, m.Cluster, func(cl model.Cluster) bool { return cl.ID == m.Cluster.ID })
	case clusterRemoved:
		c.clusters = slices.DeleteFunc(c.clusters, func(cl model.Cluster) bool { return cl.ID == m.ClusterID })
	}
}

type queueIndexEntry struct {
	clusterID string
	queue     model.Queue
}

func (c *Common) cluster(id string) (model.Cluster, bool) {
	for _, cl := range c.clusters {
		if cl.ID == id {
			return cl, true
		}
	}
	return model.Cluster{}, false
}

func (c *Common) clusterName(id string) string {
	if cl, ok := c.cluster(id); ok {
		return clean(emojize(cl.Name))
	}
	return ""
}

// browse opens url in the local browser; where none can be opened (over
// SSH, or on a machine without one) it shows the URL and copies it.
func (c *Common) browse(url string) tea.Cmd {
	if url == "" {
		return flash(flashInfo, "nothing to open")
	}
	if !c.Remote {
		if err := openBrowser(url); err == nil {
			return flash(flashOK, "opened "+clean(url))
		}
	}
	return tea.Batch(tea.SetClipboard(url), flash(flashInfo, "copied "+clean(url)))
}

// copyText copies with OSC 52, which reaches the user's own clipboard
// through SSH and tmux.
func (c *Common) copyText(what, text string) tea.Cmd {
	if text == "" {
		return flash(flashInfo, "nothing to copy")
	}
	return tea.Batch(tea.SetClipboard(text), flash(flashOK, "copied "+what))
}

// openBrowser starts the platform's opener without waiting for it.
var openBrowser = func(url string) error {
	name := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name = "explorer"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, url)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
