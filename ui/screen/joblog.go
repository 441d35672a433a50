package screen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/termsafe"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/component"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// A job's log is read from its end: the first load asks for its last
// tailBytes (one ranged request, whatever the log's length). The API
// serves only suffix ranges (bytes=-N), not "from byte N", so following
// asks, as a person's look (never put off behind bulk reads or the
// background's share), first followEvery after the last read and then
// twice as long each time up to maxFollowEvery (a few reads a minute
// while someone watches), for a little more than
// the log grew by last time (between minFollowBytes and maxFollowBytes)
// and keeps only what is new: the Content-Range's size says how much
// that is. Should the log have grown by more than was asked for, one
// read of the tail catches up. The screen holds at most heldBytes of log,
// dropping the oldest lines.
const (
	tailBytes      = 64 << 10
	minFollowBytes = 1 << 10
	maxFollowBytes = 64 << 10
	heldBytes      = 1 << 20
	followEvery    = 3 * time.Second
	maxFollowEvery = 15 * time.Second
	// stalledChecks is how many reads without new bytes make the
	// follower ask whether the job has finished.
	stalledChecks = 3
)

// jobLogScreen is the tail of a job's log in a viewport: colours kept,
// every other sequence made inert (termsafe.LogLines), the agent's
// timestamps shown or hidden (T), followed while the job runs (f).
type jobLogScreen struct {
	common.ScreenBase
	slug   string
	number int
	job    model.Job
	view   viewport.Model

	// raw is the end of the log held, from byte offset start of the
	// log's size bytes; it begins at a line's start unless start is 0.
	raw         []byte
	start, size int64
	known       bool
	err         error
	// noLog is set while the API says the job has no log yet (its 404):
	// not an error, the log comes when the job starts.
	noLog bool
	// rangeIgnored is set once the server answered a ranged read with
	// the whole log: following would fetch all of it each time, so it
	// stops, and says why.
	rangeIgnored bool
	// ask is how much the follower's next read asks for.
	ask int

	stamps, follow bool
	// search is the / input while it is open; query is the search that
	// n and N move through, matches the lines that hold it, at the one
	// on show (-1 before the first n).
	search    textinput.Model
	searching bool
	query     string
	matches   []int
	at        int
	// followGen numbers the follower's timers, so that turning follow off
	// and on again does not run two.
	followGen, stalled int
	// every is the follower's next interval: followEvery when following
	// starts, doubled at each read up to maxFollowEvery.
	every time.Duration
}

// rangeIgnoredText says why the log is not followed: each read would
// fetch the whole log.
const rangeIgnoredText = "the server ignores Range: following stopped"

type logRead struct {
	tail   []byte
	size   int64
	follow bool
	err    error
}

// followTick is the follower's timer; it names its screen, since a
// timer's message goes to whichever screen is on top.
type followTick struct{ screen, gen int }

type jobRead struct {
	job model.Job
	err error
}

// NewJobLogScreen opens the log of job j of build number of pipeline
// slug.
func NewJobLogScreen(c *common.Common, slug string, number int, j model.Job) common.Screen {
	s := &jobLogScreen{ScreenBase: common.NewBase(c), slug: slug, number: number, job: j, view: viewport.New(), ask: 4 * minFollowBytes}
	s.view.SoftWrap = true
	s.view.MouseWheelEnabled = true
	s.search = textinput.New()
	s.search.Prompt = "/"
	s.search.Placeholder = "search the log"
	s.at = -1
	return s
}

// The search's own keys: n and N mean next and previous only on this
// screen, where nothing is made new.
var (
	searchNext = key.NewBinding(key.WithKeys("n"), key.WithHelp("n/N", "next/previous match"))
	searchPrev = key.NewBinding(key.WithKeys("N"))
)

