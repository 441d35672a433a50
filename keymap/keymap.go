// Package keymap holds every key binding of the console, with its help
// text. Screens take their bindings from here so that help always says
// what the keys really do, and a user can rebind any action.
package keymap

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every action of the console and the keys that trigger it.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Open, Back, Filter, Refresh key.Binding
	NextTab, PrevTab            key.Binding

	Pause, Mark, ClearMarks key.Binding
	// PauseAgent pauses or resumes an agent: p is the queue's, on every
	// tab of its screen, so that the key never acts on a smaller thing
	// than the one a person means.
	PauseAgent              key.Binding
	New, Edit, Delete       key.Binding
	Archive, ShowArchived   key.Binding
	Webhook                 key.Binding
	Stop, ForceStop         key.Binding
	Browse, CopyURL, CopyID key.Binding

	// Builds and jobs.
	CancelBuild, Rebuild, RetryFailed, RetryJob, Unblock key.Binding
	Follow, Timestamps, StateFilter, BranchFilter        key.Binding

	// Sort orders a list by its next column, Reverse turns the order.
	Sort, Reverse key.Binding
	// Wrap wraps a job log's long lines or cuts them (←/→ then scroll).
	Wrap key.Binding

	Palette, Help, Quit, ForceQuit key.Binding
}

// Default is the built-in key map.
func Default() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
		Top:      b("g", "top", "home", "g"),
		Bottom:   b("G", "bottom", "end", "G"),

		Open:    b("enter", "open", "enter"),
		Back:    b("esc", "back", "esc"),
		Filter:  b("/", "filter", "/"),
		Refresh: b("r", "refresh", "r"),
		NextTab: b("tab", "next tab", "tab"),
		PrevTab: b("shift+tab", "prev tab", "shift+tab"),

		Pause:      b("p", "pause/resume", "p"),
		Mark:       b("space", "mark", "space"),
		ClearMarks: b("x", "clear marks", "x"),
		New:        b("n", "new", "n"),
		Edit:       b("e", "edit", "e"),
		Delete:     b("d", "delete", "d"),
		Archive:    b("a", "archive", "a"),
		Webhook:    b("W", "add webhook", "W"),
		Stop:       b("S", "stop agent", "S"),
		ForceStop:  b("K", "force-stop", "K"),
		PauseAgent: b("z", "pause agent", "z"),

		CancelBuild:  b("C", "cancel build", "C"),
		Rebuild:      b("R", "rebuild", "R"),
		RetryFailed:  b("F", "retry failed", "F"),
		RetryJob:     b("t", "retry job", "t"),
		Unblock:      b("u", "unblock", "u"),
		Follow:       b("f", "follow", "f"),
		Timestamps:   b("T", "timestamps", "T"),
		StateFilter:  b("s", "state", "s"),
		BranchFilter: b("b", "branch", "b"),

		Sort:    b("O", "sort by next column", "O"),
		Reverse: b("I", "reverse the order", "I"),
		Wrap:    b("w", "wrap lines", "w"),

		ShowArchived: b("H", "archived", "H"),
		Browse:       b("o", "browser", "o"),
		CopyURL:      b("y", "copy URL", "y"),
		CopyID:       b("Y", "copy ID", "Y"),
		Palette:      b(":", "commands", ":"),

		Help:      b("?", "help", "?"),
		Quit:      b("q", "quit", "q"),
		ForceQuit: b("ctrl+c", "quit", "ctrl+c"),
	}
}

// Mutating reports whether a binding changes something in Buildkite, so
// that help can show it as unavailable in read-only mode.
func (k KeyMap) Mutating(b key.Binding) bool {
	for _, m := range []key.Binding{k.Pause, k.PauseAgent, k.New, k.Edit, k.Delete, k.Archive, k.Webhook, k.Stop, k.ForceStop,
		k.CancelBuild, k.Rebuild, k.RetryFailed, k.RetryJob, k.Unblock} {
		if sameKeys(m, b) {
			return true
		}
	}
	return false
}

func sameKeys(a, b key.Binding) bool {
	ak, bk := a.Keys(), b.Keys()
	if len(ak) != len(bk) {
		return false
	}
	for i := range ak {
		if ak[i] != bk[i] {
			return false
		}
	}
	return true
}

