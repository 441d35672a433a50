package ui

import (
	"sort"

	tea "charm.land/bubbletea/v2"

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
	// The root's own commands, placed among the screens' (see
	// screen.Registration.Place).
	type placed struct {
		place int
		item  component.PaletteItem
	}
	commands := []placed{
		{40, component.PaletteItem{Kind: "command", Label: "org", Run: func() tea.Cmd {
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
		}}},
		{60, component.PaletteItem{Kind: "command", Label: "messages", Run: func() tea.Cmd {
			a.overlay = component.NewMessagesOverlay(a.c, a.messages)
			return nil
		}}},
		{70, component.PaletteItem{Kind: "command", Label: "help", Run: func() tea.Cmd { a.overlay = component.NewHelpOverlay(a.c, a.top()); return nil }}},
		{80, component.PaletteItem{Kind: "command", Label: "quit", Run: func() tea.Cmd { return a.quit() }}},
	}
	screens := screen.Registered()
	for _, e := range screens {
		if e.Command != "" {
			commands = append(commands, placed{e.Place, component.PaletteItem{Kind: "command", Label: e.Command, Run: func() tea.Cmd {
				return a.openRegistered(e, screen.NoArg{})
			}}})
		}
	}
	sort.SliceStable(commands, func(i, j int) bool { return commands[i].place < commands[j].place })
	items := make([]component.PaletteItem, 0, len(commands))
	for _, c := range commands {
		items = append(items, c.item)
	}
	for _, org := range a.opts.Orgs {
		org := org
		label := "org " + common.Clean(org)
		if org == a.c.Client.Org() {
			label += " (current)"
		}
		items = append(items, component.PaletteItem{Kind: "org", Label: label, Run: func() tea.Cmd { return a.switchOrg(org) }})
	}
	for _, e := range screens {
		labels, arg := e.Jumps(a.c)
		for i, label := range labels {
			items = append(items, component.PaletteItem{Kind: e.Name, Label: common.Clean(label), Run: func() tea.Cmd {
				return a.openRegistered(e, arg(i))
			}})
		}
	}
	return items
}

// openRegistered opens a screen from the palette: the home screen closes
// every screen above it (without reloading it: a jump pushes screens
// over it at once); any other opens over the home screen, under the
// screens that say where it is (a queue's cluster), or over what is on
// show when it asks to.
func (a *App) openRegistered(e screen.Entry, arg any) tea.Cmd {
	home := func() {
		for len(a.stack) > 1 {
			a.closeTop()
		}
	}
	if e.Home {
		if len(a.stack) == 1 {
			return nil
		}
		home()
		// Returned, never dropped: a reload made and not run would
		// leave the home screen waiting for a reply that never comes.
		return a.autoRefresh(false)
	}
	if !e.Over {
		home()
	}
	// The screens under the target (a queue's cluster) are stacked for
	// the breadcrumbs and esc, and load only when shown: a jump reads
	// what it opens, nothing else.
	path := e.Path(a.c, arg)
	var cmds []tea.Cmd
	for _, s := range path[:len(path)-1] {
		cmds = append(cmds, a.stackUp(s))
		if a.unstarted == nil {
			a.unstarted = map[int]bool{}
		}
		a.unstarted[s.ID()] = true
	}
	return tea.Batch(append(cmds, a.push(path[len(path)-1]))...)
}
