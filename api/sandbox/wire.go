package sandbox

import (
	"encoding/json"

	"github.com/kiteconsole/kiteconsole/model"
)

// wirePipeline is a pipeline as the API writes it: the same fields as
// model.Pipeline, with steps in the API's own form.
type wirePipeline struct {
	model.Pipeline
	Steps []wireStep `json:"steps"`
}

func toWire(p model.Pipeline) wirePipeline {
	steps := make([]wireStep, len(p.Steps))
	for i, s := range p.Steps {
		steps[i] = wireStep(s)
	}
	return wirePipeline{Pipeline: p, Steps: steps}
}

// wireStep writes a step with every property its type has, null where
// unset, as the spec's replies show them.
type wireStep model.Step

func (s wireStep) MarshalJSON() ([]byte, error) {
	switch s.Type {
	case model.StepWaiter:
		return json.Marshal(struct {
			Type string `json:"type"`
		}{s.Type})
	case model.StepManual:
		return json.Marshal(struct {
			Type  string  `json:"type"`
			Label *string `json:"label"`
		}{s.Type, s.Label})
	case model.StepTrigger:
		build := s.Build
		if build == nil {
			build = &model.TriggerBuild{}
		}
		return json.Marshal(struct {
			Type                string              `json:"type"`
			Label               *string             `json:"label"`
			Pipeline            *string             `json:"pipeline"`
			Build               *model.TriggerBuild `json:"build"`
			Async               bool                `json:"async"`
			BranchConfiguration *string             `json:"branch_configuration"`
			Concurrency         *int                `json:"concurrency"`
			Parallelism         *int                `json:"parallelism"`
		}{s.Type, s.Label, s.Pipeline, build, model.Value(s.Async), s.BranchConfiguration, s.Concurrency, s.Parallelism})
	default:
		env := s.Env
		if env == nil {
			env = map[string]string{}
		}
		rules := s.AgentQueryRules
		if rules == nil {
			rules = []string{}
		}
		return json.Marshal(struct {
			Type                string            `json:"type"`
			Name                *string           `json:"name"`
			Command             *string           `json:"command"`
			ArtifactPaths       *string           `json:"artifact_paths"`
			BranchConfiguration *string           `json:"branch_configuration"`
			Env                 map[string]string `json:"env"`
			TimeoutInMinutes    *int              `json:"timeout_in_minutes"`
			AgentQueryRules     []string          `json:"agent_query_rules"`
			Concurrency         *int              `json:"concurrency"`
			Parallelism         *int              `json:"parallelism"`
		}{s.Type, s.Name, s.Command, s.ArtifactPaths, s.BranchConfiguration, env, s.TimeoutInMinutes, rules, s.Concurrency, s.Parallelism})
	}
}
