package org

import "github.com/kiteconsole/kiteconsole/model"

// Change is something that changed in the organisation: made here (a
// form, a pause, a delete), seen in a reply, or learnt from another SSH
// session. The console applies it to State and then shows it on every
// screen. Only this package's types are Changes.
type Change interface{ change() }

// QueueChanged says a queue now looks like this (created, edited, paused,
// or fetched again).
type QueueChanged struct {
	ClusterID string
	Queue     model.Queue
}

// QueueRemoved says a queue is gone.
type QueueRemoved struct{ ClusterID, QueueID string }

// QueuesSeen says a cluster's queues were listed: the home screen updates
// its counts without a request of its own.
type QueuesSeen struct {
	ClusterID string
	Queues    []model.Queue
}

// ClusterChanged says a cluster now looks like this.
type ClusterChanged struct{ Cluster model.Cluster }

// ClusterRemoved says a cluster is gone, with its queues and tokens.
type ClusterRemoved struct{ ClusterID string }

// PipelineChanged says a pipeline now looks like this.
type PipelineChanged struct{ Pipeline model.Pipeline }

// PipelineRemoved says a pipeline is gone.
type PipelineRemoved struct{ Slug string }

// TokenChanged says a cluster's agent token now looks like this; its
// value is never part of it.
type TokenChanged struct {
	ClusterID string
	Token     model.Token
}

// TokenRemoved says a token was revoked.
type TokenRemoved struct{ ClusterID, TokenID string }

func (QueueChanged) change()    {}
func (QueueRemoved) change()    {}
func (QueuesSeen) change()      {}
func (ClusterChanged) change()  {}
func (ClusterRemoved) change()  {}
func (PipelineChanged) change() {}
func (PipelineRemoved) change() {}
func (TokenChanged) change()    {}
func (TokenRemoved) change()    {}
