// Package audit appends every change the console attempts — made,
// failed or refused — to a log of JSON lines: when, who, what, on which
// target, the note, and the result.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// Entry is one line of the log.
type Entry struct {
	Time time.Time `json:"time"`
	// Who did it: the OS user locally; over SSH the user name the client
	// gave, which nothing checks (WhoIs says so): the key fingerprint is
	// what identifies the person.
	Who         string `json:"who"`
	WhoIs       string `json:"who_is,omitempty"`
	Via         string `json:"via"` // "local" or "ssh"
	Fingerprint string `json:"key_fingerprint,omitempty"`
	Org         string `json:"org"`
	Action      string `json:"action"` // queue.pause, cluster.delete, ...
	Target      Target `json:"target"`
	Note        string `json:"note,omitempty"`
	Result      string `json:"result"` // ok, failed or refused
	Status      int    `json:"status,omitempty"`
	Message     string `json:"message,omitempty"`
	// Repeated, on a refusal, counts the refusals like it (same person,
	// key and action) after the one written at Since, up to this line's
	// Time, which were not written one by one.
	Repeated int       `json:"repeated,omitempty"`
	Since    time.Time `json:"since,omitzero"`
}

// What Entry.WhoIs says of Who.
const (
	WhoIsOSUser     = "os user"
	WhoIsClientName = "user name the ssh client gave, unverified; key_fingerprint identifies the person"
)

// Target names what a change was made to, by id and by name.
type Target struct {
	ClusterID    string `json:"cluster_id,omitempty"`
	ClusterName  string `json:"cluster_name,omitempty"`
	QueueID      string `json:"queue_id,omitempty"`
	QueueKey     string `json:"queue_key,omitempty"`
	TokenID      string `json:"token_id,omitempty"`
	TokenName    string `json:"token_description,omitempty"`
	PipelineSlug string `json:"pipeline_slug,omitempty"`
	PipelineName string `json:"pipeline_name,omitempty"`
	AgentID      string `json:"agent_id,omitempty"`
	BuildNumber  string `json:"build_number,omitempty"`
	JobID        string `json:"job_id,omitempty"`
}

// Actor is who is using the console.
type Actor struct {
	Who         string
	WhoIs       string
	Via         string
	Fingerprint string
}

// LocalActor is the OS user running the console.
func LocalActor() Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return Actor{Who: name, WhoIs: WhoIsOSUser, Via: "local"}
}

// RefusalWindow is how long repeated refusals of one action by one person
// are gathered into one line: a viewer holding down p is one line and a
// count a minute, not a line a key (20 KB of p was 20,000 lines).
const RefusalWindow = time.Minute

// Log is an append-only file of entries, safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time
	// after calls f once d has passed, and returns what stops it: a
	// window's count is written when the window ends, whether or not
	// anything else is written then.
	after func(d time.Duration, f func()) (stop func() bool)
	// runs are the refusals being gathered, by person and action.
	runs map[refusalKey]*refusalRun
}

// refusalKey is whose refusals of which action are gathered together. Over
// SSH the person is the key's fingerprint, not the user name, which the
// client chooses at every connection: keyed on the name, a viewer
// reconnecting under a new name each time wrote a line per connection.
type refusalKey struct{ person, via, action string }

func refusalKeyOf(e Entry) refusalKey {
	if e.Fingerprint != "" {
		return refusalKey{"key " + e.Fingerprint, e.Via, e.Action}
	}
	return refusalKey{"name " + e.Who, e.Via, e.Action}
}

// refusalRun is a window of refusals: the first was written at since;
// repeats more came, the last of them being last. stop stops the timer
// that ends the window.
type refusalRun struct {
	since   time.Time
	repeats int
	last    Entry
	stop    func() bool
}

// DefaultPath is $XDG_STATE_HOME/kiteconsole/audit.log
// (~/.local/state/kiteconsole/audit.log).
func DefaultPath() string { return filepath.Join(StateDir(), "audit.log") }

// StateDir is kiteconsole's directory under $XDG_STATE_HOME.
func StateDir() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "kiteconsole")
}

// Open opens (creating it 0600, and its directory 0700) the log at path.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	after := func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	return &Log{f: f, path: path, now: time.Now, after: after, runs: map[refusalKey]*refusalRun{}}, nil
}

