package org

import (
	"sort"

	"github.com/kiteconsole/kiteconsole/model"
)

// Session is what the console knows of the person using it, beside what
// it knows of the organisation: the queues they marked for incident mode,
// the pauses and resumes of theirs in flight, who they are and what their
// API token may do. It is changed only through Apply, on the event loop,
// by the Changes below (the root model applies them and then shows them
// on every screen), so that every screen reads the same session.
type Session struct {
	marks   map[string]QueueRef
	pending map[string]string
	me      string
	token   *model.AccessToken
}

// QueueRef is a queue with the cluster it belongs to.
type QueueRef struct {
	ClusterID   string
	ClusterName string
	Queue       model.Queue
}

// NewSession starts an empty session.
func NewSession() *Session {
	return &Session{marks: map[string]QueueRef{}, pending: map[string]string{}}
}

// Marked reports whether the queue is marked.
func (s *Session) Marked(queueID string) bool {
	_, ok := s.marks[queueID]
	return ok
}

// Marks are the marked queues, by cluster name then queue key.
func (s *Session) Marks() []QueueRef {
	out := make([]QueueRef, 0, len(s.marks))
	for _, r := range s.marks {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ClusterName != out[j].ClusterName {
			return out[i].ClusterName < out[j].ClusterName
		}
		return out[i].Queue.Key < out[j].Queue.Key
	})
	return out
}

// MarkCount is how many queues are marked.
func (s *Session) MarkCount() int { return len(s.marks) }

// Pending is what is under way for the queue ("pausing…"), if anything.
func (s *Session) Pending(queueID string) (string, bool) {
	p, ok := s.pending[queueID]
	return p, ok
}

// PendingCount is how many pauses and resumes are in flight.
func (s *Session) PendingCount() int { return len(s.pending) }

// Me is the ID of the user behind the token, once a pause made here has
// told it ("" until then).
func (s *Session) Me() string { return s.me }

// Mine reports whether u is the user behind the token, as far as known.
func (s *Session) Mine(u *model.User) bool { return u != nil && s.me != "" && u.ID == s.me }

// Token is the API token as GET /v2/access-token described it, once
// known (nil until then).
func (s *Session) Token() *model.AccessToken { return s.token }

// Apply records a change to the session. Changes to the organisation
// that touch it apply too: a queue or cluster that is gone is no longer
// marked, and a marked queue's copy follows the queue's changes.
func (s *Session) Apply(c Change) {
	switch c := c.(type) {
	case MarkToggled:
		if _, ok := s.marks[c.Ref.Queue.ID]; ok {
			delete(s.marks, c.Ref.Queue.ID)
		} else {
			s.marks[c.Ref.Queue.ID] = c.Ref
		}
	case MarksCleared:
		s.marks = map[string]QueueRef{}
	case MarkUpdated:
		if _, ok := s.marks[c.Queue.ID]; ok {
			m := s.marks[c.Queue.ID]
			m.Queue = c.Queue
			s.marks[c.Queue.ID] = m
		}
	case PendingStarted:
		s.pending[c.QueueID] = c.Doing
	case PendingEnded:
		delete(s.pending, c.QueueID)
	case MeLearnt:
		s.me = c.UserID
	case TokenKnown:
		t := c.Token
		s.token = &t
	case SessionReset:
		s.marks, s.pending, s.token = map[string]QueueRef{}, map[string]string{}, nil
	case QueueRemoved:
		delete(s.marks, c.QueueID)
	case ClusterRemoved:
		for id, r := range s.marks {
			if r.ClusterID == c.ClusterID {
				delete(s.marks, id)
			}
		}
	}
}

// MarkToggled marks the queue, or unmarks it if it was marked.
type MarkToggled struct{ Ref QueueRef }

// MarksCleared unmarks every queue.
type MarksCleared struct{}

// MarkUpdated keeps a marked queue's copy as the queue now is (nothing
// when it is not marked).
type MarkUpdated struct{ Queue model.Queue }

// PendingStarted says a pause or resume of the queue is in flight.
type PendingStarted struct{ QueueID, Doing string }

// PendingEnded says it is over.
type PendingEnded struct{ QueueID string }

// MeLearnt says who the user behind the token is (a pause's reply says).
type MeLearnt struct{ UserID string }

// TokenKnown says what the API token may do.
type TokenKnown struct{ Token model.AccessToken }

// SessionReset starts over on another organisation: no marks, nothing in
// flight, the token not known yet. Who the person is stays.
type SessionReset struct{}

func (MarkToggled) change()    {}
func (MarksCleared) change()   {}
func (MarkUpdated) change()    {}
func (PendingStarted) change() {}
func (PendingEnded) change()   {}
func (MeLearnt) change()       {}
func (TokenKnown) change()     {}
func (SessionReset) change()   {}
