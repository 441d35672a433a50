package pipelineindex_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/pipelineindex"
)

const endpoint = "https://api.buildkite.com"

var when = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

func entries() []pipelineindex.Entry {
	return []pipelineindex.Entry{
		{ID: "p1", Slug: "web", Name: "Web", Repository: "git@github.com:acme/web.git", ClusterID: "c1"},
		{ID: "p2", Slug: "api", Name: "API", Repository: "git@github.com:acme/api.git", Archived: true},
		{ID: "p3", Slug: "docs", Name: "docs", Repository: "https://gitlab.com/acme/docs.git", ClusterID: "c2"},
	}
}

func TestSavedIndexOpensAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kiteconsole")
	ix := pipelineindex.Open(dir, endpoint, "acme")
	if ix.Len() != 0 || ix.Discarded() != "" {
		t.Fatalf("a new index: %d entries, %q", ix.Len(), ix.Discarded())
	}
	ix.Replace(entries(), when)
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(ix.Path())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v, want 0700", d.Mode().Perm())
	}
	again := pipelineindex.Open(dir, endpoint+"/", "acme") // the same endpoint
	if again.Discarded() != "" || !again.CompletedAt().Equal(when) {
		t.Fatalf("reopened: %q, %v", again.Discarded(), again.CompletedAt())
	}
	names := func(es []pipelineindex.Entry) (out []string) {
		for _, e := range es {
			out = append(out, e.Name)
		}
		return out
	}
	if got := names(again.All()); !slices.Equal(got, []string{"API", "docs", "Web"}) {
		t.Fatalf("entries by name: %v", got)
	}
	if e, ok := again.Get("p2"); !ok || e != entries()[1] {
		t.Fatalf("p2: %+v", e)
	}
	// Nothing else is left in the directory: the save was a rename.
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Fatalf("%d files in the cache directory", len(files))
	}
}

func TestOneFilePerEndpointAndOrganisation(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]bool{}
	for _, ep := range []string{endpoint, "http://127.0.0.1:8089"} {
		for _, org := range []string{"acme", "other", "../../etc/passwd"} {
			p := pipelineindex.Path(dir, ep, org)
			if filepath.Dir(p) != dir || strings.Contains(filepath.Base(p), "..") {
				t.Fatalf("path %s escapes %s", p, dir)
			}
			paths[p] = true
		}
	}
	if len(paths) != 6 {
		t.Fatalf("%d paths for 6 endpoint-organisation pairs", len(paths))
	}
	// A sandbox's acme does not see Buildkite's acme.
	ix := pipelineindex.Open(dir, endpoint, "acme")
	ix.Upsert(entries()...)
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	if n := pipelineindex.Open(dir, "http://127.0.0.1:8089", "acme").Len(); n != 0 {
		t.Fatalf("another endpoint's index has %d entries", n)
	}
}

func TestChangesUpdateTheIndex(t *testing.T) {
	dir := t.TempDir()
	ix := pipelineindex.Open(dir, endpoint, "acme")
	ix.Replace(entries(), when)
	// A create, as the API answered it.
	created := model.Pipeline{ID: "p4", Slug: "mobile", Name: "Mobile", Repository: "git@github.com:acme/mobile.git",
		ClusterID: model.Ptr("c1")}
	ix.Upsert(pipelineindex.FromPipeline(created))
	if !ix.Rename("p1", "Web app", "web-app") || ix.Rename("nope", "x", "x") {
		t.Fatal("rename")
	}
	ix.Remove("p3")
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	again := pipelineindex.Open(dir, endpoint, "acme")
	if again.Len() != 3 {
		t.Fatalf("%d entries", again.Len())
	}
	if e, ok := again.BySlug("web-app"); !ok || e.ID != "p1" || e.Name != "Web app" || e.Repository != entries()[0].Repository {
		t.Fatalf("renamed: %+v", e)
	}
	if e, ok := again.Get("p4"); !ok || e.ClusterID != "c1" || e.Archived {
		t.Fatalf("created: %+v", e)
	}
	if _, ok := again.Get("p3"); ok {
		t.Fatal("the deleted pipeline is still there")
	}
	archived := created
	archived.ArchivedAt = &model.Timestamp{}
	if !pipelineindex.FromPipeline(archived).Archived {
		t.Fatal("an archived pipeline")
	}
}

// A corrupt file, another version's file or another organisation's file
// is ignored, never fatal, and rewritten by the next save.
func TestCorruptOrForeignFilesAreIgnoredAndRewritten(t *testing.T) {
	for name, content := range map[string]string{
		"corrupt":         `{"version": 1, "pipelines": [{"id": "p1"`,
		"not json":        "\x00\x01binary",
		"another version": `{"version": 99, "endpoint": "https://api.buildkite.com", "org": "acme", "pipelines": [{"id": "p9", "name": "From the future"}]}`,
		"another org":     `{"version": 1, "endpoint": "https://api.buildkite.com", "org": "other", "pipelines": [{"id": "p9", "name": "Theirs"}]}`,
		"wrong shape":     `{"version": 1, "endpoint": "https://api.buildkite.com", "org": "acme", "pipelines": {"id": "p9"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := pipelineindex.Path(dir, endpoint, "acme")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			ix := pipelineindex.Open(dir, endpoint, "acme")
			if ix.Len() != 0 || ix.Discarded() == "" {
				t.Fatalf("%d entries, discarded %q", ix.Len(), ix.Discarded())
			}
			ix.Upsert(entries()[0])
			if err := ix.Save(); err != nil {
				t.Fatal(err)
			}
			var f struct {
				Version   int
				Pipelines []pipelineindex.Entry
			}
			data, _ := os.ReadFile(path)
			if err := json.Unmarshal(data, &f); err != nil || f.Version != pipelineindex.FormatVersion || len(f.Pipelines) != 1 {
				t.Fatalf("rewritten file: %s (%v)", data, err)
			}
		})
	}
	// A directory where the file should be is not read either.
	dir := t.TempDir()
	if err := os.Mkdir(pipelineindex.Path(dir, endpoint, "acme"), 0o700); err != nil {
		t.Fatal(err)
	}
	if ix := pipelineindex.Open(dir, endpoint, "acme"); ix.Len() != 0 || ix.Discarded() == "" {
		t.Fatal("a directory was read as an index")
	}
}

func TestAnUnwritableDirectoryIsAnErrorOnSaveOnly(t *testing.T) {
	parent := t.TempDir()
	blocker := filepath.Join(parent, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ix := pipelineindex.Open(filepath.Join(blocker, "kiteconsole"), endpoint, "acme")
	ix.Upsert(entries()...)
	if ix.Len() != 3 {
		t.Fatal("the index does not work in memory")
	}
	if err := ix.Save(); err == nil || !strings.Contains(err.Error(), "pipeline index") {
		t.Fatalf("save into a file: %v", err)
	}
}

func TestNoSecretInTheFile(t *testing.T) {
	dir := t.TempDir()
	ix := pipelineindex.Open(dir, "https://robot:hunter2@api.example.com/", "acme")
	ix.Upsert(entries()...)
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(ix.Path())
	if strings.Contains(string(data), "hunter2") || strings.Contains(ix.Path(), "hunter2") || !strings.Contains(string(data), `"https://api.example.com"`) {
		t.Fatalf("file: %s", data)
	}
}

func TestDefaultDirFollowsXDGCacheHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	dir, err := pipelineindex.DefaultDir()
	if err != nil || dir != filepath.Join(home, "kiteconsole") {
		t.Fatalf("%s, %v", dir, err)
	}
}
