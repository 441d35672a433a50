// Package pipelineindex keeps an index of an organisation's pipelines on
// disk (id, slug, name, repository, cluster and whether archived), so that
// a second start knows every pipeline without a request. One file per API
// endpoint and organisation under $XDG_CACHE_HOME/kiteconsole/, mode 0600,
// holding nothing secret. A file that cannot be read, or was written by
// another version of the format, is ignored and rewritten: the index is a
// cache, never a reason to fail. The cache directory is anyone's to fill:
// only a regular file of this user, within MaxFileSize, is read
// (package cachefile), and the index holds at most MaxEntries pipelines.
package pipelineindex

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiteconsole/kiteconsole/cachefile"
	"github.com/kiteconsole/kiteconsole/model"
)

// FormatVersion is the version of the file's format. A file of any other
// version is ignored.
const FormatVersion = 1

// MaxEntries bounds the pipelines an index holds: five times the largest
// organisation the console is measured with (10,000 pipelines). A
// listing past it is not complete, and is not recorded as one.
const MaxEntries = 50_000

// MaxFileSize bounds the file read and written: 10,000 pipelines take
// about 2 MB, MaxEntries about 10 MB. A larger file is ignored (Discarded
// says so) and rewritten. A console reads its index off its event loop
// (package org): 50,000 pipelines (10 MB) take about half a second and
// 60 MB there.
const MaxFileSize = 16 << 20

// maxFileSize and maxEntries are MaxFileSize and MaxEntries; tests
// lower them.
var (
	maxFileSize int64 = MaxFileSize
	maxEntries        = MaxEntries
)

// loads counts the files read, for tests: SSH sessions share one index.
var loads atomic.Int64

// Loads is how many index files this process has read.
func Loads() int64 { return loads.Load() }

// Entry is what the index keeps of one pipeline.
type Entry struct {
	ID         string `json:"id"`
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	Repository string `json:"repository"`
	ClusterID  string `json:"cluster_id,omitempty"`
	Archived   bool   `json:"archived,omitempty"`
}

// FromPipeline is the entry of a pipeline as the API gave it.
func FromPipeline(p model.Pipeline) Entry {
	return Entry{ID: p.ID, Slug: p.Slug, Name: p.Name, Repository: p.Repository,
		ClusterID: model.Value(p.ClusterID), Archived: p.ArchivedAt != nil}
}

// file is the index as it is written.
type file struct {
	Version  int    `json:"version"`
	Endpoint string `json:"endpoint"`
	Org      string `json:"org"`
	// CompletedAt is when a listing of every pipeline last finished.
	CompletedAt time.Time `json:"completed_at,omitzero"`
	Pipelines   []Entry   `json:"pipelines"`
}

// Index is one organisation's pipelines. It is safe for concurrent use.
type Index struct {
	path          string
	endpoint, org string

	mu          sync.Mutex
	byID        map[string]Entry
	completedAt time.Time
	// discarded says why a file found on disk was not used ("" when none
	// was found or it was read).
	discarded string
}

// DefaultDir is $XDG_CACHE_HOME/kiteconsole (or the platform's cache
// directory), where indexes are kept.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory: %w", err)
	}
	return filepath.Join(base, "kiteconsole"), nil
}

// Path is the file of the index of org at endpoint, in dir: the
// organisation's slug, made safe for a file name, and a hash of the
// endpoint, so that a sandbox's "acme" and Buildkite's never share one.
func Path(dir, endpoint, org string) string {
	sum := sha256.Sum256([]byte(cleanEndpoint(endpoint) + "\x00" + org))
	return filepath.Join(dir, "pipelines-"+safeName(org)+"-"+hex.EncodeToString(sum[:8])+".json")
}

// cleanEndpoint is the endpoint as the file names it: without a trailing
// slash, and without any user name or password an endpoint URL may carry,
// which the file must not hold.
func cleanEndpoint(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.User != nil {
		u.User = nil
		endpoint = u.String()
	}
	return strings.TrimRight(endpoint, "/")
}

// safeName keeps the letters, digits, '-' and '_' of s, at most 40.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "org"
	}
	return b.String()
}

// Open reads the index of org at endpoint from dir, and returns when it
// is read. A missing, unreadable, corrupt, foreign-version or oversized
// file, or anything but a regular file of this user, gives an empty index
// (Discarded says why), which Save writes afresh: opening never fails,
// and an index whose directory cannot be written still works in memory
// (Save says why).
func Open(dir, endpoint, org string) *Index {
	ix := &Index{path: Path(dir, endpoint, org), endpoint: cleanEndpoint(endpoint), org: org, byID: map[string]Entry{}}
	f, err := readFile(ix.path)
	var discarded string
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		discarded = reason(err)
	case f.Version != FormatVersion:
		discarded = fmt.Sprintf("format version %d, not %d", f.Version, FormatVersion)
	case f.Endpoint != ix.endpoint || f.Org != org:
		// A hash collision or a copied file: another organisation's.
		discarded = "the file is another organisation's"
	case len(f.Pipelines) > maxEntries:
		discarded = fmt.Sprintf("the file holds %d pipelines, more than %d", len(f.Pipelines), maxEntries)
	}
	ix.discarded = discarded
	if err != nil || discarded != "" {
		return ix
	}
	for _, e := range f.Pipelines {
		if e.ID != "" {
			ix.byID[e.ID] = e
		}
	}
	ix.completedAt = f.CompletedAt
	return ix
}

