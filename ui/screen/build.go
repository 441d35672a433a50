package screen

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// buildScreen is one build: its facts above the list of its jobs. Enter
// opens a job's log, or for a job waiting for an agent, its queue.
type buildScreen struct {
	common.ScreenBase
	slug   string
	number int
	// build is the build as last loaded: the jobs list's reply.
	build model.Build
	jobs  *component.List[model.Job]
	// retried is the job t was last pressed on; followRetry is set once
	// the retry is made, for the next load to put the cursor on the job's
	// new attempt (the build lists only a step's newest).
	retried     string
	followRetry bool
}

// NewBuildScreen opens build number of the pipeline slug: what the queue
// screen's waiting jobs and an agent's current job lead to. Push it with
// Common.Push.
func NewBuildScreen(c *common.Common, slug string, number int) common.Screen {
	s := &buildScreen{ScreenBase: common.NewBase(c), slug: slug, number: number}
	spec := s.jobSpec()
	spec.Fetch = func(ctx context.Context) (func() []model.Job, error) {
		b, err := c.Client.GetBuild(ctx, slug, number)
		return func() []model.Job { s.build = b; return b.Jobs }, err
	}
	s.jobs = component.NewList(c, spec)
	s.jobs.Attach(&s.ScreenBase)
	return s
}

// BuildOf reads a pipeline's slug and a build's number from a build's
// API URL (a job's build_url: ".../pipelines/app/builds/42"),
// for opening NewBuildScreen from a job that names its build only so.
func BuildOf(url string) (slug string, number int, ok bool) {
	_, rest, found := strings.Cut(url, "/pipelines/")
	if !found {
		return "", 0, false
	}
	slug, rest, found = strings.Cut(rest, "/builds/")
	if !found || slug == "" || strings.Contains(slug, "/") {
		return "", 0, false
	}
	rest, _, _ = strings.Cut(rest, "/")
	rest, _, _ = strings.Cut(rest, "#")
	n, err := strconv.Atoi(rest)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return slug, n, true
}

// jobQueue is the queue a job runs on: its cluster queue's key when the
// console knows it, else its queue= rule.
func jobQueue(c *common.Common, j model.Job) string {
	if id := model.Value(j.ClusterQueueID); id != "" {
		if k, ok := c.Org.QueueKey(id); ok {
			return component.Text(k)
		}
	}
	for _, r := range j.AgentQueryRules {
		if q, ok := strings.CutPrefix(r, "queue="); ok {
			return component.Text(q)
		}
	}
	return ""
}

// pausedQueueOf is the paused queue a job waits on, when the console has
// seen its queue paused: the job will not start until it resumes.
func pausedQueueOf(c *common.Common, j model.Job) (model.Queue, bool) {
	id := model.Value(j.ClusterQueueID)
	if id == "" || !model.JobWaitingForAgent(j.State) {
		return model.Queue{}, false
	}
	for _, e := range c.Org.Queues() {
		if e.Queue.ID == id && e.Queue.DispatchPaused {
			return e.Queue, true
		}
	}
	return model.Queue{}, false
}

func jobDuration(c *common.Common, j model.Job) string {
	if j.StartedAt == nil || j.StartedAt.IsZero() {
		return "—"
	}
	end := c.Now()
	if j.FinishedAt != nil && !j.FinishedAt.IsZero() {
		end = j.FinishedAt.Time
	}
	return present.Duration(end.Sub(j.StartedAt.Time))
}

