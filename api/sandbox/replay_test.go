package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
	"github.com/kiteconsole/kiteconsole/model"
)

// replayStep is one request/response example of ../shared/spec, replayed
// against the sandbox in order. Path and body may name values captured
// from earlier replies as {name}.
type replayStep struct {
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Status  int               `json:"status"`
	Want    json.RawMessage   `json:"want,omitempty"`
	Capture map[string]string `json:"capture,omitempty"` // name → field of the reply
}

// TestSpecExamplesReplay replays the spec's examples (transcribed in
// testdata/spec-examples.json, with the docs' JSON typos mended and noted
// there) and compares each reply with the spec's field by field: every
// field the spec shows must be present with the same value, except ids,
// times, URLs and the acting user, which are checked for their form.
func TestSpecExamplesReplay(t *testing.T) {
	data, err := os.ReadFile("testdata/spec-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Steps []replayStep `json:"steps"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	env := sandboxtest.Start(t, sandbox.Options{Size: sandbox.SizeEmpty}, nil)
	vars := map[string]string{
		"org":    env.Sandbox.Org(),
		"future": sandboxtest.Now.Add(200 * 24 * time.Hour).Format(time.RFC3339),
		// Too soon for a token: Buildkite wants ten minutes at least.
		"soon": sandboxtest.Now.Add(5 * time.Minute).Format(time.RFC3339),
	}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for i, step := range doc.Steps {
		var body io.Reader
		if len(step.Body) > 0 {
			body = strings.NewReader(expand(string(step.Body)))
		}
		req, _ := http.NewRequest(step.Method, env.Server.URL+expand(step.Path), body)
		req.Header.Set("Authorization", "Bearer "+env.Sandbox.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%d %s: %v", i, step.Name, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.Status {
			t.Fatalf("%d %s: status %d, want %d: %s", i, step.Name, resp.StatusCode, step.Status, raw)
		}
		var got any
		if len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("%d %s: reply is not JSON: %s", i, step.Name, raw)
			}
		}
		if len(step.Want) > 0 {
			var want any
			if err := json.Unmarshal(step.Want, &want); err != nil {
				t.Fatalf("%d %s: the transcribed example is not JSON: %v", i, step.Name, err)
			}
			for _, problem := range compareExample(env.Server.URL, "", want, got) {
				t.Errorf("%s: %s", step.Name, problem)
			}
		}
		for name, field := range step.Capture {
			obj, _ := got.(map[string]any)
			v, _ := obj[field].(string)
			if v == "" {
				t.Fatalf("%s: no %s to capture", step.Name, field)
			}
			vars[name] = v
		}
	}
}

// compareExample lists how got differs from the spec's example want.
func compareExample(base, path string, want, got any) []string {
	key := path[strings.LastIndex(path, ".")+1:]
	inUser := strings.Contains(path, "created_by.") || strings.Contains(path, "dispatch_paused_by.")
	switch {
	case key == "id" || key == "graphql_id" || strings.HasSuffix(key, "_id") || key == "pipeline_template_uuid":
		return nil // ids differ by nature
	case strings.HasSuffix(key, "_at"):
		if (want == nil) != (got == nil) {
			return []string{path + ": null in one and not the other"}
		}
		if s, ok := got.(string); want != nil && (!ok || !isTime(s)) {
			return []string{path + ": not a time"}
		}
		return nil
	case key == "url" || strings.HasSuffix(key, "_url"):
		if (want == nil) != (got == nil) {
			return []string{path + ": null in one and not the other"}
		}
		s, _ := got.(string)
		if want != nil && key != "avatar_url" && !strings.HasPrefix(s, base+"/") {
			return []string{path + ": " + s + " is not a URL of the sandbox"}
		}
		return nil
	case key == "token" && !inUser:
		if s, _ := got.(string); want != nil && s == "" {
			return []string{path + ": missing the token's value"}
		}
		return nil
	case inUser && (key == "name" || key == "email"):
		if s, _ := got.(string); s == "" {
			return []string{path + ": empty"}
		}
		return nil // the acting user is the sandbox's, not the docs'
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": want an object"}
		}
		var problems []string
		for k, wv := range w {
			gv, present := g[k]
			if !present {
				problems = append(problems, join(path, k)+": missing")
				continue
			}
			problems = append(problems, compareExample(base, join(path, k), wv, gv)...)
		}
		return problems
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path + ": want a list of " + itoa(len(w))}
		}
		var problems []string
		for i := range w {
			problems = append(problems, compareExample(base, path+"["+itoa(i)+"]", w[i], g[i])...)
		}
		return problems
	default:
		if !reflect.DeepEqual(want, got) {
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			return []string{path + ": got " + string(gj) + ", want " + string(wj)}
		}
		return nil
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func isTime(s string) bool { _, err := model.ParseTimestamp(s); return err == nil }