func (s *jobLogScreen) Crumb() string {
	return common.Emojize(s.job.DisplayName())
}
func (s *jobLogScreen) Capturing() bool { return s.searching }
func (s *jobLogScreen) Help() []key.Binding {
	k := s.C.Keys
	search := present.WithHelp(k.Filter, "search")
	if s.query != "" {
		return []key.Binding{searchNext, search, k.Follow, k.Timestamps, k.Wrap, k.RetryJob, k.Browse, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, search, k.Follow, k.Timestamps, k.Wrap, k.RetryJob, k.Browse, k.Back}
}

// findMatches finds the lines of the log on show that hold the query
// (case aside), and marks each match in its line.
func (s *jobLogScreen) findMatches(lines []string) []string {
	s.matches = s.matches[:0]
	if s.query == "" {
		return lines
	}
	q := strings.ToLower(s.query)
	mark := s.C.Styles.Warning.Reverse(true)
	for i, l := range lines {
		plainLine := ansi.Strip(l)
		at := strings.Index(strings.ToLower(plainLine), q)
		if at < 0 {
			continue
		}
		s.matches = append(s.matches, i)
		var ranges []lipgloss.Range
		for at >= 0 {
			start := ansi.StringWidth(plainLine[:at])
			ranges = append(ranges, lipgloss.NewRange(start, start+ansi.StringWidth(plainLine[at:at+len(q)]), mark))
			next := strings.Index(strings.ToLower(plainLine[at+len(q):]), q)
			if next < 0 {
				break
			}
			at += len(q) + next
		}
		lines[i] = lipgloss.StyleRanges(l, ranges...)
	}
	return lines
}

// jump shows the match by steps from the one on show (1: next, -1:
// previous), wrapping around the log.
func (s *jobLogScreen) jump(by int) tea.Cmd {
	if s.query == "" {
		return common.Flash(common.FlashInfo, "/ searches the log first")
	}
	if len(s.matches) == 0 {
		return common.Flash(common.FlashInfo, fmt.Sprintf("no line of the log on show holds %q", s.query))
	}
	n := len(s.matches)
	switch {
	case s.at < 0 && by > 0:
		// The first match from the top of what is on show.
		s.at = 0
		top := s.view.YOffset()
		for i, line := range s.matches {
			if s.visualLine(line) >= top {
				s.at = i
				break
			}
		}
	case s.at < 0:
		s.at = n - 1
	default:
		s.at = ((s.at+by)%n + n) % n
	}
	s.follow = false
	s.view.SetYOffset(s.visualLine(s.matches[s.at]))
	return nil
}

// visualLine is the screen line a line of the log begins on, its longer
// lines before it taking several when wrapped.
func (s *jobLogScreen) visualLine(line int) int {
	if !s.view.SoftWrap {
		return line
	}
	width := max(1, s.view.Width())
	lines := strings.Split(s.view.GetContent(), "\n")
	v := 0
	for i := 0; i < line && i < len(lines); i++ {
		v += max(1, (ansi.StringWidth(lines[i])+width-1)/width)
	}
	return v
}

func (s *jobLogScreen) Init() tea.Cmd {
	if model.JobOnAgent(s.job.State) {
		// A running job's log is what someone opens it for: follow it.
		s.follow = true
		return tea.Batch(s.read(org.Interactive, false), s.armFollow())
	}
	return s.read(org.Interactive, false)
}

// read fetches the log's tail: the first tailBytes, or for a follower
// the last followBytes, of which only what is new is kept.
func (s *jobLogScreen) read(lane org.Lane, follow bool) tea.Cmd {
	slug, number, id := s.slug, s.number, s.job.ID
	n := tailBytes
	if follow {
		n = s.ask
	}
	return s.Run(lane, "reading the log", func(ctx context.Context) tea.Msg {
		tail, size, err := s.C.Client.JobLogTail(ctx, slug, number, id, n)
		return logRead{tail: tail, size: size, follow: follow, err: err}
	})
}

func (s *jobLogScreen) armFollow() tea.Cmd {
	s.followGen++
	gen, id := s.followGen, s.ID()
	every := max(s.every, followEvery)
	s.every = min(2*every, maxFollowEvery)
	return s.C.Tick(every, func(time.Time) tea.Msg { return followTick{screen: id, gen: gen} })
}

// take adds a read to what is held. A follower's read overlaps what is
// held when the log grew by no more than it asked for: only the new end
// is added. A first read's tail replaces what was held. It reports a
// follower's read that fell short of what was held: a gap, for a read of
// the tail to fill.
func (s *jobLogScreen) take(m logRead) (gap bool) {
	grew := m.size - s.size
	if s.known && m.follow {
		// Ask next time for twice this growth: a steady log is followed
		// in one read a time, a burst costs one more.
		s.ask = min(max(int(2*grew)+minFollowBytes, minFollowBytes), maxFollowBytes)
	}
	switch {
	case s.known && m.follow && grew <= 0:
		return false
	case s.known && m.follow && grew <= int64(len(m.tail)):
		s.raw = append(s.raw, m.tail[int64(len(m.tail))-grew:]...)
	case s.known && m.follow:
		return true
	default:
		s.raw = m.tail
		s.start = m.size - int64(len(m.tail))
		if s.start > 0 {
			// The tail begins inside a line: drop that part line, unless
			// it is all the tail holds (the end of a line longer than
			// the tail, which is shown rather than nothing).
			s.dropPartLine()
		}
	}
	s.size, s.known = m.size, true
	if over := len(s.raw) - heldBytes; over > 0 {
		s.raw, s.start = s.raw[over:], s.start+int64(over)
		s.dropPartLine()
	}
	return false
}

// dropPartLine drops the held log's first line, which begins before what
// is held, when another line follows it; when it is the only line (a
// line longer than what is held), its end is kept to be shown.
func (s *jobLogScreen) dropPartLine() {
	nl := bytes.IndexByte(s.raw, '\n')
	if nl < 0 || nl == len(s.raw)-1 {
		return
	}
	s.raw, s.start = s.raw[nl+1:], s.start+int64(nl+1)
}

func (s *jobLogScreen) layout() {
	s.view.SetWidth(s.C.Width)
	s.view.SetHeight(max(1, s.C.Height-len(s.header())))
	atBottom := s.view.AtBottom() || s.follow
	s.view.SetContent(s.content())
	if atBottom {
		s.view.GotoBottom()
	}
}

// content is the held log, its lines cleaned, with their timestamps when
// T shows them.
func (s *jobLogScreen) content() string {
	st := s.C.Styles
	lines := termsafe.LogLines(s.raw)
	out := make([]string, 0, len(lines)+1)
	if s.start > 0 {
		out = append(out, st.Muted.Render(fmt.Sprintf("… %s before this (o opens the whole log in Buildkite)", bytesLabel(s.start))))
	}
	for _, l := range lines {
		if s.stamps {
			stamp := "        "
			if !l.At.IsZero() {
				stamp = l.At.In(s.C.Now().Location()).Format("15:04:05")
			}
			out = append(out, st.Muted.Render(stamp)+" "+l.Text)
			continue
		}
		out = append(out, l.Text)
	}
	if len(lines) == 0 {
		empty := "the log is empty"
		if s.noLog {
			empty = "no log yet"
		}
		out = append(out, st.Muted.Render(empty))
	}
	return strings.Join(s.findMatches(out), "\n")
}

// bytesLabel is a size for people: "812 B", "64 KiB", "3.2 MiB".
func bytesLabel(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func (s *jobLogScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	k := s.C.Keys
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.layout()
	case logRead:
		if common.Deferred(msg.err) {
			return s, nil
		}
		var stopped tea.Cmd
		switch {
		case errors.Is(msg.err, api.ErrNoLogYet):
			s.noLog = true
			msg.tail, msg.size, msg.err = []byte{}, 0, nil
		case errors.Is(msg.err, api.ErrRangeIgnored):
			// The tail is still right; following is not worth its cost.
			s.rangeIgnored, msg.err = true, nil
			if s.follow {
				s.follow = false
				stopped = common.Flash(common.FlashInfo, rangeIgnoredText)
			}
		default:
			s.noLog = s.noLog && msg.err != nil
		}
		if msg.err != nil {
			s.err = msg.err
			if !s.known {
				s.layout()
				return s, nil
			}
			return s, common.Flash(common.FlashError, "could not read the log: "+common.ErrorText(msg.err))
		}
		s.err = nil
		before := s.size
		if s.take(msg) {
			return s, tea.Batch(stopped, s.read(org.Interactive, false))
		}
		if stopped != nil {
			s.layout()
			return s, stopped
		}
		if msg.follow && s.size == before {
			s.stalled++
		} else {
			s.stalled = 0
		}
		s.layout()
		if msg.follow && s.stalled >= stalledChecks {
			// No new lines for a while: has the job finished?
			s.stalled = 0
			slug, number, id := s.slug, s.number, s.job.ID
			return s, s.Run(org.Interactive, "checking the job", func(ctx context.Context) tea.Msg {
				j, err := s.C.Client.GetJob(ctx, slug, number, id)
				return jobRead{job: j, err: err}
			})
		}
	case jobRead:
		if msg.err == nil {
			s.job = msg.job
			if model.JobFinished(msg.job.State) && s.follow {
				s.follow = false
				// Its last lines, written as it finished.
				return s, tea.Batch(s.read(org.Interactive, true),
					common.Flash(common.FlashInfo, "the job has "+strings.ReplaceAll(msg.job.State, "_", " ")+": stopped following"))
			}
		}
	case followTick:
		if msg.screen != s.ID() || msg.gen != s.followGen || !s.follow {
			return s, nil
		}
		return s, tea.Batch(s.read(org.Interactive, true), s.armFollow())
	case common.RefreshMsg:
		// The follower reads on its own pace; the timer only reloads a
		// log nobody follows when someone asks (r).
		if msg.Auto {
			return s, nil
		}
		return s, s.read(msg.Lane, s.known)
	case BuildChanged:
		return s, nil
	case tea.KeyPressMsg:
		if s.searching {
			return s, s.searchKey(msg)
		}
		switch {
		case key.Matches(msg, k.Back) && s.query != "":
			// esc clears the search first, as it clears a list's filter.
			s.query, s.at = "", -1
			s.layout()
			return s, nil
		case key.Matches(msg, k.Back):
			return common.Asking(s, common.PopMsg{}), nil
		case key.Matches(msg, k.Filter):
			s.searching = true
			s.search.SetValue("")
			return s, s.search.Focus()
		case key.Matches(msg, searchNext):
			return s, s.jump(1)
		case key.Matches(msg, searchPrev):
			return s, s.jump(-1)
		case key.Matches(msg, k.Wrap):
			s.view.SoftWrap = !s.view.SoftWrap
			s.view.SetXOffset(0)
			s.layout()
			if s.at >= 0 && s.at < len(s.matches) {
				s.view.SetYOffset(s.visualLine(s.matches[s.at]))
			}
			return s, nil
		case key.Matches(msg, k.Follow):
			if !s.follow && model.JobFinished(s.job.State) {
				return s, common.Flash(common.FlashInfo, "the job has finished: its log no longer grows")
			}
			if !s.follow && s.rangeIgnored {
				return s, common.Flash(common.FlashInfo, rangeIgnoredText+" (r reads the log again)")
			}
			s.follow = !s.follow
			s.stalled = 0
			s.layout()
			if s.follow {
				s.every = followEvery
				return s, tea.Batch(s.read(org.Interactive, true), s.armFollow())
			}
			return s, nil
		case key.Matches(msg, k.Timestamps):
			s.stamps = !s.stamps
			s.layout()
			return s, nil
		case key.Matches(msg, k.RetryJob):
			return common.Answer(s, retryJob(s.C, s.slug, s.number, s.job))
		case key.Matches(msg, k.Top):
			s.follow = false
			s.view.GotoTop()
			return s, nil
		case key.Matches(msg, k.Bottom):
			s.view.GotoBottom()
			return s, nil
		}
		if cmd, ok := s.C.LinkKey(msg, "job", s.job.WebURL, s.job.ID); ok {
			return s, cmd
		}
		var cmd tea.Cmd
		s.view, cmd = s.view.Update(msg)
		if !s.view.AtBottom() {
			// Scrolling up to read stops the follower moving the view.
			s.follow = false
		}
		return s, cmd
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		s.view, cmd = s.view.Update(msg)
		return s, cmd
	}
	return s, nil
}

// searchKey is a key while the search's input is open: enter searches
// and shows the first match, esc closes it unchanged.
func (s *jobLogScreen) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		s.searching = false
		s.search.Blur()
		return nil
	case "enter":
		s.searching = false
		s.search.Blur()
		s.query, s.at = strings.TrimSpace(s.search.Value()), -1
		s.layout()
		if s.query == "" {
			return nil
		}
		return s.jump(1)
	}
	var cmd tea.Cmd
	s.search, cmd = s.search.Update(msg)
	return cmd
}

