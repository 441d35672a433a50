package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Env is a set of environment variables as the API sends them: a pipeline's
// env, a step's env, a trigger step's build env. The docs show strings, but
// the API stores whatever JSON a pipeline was given, so a value may be a
// number, a boolean, null, or even an array or object. Each value is kept
// as text: a string as itself, anything else as the compact JSON the API
// sent ("3", "true", "null", `["a"]`), so a screen shows it as sent and one
// odd value never makes a pipeline unreadable.
//
// Env's underlying type is map[string]string, so it is used (and assigned)
// like one. Written back to the API, every value is a string: the
// environment a build sees is strings anyway.
type Env map[string]string

// UnmarshalJSON reads an object of any JSON values. null reads as no
// variables, and so does an empty array (the form some serialisers give an
// empty hash); anything else that is not an object is an error.
func (e *Env) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*e = nil
		return nil
	}
	if len(data) > 0 && data[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err == nil && len(list) == 0 {
			*e = Env{}
			return nil
		}
		return fmt.Errorf("env must be an object of variables, not a list")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(Env, len(raw))
	for k, v := range raw {
		out[k] = EnvText(v)
	}
	*e = out
	return nil
}

// EnvText is how one env value the API sent is shown: a JSON string as its
// text, any other JSON value as its compact JSON.
func EnvText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	var compact bytes.Buffer
	if json.Compact(&compact, raw) == nil {
		return compact.String()
	}
	return string(raw)
}