func (s *buildScreen) jobSpec() component.ListSpec[model.Job] {
	c, k := s.C, s.C.Keys
	return component.ListSpec[model.Job]{
		Noun: "jobs", Empty: "no jobs yet",
		Columns: []component.ListColumn[model.Job]{
			component.Col("STEP", 16, 3, 0, func(j model.Job) present.Cell {
				if j.Type == model.JobWaiter {
					return present.As(present.Muted, "wait")
				}
				return present.EmojiLabel(present.Plain, j.DisplayName())
			}),
			component.Col("STATE", 16, 0, 0, func(j model.Job) present.Cell {
				if j.SoftFailed {
					return present.As(present.Warning, "⚠ soft failed")
				}
				if _, paused := pausedQueueOf(c, j); paused {
					return present.As(present.Paused, "‖ queue paused")
				}
				return present.StateLabel(j.State, false)
			}),
			component.Col("QUEUE", 10, 1, 0, func(j model.Job) string { return jobQueue(c, j) }),
			component.Col("AGENT", 12, 1, 90, func(j model.Job) string {
				if j.Agent == nil {
					return ""
				}
				return j.Agent.Name
			}),
			component.Col("EXIT", 5, 0, 0, func(j model.Job) present.Cell {
				if j.ExitStatus == nil {
					return nil
				}
				if *j.ExitStatus != 0 {
					return present.As(present.Danger, strconv.Itoa(*j.ExitStatus))
				}
				return present.Text("0")
			}),
			component.Col("TOOK", 7, 0, 0, func(j model.Job) string { return jobDuration(c, j) }),
		},
		Key: func(j model.Job) string { return j.ID },
		Match: func(j model.Job) (string, int) {
			n := j.DisplayName()
			return n + " " + j.State + " " + jobQueue(c, j), len(n)
		},
		Dim: func(j model.Job) bool { return j.Retried || j.Type == model.JobWaiter },
		Took: func(jobs []model.Job, _ org.Lane) common.Reply {
			if !s.followRetry {
				return common.Reply{}
			}
			for _, j := range jobs {
				if j.RetrySource != nil && j.RetrySource.JobID == s.retried {
					s.jobs.Table.SelectKey(j.ID)
				}
			}
			s.followRetry, s.retried = false, ""
			return common.Reply{}
		},
		Keys: []component.ListKey[model.Job]{
			component.OnItem(k.Open, s.open),
			component.OnItem(k.Unblock, func(j model.Job) common.Reply { return unblock(&s.ScreenBase, s.slug, s.number, j) }),
			component.OnItem(k.RetryJob, func(j model.Job) common.Reply { s.retried = j.ID; return retryJob(c, s.slug, s.number, j) }),
			component.OnList[model.Job](k.RetryFailed, func() common.Reply { return retryFailed(c, s.slug, s.build) }),
			component.OnList[model.Job](k.CancelBuild, func() common.Reply { return confirmCancelBuild(c, s.slug, s.build) }),
			component.OnList[model.Job](k.Rebuild, func() common.Reply { return rebuild(c, s.slug, s.build) }),
			component.Shown[model.Job](k.Filter),
			component.Shown[model.Job](k.Back),
		},
		Link: func(j model.Job) (string, string, string) { return "job", j.WebURL, j.ID },
	}
}

// open shows a job's log; a job waiting for an agent opens its queue,
// where the agents it waits for are.
func (s *buildScreen) open(j model.Job) common.Reply {
	c := s.C
	switch {
	case j.Type == model.JobManual:
		return unblock(&s.ScreenBase, s.slug, s.number, j)
	case j.Type != model.JobScript:
		return common.Reply{}
	case model.JobWaitingForAgent(j.State):
		if r, ok := s.openQueue(j); ok {
			return r
		}
		return common.Do(common.Flash(common.FlashInfo, "waiting for an agent of queue "+jobQueue(c, j)+": no log yet"))
	}
	return Open(c, "job log", JobArg{Slug: s.slug, Number: s.number, Job: j})
}

// openQueue opens the queue a job waits on, when the console knows it.
func (s *buildScreen) openQueue(j model.Job) (common.Reply, bool) {
	id := model.Value(j.ClusterQueueID)
	for _, e := range s.C.Org.Queues() {
		if e.Queue.ID != id || id == "" {
			continue
		}
		if cl, ok := s.C.Org.Cluster(e.ClusterID); ok {
			return Open(s.C, "queue", QueueArg{Cluster: cl, Queue: e.Queue}), true
		}
	}
	return common.Reply{}, false
}

func (s *buildScreen) Crumb() string       { return "#" + strconv.Itoa(s.number) }
func (s *buildScreen) Capturing() bool     { return s.jobs.Capturing() }
func (s *buildScreen) Help() []key.Binding { return s.jobs.Help() }
func (s *buildScreen) Init() tea.Cmd       { return s.load(org.Interactive) }

// load is the build's one request: its facts and its jobs.
func (s *buildScreen) load(lane org.Lane) tea.Cmd { return s.jobs.LoadBehind(lane) }

