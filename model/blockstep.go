package model

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A REST job carries no field definitions: a block step's fields are in
// the pipeline's YAML (or in a pipeline uploaded from the repository,
// which the API does not show). BlockStepFields finds them in a pipeline's
// configuration so an unblock form can be prefilled; when the step is not
// there, the form is free key=value fields (ParseUnblockValues).

// maxBlockConfig bounds the configuration read for a block step's
// fields: a pipeline's YAML is a few KB, a server's reply is not trusted
// to be.
const maxBlockConfig = 1 << 20

// BlockStepFields finds the block (or input) step of a pipeline's YAML
// configuration that a job ran as, by the job's step key first and else
// by its label, and returns that step's fields (none when it has none).
// found is false when no such step is in the configuration (or the
// configuration cannot be read): the caller then offers free fields.
func BlockStepFields(configuration, stepKey, label string) (fields []UnblockField, found bool) {
	if len(configuration) > maxBlockConfig || (stepKey == "" && label == "") {
		return nil, false
	}
	var doc any
	if yaml.Unmarshal([]byte(configuration), &doc) != nil {
		return nil, false
	}
	var steps []any
	switch d := doc.(type) {
	case map[string]any:
		steps, _ = d["steps"].([]any)
	case []any:
		steps = d
	}
	var byLabel map[string]any
	var walk func(steps []any) map[string]any
	walk = func(steps []any) map[string]any {
		for _, raw := range steps {
			st, ok := raw.(map[string]any)
			if !ok {
				continue
			}
			if inner, ok := st["steps"].([]any); ok && (st["group"] != nil || st["steps"] != nil) {
				if m := walk(inner); m != nil {
					return m
				}
				continue
			}
			kind := ""
			for _, k := range []string{"block", "input"} {
				if _, ok := st[k]; ok {
					kind = k
				}
			}
			if t, _ := st["type"].(string); t == "block" || t == "input" {
				kind = t
			}
			if kind == "" {
				continue
			}
			for _, k := range []string{"key", "identifier", "id"} {
				if v, _ := st[k].(string); v != "" && v == stepKey {
					return st
				}
			}
			if byLabel == nil && label != "" {
				for _, k := range []string{kind, "label", "name"} {
					if v, _ := st[k].(string); v != "" && strings.TrimSpace(v) == strings.TrimSpace(label) {
						byLabel = st
					}
				}
			}
		}
		return nil
	}
	st := walk(steps)
	if st == nil {
		st = byLabel
	}
	if st == nil {
		return nil, false
	}
	raw, _ := st["fields"].([]any)
	for _, r := range raw {
		if f, ok := blockField(r); ok {
			fields = append(fields, f)
		}
	}
	return fields, true
}

// blockField reads one field of a block step: text or select, with
// Buildkite's default of required.
func blockField(raw any) (UnblockField, bool) {
	m, ok := raw.(map[string]any)
	if !ok {
		return UnblockField{}, false
	}
	str := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			return fmt.Sprint(v)
		}
	}
	f := UnblockField{Key: str("key"), Text: str("text"), Select: str("select"), Hint: str("hint"), Required: true}
	if f.Key == "" || (f.Text == "" && f.Select == "" && m["text"] == nil && m["select"] == nil) {
		return UnblockField{}, false
	}
	if r, ok := m["required"].(bool); ok {
		f.Required = r
	}
	if mul, ok := m["multiple"].(bool); ok {
		f.Multiple = mul
	}
	switch d := m["default"].(type) {
	case []any:
		parts := make([]string, 0, len(d))
		for _, p := range d {
			parts = append(parts, fmt.Sprint(p))
		}
		f.Default = strings.Join(parts, ",")
	case nil:
	default:
		f.Default = str("default")
	}
	if opts, ok := m["options"].([]any); ok {
		for _, o := range opts {
			om, ok := o.(map[string]any)
			if !ok {
				continue
			}
			label, _ := om["label"].(string)
			value := fmt.Sprint(om["value"])
			if om["value"] == nil {
				continue
			}
			if label == "" {
				label = value
			}
			f.Options = append(f.Options, UnblockOption{Label: label, Value: value})
		}
	}
	return f, true
}

// ParseUnblockValues reads an unblock's free fields, one key=value a line
// (blank lines skipped; the value may hold '=' and is kept as typed), into
// the body's fields. A line without a key, or a key given twice, is an
// error that names the line.
func ParseUnblockValues(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: write a field as key=value", i+1)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("line %d: %s is given twice", i+1, k)
		}
		out[k] = v
	}
	return out, nil
}
