package org

import (
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
)

func TestSessionMarksFollowChanges(t *testing.T) {
	s := NewSession()
	a := QueueRef{ClusterID: "c1", ClusterName: "Mobile", Queue: model.Queue{ID: "q1", Key: "ios"}}
	b := QueueRef{ClusterID: "c2", ClusterName: "Linux", Queue: model.Queue{ID: "q2", Key: "default"}}
	s.Apply(MarkToggled{Ref: a})
	s.Apply(MarkToggled{Ref: b})
	if got := s.Marks(); len(got) != 2 || got[0].ClusterName != "Linux" || got[1].ClusterName != "Mobile" {
		t.Fatalf("marks = %+v, want Linux then Mobile", got)
	}
	s.Apply(MarkUpdated{Queue: model.Queue{ID: "q1", Key: "ios", DispatchPaused: true}})
	if !s.Marks()[1].Queue.DispatchPaused {
		t.Error("a marked queue's copy did not follow its change")
	}
	s.Apply(MarkUpdated{Queue: model.Queue{ID: "q9"}})
	if s.MarkCount() != 2 {
		t.Error("an update of a queue not marked marked it")
	}
	s.Apply(ClusterRemoved{ClusterID: "c2"})
	if s.Marked("q2") || !s.Marked("q1") {
		t.Error("a removed cluster's queue stayed marked, or another was unmarked")
	}
	s.Apply(QueueRemoved{ClusterID: "c1", QueueID: "q1"})
	s.Apply(MarkToggled{Ref: b})
	s.Apply(MarkToggled{Ref: b})
	if s.MarkCount() != 0 {
		t.Errorf("marks = %+v, want none", s.Marks())
	}
}

func TestSessionPendingMeAndToken(t *testing.T) {
	s := NewSession()
	s.Apply(PendingStarted{QueueID: "q1", Doing: "pausing…"})
	if p, ok := s.Pending("q1"); !ok || p != "pausing…" || s.PendingCount() != 1 {
		t.Fatalf("pending = %q %v", p, ok)
	}
	s.Apply(PendingEnded{QueueID: "q1"})
	if s.PendingCount() != 0 {
		t.Error("the pause stayed in flight")
	}
	u := &model.User{ID: "u1"}
	if s.Mine(u) {
		t.Error("mine before the user is known")
	}
	s.Apply(MeLearnt{UserID: "u1"})
	s.Apply(TokenKnown{Token: model.AccessToken{Scopes: []string{"read_clusters"}}})
	s.Apply(MarkToggled{Ref: QueueRef{Queue: model.Queue{ID: "q1"}}})
	if !s.Mine(u) || s.Token() == nil {
		t.Fatal("me or the token were not recorded")
	}
	s.Apply(SessionReset{})
	if s.Token() != nil || s.MarkCount() != 0 || !s.Mine(u) {
		t.Error("a reset kept the token or marks, or forgot who the person is")
	}
}
