package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// wirePipeline is a pipeline as the API writes it: the same fields as
// model.Pipeline, with steps in the API's own form and env values with
// the JSON types the pipeline's YAML gave them.
type wirePipeline struct {
	model.Pipeline
	Env   map[string]json.RawMessage `json:"env"`
	Steps []wireStep                 `json:"steps"`
}

func toWire(p model.Pipeline) wirePipeline {
	var top map[string]any
	var stepEnvs []map[string]any
	// Only a pipeline whose env holds a value that may not be a string
	// pays for reading its YAML again.
	if p.Configuration != "" && (mayBeTyped(p.Env) || stepsMayBeTyped(p.Steps)) {
		top, stepEnvs = typedEnvs(p.Configuration)
		if len(stepEnvs) != len(p.Steps) {
			stepEnvs = nil // the steps were set otherwise: keep them as stored
		}
	}
	steps := make([]wireStep, len(p.Steps))
	for i, s := range p.Steps {
		var typed map[string]any
		if stepEnvs != nil {
			typed = stepEnvs[i]
		}
		steps[i] = wireStep{Step: s, env: wireEnv(s.Env, typed)}
	}
	return wirePipeline{Pipeline: p, Env: wireEnv(p.Env, top), Steps: steps}
}

// wireEnv writes env values: each with its YAML type when the stored
// text is still the YAML's value, else (a value a later update of env
// changed) as the string it is.
func wireEnv(env model.Env, typed map[string]any) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(env))
	for k, v := range env {
		if t, ok := typed[k]; ok {
			if _, isString := t.(string); !isString {
				if raw, err := json.Marshal(t); err == nil && model.EnvText(raw) == v {
					out[k] = raw
					continue
				}
			}
		}
		raw, _ := json.Marshal(v)
		out[k] = raw
	}
	return out
}

// mayBeTyped reports whether an env value's text could be a JSON value
// other than a string.
func mayBeTyped(env model.Env) bool {
	for _, v := range env {
		if v == "true" || v == "false" || v == "null" || (v != "" && strings.ContainsRune("-0123456789[{", rune(v[0]))) {
			return true
		}
	}
	return false
}

func stepsMayBeTyped(steps []model.Step) bool {
	for _, s := range steps {
		if mayBeTyped(s.Env) {
			return true
		}
	}
	return false
}

// wireStep writes a step with every property its type has, null where
// unset, as the spec's replies show them.
type wireStep struct {
	model.Step
	env map[string]json.RawMessage
}

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
		env := s.env
		if env == nil {
			env = map[string]json.RawMessage{}
		}
		rules := s.AgentQueryRules
		if rules == nil {
			rules = []string{}
		}
		return json.Marshal(struct {
			Type                string                     `json:"type"`
			Name                *string                    `json:"name"`
			Command             *string                    `json:"command"`
			ArtifactPaths       *string                    `json:"artifact_paths"`
			BranchConfiguration *string                    `json:"branch_configuration"`
			Env                 map[string]json.RawMessage `json:"env"`
			TimeoutInMinutes    *int                       `json:"timeout_in_minutes"`
			AgentQueryRules     []string                   `json:"agent_query_rules"`
			Concurrency         *int                       `json:"concurrency"`
			Parallelism         *int                       `json:"parallelism"`
		}{s.Type, s.Name, s.Command, s.ArtifactPaths, s.BranchConfiguration, env, s.TimeoutInMinutes, rules, s.Concurrency, s.Parallelism})
	}
}
