package ui

import (
	"sort"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// The palette's commands and jumps: every cluster, queue and pipeline
// org knows, by name.

func (a *App) openPalette() tea.Cmd {
	p, cmd := component.NewPalette(a.c, a.paletteItems(), &a.history)
	a.overlay = p
	// The first page of pipelines, not the whole list: the palette asks
	// the API for the rest by name as a person types.
	var first tea.Cmd
	if pc := a.c.Org.Pipelines; !pc.Loaded && pc.Pages == 0 {
		first = a.c.LoadNextPipelines(org.Interactive)
	}
	return tea.Batch(cmd, first)
}

func (a *App) paletteItems() []component.PaletteItem {
	// home closes every screen above the home screen, without reloading
	// it: a jump pushes screens over it at once.
	home := func(a *App) {
		for len(a.stack) > 1 {
			a.closeTop()
		}
	}
	items := []component.PaletteItem{
		{Kind: "command", Label: "clusters", Run: func() tea.Cmd {
			if len(a.stack) == 1 {
				return nil
			}
			home(a)
			// Returned, never dropped: a reload made and not run would
			// leave the home screen waiting for a reply that never comes.
			return a.autoRefresh(false)
		}},
		{Kind: "command", Label: "pipelines", Run: func() tea.Cmd { home(a); return a.c.Push(screen.NewPipelinesScreen(a.c)) }},
		{Kind: "command", Label: "builds", Run: func() tea.Cmd { home(a); return a.c.Push(screen.NewBuildsScreen(a.c)) }},
		{Kind: "command", Label: "org", Run: func() tea.Cmd {
			if len(a.opts.Orgs) > 1 {
				// Show the organisations to pick from.
				cmd := a.openPalette()
				p := a.overlay.(*component.Palette)
				p.Input.SetValue("org ")
				p.Input.CursorEnd()
				p.Filter()
				return cmd
			}
			return common.Flash(common.FlashInfo, "organisation "+common.Clean(a.c.Client.Org())+" ("+common.Clean(a.c.Client.Endpoint())+"); configure more in config.yaml")
		}},
		{Kind: "command", Label: "paused", Run: func() tea.Cmd { return a.c.Push(screen.NewPausedScreen(a.c)) }},
		{Kind: "command", Label: "messages", Run: func() tea.Cmd {
			a.overlay = component.NewMessagesOverlay(a.c, a.messages)
			return nil
		}},
		{Kind: "command", Label: "help", Run: func() tea.Cmd { a.overlay = component.NewHelpOverlay(a.c); return nil }},
		{Kind: "command", Label: "quit", Run: func() tea.Cmd { return a.quit() }},
	}
	for _, org := range a.opts.Orgs {
		org := org
		label := "org " + common.Clean(org)
		if org == a.c.Client.Org() {
			label += " (current)"
		}
		items = append(items, component.PaletteItem{Kind: "org", Label: label, Run: func() tea.Cmd { return a.switchOrg(org) }})
	}
	for _, cl := range a.c.Org.Clusters() {
		cl := cl
		items = append(items, component.PaletteItem{Kind: "cluster", Label: common.Clean(common.Emojize(cl.Name)), Run: func() tea.Cmd {
			home(a)
			return a.c.Push(screen.NewClusterScreen(a.c, cl, nil))
		}})
	}
	var queues []component.PaletteItem
	for _, e := range a.c.Org.Queues() {
		cl, ok := a.c.Org.Cluster(e.ClusterID)
		if !ok {
			continue
		}
		q := e.Queue
		queues = append(queues, component.PaletteItem{Kind: "queue", Label: common.Clean(common.Emojize(cl.Name)) + "/" + common.Clean(q.Key), Run: func() tea.Cmd {
			home(a)
			a.c.Push(screen.NewClusterScreen(a.c, cl, nil))
			return a.c.Push(screen.NewQueueScreen(a.c, cl, q))
		}})
	}
	sort.Slice(queues, func(i, j int) bool { return queues[i].Label < queues[j].Label })
	items = append(items, queues...)
	for _, p := range a.c.Org.Pipelines.Items {
		p := p
		items = append(items, component.PaletteItem{Kind: "pipeline", Label: common.Clean(common.Emojize(p.Name)) + " (" + common.Clean(p.Slug) + ")", Run: func() tea.Cmd {
			// The breadcrumbs say where the pipeline is, not where one
			// jumped from: its cluster, or the pipelines of no cluster.
			home(a)
			if cl, ok := a.c.Org.Cluster(model.Value(p.ClusterID)); ok {
				a.c.Push(screen.NewClusterScreen(a.c, cl, nil))
			} else {
				a.c.Push(screen.NewPipelinesScreen(a.c))
			}
			return a.c.Push(screen.NewPipelineScreen(a.c, p))
		}})
	}
	return items
}
