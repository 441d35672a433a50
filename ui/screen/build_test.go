package screen

import "testing"

func TestBuildOfReadsTheSlugAndNumberOfABuildsURL(t *testing.T) {
	cases := []struct {
		url    string
		slug   string
		number int
		ok     bool
	}{
		{"https://api.buildkite.com/v2/organizations/acme/pipelines/app/builds/42", "app", 42, true},
		{"https://buildkite.com/acme/app/builds/7#0190-job", "", 0, false}, // a web URL names no /pipelines/
		{"https://buildkite.com/organizations/acme/pipelines/app/builds/7#job", "app", 7, true},
		{"https://api.buildkite.com/v2/organizations/acme/pipelines/app/builds/42/jobs/x", "app", 42, true},
		{"https://api.buildkite.com/v2/organizations/acme/pipelines/app/builds/", "", 0, false},
		{"https://api.buildkite.com/v2/organizations/acme/pipelines/app/builds/-1", "", 0, false},
		{"", "", 0, false},
	}
	for _, c := range cases {
		slug, number, ok := BuildOf(c.url)
		if slug != c.slug || number != c.number || ok != c.ok {
			t.Errorf("BuildOf(%q) = %q, %d, %v; want %q, %d, %v", c.url, slug, number, ok, c.slug, c.number, c.ok)
		}
	}
}
