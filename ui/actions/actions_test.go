package actions

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/audit"
	"github.com/kiteconsole/kiteconsole/keymap"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/org"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// rig is the console's Common against a sandbox over HTTP, without the
// root model: what the root would do with a command is done by run.
type rig struct {
	t       *testing.T
	env     *sandboxtest.Env
	c       *common.Common
	refused []string
}

func newRig(t *testing.T, readOnly bool) *rig {
	t.Helper()
	env := sandboxtest.Start(t, sandbox.Options{}, nil)
	client := env.ClientWith(t, api.Config{ReadOnly: readOnly})
	r := &rig{t: t, env: env}
	r.c = &common.Common{Client: client, Keys: keymap.Default(), ReadOnly: readOnly,
		Now: func() time.Time { return sandboxtest.Now }, AppCtx: context.Background(),
		Tasks: &common.Tasks{Label: map[int]string{}}, Session: org.NewSession(), Org: common.NewOrgState(client, nil),
		OnRefused: func(action string, t audit.Target, _ string) { r.refused = append(r.refused, action+" "+targetText(t)) }}
	return r
}

func targetText(t audit.Target) string {
	return strings.Join([]string{t.ClusterID, t.QueueID, t.TokenID, t.AgentID, t.PipelineSlug, t.BuildNumber, t.JobID}, "/")
}

// run runs cmd as the root model would, to the end: a task's start runs
// its request, a batch each of its commands, a change's reply its
// success. It returns every message that came out, in order.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	var out []tea.Msg
	switch m := cmd().(type) {
	case common.TaskStarted:
		out = append(out, run(m.Run)...)
	case common.TaskDone:
		out = append(out, m.Msg)
		if done, ok := m.Msg.(common.MutationDone); ok && done.Err == nil {
			out = append(out, run(done.OK)...)
		}
	case tea.BatchMsg:
		for _, c := range m {
			out = append(out, run(c)...)
		}
	default:
		out = append(out, m)
	}
	return out
}

// writes are the requests other than GETs that reached the sandbox, as
// "METHOD path" without the organisation's prefix.
func (r *rig) writes() []string {
	prefix := "/v2/organizations/" + r.env.Sandbox.Org()
	var out []string
	for _, w := range r.env.Writes() {
		out = append(out, w.Method+" "+strings.TrimPrefix(strings.SplitN(w.Path, "?", 2)[0], prefix))
	}
	return out
}

func (r *rig) cluster() model.Cluster {
	r.t.Helper()
	cls, err := r.env.Client.ListClusters(context.Background(), nil)
	if err != nil || len(cls) == 0 {
		r.t.Fatalf("clusters: %v %v", cls, err)
	}
	return cls[0]
}

func (r *rig) queue(cl model.Cluster) model.Queue {
	r.t.Helper()
	qs, err := r.env.Client.ListQueues(context.Background(), cl.ID, nil)
	if err != nil || len(qs) == 0 {
		r.t.Fatalf("queues: %v %v", qs, err)
	}
	return qs[0]
}

func (r *rig) pipeline() model.Pipeline {
	r.t.Helper()
	ps, err := r.env.Client.ListPipelines(context.Background(), nil)
	if err != nil || len(ps) == 0 {
		r.t.Fatalf("pipelines: %v %v", ps, err)
	}
	for _, p := range ps {
		if !p.Archived() {
			return p
		}
	}
	return ps[0]
}

func flashOf(msgs []tea.Msg) string {
	for _, m := range msgs {
		if f, ok := m.(common.FlashMsg); ok {
			return f.Text
		}
	}
	return ""
}

