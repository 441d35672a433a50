package common

// The organisation's pipelines as screens see them: org loads them, page
// by page, and every screen is told as they arrive.

import (
	"context"
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/org"
)

// PipelinesPage is one page of the organisation's pipelines as it
// arrives; next reads the page after it. Every screen sees it, after the
// root model has given it to org.
type PipelinesPage struct {
	org.PipelinesPage
	Next tea.Cmd
	// Task is the footer's task of the load the page belongs to: the
	// last page ends it, whether or not a newer load replaced this one.
	Task int
}

func (PipelinesPage) everyScreen() {}

// PipelinesLoaded is Broadcast when the whole list is in.
type PipelinesLoaded struct{ Err error }

func (PipelinesLoaded) everyScreen() {}

// Progress says how much of a first load is in: "1,200 of about 10,000".
func Progress(pc *org.Pipelines) string {
	if pc.Last <= 1 {
		return fmt.Sprintf("loading… %d", len(pc.Items))
	}
	return fmt.Sprintf("loaded %s of about %s", thousands(len(pc.Items)), thousands(pc.Last*100))
}

// Thousands writes n with thousands separated: 10,000.
func Thousands(n int) string { return thousands(n) }

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// LoadPipelines asks org for the organisation's pipelines unless they are
// loaded or on their way; force fetches them again. The pages stream in
// as they arrive, shown in the footer as one task.
func (c *Common) LoadPipelines(lane org.Lane, force bool) tea.Cmd {
	ch, started := c.Org.Pipelines.Load(c.AppCtx, c.Client, lane, force)
	if !started {
		return nil
	}
	const label = "loading pipelines"
	task := c.Tasks.start(label)
	return tracked(task, label, readPage(ch, task))
}

// LoadNextPipelines fetches the next page of the list (the first when
// none is in), for a screen that loads as the person scrolls; pages after
// the first are a bulk read. ReloadPipelines fetches the first page again
// (r). Each is one request, shown in the footer as a task.
func (c *Common) LoadNextPipelines(lane org.Lane) tea.Cmd {
	return c.pageTask(c.Org.Pipelines.LoadNext(c.AppCtx, c.Client, lane))
}

// LoadLastPipelines fetches the list's last page (G: its true end, by
// the Link header's rel="last"), LoadPrevPipelines the page before the
// tail (going up from the end) and ReloadTailPipelines the tail's last
// page again (r at the end); each is one request, shown in the footer as
// a task.
func (c *Common) LoadLastPipelines(lane org.Lane) tea.Cmd {
	return c.pageTask(c.Org.Pipelines.LoadLast(c.AppCtx, c.Client, lane))
}

// LoadPrevPipelines: see LoadLastPipelines.
func (c *Common) LoadPrevPipelines(lane org.Lane) tea.Cmd {
	return c.pageTask(c.Org.Pipelines.LoadPrev(c.AppCtx, c.Client, lane))
}

// ReloadTailPipelines: see LoadLastPipelines.
func (c *Common) ReloadTailPipelines(lane org.Lane) tea.Cmd {
	return c.pageTask(c.Org.Pipelines.ReloadTail(c.AppCtx, c.Client, lane))
}

// pageTask reads a page of the list that started, as a task in the
// footer.
func (c *Common) pageTask(ch <-chan org.PipelinesPage, started bool) tea.Cmd {
	if !started {
		return nil
	}
	const label = "loading pipelines"
	task := c.Tasks.start(label)
	return tracked(task, label, readPage(ch, task))
}

// SearchPipelines asks the server for the pipelines a filter's text
// matches, as a person's look; the answer arrives as a PipelinesPage with
// Found set and joins the list (and the palette's pipelines).
func (c *Common) SearchPipelines(text string) tea.Cmd {
	ch := c.Org.Pipelines.Search(c.AppCtx, c.Client, org.Interactive, text)
	return c.Run(c.AppCtx, org.Interactive, "searching pipelines", func(context.Context) tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return PipelinesPage{PipelinesPage: p}
	})
}

// ReloadPipelines: see LoadNextPipelines.
func (c *Common) ReloadPipelines(lane org.Lane) tea.Cmd {
	return c.pageTask(c.Org.Pipelines.Reload(c.AppCtx, c.Client, lane))
}

func readPage(ch <-chan org.PipelinesPage, task int) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return TaskDone{Task: task}
		}
		msg := PipelinesPage{PipelinesPage: p, Task: task}
		if !p.Done {
			msg.Next = readPage(ch, task)
		}
		return msg
	}
}

// ApplyPipelines gives a page to org; the root model calls it before
// screens see the page.
func (c *Common) ApplyPipelines(m PipelinesPage) {
	if m.Done {
		c.Tasks.Done(m.Task)
	}
	c.Org.Pipelines.Apply(m.PipelinesPage)
}

func (c *Common) ClusterName(id string) string {
	if cl, ok := c.Org.Cluster(id); ok {
		return Clean(Emojize(cl.Name))
	}
	return ""
}
