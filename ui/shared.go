package ui

import (
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
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
	// names are the pipelines' names made safe to draw, by id: made once
	// as pages arrive, not at every redraw.
	names map[string]string
	// A refresh gathers the new list here and shows it when complete, so
	// the list on screen never shrinks to a first page; a first load shows
	// each page as it comes (pages of last).
	users    map[string]*model.User
	gen      int
	incoming []model.Pipeline
	pages    int
	last     int
	task     int
}

// pipelinesPage is one page of the list as it arrives; next reads the
// page after it. The last message has done set.
type pipelinesPage struct {
	gen          int
	items        []model.Pipeline
	number, last int
	done         bool
	err          error
	next         tea.Cmd
}

func (pipelinesPage) everyScreen() {}

// pipelinesLoaded is broadcast when the whole list is in.
type pipelinesLoaded struct{ err error }

func (pipelinesLoaded) everyScreen() {}

func (pc *pipelineCache) name(p *model.Pipeline) string {
	if n, ok := pc.names[p.ID]; ok {
		return n
	}
	return clean(emojize(p.Name))
}

var yes, no = true, false

// compact shares what thousands of pipelines hold alike — the users who
// created them, true and false, empty maps — so a large organisation's
// list takes less memory.
func (pc *pipelineCache) compact(p *model.Pipeline) {
	if pc.users == nil {
		pc.users = map[string]*model.User{}
	}
	if u := p.CreatedBy; u != nil {
		if shared, ok := pc.users[u.ID]; ok {
			p.CreatedBy = shared
		} else {
			pc.users[u.ID] = u
		}
	}
	if len(p.Env) == 0 {
		p.Env = nil
	}
	for i := range p.Steps {
		if len(p.Steps[i].Env) == 0 {
			p.Steps[i].Env = nil
		}
	}
	ps := &p.Provider.Settings
	for _, b := range []**bool{&ps.FilterEnabled, &ps.BuildBranches, &ps.BuildPullRequests, &ps.BuildTags,
		&ps.CancelDeletedBranchBuilds, &ps.PublishCommitStatus, &ps.PublishCommitStatusPerStep,
		&ps.PullRequestBranchFilterEnabled, &ps.SkipBuildsForExistingCommits, &ps.SkipPullRequestBuildsForExistingCommits,
		&ps.BuildPullRequestForks, &ps.BuildPullRequestLabelsChanged, &ps.BuildPullRequestReadyForReview,
		&ps.PrefixPullRequestForkBranchNames, &ps.PublishBlockedAsPending, &ps.SeparatePullRequestStatuses, &ps.UseStepKeyAsCommitStatus} {
		if *b != nil {
			if **b {
				*b = &yes
			} else {
				*b = &no
			}
		}
	}
}

// searchText is what the filter searches for a pipeline: its name, its
// slug where it is more than the name in lower case, and the repository's
// path. Leaving out what repeats keeps a keystroke over 10,000 pipelines
// within a frame.
func (pc *pipelineCache) searchText(p *model.Pipeline, name string) string {
	text := name
	if derived, err := model.DeriveSlug(p.Name); err != nil || derived != p.Slug {
		text += " " + p.Slug
	}
	return text + " " + repoPath(p.Repository)
}

// repoPath is a repository URL without its scheme, host and .git:
// git@github.com:acme-inc/app.git is acme-inc/app.
func repoPath(repo string) string {
	r := strings.TrimSuffix(repo, ".git")
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if j := strings.IndexByte(r, '/'); j >= 0 {
			r = r[j+1:]
		}
		return r
	}
	if i := strings.IndexByte(r, ':'); i >= 0 {
		return r[i+1:]
	}
	return r
}

// progress says how much of a first load is in: "1,200 of about 10,000".
func (pc *pipelineCache) progress() string {
	if pc.last <= 1 {
		return fmt.Sprintf("loading… %d", len(pc.items))
	}
	return fmt.Sprintf("loaded %s of about %s", thousands(len(pc.items)), thousands(pc.last*100))
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// pipelineChanged and pipelineRemoved keep every copy current.
type pipelineChanged struct{ Pipeline model.Pipeline }

func (pipelineChanged) everyScreen() {}

type pipelineRemoved struct{ Slug string }

func (pipelineRemoved) everyScreen() {}

// loadPipelines fetches the list unless it is loaded or on its way;
// force fetches it again. Pages stream in as they arrive.
func (c *Common) loadPipelines(force bool) tea.Cmd {
	pc := c.pipelines
	if pc.loading || (pc.loaded && !force) {
		return nil
	}
	pc.loading, pc.incoming, pc.pages, pc.last = true, nil, 0, 0
	pc.gen++
	gen := pc.gen
	c.tasks.next++
	pc.task = c.tasks.next
	c.tasks.label[pc.task] = "loading pipelines"
	ch := make(chan pipelinesPage, 2)
	ctx := c.appCtx
	go func() {
		defer close(ch)
		_, err := c.Client.ListPipelines(ctx, func(p api.Page[model.Pipeline]) error {
			select {
			case ch <- pipelinesPage{gen: gen, items: p.Items, number: p.Number, last: p.Last}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		select {
		case ch <- pipelinesPage{gen: gen, done: true, err: err}:
		case <-ctx.Done():
		}
	}()
	return readPage(ch)
}

func readPage(ch chan pipelinesPage) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		if !p.done {
			p.next = readPage(ch)
		}
		return p
	}
}

// applyPipelines keeps the cache current; the root model calls it before
// screens see the message.
func (c *Common) applyPipelines(msg tea.Msg) {
	pc := c.pipelines
	switch m := msg.(type) {
	case pipelinesPage:
		if m.gen != pc.gen {
			return
		}
		if pc.names == nil {
			pc.names = map[string]string{}
		}
		for i := range m.items {
			pc.names[m.items[i].ID] = clean(emojize(m.items[i].Name))
			pc.compact(&m.items[i])
		}
		if m.done {
			delete(c.tasks.label, pc.task)
			pc.loading = false
			if m.err != nil {
				pc.err = m.err
				return
			}
			if pc.loaded {
				pc.items = pc.incoming
			}
			pc.incoming, pc.loaded, pc.err, pc.loadedAt = nil, true, nil, c.Now()
			return
		}
		pc.pages, pc.last = m.number, m.last
		if m.number == 1 && m.last > 1 { // room for the whole list at once
			if pc.loaded {
				pc.incoming = make([]model.Pipeline, 0, m.last*len(m.items))
			} else {
				pc.items = make([]model.Pipeline, 0, m.last*len(m.items))
			}
		}
		if pc.loaded {
			pc.incoming = append(pc.incoming, m.items...)
		} else {
			pc.items = append(pc.items, m.items...)
		}
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

// linkKey handles o, y and Y for an item with a web page and an ID, and
// reports whether the key was one of them.
func (c *Common) linkKey(msg tea.KeyPressMsg, what, webURL, id string) (tea.Cmd, bool) {
	k := c.Keys
	switch {
	case key.Matches(msg, k.Browse):
		return c.browse(webURL), true
	case key.Matches(msg, k.CopyURL):
		return c.copyText("the "+what+"'s URL", webURL), true
	case key.Matches(msg, k.CopyID):
		return c.copyText("the "+what+"'s ID", id), true
	}
	return nil, false
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