// sameWrites compares the requests sent with want, in any order: the
// requests of one change to several things go out in parallel.
func sameWrites(t *testing.T, got []string, want ...string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Each deletion asks for the name to be typed, says what goes with it,
// names what it touches for the audit log, and sends one DELETE.
func TestDeletionsAskForTheNameAndSendOneDelete(t *testing.T) {
	cases := []struct {
		name  string
		make  func(r *rig) (Change, string, string, audit.Target)
		title string
		body  string
	}{
		{"cluster", func(r *rig) (Change, string, string, audit.Target) {
			cl := r.cluster()
			return DeleteCluster(r.c, cl, 3), "DELETE /clusters/" + cl.ID, cl.Name, audit.Target{ClusterID: cl.ID, ClusterName: cl.Name}
		}, "Delete cluster ", "all of its queues (3 known) and all of its agent tokens.\nAgents using those tokens can no longer connect. This cannot be undone."},
		{"queue", func(r *rig) (Change, string, string, audit.Target) {
			cl := r.cluster()
			q := r.queue(cl)
			return DeleteQueue(r.c, cl, q), "DELETE /clusters/" + cl.ID + "/queues/" + q.ID, q.Key,
				audit.Target{ClusterID: cl.ID, ClusterName: cl.Name, QueueID: q.ID, QueueKey: q.Key}
		}, "Delete queue ", "Jobs that target it will wait for a queue that no longer exists."},
		{"token", func(r *rig) (Change, string, string, audit.Target) {
			cl := r.cluster()
			ts, err := r.env.Client.ListTokens(context.Background(), cl.ID, nil)
			if err != nil || len(ts) == 0 {
				r.t.Fatalf("tokens: %v %v", ts, err)
			}
			tk := ts[0]
			return RevokeToken(r.c, cl, tk), "DELETE /clusters/" + cl.ID + "/tokens/" + tk.ID, tk.Description,
				audit.Target{ClusterID: cl.ID, ClusterName: cl.Name, TokenID: tk.ID, TokenName: tk.Description}
		}, "Revoke token ", "with this token will be refused from now on. This cannot be undone."},
		{"pipeline", func(r *rig) (Change, string, string, audit.Target) {
			p := r.pipeline()
			return DeletePipeline(r.c, p), "DELETE /pipelines/" + p.Slug, p.Slug, audit.Target{PipelineSlug: p.Slug, PipelineName: p.Name}
		}, "Delete pipeline ", "This deletes the pipeline with all of its builds, logs and artifacts. This cannot be undone; archiving keeps them."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, false)
			ch, path, expect, target := tc.make(r)
			q := ch.Confirm
			if q == nil || !strings.HasPrefix(q.Title, tc.title) || q.Expect != expect || !strings.Contains(q.Body, tc.body) {
				t.Fatalf("the question is %+v; want a title %q…, the name %q to type and a body saying %q", q, tc.title, expect, tc.body)
			}
			if ch.Target != target {
				t.Errorf("audit target %+v, want %+v", ch.Target, target)
			}
			if len(r.writes()) != 0 {
				t.Fatal("something was sent before the confirmation")
			}
			msgs := run(ch.Make())
			sameWrites(t, r.writes(), path)
			if f := flashOf(msgs); !strings.HasPrefix(f, "deleted ") && !strings.HasPrefix(f, "revoked ") {
				t.Errorf("flash %q, want the deletion said", f)
			}
		})
	}
}

// Start: read-only mode refuses (recorded, nothing sent), a change with a
// question asks it (Cancel the default, the dialog's), one without is
// made at once, and one with nothing to do says so.
func TestStartRefusesAsksOrMakes(t *testing.T) {
	r := newRig(t, true)
	cl := r.cluster()
	msgs := run(Start(r.c, DeleteCluster(r.c, cl, 0)).Cmd)
	if f := flashOf(msgs); f != "read-only mode: deleting clusters is turned off" {
		t.Errorf("read-only flash %q", f)
	}
	if want := "cluster.delete " + cl.ID + "//////"; len(r.refused) != 1 || r.refused[0] != want {
		t.Errorf("refusals %q, want %q", r.refused, want)
	}
	sameWrites(t, r.writes())

	r = newRig(t, false)
	cl = r.cluster()
	reply := Start(r.c, DeleteCluster(r.c, cl, 0))
	if reply.Cmd != nil {
		t.Errorf("a question sent a command %v before its answer", run(reply.Cmd))
	}
	if len(reply.Asks) != 1 {
		t.Fatalf("asked %d things, want the question", len(reply.Asks))
	}
	ask, ok := reply.Asks[0].(common.AskConfirmMsg)
	if !ok || ask.Title != "Delete cluster "+common.Clean(cl.Name)+"?" || ask.Expect != cl.Name || ask.Action != "deletes" {
		t.Fatalf("asked %#v", reply.Asks[0])
	}
	sameWrites(t, r.writes())
	run(ask.OnConfirm())
	sameWrites(t, r.writes(), "DELETE /clusters/"+cl.ID)

	said := run(Start(r.c, Change{Say: "nothing to do", Make: func() tea.Cmd { t.Error("made"); return nil }}).Cmd)
	if flashOf(said) != "nothing to do" {
		t.Errorf("said %v", said)
	}
}