// Path is where the log is.
func (l *Log) Path() string { return l.path }

// Close writes the counts of refusals still being gathered and closes the
// file.
func (l *Log) Close() error {
	l.mu.Lock()
	err := l.flushLocked(func(refusalKey, *refusalRun) bool { return true })
	l.mu.Unlock()
	return errors.Join(err, l.f.Close())
}

// Write appends an entry as one JSON line. A refusal like one written
// less than RefusalWindow ago (same person, same action) is counted
// instead, and the count written when the window is over. The count is not
// written when a session ends: a person reconnecting for every refusal
// would have a line per connection again.
func (l *Log) Write(e Entry) error {
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.flushLocked(func(_ refusalKey, r *refusalRun) bool { return e.Time.Sub(r.since) >= RefusalWindow })
	if e.Result == "refused" {
		k := refusalKeyOf(e)
		if r, ok := l.runs[k]; ok {
			r.repeats++
			r.last = e
			return err
		}
		r := &refusalRun{since: e.Time}
		l.runs[k] = r
		r.stop = l.after(RefusalWindow, func() { l.endRun(r) })
	}
	return errors.Join(err, l.writeLocked(e))
}

// endRun writes r's count when its window ends. An error is reported by
// nobody: the next write meets it and reports its own.
func (l *Log) endRun(r *refusalRun) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.flushLocked(func(_ refusalKey, run *refusalRun) bool { return run == r })
}

// flushLocked ends the runs of refusals done says are done, writing the
// count of each that had repeats.
func (l *Log) flushLocked(done func(refusalKey, *refusalRun) bool) error {
	var errs []error
	for k, r := range l.runs {
		if !done(k, r) {
			continue
		}
		delete(l.runs, k)
		if r.stop != nil {
			r.stop()
		}
		if r.repeats == 0 {
			continue
		}
		e := r.last
		e.Repeated, e.Since = r.repeats, r.since
		errs = append(errs, l.writeLocked(e))
	}
	return errors.Join(errs...)
}

// writeLocked writes e as a line of JSON whose bytes are inert on a
// terminal: encoding/json escapes C0 controls (ESC, BEL) but writes C1
// controls and bidi overrides raw, and a user name, a note or an API name
// holding them would drive, or reorder, the terminal of whoever reads the
// log with cat or tail.
func (l *Log) writeLocked(e Entry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = l.f.Write(append(termsafe.EscapeJSON(line), '\n'))
	return err
}

type namesKey struct{}

// WithNames attaches the names of a change's target to ctx, so that the
// entry written when the request is made says what it was done to.
func WithNames(ctx context.Context, t Target) context.Context {
	return context.WithValue(ctx, namesKey{}, t)
}

func namesFrom(ctx context.Context) Target {
	t, _ := ctx.Value(namesKey{}).(Target)
	return t
}

// Hook is the client's OnChange for one actor: every change the client
// makes, fails or refuses becomes an entry. Write errors are reported to
// onError, never to the person at the console.
func (l *Log) Hook(a Actor, org string, onError func(error)) func(context.Context, api.ChangeEvent) {
	return func(ctx context.Context, ev api.ChangeEvent) {
		e := Entry{Who: a.Who, WhoIs: a.WhoIs, Via: a.Via, Fingerprint: a.Fingerprint, Org: org}
		e.Action, e.Target = describe(ev.Method, ev.Path)
		names := namesFrom(ctx)
		fillNames(&e.Target, names)
		fromBody(&e, ev.Body)
		switch {
		case ev.Refused:
			e.Result, e.Message = "refused", "read-only"
		case ev.Err == nil:
			e.Result = "ok"
		default:
			e.Result = "failed"
			var apiErr *api.Error
			if errors.As(ev.Err, &apiErr) {
				e.Status, e.Message = apiErr.StatusCode, apiErr.Summary()
			} else {
				e.Message = ev.Err.Error()
			}
		}
		if err := l.Write(e); err != nil && onError != nil {
			onError(err)
		}
	}
}