// header is the lines above the log: what job, how much of its log, and
// whether it is followed.
func (s *jobLogScreen) header() []string {
	st := s.C.Styles
	j := s.job
	title := component.Draw(st, present.EmojiLabel(present.Title, j.DisplayName())) + "  " + component.Draw(st, present.StateLabel(j.State, false)) +
		st.Muted.Render(fmt.Sprintf("  %s #%d", component.Text(s.slug), s.number))
	var facts []string
	if j.Agent != nil {
		facts = append(facts, "on "+component.Text(j.Agent.Name))
	}
	if s.known {
		held := s.size - s.start
		if s.start > 0 {
			facts = append(facts, fmt.Sprintf("last %s of %s", bytesLabel(held), bytesLabel(s.size)))
		} else {
			facts = append(facts, bytesLabel(s.size))
		}
	}
	if s.follow {
		facts = append(facts, st.Running.Render("following")+st.Muted.Render(" (f stops)"))
	} else if s.rangeIgnored && !model.JobFinished(j.State) {
		facts = append(facts, rangeIgnoredText)
	} else if !model.JobFinished(j.State) {
		facts = append(facts, "f follows")
	}
	stamps := "T shows timestamps"
	if s.stamps {
		stamps = "T hides timestamps"
	}
	facts = append(facts, stamps)
	if !s.view.SoftWrap {
		facts = append(facts, "w wraps (←/→ scroll)")
	}
	lines := []string{title, st.Muted.Render(strings.Join(facts, " · "))}
	switch {
	case s.searching:
		lines = append(lines, s.search.View())
	case s.query != "" && len(s.matches) == 0:
		lines = append(lines, st.Warning.Render(fmt.Sprintf("/%s: no line of the log on show holds it", component.Text(s.query)))+st.Muted.Render(" · esc clears"))
	case s.query != "":
		at := "n goes to the first"
		if s.at >= 0 {
			at = fmt.Sprintf("match %d of %d", s.at+1, len(s.matches))
		}
		lines = append(lines, st.Muted.Render(fmt.Sprintf("/%s: %s on %s · n next · N previous · esc clears", component.Text(s.query), at,
			common.Plural(len(s.matches), "line", "lines"))))
	}
	return lines
}

func (s *jobLogScreen) View() string {
	head := strings.Join(s.header(), "\n")
	if !s.known {
		st := s.C.Styles
		if s.err != nil {
			return head + "\n" + st.FlashError.Render("could not read the log: "+common.ErrorText(s.err)) + "\n" + st.Muted.Render("r tries again")
		}
		return head + "\n" + st.Muted.Render("reading the log…")
	}
	s.view.SetWidth(s.C.Width)
	s.view.SetHeight(max(1, s.C.Height-len(s.header())))
	return head + "\n" + s.view.View()
}

func init() {
	Register(Registration[JobArg]{Name: "job log", Place: 140,
		Open: func(c *common.Common, a JobArg) common.Screen { return NewJobLogScreen(c, a.Slug, a.Number, a.Job) }})
}
