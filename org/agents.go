package org

// AgentCount is what a queue's agents are doing, counted from the
// organisation's agents list.
type AgentCount struct{ Connected, Busy, Idle, Paused int }

// AgentsRead is the organisation's agents list as a screen last read it
// whole, counted by queue: the REST read that stands in for GraphQL's
// counts. Screens that count from REST share it, so that a cluster
// opened from the home screen does not read again the thirty pages the
// home screen has just read. Pages is what the list cost; Tick the
// timer's refresh it was asked at.
type AgentsRead struct {
	ByQueue map[string]AgentCount
	Pages   int
	Tick    int64
}

// SetAgents records the latest whole list of the agents.
func (s *State) SetAgents(r AgentsRead) { s.agents = &r }

// Agents is the latest whole list of the agents, if any was read.
func (s *State) Agents() (AgentsRead, bool) {
	if s.agents == nil {
		return AgentsRead{}, false
	}
	return *s.agents, true
}