// Refused records a change the console refused before it reached the
// client (a read-only console's key).
func (l *Log) Refused(a Actor, org, action string, t Target, note string) {
	_ = l.Write(Entry{Who: a.Who, WhoIs: a.WhoIs, Via: a.Via, Fingerprint: a.Fingerprint, Org: org, Action: action, Target: t,
		Note: note, Result: "refused", Message: "read-only"})
}

func fillNames(t *Target, n Target) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&t.ClusterID, n.ClusterID)
	set(&t.ClusterName, n.ClusterName)
	set(&t.QueueID, n.QueueID)
	set(&t.QueueKey, n.QueueKey)
	set(&t.TokenID, n.TokenID)
	set(&t.TokenName, n.TokenName)
	set(&t.PipelineSlug, n.PipelineSlug)
	set(&t.PipelineName, n.PipelineName)
	set(&t.AgentID, n.AgentID)
	set(&t.BuildNumber, n.BuildNumber)
	set(&t.JobID, n.JobID)
}

// fromBody takes the note and the names a create request carries. It
// reads only the fields it names: nothing secret is ever in a request.
func fromBody(e *Entry, body []byte) {
	var b struct {
		Note        string `json:"dispatch_paused_note"`
		AgentNote   string `json:"note"` // an agent pause's note
		Name        string `json:"name"`
		Key         string `json:"key"`
		Description string `json:"description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return
	}
	e.Note = b.Note
	if e.Note == "" {
		e.Note = b.AgentNote
	}
	switch {
	case strings.HasPrefix(e.Action, "cluster.") && e.Target.ClusterName == "":
		e.Target.ClusterName = b.Name
	case e.Action == "queue.create":
		e.Target.QueueKey = b.Key
	case e.Action == "token.create":
		e.Target.TokenName = b.Description
	case strings.HasPrefix(e.Action, "pipeline.") && e.Target.PipelineName == "":
		e.Target.PipelineName = b.Name
	}
}

// describeBuild names a change to a pipeline's builds or their jobs:
// rest is the path after .../pipelines/{slug}/builds.
func describeBuild(verb string, rest []string, t *Target) string {
	if len(rest) == 0 {
		return "build." + verb // POST: build.create
	}
	t.BuildNumber = rest[0]
	if len(rest) >= 3 && rest[1] == "jobs" {
		t.JobID = rest[2]
		if len(rest) > 3 {
			return "job." + rest[3] // retry, unblock
		}
		return "job." + verb
	}
	if len(rest) > 1 {
		return "build." + rest[1] // cancel, rebuild, retry_failed_jobs
	}
	return "build." + verb
}

// describe names the action of a request and the ids in its path.
func describe(method, path string) (string, Target) {
	var t Target
	parts := strings.Split(strings.Trim(path, "/"), "/")
	// v2 organizations {org} rest...
	if len(parts) < 4 {
		return strings.ToLower(method) + " " + path, t
	}
	rest := parts[3:]
	verb := map[string]string{"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}[method]
	switch rest[0] {
	case "clusters":
		if len(rest) > 1 {
			t.ClusterID = rest[1]
		}
		switch {
		case len(rest) <= 2:
			return "cluster." + verb, t
		case rest[2] == "queues":
			if len(rest) > 3 {
				t.QueueID = rest[3]
			}
			if len(rest) > 4 {
				return map[string]string{"pause_dispatch": "queue.pause", "resume_dispatch": "queue.resume"}[rest[4]], t
			}
			return "queue." + verb, t
		case rest[2] == "tokens":
			if len(rest) > 3 {
				t.TokenID = rest[3]
			}
			if verb == "delete" {
				verb = "revoke"
			}
			return "token." + verb, t
		}
	case "agents":
		if len(rest) > 1 {
			t.AgentID = rest[1]
		}
		if len(rest) > 2 {
			return "agent." + rest[2], t // stop, pause, resume
		}
		return "agent." + verb, t
	case "pipelines":
		if len(rest) > 1 {
			t.PipelineSlug = rest[1]
		}
		if len(rest) > 2 && rest[2] == "builds" {
			return describeBuild(verb, rest[3:], &t), t
		}
		if len(rest) > 2 {
			return "pipeline." + rest[2], t // archive, unarchive, webhook
		}
		return "pipeline." + verb, t
	}
	return strings.ToLower(method) + " " + path, t
}
