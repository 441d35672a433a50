package model

import (
	"reflect"
	"strings"
	"testing"
)

// A block step's fields as Buildkite's block step page writes them: a
// text field and a select, inside a group, found by the job's step key or
// by its label; Buildkite's default of required is kept.
const blockYAML = `
steps:
  - command: "buildkite-agent pipeline upload"
  - wait
  - group: ":rocket: Ship"
    steps:
      - block: ":shipit: Release?"
        key: release
        prompt: "Fill out the details for the release"
        fields:
          - text: "Release name"
            key: "release-name"
            hint: "Shown in the changelog"
          - select: "Environment"
            key: "environment"
            required: false
            default: "staging"
            options:
              - label: "Staging"
                value: "staging"
              - label: "Production"
                value: "production"
          - select: "Regions"
            key: "regions"
            multiple: true
            default: ["eu", "us"]
            options:
              - { label: "Europe", value: "eu" }
              - { label: "America", value: "us" }
  - input: "Notes"
`

func TestBlockStepFieldsFromTheYAML(t *testing.T) {
	want := []UnblockField{
		{Key: "release-name", Text: "Release name", Hint: "Shown in the changelog", Required: true},
		{Key: "environment", Select: "Environment", Required: false, Default: "staging",
			Options: []UnblockOption{{Label: "Staging", Value: "staging"}, {Label: "Production", Value: "production"}}},
		{Key: "regions", Select: "Regions", Required: true, Multiple: true, Default: "eu,us",
			Options: []UnblockOption{{Label: "Europe", Value: "eu"}, {Label: "America", Value: "us"}}},
	}
	byKey := Job{Type: JobManual, StepKey: Ptr("release"), Label: Ptr("renamed in the UI")}
	if got, found := byKey.BlockFields(blockYAML); !found || !reflect.DeepEqual(got, want) {
		t.Fatalf("by key: %+v, %v", got, found)
	}
	byLabel := Job{Type: JobManual, Label: Ptr(":shipit: Release?")}
	if got, found := byLabel.BlockFields(blockYAML); !found || !reflect.DeepEqual(got, want) {
		t.Fatalf("by label: %+v, %v", got, found)
	}
	if got, found := (Job{Label: Ptr("Notes")}).BlockFields(blockYAML); !found || len(got) != 0 {
		t.Fatalf("an input step without fields: %+v, %v", got, found)
	}
	for _, j := range []Job{{Label: Ptr("Deploy?")}, {StepKey: Ptr("nope")}} {
		if got, found := j.BlockFields(blockYAML); found || got != nil {
			t.Fatalf("a step not in the YAML was found: %+v", got)
		}
	}
	for _, bad := range []string{"steps: [", "", strings.Repeat("#", maxBlockConfig+1)} {
		if _, found := byKey.BlockFields(bad); found {
			t.Fatalf("found a step in %.20q", bad)
		}
	}
}

func TestParseUnblockValues(t *testing.T) {
	got, err := ParseUnblockValues("release-name=v2 = final\n\n environment =production\r\n")
	if err != nil || !reflect.DeepEqual(got, map[string]string{"release-name": "v2 = final", "environment": "production"}) {
		t.Fatalf("%v, %v", got, err)
	}
	for _, bad := range []string{"no equals sign", "=value", "a=1\na=2"} {
		if _, err := ParseUnblockValues(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