// reason is why a file could not be read, without its path: a console
// may say it over SSH.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

func readFile(path string) (file, error) {
	var f file
	data, err := cachefile.Read(path, maxFileSize)
	if err != nil {
		return f, err
	}
	loads.Add(1)
	if err := json.Unmarshal(data, &f); err != nil {
		return file{}, fmt.Errorf("corrupt: %w", err)
	}
	return f, nil
}

// Path is where the index is saved.
func (ix *Index) Path() string { return ix.path }

// Discarded says why the file found on disk was ignored, or "".
func (ix *Index) Discarded() string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.discarded
}

// Len is how many pipelines the index holds.
func (ix *Index) Len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return len(ix.byID)
}

// CompletedAt is when a listing of every pipeline last finished (zero if
// never): how current the index is.
func (ix *Index) CompletedAt() time.Time {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.completedAt
}

// All is every entry, by name whatever its case (then slug).
func (ix *Index) All() []Entry {
	type keyed struct {
		lower string
		e     Entry
	}
	ix.mu.Lock()
	all := make([]keyed, 0, len(ix.byID))
	for _, e := range ix.byID {
		all = append(all, keyed{strings.ToLower(e.Name), e})
	}
	ix.mu.Unlock()
	// Each name is lowered once, not at every comparison.
	slices.SortFunc(all, func(a, b keyed) int {
		if c := strings.Compare(a.lower, b.lower); c != 0 {
			return c
		}
		return strings.Compare(a.e.Slug, b.e.Slug)
	})
	out := make([]Entry, len(all))
	for i := range all {
		out[i] = all[i].e
	}
	return out
}

// Get is the entry of a pipeline id.
func (ix *Index) Get(id string) (Entry, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.byID[id]
	return e, ok
}

// BySlug is the entry of a pipeline slug.
func (ix *Index) BySlug(slug string) (Entry, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, e := range ix.byID {
		if e.Slug == slug {
			return e, true
		}
	}
	return Entry{}, false
}

// Upsert adds an entry or replaces the one with its id (a create, an
// update, a page of a listing). A new entry past MaxEntries is dropped:
// it reports whether all were kept.
func (ix *Index) Upsert(entries ...Entry) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	kept := true
	for _, e := range entries {
		if _, known := ix.byID[e.ID]; e.ID == "" || !known && len(ix.byID) >= maxEntries {
			kept = kept && e.ID == ""
			continue
		}
		ix.byID[e.ID] = e
	}
	return kept
}

// Remove drops a pipeline (a delete).
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	delete(ix.byID, id)
	ix.mu.Unlock()
}

// Rename gives a pipeline its new name and slug (a rename changes both);
// false when the index does not hold it.
func (ix *Index) Rename(id, name, slug string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.byID[id]
	if !ok {
		return false
	}
	e.Name, e.Slug = name, slug
	ix.byID[id] = e
	return true
}

// Replace makes entries the whole index: a listing of every pipeline
// finished at completedAt, so pipelines deleted elsewhere drop out. A
// listing of more than MaxEntries keeps the first MaxEntries and is not
// complete.
func (ix *Index) Replace(entries []Entry, completedAt time.Time) {
	if len(entries) > maxEntries {
		entries, completedAt = entries[:maxEntries], time.Time{}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.byID = make(map[string]Entry, len(entries))
	for _, e := range entries {
		if e.ID != "" {
			ix.byID[e.ID] = e
		}
	}
	ix.completedAt = completedAt
}

// Save writes the index atomically (cachefile.Write): to a temporary
// file of mode 0600 and a random name in the same directory (made 0700
// when missing), synced, then renamed over the old one, so that a reader
// sees the old index or the new one, never half of one. An index whose
// file would be larger than MaxFileSize, which no start would read, is
// not written.
func (ix *Index) Save() error {
	ix.mu.Lock()
	f := file{Version: FormatVersion, Endpoint: ix.endpoint, Org: ix.org, CompletedAt: ix.completedAt,
		Pipelines: make([]Entry, 0, len(ix.byID))}
	for _, e := range ix.byID {
		f.Pipelines = append(f.Pipelines, e)
	}
	ix.mu.Unlock()
	slices.SortFunc(f.Pipelines, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if int64(len(data)) > maxFileSize {
		return fmt.Errorf("saving the pipeline index: %s, more than %s", cachefile.SizeText(int64(len(data))), cachefile.SizeText(maxFileSize))
	}
	if err := cachefile.Write(ix.path, data); err != nil {
		return fmt.Errorf("saving the pipeline index: %w", err)
	}
	ix.mu.Lock()
	ix.discarded = ""
	ix.mu.Unlock()
	return nil
}
