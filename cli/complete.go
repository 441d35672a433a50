package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/cachefile"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// Shell completion (kiteconsole completion bash|zsh|fish) offers cluster
// names and CLUSTER/QUEUE names read from the API. Each tab must answer
// at once and must not spend the organisation's budget, so it reads at
// most one page of clusters and one page of a cluster's queues, within
// completionTimeout, and keeps the names for completionCacheFor in a file
// under $XDG_CACHE_HOME/kiteconsole/ (names only: no token, mode 0600).
const (
	completionCacheFor = time.Minute
	completionTimeout  = 3 * time.Second
)

// completionNow is the completion cache's clock; tests set it.
var completionNow = time.Now

// errFirstPage stops a list after its first page.
var errFirstPage = errors.New("first page only")

type completionCache struct {
	Clusters   []string             `json:"clusters"`
	ClustersAt time.Time            `json:"clusters_at"`
	Queues     map[string][]string  `json:"queues"` // cluster name → queue keys
	QueuesAt   map[string]time.Time `json:"queues_at"`
	ClusterIDs map[string]string    `json:"cluster_ids"` // name → id
}

func completionCachePath(getenv func(string) string, endpoint, org string) string {
	dir := getenv("XDG_CACHE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".cache")
	}
	sum := sha256.Sum256([]byte(endpoint + "\x00" + org))
	return filepath.Join(dir, "kiteconsole", "completion-"+hex.EncodeToString(sum[:8])+".json")
}

// maxCompletionCache bounds the cache file read and written: a page of
// clusters and a page of queue keys for each takes a few KB.
const maxCompletionCache = 1 << 20

// loadCompletionCache reads the cache file if it is a regular file of
// this user within maxCompletionCache (cachefile.Read): a FIFO, a link
// (to /dev/zero, say), another user's or a larger file, like a corrupt
// one, is an empty cache, which the next save replaces. Nothing is said:
// what completion prints, the shell offers.
func loadCompletionCache(path string) *completionCache {
	c := &completionCache{}
	if path != "" {
		if b, err := cachefile.Read(path, maxCompletionCache); err == nil {
			_ = json.Unmarshal(b, c) // a corrupt cache is an empty one
		}
	}
	if c.Queues == nil {
		c.Queues = map[string][]string{}
	}
	if c.QueuesAt == nil {
		c.QueuesAt = map[string]time.Time{}
	}
	return c
}

func (c *completionCache) save(path string) {
	if path == "" {
		return
	}
	b, err := json.Marshal(c)
	if err != nil || len(b) > maxCompletionCache {
		return
	}
	// A temporary file of a random name, renamed over the cache: a link
	// planted in the directory is never written through.
	_ = cachefile.Write(path, b)
}

func fresh(at time.Time) bool {
	age := completionNow().Sub(at)
	return age >= 0 && age < completionCacheFor
}

// completer reads names for completion, through the cache.
type completer struct {
	opts   *rootOptions
	getenv func(string) string
}

// withClient runs f with a client of the settings in force; no settings
// (no token) means no completions, silently.
func (cp completer) withClient(ctx context.Context, f func(ctx context.Context, c *api.Client, cache *completionCache) bool) {
	settings, err := resolve(ctx, *cp.opts, cp.getenv)
	if err != nil {
		return
	}
	backend, err := openBackend(*cp.opts, settings, nil, 0)
	if err != nil {
		return
	}
	defer backend.Close()
	endpoint, org := backend.Client.Endpoint(), backend.Client.Org()
	if backend.Demo {
		endpoint = "demo"
	}
	path := completionCachePath(cp.getenv, endpoint, org)
	cache := loadCompletionCache(path)
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	if f(ctx, backend.Client, cache) {
		cache.save(path)
	}
}

// clustersFor fills the cache's cluster names and ids (one page at most)
// unless they are fresh; changed says it read them.
func clustersFor(ctx context.Context, c *api.Client, cache *completionCache) (changed bool) {
	if fresh(cache.ClustersAt) && len(cache.Clusters) > 0 && len(cache.ClusterIDs) == len(cache.Clusters) {
		return false
	}
	var first []model.Cluster
	_, err := c.ListClusters(ctx, func(p api.Page[model.Cluster]) error {
		first = p.Items
		return errFirstPage
	})
	if err != nil && !errors.Is(err, errFirstPage) {
		return false
	}
	cache.Clusters = cache.Clusters[:0]
	cache.ClusterIDs = map[string]string{}
	for _, cl := range first {
		cache.Clusters = append(cache.Clusters, cl.Name)
		cache.ClusterIDs[cl.Name] = cl.ID
	}
	cache.ClustersAt = completionNow()
	return true
}