// Navigation is the movement group of the full help.
func (k KeyMap) Navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back, k.NextTab, k.PrevTab}
}

// ActionKeys is the group of actions on the selected item.
func (k KeyMap) ActionKeys() []key.Binding {
	return []key.Binding{k.Pause, k.Mark, k.ClearMarks, k.New, k.Edit, k.Delete, k.Archive, k.Webhook, k.PauseAgent, k.Stop, k.ForceStop, k.Browse, k.CopyURL, k.CopyID,
		k.CancelBuild, k.Rebuild, k.RetryFailed, k.RetryJob, k.Unblock}
}

// General is the group of keys that work everywhere.
func (k KeyMap) General() []key.Binding {
	return []key.Binding{k.Palette, k.Filter, k.ShowArchived, k.Refresh, k.Help, k.Quit, k.ForceQuit,
		k.StateFilter, k.BranchFilter, k.Follow, k.Timestamps}
}

// Actions names every binding for the configuration file's keys section.
func (k *KeyMap) Actions() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown, "top": &k.Top, "bottom": &k.Bottom,
		"open": &k.Open, "back": &k.Back, "filter": &k.Filter, "refresh": &k.Refresh, "next_tab": &k.NextTab, "prev_tab": &k.PrevTab,
		"pause": &k.Pause, "mark": &k.Mark, "clear_marks": &k.ClearMarks, "new": &k.New, "edit": &k.Edit, "delete": &k.Delete,
		"archive": &k.Archive, "webhook": &k.Webhook, "pause_agent": &k.PauseAgent, "stop": &k.Stop, "force_stop": &k.ForceStop, "show_archived": &k.ShowArchived, "browse": &k.Browse, "copy_url": &k.CopyURL, "copy_id": &k.CopyID,
		"cancel_build": &k.CancelBuild, "rebuild": &k.Rebuild, "retry_failed": &k.RetryFailed, "retry_job": &k.RetryJob,
		"unblock": &k.Unblock, "follow": &k.Follow, "timestamps": &k.Timestamps, "state_filter": &k.StateFilter, "branch_filter": &k.BranchFilter,
		"sort": &k.Sort, "reverse": &k.Reverse, "wrap": &k.Wrap,
		"palette": &k.Palette, "help": &k.Help, "quit": &k.Quit, "force_quit": &k.ForceQuit,
	}
}

// Rebind gives an action new keys; its help shows them.
func (k *KeyMap) Rebind(action string, keys []string) error {
	b, ok := k.Actions()[action]
	if !ok {
		return fmt.Errorf("%q is not an action (one of %s)", action, strings.Join(k.ActionNames(), ", "))
	}
	if len(keys) == 0 {
		return fmt.Errorf("%s: give at least one key", action)
	}
	b.SetKeys(keys...)
	b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	return nil
}

// ActionNames lists the actions, sorted.
func (k *KeyMap) ActionNames() []string {
	var names []string
	for n := range k.Actions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Collision is a key bound to two actions: the console would do only one
// of them, and help would list both.
type Collision struct {
	Key              string
	Action, Existing string
}

func (c *Collision) Error() string {
	return fmt.Sprintf("%s is bound to both %s and %s: give one of them another key", c.Key, c.Existing, c.Action)
}

// Collision finds a key bound to two actions, or nil. Actions are looked
// at in name order, so the same file gives the same answer; of the two
// actions, rebound (when given) is named as Action, since it is the one
// the person just changed.
func (k *KeyMap) Collision(rebound ...string) *Collision {
	changed := map[string]bool{}
	for _, a := range rebound {
		changed[a] = true
	}
	owner := map[string]string{}
	for _, action := range k.ActionNames() {
		for _, key := range k.Actions()[action].Keys() {
			prev, taken := owner[key]
			if !taken {
				owner[key] = action
				continue
			}
			if changed[prev] && !changed[action] {
				return &Collision{Key: key, Action: prev, Existing: action}
			}
			return &Collision{Key: key, Action: action, Existing: prev}
		}
	}
	return nil
}
