package ui

import (
	"github.com/kiteconsole/kiteconsole/org"
	"sort"

	tea "charm.land/bubbletea/v2"
)

// The palette's commands and jumps: every cluster, queue and pipeline
// org knows, by name.

func (a *App) openPalette() tea.Cmd {
	p, cmd := newPalette(a.c, a.paletteItems(), &a.history)
	a.overlay = p
	return tea.Batch(cmd, a.c.loadPipelines(org.Interactive, false))
}

func (a *App) paletteItems() []paletteItem {
	home := func(a *App) {
		for len(a.stack) > 1 {
			a.pop()
		}
	}
	items := []paletteItem{
		{"command", "clusters", func() tea.Cmd { home(a); return nil }},
		{"command", "pipelines", func() tea.Cmd { home(a); return a.c.push(newPipelinesScreen(a.c)) }},
		{"command", "org", func() tea.Cmd {
			if len(a.opts.Orgs) > 1 {
				// Show the organisations to pick from.
				cmd := a.openPalette()
				p := a.overlay.(*palette)
				p.input.SetValue("org ")
				p.input.CursorEnd()
				p.filter()
				return cmd
			}
			return flash(flashInfo, "organisation "+clean(a.c.Client.Org())+" ("+clean(a.c.Client.Endpoint())+"); configure more in config.yaml")
		}},
		{"command", "help", func() tea.Cmd { a.overlay = newHelpOverlay(a.c); return nil }},
		{"command", "quit", func() tea.Cmd { return a.quit() }},
	}
	for _, org := range a.opts.Orgs {
		org := org
		label := "org " + clean(org)
		if org == a.c.Client.Org() {
			label += " (current)"
		}
		items = append(items, paletteItem{"org", label, func() tea.Cmd { return a.switchOrg(org) }})
	}
	for _, cl := range a.c.org.Clusters() {
		cl := cl
		items = append(items, paletteItem{"cluster", clean(emojize(cl.Name)), func() tea.Cmd {
			home(a)
			return a.c.push(newClusterScreen(a.c, cl, nil))
		}})
	}
	var queues []paletteItem
	for _, e := range a.c.org.Queues() {
		cl, ok := a.c.org.Cluster(e.ClusterID)
		if !ok {
			continue
		}
		q := e.Queue
		queues = append(queues, paletteItem{"queue", clean(emojize(cl.Name)) + "/" + clean(q.Key), func() tea.Cmd {
			home(a)
			a.c.push(newClusterScreen(a.c, cl, nil))
			return a.c.push(newQueueScreen(a.c, cl, q))
		}})
	}
	sort.Slice(queues, func(i, j int) bool { return queues[i].label < queues[j].label })
	items = append(items, queues...)
	for _, p := range a.c.org.Pipelines.Items {
		p := p
		items = append(items, paletteItem{"pipeline", clean(emojize(p.Name)) + " (" + clean(p.Slug) + ")", func() tea.Cmd {
			return a.c.push(newPipelineScreen(a.c, p))
		}})
	}
	return items
}