func (r *rig) build(slug string) model.Build {
	r.t.Helper()
	b, err := r.env.Client.CreateBuild(context.Background(), slug, model.BuildCreate{Branch: "main", Commit: "HEAD", Message: "test"})
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// The build changes say which build, ask yes or no, and send the one
// request their API call is.
func TestBuildChangesAskThenSend(t *testing.T) {
	r := newRig(t, false)
	p := r.pipeline()
	b := r.build(p.Slug)
	name := common.Clean(p.Slug) + " #" + strconv.Itoa(b.Number)
	before := len(r.writes())
	for _, tc := range []struct {
		ch    Change
		audit string
		title string
		path  string
	}{
		{CancelBuild(r.c, p.Slug, b), "build.cancel", "Cancel " + name + "?", "PUT /pipelines/" + p.Slug + "/builds/" + strconv.Itoa(b.Number) + "/cancel"},
		{Rebuild(r.c, p.Slug, b), "build.rebuild", "Rebuild " + name + "?", "PUT /pipelines/" + p.Slug + "/builds/" + strconv.Itoa(b.Number) + "/rebuild"},
	} {
		if tc.ch.Audit != tc.audit || tc.ch.Confirm == nil || tc.ch.Confirm.Title != tc.title || tc.ch.Target != (audit.Target{PipelineSlug: p.Slug, BuildNumber: strconv.Itoa(b.Number)}) {
			t.Errorf("%s: %+v %+v", tc.audit, tc.ch, tc.ch.Confirm)
			continue
		}
		msgs := run(tc.ch.Make())
		w := r.writes()
		if len(w) != before+1 || w[len(w)-1] != tc.path {
			t.Errorf("%s sent %q, want %q", tc.audit, w[before:], tc.path)
		}
		before = len(w)
		if flashOf(msgs) == "" {
			t.Errorf("%s: no flash in %v", tc.audit, msgs)
		}
	}
	if !strings.Contains(CancelBuild(r.c, p.Slug, b).Confirm.Body, "A cancelled build can be rebuilt, not resumed.") {
		t.Error("the cancel question does not say it cannot be resumed")
	}
	done := b
	done.State = "passed"
	if ch := CancelBuild(r.c, p.Slug, done); ch.Say != name+" is passed: nothing to cancel" || ch.Confirm != nil {
		t.Errorf("a finished build: %+v", ch)
	}
}

// Stopping agents asks, says whether their jobs are cancelled, and sends
// one stop per agent; resuming one's own pause does not ask.
func TestAgentChanges(t *testing.T) {
	r := newRig(t, false)
	cl := r.cluster()
	agents, err := r.env.Client.ListAgents(context.Background(), model.AgentListFilter{}, nil)
	if err != nil || len(agents) < 2 {
		t.Fatalf("agents: %d %v", len(agents), err)
	}
	two := agents[:2]
	ref := common.QueueRef{ClusterID: cl.ID, ClusterName: cl.Name}
	runner := func(label string, fn func(ctx context.Context) tea.Msg) tea.Cmd {
		return r.c.Run(r.c.AppCtx, org.Interactive, label, fn)
	}
	ch := StopAgents(r.c, runner, ref, two, true, "• lines")
	if ch.Audit != "agent.stop" || ch.Target.AgentID != two[0].ID || ch.Confirm.Title != "Force-stop 2 agents?" || ch.Confirm.Verb != "force-stops" ||
		!strings.HasPrefix(ch.Confirm.Body, "Force: ") || !strings.HasSuffix(ch.Confirm.Body, "\n\n• lines") {
		t.Errorf("force-stop: %+v %+v", ch, ch.Confirm)
	}
	msgs := run(ch.Make())
	sameWrites(t, r.writes(), "PUT /agents/"+two[0].ID+"/stop", "PUT /agents/"+two[1].ID+"/stop")
	if len(msgs) == 0 {
		t.Fatal("no reply")
	}
	if _, ok := msgs[0].(AgentsDone); !ok {
		t.Errorf("reply %T, want AgentsDone", msgs[0])
	}

	mine := agents[2]
	mine.Paused, mine.PausedBy = true, &model.User{ID: "me", Name: "Me"}
	if ch := ResumeAgents(r.c, runner, ref, []model.Agent{mine}); ch.Confirm == nil || !strings.Contains(ch.Confirm.Body, "paused by Me") {
		t.Errorf("someone else's pause (as far as known) resumed without a question: %+v", ch.Confirm)
	}
	r.c.Session.Apply(org.MeLearnt{UserID: "me"})
	if ch := ResumeAgents(r.c, runner, ref, []model.Agent{mine}); ch.Confirm != nil {
		t.Errorf("one's own pause asked: %+v", ch.Confirm)
	}
}

// The incident workflow: p on marked queues asks for the note (the
// queues in order), the pause shows at once as in flight, each queue's
// pause reaches the API with the note, and one flash names them; the
// marks are then cleared and who paused is known.
func TestIncidentPausesMarkedQueuesWithTheirNote(t *testing.T) {
	r := newRig(t, false)
	cls, _ := r.env.Client.ListClusters(context.Background(), nil)
	if len(cls) < 2 {
		t.Fatal("the sandbox has fewer than two clusters")
	}
	var asked []tea.Msg
	var shown []org.Change
	in := NewIncident(r.c, func(ch org.Change) tea.Cmd {
		r.c.Org.Apply(ch)
		r.c.Session.Apply(ch)
		shown = append(shown, ch)
		return nil
	}, func(msg tea.Msg) tea.Cmd { asked = append(asked, msg); return nil })
	var refs []common.QueueRef
	for _, cl := range cls[:2] {
		var q model.Queue
		qs, _ := r.env.Client.ListQueues(context.Background(), cl.ID, nil)
		for _, x := range qs {
			if !x.DispatchPaused {
				q = x
				break
			}
		}
		ref := common.QueueRef{ClusterID: cl.ID, ClusterName: cl.Name, Queue: q}
		refs = append(refs, ref)
		r.c.Session.Apply(org.MarkToggled{Ref: ref})
	}
	in.PauseMarked()
	if len(asked) != 1 {
		t.Fatalf("asked %v, want the note", asked)
	}
	note, ok := asked[0].(common.AskNoteMsg)
	if !ok || len(note.Targets) != 2 || note.Targets[0].ClusterName > note.Targets[1].ClusterName {
		t.Fatalf("asked %#v", asked[0])
	}
	cmd, took := in.Update(PauseNoted{Targets: note.Targets, Note: "INC-1"})
	if !took || r.c.Session.PendingCount() != 2 {
		t.Fatalf("the pause is not shown in flight: took %v, pending %d", took, r.c.Session.PendingCount())
	}
	var last tea.Cmd
	for _, m := range run(cmd) {
		c, ok := in.Update(m)
		if !ok {
			t.Fatalf("a reply %T was not the workflow's", m)
		}
		last = c
	}
	var want []string
	for _, ref := range note.Targets {
		want = append(want, "POST /clusters/"+ref.ClusterID+"/queues/"+ref.Queue.ID+"/pause_dispatch")
	}
	sameWrites(t, r.writes(), want...)
	summary := flashOf(run(last))
	if !strings.HasPrefix(summary, "2 paused (") {
		t.Errorf("summary %q", summary)
	}
	if r.c.Session.MarkCount() != 0 || r.c.Session.PendingCount() != 0 || r.c.Session.Me() == "" {
		t.Errorf("after the batch: %d marks, %d in flight, me %q", r.c.Session.MarkCount(), r.c.Session.PendingCount(), r.c.Session.Me())
	}
	for _, ref := range note.Targets {
		q, err := r.env.Client.GetQueue(context.Background(), ref.ClusterID, ref.Queue.ID)
		if err != nil || !q.DispatchPaused || model.Value(q.DispatchPausedNote) != "INC-1" {
			t.Errorf("%s: paused %v note %q %v", ref.Queue.Key, q.DispatchPaused, model.Value(q.DispatchPausedNote), err)
		}
	}
}

// Resuming a queue someone else paused asks first, saying who paused it
// and why; resuming one's own pause does not.
func TestResumeAsksForSomeoneElsesPause(t *testing.T) {
	r := newRig(t, false)
	note := "INC-7"
	q := model.Queue{ID: "q", Key: "ios", DispatchPaused: true, DispatchPausedBy: &model.User{ID: "u2", Name: "Priya Nat"},
		DispatchPausedNote: &note}
	refs := []common.QueueRef{{ClusterID: "c", ClusterName: "Mobile", Queue: q}}
	got := ResumeConfirmation(r.c, refs)
	if got == nil || got.Title != "Resume ios?" || got.Body != "Waiting jobs are dispatched to agents again.\n\n• Mobile › ios: paused by Priya Nat: INC-7" {
		t.Fatalf("question %+v", got)
	}
	r.c.Session.Apply(org.MeLearnt{UserID: "u2"})
	if got := ResumeConfirmation(r.c, refs); got != nil {
		t.Errorf("one's own pause asked: %+v", got)
	}
	if got := ResumeConfirmation(r.c, append(refs, refs[0])); got == nil || got.Title != "Resume 2 queues?" {
		t.Errorf("several queues did not ask: %+v", got)
	}
}
