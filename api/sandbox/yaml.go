package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kiteconsole/kiteconsole/model"
)

// stepsFromYAML reads a pipeline's YAML configuration the way Buildkite
// summarises it in a pipeline's "steps" and "env": command steps become
// script steps, wait a waiter, block and input a manual step, trigger a
// trigger step; groups are flattened.
func stepsFromYAML(config string) ([]model.Step, map[string]string, error) {
	var doc any
	if err := yaml.Unmarshal([]byte(config), &doc); err != nil {
		return nil, nil, fmt.Errorf("is not valid YAML: %s", firstLine(err.Error()))
	}
	env := map[string]string{}
	var steps []any
	switch d := doc.(type) {
	case map[string]any:
		raw, ok := d["steps"]
		if !ok {
			return nil, nil, errors.New("must have a steps key")
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, nil, errors.New("steps must be a list")
		}
		steps = list
		if e, ok := d["env"].(map[string]any); ok {
			for k, v := range e {
				env[k] = envText(v)
			}
		}
	case []any:
		steps = d
	default:
		return nil, nil, errors.New("must be a YAML mapping with a steps key")
	}
	var out []model.Step
	if err := appendSteps(&out, steps); err != nil {
		return nil, nil, err
	}
	return out, env, nil
}

func appendSteps(out *[]model.Step, steps []any) error {
	for i, raw := range steps {
		switch st := raw.(type) {
		case string:
			switch st {
			case "wait", "waiter":
				*out = append(*out, model.Step{Type: model.StepWaiter})
			case "block", "input", "manual":
				*out = append(*out, model.Step{Type: model.StepManual})
			default:
				return fmt.Errorf("step %d: %q is not a step", i+1, st)
			}
		case map[string]any:
			if group, ok := st["steps"].([]any); ok {
				if err := appendSteps(out, group); err != nil {
					return err
				}
				continue
			}
			*out = append(*out, stepFromMap(st))
		case nil:
			return fmt.Errorf("step %d is empty", i+1)
		default:
			return fmt.Errorf("step %d must be a mapping", i+1)
		}
	}
	return nil
}

func stepFromMap(m map[string]any) model.Step {
	str := func(keys ...string) *string {
		for _, k := range keys {
			if v, ok := m[k]; ok && v != nil {
				s := scalar(v)
				return &s
			}
		}
		return nil
	}
	switch {
	case has(m, "wait") || has(m, "waiter"):
		return model.Step{Type: model.StepWaiter}
	case has(m, "block") || has(m, "input") || has(m, "manual"):
		return model.Step{Type: model.StepManual, Label: str("block", "input", "manual", "label")}
	case has(m, "trigger"):
		branch, commit := str("branch"), str("commit")
		var message *string
		if b, ok := m["build"].(map[string]any); ok {
			if v, ok := b["branch"]; ok {
				branch = model.Ptr(scalar(v))
			}
			if v, ok := b["commit"]; ok {
				commit = model.Ptr(scalar(v))
			}
			if v, ok := b["message"]; ok {
				message = model.Ptr(scalar(v))
			}
		}
		async, _ := m["async"].(bool)
		return model.Step{
			Type:     model.StepTrigger,
			Label:    str("label", "name"),
			Pipeline: str("trigger"),
			Build:    &model.TriggerBuild{Message: message, Branch: branch, Commit: commit},
			Async:    &async,
		}
	}
	st := model.Step{
		Type:                model.StepScript,
		Name:                str("label", "name"),
		BranchConfiguration: str("branches"),
		Env:                 map[string]string{},
		AgentQueryRules:     []string{},
	}
	if cmd := joined(m, "\n", "command", "commands"); cmd != nil {
		st.Command = cmd
	}
	st.ArtifactPaths = joined(m, ";", "artifact_paths")
	if e, ok := m["env"].(map[string]any); ok {
		for k, v := range e {
			st.Env[k] = envText(v)
		}
	}
	switch a := m["agents"].(type) {
	case map[string]any:
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			st.AgentQueryRules = append(st.AgentQueryRules, k+"="+scalar(a[k]))
		}
	case []any:
		for _, v := range a {
			st.AgentQueryRules = append(st.AgentQueryRules, scalar(v))
		}
	}
	st.TimeoutInMinutes = intField(m, "timeout_in_minutes")
	st.Concurrency = intField(m, "concurrency")
	st.Parallelism = intField(m, "parallelism")
	return st
}

func has(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func joined(m map[string]any, sep string, keys ...string) *string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case nil:
			continue
		case []any:
			parts := make([]string, len(v))
			for i, p := range v {
				parts[i] = scalar(p)
			}
			s := strings.Join(parts, sep)
			return &s
		default:
			s := scalar(v)
			return &s
		}
	}
	return nil
}

func intField(m map[string]any, k string) *int {
	switch v := m[k].(type) {
	case int:
		return &v
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			return &n
		}
	}
	return nil
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// envText is how the store keeps an env value of the YAML: a string as
// itself, anything else as the JSON the API would send for it (3, true,
// null), which is also how the console shows it (model.EnvText).
func envText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return scalar(v)
	}
	return model.EnvText(raw)
}

// typedEnvs reads a YAML configuration's env values with their YAML types:
// the pipeline's, and each step's in the order stepsFromYAML makes the
// steps (groups flattened the same way), nil for a step without env. The
// store keeps env as text; a reply puts the types back from here, as the
// API sends the env a pipeline's YAML gave it.
func typedEnvs(config string) (top map[string]any, steps []map[string]any) {
	var doc any
	if yaml.Unmarshal([]byte(config), &doc) != nil {
		return nil, nil
	}
	var list []any
	switch d := doc.(type) {
	case map[string]any:
		top, _ = d["env"].(map[string]any)
		list, _ = d["steps"].([]any)
	case []any:
		list = d
	}
	var walk func([]any)
	walk = func(items []any) {
		for _, raw := range items {
			m, ok := raw.(map[string]any)
			if !ok {
				steps = append(steps, nil)
				continue
			}
			if group, ok := m["steps"].([]any); ok {
				walk(group)
				continue
			}
			env, _ := m["env"].(map[string]any)
			steps = append(steps, env)
		}
	}
	walk(list)
	return top, steps
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
