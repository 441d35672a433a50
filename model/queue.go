package model

import (
	"fmt"
	"slices"
)

// Queue is a cluster queue: a discrete group of agents within a cluster.
// A hosted queue runs on Buildkite hosted agents of one instance shape.
type Queue struct {
	ID          string  `json:"id"`
	GraphQLID   string  `json:"graphql_id"`
	Key         string  `json:"key"`
	Description *string `json:"description"`
	URL         string  `json:"url"`
	WebURL      string  `json:"web_url"`
	ClusterURL  string  `json:"cluster_url"`
	// RetryAgentAffinity is how agents are chosen for a retried job's
	// retries (RetryPreferWarmest, RetryPreferDifferent); empty when a
	// reply leaves it out, as the docs' update example does.
	RetryAgentAffinity string        `json:"retry_agent_affinity,omitempty"`
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
	// PlatformSettings is present on Linux hosted queues only.
	PlatformSettings *PlatformSettings `json:"platform_settings,omitempty"`
}

// PlatformSettings are a hosted queue's per-platform settings.
type PlatformSettings struct {
	Linux *LinuxPlatformSettings `json:"linux,omitempty"`
}

// LinuxPlatformSettings are a Linux hosted queue's settings: the custom
// agent image, null when the queue uses its default image.
type LinuxPlatformSettings struct {
	AgentImageRef *string `json:"agent_image_ref"`
}

// Retry agent affinities of a queue: prefer-warmest (the API's default)
// prefers agents that recently finished jobs; prefer-different prefers
// other agents than the one the job failed on.
const (
	RetryPreferWarmest   = "prefer-warmest"
	RetryPreferDifferent = "prefer-different"
)

// RetryAgentAffinities lists the values the API accepts, its default first.
var RetryAgentAffinities = []string{RetryPreferWarmest, RetryPreferDifferent}

// ValidateRetryAgentAffinity checks a retry_agent_affinity value; empty
// means "not set" (the API then uses prefer-warmest on create).
func ValidateRetryAgentAffinity(s string) error {
	if s == "" || slices.Contains(RetryAgentAffinities, s) {
		return nil
	}
	return fmt.Errorf("retry agent affinity must be %s or %s", RetryPreferWarmest, RetryPreferDifferent)
}

// QueueCreate is the body of "Create a self-hosted queue" and, with
// HostedAgents set, of "Create a Buildkite hosted queue". Key is required.
type QueueCreate struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"`
	// RetryAgentAffinity is left out when empty: the API uses prefer-warmest.
	RetryAgentAffinity string               `json:"retry_agent_affinity,omitempty"`
	HostedAgents       *HostedAgentsRequest `json:"hostedAgents,omitempty"`
}

// HostedAgentsRequest is the request form of a hosted queue's settings:
// the API takes camelCase here, unlike everywhere else.
type HostedAgentsRequest struct {
	InstanceShape string `json:"instanceShape"`
}

// QueueUpdate is the body of "Update a queue". A hosted queue may change
// only its size: see ResizeAllowed.
type QueueUpdate struct {
	Description        Field[string]        `json:"description,omitzero"`
	RetryAgentAffinity Field[string]        `json:"retry_agent_affinity,omitzero"`
	HostedAgents       *HostedAgentsRequest `json:"hostedAgents,omitempty"`
}

// QueuePause is the body of "Pause a queue". The spec's example sends the
// note as dispatch_paused_note; that is what the client sends.
type QueuePause struct {
	Note string `json:"dispatch_paused_note,omitempty"`
}