func (s *buildScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if used, r := s.jobs.Update(msg, len(s.details())); used {
		return common.Answer(s, r)
	}
	switch msg := msg.(type) {
	case unblockStep:
		return common.Answer(s, unblockForm(s.C, s.slug, s.number, msg))
	case BuildChanged:
		if msg.Slug == s.slug && msg.Build.Number == s.number {
			s.followRetry = s.retried != ""
			return s, s.load(org.Fresh)
		}
		if msg.Slug == s.slug && msg.Build.Number != 0 {
			// A rebuild: the new build is where the person wants to be.
			return common.Asking(s, common.PushMsg{Screen: NewBuildScreen(s.C, s.slug, msg.Build.Number)}), nil
		}
	case common.RefreshMsg:
		// One request, finished or not: a job retried from its log
		// changes a finished build, and shows on the return here.
		return s, s.load(msg.Lane)
	case tea.KeyPressMsg:
		if key.Matches(msg, s.C.Keys.Back) {
			return common.Asking(s, common.PopMsg{}), nil
		}
	}
	return s, nil
}

// details are the build's facts above its jobs.
func (s *buildScreen) details() []string {
	c, st := s.C, s.C.Styles
	b := s.build
	title := st.Title.Render(fmt.Sprintf("%s #%d", component.Text(s.slug), s.number))
	if !s.jobs.Known {
		if s.jobs.Err != nil {
			return []string{title, st.FlashError.Render("could not load the build: " + common.ErrorText(s.jobs.Err)), st.Muted.Render("r tries again")}
		}
		return []string{title, st.Muted.Render("loading…")}
	}
	title += "  " + component.Draw(st, present.BuildState(b))
	msg := present.FirstLine(b.Message)
	if msg == "" {
		msg = st.Muted.Render("no message")
	}
	commit := component.Text(b.Commit)
	if len(commit) > 12 {
		commit = commit[:12]
	}
	facts := []string{"branch " + component.Draw(st, present.As(present.Bold, b.Branch)), "commit " + commit}
	if a := present.BuildAuthor(b); a != "" {
		facts = append(facts, "by "+a)
	}
	if b.CreatedAt != nil {
		facts = append(facts, "created "+present.Ago(c.Now(), b.CreatedAt.Time))
	}
	if d := b.Duration(c.Now()); d > 0 {
		facts = append(facts, "took "+present.Duration(d))
	}
	if b.RebuiltFrom != nil {
		facts = append(facts, fmt.Sprintf("rebuilt from #%d", b.RebuiltFrom.Number))
	}
	lines := []string{title, msg}
	for _, l := range present.WrapFacts(facts, c.Width) {
		lines = append(lines, st.Muted.Render(l))
	}
	if b.CancelReason != nil && *b.CancelReason != "" {
		lines = append(lines, st.Warning.Render("canceled: "+component.Text(*b.CancelReason)))
	}
	lines = append(lines, s.pausedQueues()...)
	if age, stale := s.jobs.Stale(); stale {
		lines = append(lines, st.Warning.Render("refresh failed; showing the build from "+age+" (r tries again)"))
	}
	return lines
}

// pausedQueues say which paused queues the build's jobs wait on, who
// paused each, since when and why: "waiting: queue macos paused by Priya
// Nat since 5m ago: INC-4821".
func (s *buildScreen) pausedQueues() []string {
	var out []string
	seen := map[string]bool{}
	for _, j := range s.jobs.Items {
		q, paused := pausedQueueOf(s.C, j)
		if !paused || seen[q.ID] {
			continue
		}
		seen[q.ID] = true
		who := q.DispatchPausedBy.DisplayName()
		if who == "" {
			who = "someone"
		}
		line := "waiting: queue " + q.Key + " paused by " + who
		if q.DispatchPausedAt != nil {
			line += " since " + present.Ago(s.C.Now(), q.DispatchPausedAt.Time)
		}
		if note := model.Value(q.DispatchPausedNote); note != "" {
			line += ": " + note
		}
		for _, l := range strings.Split(ansi.Wordwrap(component.Text(line), max(20, s.C.Width), ""), "\n") {
			out = append(out, s.C.Styles.Paused.Render(l))
		}
	}
	return out
}

func (s *buildScreen) View() string {
	out := s.details()
	return strings.Join(out, "\n") + "\n" + s.jobs.View(s.C.Width, s.C.Height-len(out))
}

func init() {
	Register(Registration[BuildArg]{Name: "build", Place: 130,
		Open: func(c *common.Common, a BuildArg) common.Screen { return NewBuildScreen(c, a.Slug, a.Number) }})
}