func completeClusters(opts *rootOptions, getenv func(string) string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var offer offered
		completer{opts, getenv}.withClient(cmd.Context(), func(ctx context.Context, c *api.Client, cache *completionCache) bool {
			changed := clustersFor(ctx, c, cache)
			for _, name := range cache.Clusters {
				if word, desc := cache.clusterWord(name, false); word != "" && hasPrefixFold(word, toComplete) {
					offer.add(word, desc)
				}
			}
			return changed
		})
		return offer.words, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeQueues completes CLUSTER/QUEUE: the cluster names (followed by
// a slash) until one is typed, then that cluster's queue keys.
func completeQueues(opts *rootOptions, getenv func(string) string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var offer offered
		directive := cobra.ShellCompDirectiveNoFileComp
		completer{opts, getenv}.withClient(cmd.Context(), func(ctx context.Context, c *api.Client, cache *completionCache) bool {
			clusterPart, queuePart, hasSlash := strings.Cut(toComplete, "/")
			if !hasSlash {
				changed := clustersFor(ctx, c, cache)
				for _, name := range cache.Clusters {
					if word, desc := cache.clusterWord(name, true); word != "" && hasPrefixFold(word, clusterPart) {
						offer.add(word+"/", desc)
					}
				}
				directive |= cobra.ShellCompDirectiveNoSpace
				return changed
			}
			var cluster string
			for _, name := range cache.Clusters {
				if strings.EqualFold(name, clusterPart) || cache.ClusterIDs[name] == clusterPart {
					cluster = name
				}
			}
			keys, ok := cache.Queues[cluster]
			changed := false
			if cluster == "" || !ok || !fresh(cache.QueuesAt[cluster]) {
				changed = clustersFor(ctx, c, cache)
				for name, id := range cache.ClusterIDs {
					if !strings.EqualFold(name, clusterPart) && id != clusterPart {
						continue
					}
					var first []model.Queue
					_, err := c.ListQueues(ctx, id, func(p api.Page[model.Queue]) error {
						first = p.Items
						return errFirstPage
					})
					if err != nil && !errors.Is(err, errFirstPage) {
						return changed
					}
					cluster, keys = name, nil
					for _, q := range first {
						keys = append(keys, q.Key)
					}
					cache.Queues[cluster], cache.QueuesAt[cluster] = keys, completionNow()
					changed = true
				}
			}
			clusterWord, _ := cache.clusterWord(cluster, true)
			if clusterWord == "" {
				return changed
			}
			for _, k := range keys {
				if shellWord(k, false) && hasPrefixFold(k, queuePart) {
					offer.add(clusterWord+"/"+k, "")
				}
			}
			return changed
		})
		return offer.words, directive
	}
}

// What completion offers is typed into the person's shell: cobra's bash
// script runs `eval` on the command line at the next Tab, bash inserts
// the common start of several offers unquoted, and zsh, fish and
// PowerShell each give their own characters a meaning. A cluster named
// `$(touch x)a` beside one named `$(touch x)b` ran `touch x` on the
// second Tab. Quoting is the shell's, and cobra does not say which shell
// asks, so a word is offered only when it means itself in every shell:
// letters, digits, '-', '_', '.' (and '/' where it is not the
// CLUSTER/QUEUE separator), starting with a letter or a digit (a leading
// '-' reads as a flag, '~' '=' '@' '#' mean something at the start).
func shellWord(s string, slashOK bool) bool {
	if s == "" || len(s) > maxCompletionWord {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case i > 0 && (r == '-' || r == '_' || r == '.' || r == '/' && slashOK):
		default:
			return false
		}
	}
	return true
}

// maxCompletionWord and maxCompletionDescription bound what one
// offer prints: a name is at most a line.
const (
	maxCompletionWord        = 200
	maxCompletionDescription = 80
)

// clusterWord is how completion offers a cluster: by its name, or by its
// id, described by the name, when the name is not a shell word (a space,
// a quote, '$', an escape sequence); in CLUSTER/QUEUE (inQueue) a name
// with a slash would be cut at it. An id that is not a word either (an
// endpoint can send anything) is not offered: word is "".
func (c *completionCache) clusterWord(name string, inQueue bool) (word, description string) {
	if shellWord(name, !inQueue) {
		return name, ""
	}
	if id := c.ClusterIDs[name]; shellWord(id, false) {
		return id, completionDescription(name)
	}
	return "", ""
}

// completionDescription is a name as the shell shows it beside an offer:
// on one line, without escape sequences or control characters (cobra's
// protocol is a tab before the description and one offer a line), and
// with every character a shell could give a meaning shown as '?': the
// shells only print a description, but a description that cannot act is
// one less thing to trust them with.
func completionDescription(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range termsafe.Text(name) {
		if n == maxCompletionDescription {
			b.WriteString("…")
			break
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_./", r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// offered is what a completion answers: each word once (two clusters
// could send the same name, and bash inserts a word offered twice as if
// it were the only one, description and all).
type offered struct {
	words []cobra.Completion
	seen  map[string]bool
}

func (o *offered) add(word, description string) {
	if o.seen[word] {
		return
	}
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	o.seen[word] = true
	if description != "" {
		word = cobra.CompletionWithDesc(word, description)
	}
	o.words = append(o.words, word)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// strictCompletion makes `completion` refuse what it does not know, as
// every other command does (exit 2): cobra's own prints its help and
// exits 0 for `completion tcsh`, and a script that writes the result to
// a file is left with the help text in it.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sh := range c.Commands() {
			shells = append(shells, sh.Name())
		}
		c.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("completion: unknown shell %q: name one of %s", termsafe.Text(args[0]), strings.Join(shells, ", "))
			}
			return nil
		}
		// On its own it prints its help, as agent and queue do.
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		for _, sh := range c.Commands() {
			sh.Args = noArgs
		}
	}
}
