package model

// Queue is a cluster queue: a discrete group of agents within a cluster.
// A hosted queue runs on Buildkite hosted agents of one instance shape.
type Queue struct {
	ID                 string        `json:"id"`
	GraphQLID          string        `json:"graphql_id"`
	Key                string        `json:"key"`
	Description        *string       `json:"description"`
	URL                string        `json:"url"`
	WebURL             string        `json:"web_url"`
	ClusterURL         string        `json:"cluster_url"`
	DispatchPaused     bool          `json:"dispatch_paused"`
	DispatchPausedBy   *User         `json:"dispatch_paused_by"`
	DispatchPausedAt   *Timestamp    `json:"dispatch_paused_at"`
	DispatchPausedNote *string       `json:"dispatch_paused_note"`
	CreatedAt          *Timestamp    `json:"created_at"`
	CreatedBy          *User         `json:"created_by"`
	Hosted             bool          `json:"hosted,omitempty"`
	HostedAgents       *HostedAgents `json:"hosted_agents,omitempty"`
}

// HostedAgents describes a hosted queue's agents, as the API returns it.
type HostedAgents struct {
	InstanceShape InstanceShape `json:"instance_shape"`
}

// QueueCreate is the body of "Create a self-hosted queue" and, with
// HostedAgents set, of "Create a Buildkite hosted queue". Key is required.
type QueueCreate struct {
	Key          string               `json:"key"`
	Description  string               `json:"description,omitempty"`
	HostedAgents *HostedAgentsRequest `json:"hostedAgents,omitempty"`
}

// HostedAgentsRequest is the request form of a hosted queue's settings:
// the API takes camelCase here, unlike everywhere else.
type HostedAgentsRequest struct {
	InstanceShape string `json:"instanceShape"`
}

// QueueUpdate is the body of "Update a queue". A hosted queue may change
// only its size: see ResizeAllowed.
type QueueUpdate struct {
	Description  Field[string]        `json:"description,omitzero"`
	HostedAgents *HostedAgentsRequest `json:"hostedAgents,omitempty"`
}

// QueuePause is the body of "Pause a queue". The spec's example sends the
// note as dispatch_paused_note; that is what the client sends.
type QueuePause struct {
	Note string `json:"dispatch_paused_note,omitempty"`
}
