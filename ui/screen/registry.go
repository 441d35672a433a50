package screen

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// The screen registry, in the spirit of k9s's registrar: every screen
// file ends with the registration of its screen (its name, its palette
// command, the palette's jumps to it and how it opens), the palette
// reads the registry, and one screen opens another by name through it.
// So no screen file calls another's constructor: every screen depends on
// the registry, none on another screen, and adding a screen touches its
// own file and its test.

// What a screen opens on: nothing, or what it shows, in types every
// screen file shares. A pipeline's screens open on a model.Pipeline.
type (
	// NoArg opens a screen that needs nothing (:pipelines, :paused).
	NoArg struct{}
	// ClusterArg opens a cluster; Queues, when set, is what the list it
	// was picked from already holds of its queues.
	ClusterArg struct {
		Cluster model.Cluster
		Queues  []model.Queue
	}
	// QueueArg opens a queue of a cluster.
	QueueArg struct {
		Cluster model.Cluster
		Queue   model.Queue
	}
	// BuildArg opens build Number of the pipeline Slug.
	BuildArg struct {
		Slug   string
		Number int
	}
	// JobArg opens a job of a build: its log.
	JobArg struct {
		Slug   string
		Number int
		Job    model.Job
	}
	// AgentArg opens an agent of a queue (its detail).
	AgentArg struct {
		Cluster model.Cluster
		Queue   model.Queue
		Agent   model.Agent
	}
	// TokenArg opens an agent token of a cluster.
	TokenArg struct {
		Cluster model.Cluster
		Token   model.Token
	}
)

// Registration is one screen, opened on an A.
type Registration[A any] struct {
	// Name is what other screens open it by, and the kind of its jumps
	// in the palette ("queue").
	Name string
	// Command is its word in the palette (":paused"); empty for a screen
	// only ever opened from another.
	Command string
	// Place orders the palette's commands, and its kinds of jump, lowest
	// first. The root's own commands sit at 40 (org), 60 (messages), 70
	// (help) and 80 (quit).
	Place int
	// Home marks the home screen, the bottom of every stack: its command
	// closes the screens above it.
	Home bool
	// Over has its command open it over what is open (the paused list,
	// looked at in the middle of an incident), not over the home screen.
	Over bool
	// Open makes the screen.
	Open func(c *common.Common, a A) common.Screen
	// Jumps, when set, are the palette's items for it: one for each
	// cluster, queue or pipeline the organisation is known to have.
	Jumps func(c *common.Common) []Jump[A]
	// Under, when set, is the screen a jump to it opens first, so that
	// the breadcrumbs say where it is (a queue in its cluster); without
	// it a jump opens it over the home screen.
	Under func(c *common.Common, a A) Step
}

// Jump is one palette item: the label it is found by, and what it opens.
type Jump[A any] struct {
	Label string
	Arg   A
}

// Step is a screen to open by name, and what it opens on.
type Step struct {
	Name string
	Arg  any
}

// Entry is a registered screen as the registry keeps it: its argument
// known only as a value.
type Entry struct {
	Name, Command string
	Place         int
	Home, Over    bool
	arg           reflect.Type
	open          func(c *common.Common, a any) common.Screen
	jumps         func(c *common.Common) ([]string, func(i int) any)
	under         func(c *common.Common, a any) Step
}

// Arg is the type the screen opens on.
func (e Entry) Arg() reflect.Type { return e.arg }

// Jumps are the palette's items for the screen: their labels, and the
// argument the i-th opens on. The arguments are handed out one at a time,
// when a jump is run: the palette is made each time it opens, with a
// jump for each of up to thousands of pipelines and queues, and an
// argument made a value of its own for each (a pipeline is over 500
// bytes) was most of the palette's making.
func (e Entry) Jumps(c *common.Common) (labels []string, arg func(i int) any) {
	if e.jumps == nil {
		return nil, nil
	}
	return e.jumps(c)
}

// Path is what a jump to the screen opens, the screen last: the screens
// it sits under, then itself.
func (e Entry) Path(c *common.Common, arg any) []common.Screen {
	var path []common.Screen
	if e.under != nil {
		if up := e.under(c, arg); up.Name != "" {
			path = lookup(up.Name).Path(c, up.Arg)
		}
	}
	return append(path, e.Open(c, arg))
}

// Open makes the screen on arg, which must be of the type it registered.
func (e Entry) Open(c *common.Common, arg any) common.Screen { return e.open(c, arg) }

var registry = map[string]Entry{}

// Register adds a screen; each screen file calls it from an init at its
// end. A name registered twice is a mistake found at start.
func Register[A any](r Registration[A]) {
	if _, taken := registry[r.Name]; taken || r.Name == "" || r.Open == nil {
		panic(fmt.Sprintf("screen %q: registered twice, or without a name or an opener", r.Name))
	}
	e := Entry{Name: r.Name, Command: r.Command, Place: r.Place, Home: r.Home, Over: r.Over, arg: reflect.TypeFor[A](),
		open: func(c *common.Common, a any) common.Screen { return r.Open(c, argOf[A](r.Name, a)) }}
	if r.Jumps != nil {
		e.jumps = func(c *common.Common) ([]string, func(int) any) {
			jumps := r.Jumps(c)
			labels := make([]string, len(jumps))
			for i, j := range jumps {
				labels[i] = j.Label
			}
			return labels, func(i int) any { return jumps[i].Arg }
		}
	}
	if r.Under != nil {
		e.under = func(c *common.Common, a any) Step { return r.Under(c, argOf[A](r.Name, a)) }
	}
	registry[r.Name] = e
}

// argOf is a as the A a screen opens on: another type is a mistake in
// the screen that asked, found the first time it runs.
func argOf[A any](name string, a any) A {
	v, ok := a.(A)
	if !ok {
		panic(fmt.Sprintf("screen %q opens on a %v, not a %T", name, reflect.TypeFor[A](), a))
	}
	return v
}

func lookup(name string) Entry {
	e, ok := registry[name]
	if !ok {
		panic(fmt.Sprintf("no screen %q is registered", name))
	}
	return e
}

// Registered is every registered screen, by place, then name.
func Registered() []Entry {
	out := make([]Entry, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Place != out[j].Place {
			return out[i].Place < out[j].Place
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Open opens the screen registered as name on arg, over the one on show.
func Open(c *common.Common, name string, arg any) common.Reply {
	return common.Push(lookup(name).Open(c, arg))
}

// Home is the home screen, the bottom of the stack.
func Home(c *common.Common) common.Screen {
	for _, e := range registry {
		if e.Home {
			return e.Open(c, NoArg{})
		}
	}
	panic("no home screen is registered")
}
