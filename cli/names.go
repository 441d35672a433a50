package cli

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/kiteconsole/kiteconsole/api"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// queueRef is a queue with the cluster it is in.
type queueRef struct {
	Cluster model.Cluster
	Queue   model.Queue
}

// name is "Cluster/key", as a person types it.
func (r queueRef) name() string { return r.Cluster.Name + "/" + r.Queue.Key }

// names finds clusters and queues by name or id, or by glob, for the
// runbook commands. It lists clusters once and each cluster's queues at
// most once.
type names struct {
	c        *api.Client
	clusters []model.Cluster
	loaded   bool
	queues   map[string][]model.Queue
}

func newNames(c *api.Client) *names { return &names{c: c, queues: map[string][]model.Queue{}} }

// maxCandidates bounds the candidates an error lists.
const maxCandidates = 20

// isGlob reports whether s is a pattern rather than a name.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// globMatch matches a pattern case-insensitively; a malformed pattern
// matches nothing (it is reported when the names are checked).
func globMatch(pattern, s string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(s))
	return err == nil && ok
}

// checkGlob reports a malformed pattern as a usage error.
func checkGlob(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return usagef("%q is not a valid pattern: %v", pattern, err)
	}
	return nil
}

func (n *names) allClusters(ctx context.Context) ([]model.Cluster, error) {
	if !n.loaded {
		cs, err := n.c.ListClusters(ctx, nil)
		if err != nil {
			return nil, err
		}
		n.clusters, n.loaded = cs, true
	}
	return n.clusters, nil
}

// Clusters finds the clusters a name, an id or a glob names. A name that
// is not a glob must name exactly one cluster.
func (n *names) Clusters(ctx context.Context, spec string) ([]model.Cluster, error) {
	if err := checkGlob(spec); err != nil {
		return nil, err
	}
	all, err := n.allClusters(ctx)
	if err != nil {
		return nil, err
	}
	var found []model.Cluster
	if isGlob(spec) {
		for _, c := range all {
			if globMatch(spec, c.Name) || c.ID == spec {
				found = append(found, c)
			}
		}
		if len(found) == 0 {
			return nil, unknownName("cluster", spec, clusterNames(all))
		}
		return found, nil
	}
	// An id, then the exact name, then the name in any case.
	for _, try := range []func(model.Cluster) bool{
		func(c model.Cluster) bool { return c.ID == spec },
		func(c model.Cluster) bool { return c.Name == spec },
		func(c model.Cluster) bool { return strings.EqualFold(c.Name, spec) },
	} {
		for _, c := range all {
			if try(c) {
				found = append(found, c)
			}
		}
		if len(found) > 0 {
			break
		}
	}
	switch len(found) {
	case 0:
		return nil, unknownName("cluster", spec, clusterNames(all))
	case 1:
		return found, nil
	}
	var candidates []string
	for _, c := range found {
		candidates = append(candidates, c.Name+" (id "+c.ID+")")
	}
	return nil, ambiguousName("cluster", spec, candidates)
}

func clusterNames(cs []model.Cluster) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// queuesOf lists the queues of the clusters given, at most four clusters
// at once, each cluster's list once per command.
func (n *names) queuesOf(ctx context.Context, clusters []model.Cluster) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	lists := make([][]model.Queue, len(clusters))
	for i, c := range clusters {
		if _, ok := n.queues[c.ID]; ok {
			continue
		}
		g.Go(func() error {
			qs, err := n.c.ListQueues(gctx, c.ID, nil)
			lists[i] = qs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, c := range clusters {
		if _, ok := n.queues[c.ID]; !ok {
			n.queues[c.ID] = lists[i]
		}
	}
	return nil
}

// Queues finds the queues the arguments name, each CLUSTER/QUEUE: a
// cluster by name or id, a queue by key or id, either part a glob
// ("Mobile/mac*", "*/deploy"). A bare QUEUE is "*/QUEUE". A name that is
// not a glob must name exactly one queue; a glob must name at least one.
// Every argument is checked before anything is returned, so a bad one
// changes nothing. A queue named twice is returned once.
func (n *names) Queues(ctx context.Context, args []string) ([]queueRef, error) {
	var out []queueRef
	seen := map[string]bool{}
	for _, arg := range args {
		refs, err := n.queuesNamed(ctx, arg)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			if !seen[r.Queue.ID] {
				seen[r.Queue.ID] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func (n *names) queuesNamed(ctx context.Context, arg string) ([]queueRef, error) {
	clusterSpec, queueSpec, ok := strings.Cut(arg, "/")
	if !ok {
		clusterSpec, queueSpec = "*", arg
	}
	if clusterSpec == "" || queueSpec == "" {
		return nil, usagef("%q: name a queue as CLUSTER/QUEUE (a name or id each; * and ? match several)", arg)
	}
	if err := checkGlob(queueSpec); err != nil {
		return nil, err
	}
	clusters, err := n.Clusters(ctx, clusterSpec)
	if err != nil {
		return nil, err
	}
	if err := n.queuesOf(ctx, clusters); err != nil {
		return nil, err
	}
	var found, all []queueRef
	for _, c := range clusters {
		for _, q := range n.queues[c.ID] {
			all = append(all, queueRef{Cluster: c, Queue: q})
		}
	}
	if isGlob(queueSpec) {
		for _, r := range all {
			if globMatch(queueSpec, r.Queue.Key) || r.Queue.ID == queueSpec {
				found = append(found, r)
			}
		}
	} else {
		for _, try := range []func(model.Queue) bool{
			func(q model.Queue) bool { return q.ID == queueSpec },
			func(q model.Queue) bool { return q.Key == queueSpec },
			func(q model.Queue) bool { return strings.EqualFold(q.Key, queueSpec) },
		} {
			for _, r := range all {
				if try(r.Queue) {
					found = append(found, r)
				}
			}
			if len(found) > 0 {
				break
			}
		}
	}
	candidates := func(rs []queueRef) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.name()
		}
		return out
	}
	switch {
	case len(found) == 0:
		return nil, unknownName("queue", arg, candidates(all))
	case len(found) > 1 && !isGlob(clusterSpec) && !isGlob(queueSpec) && ok:
		return nil, ambiguousName("queue", arg, candidates(found))
	case len(found) > 1 && !ok && !isGlob(queueSpec):
		// "macos" in several clusters: say which.
		return nil, ambiguousName("queue", arg, candidates(found))
	}
	return found, nil
}

// unknownName is a name that matches nothing: a usage error that lists
// what there is, the likely ones (containing what was typed) first.
func unknownName(what, spec string, all []string) error {
	likely := similar(spec, all)
	if len(likely) == 0 {
		likely = all
	}
	return usagef("no %s matches %q; nothing was changed.%s", what, termsafe.Text(spec), candidateList(likely))
}

func ambiguousName(what, spec string, candidates []string) error {
	return usagef("%q names %d %ss; nothing was changed. Name one:%s", termsafe.Text(spec), len(candidates), what, candidateList(candidates))
}

// similar are the names that contain the typed text, or its part after
// the slash, in any case.
func similar(spec string, all []string) []string {
	needle := strings.ToLower(strings.Trim(spec, "*?"))
	if _, after, ok := strings.Cut(needle, "/"); ok {
		needle = strings.Trim(after, "*?")
	}
	if needle == "" {
		return nil
	}
	var out []string
	for _, s := range all {
		if strings.Contains(strings.ToLower(s), needle) {
			out = append(out, s)
		}
	}
	return out
}

func candidateList(names []string) string {
	if len(names) == 0 {
		return " There are none."
	}
	names = append([]string(nil), names...)
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("\nCandidates:")
	for i, s := range names {
		if i == maxCandidates {
			fmt.Fprintf(&b, "\n  … and %d more", len(names)-maxCandidates)
			break
		}
		b.WriteString("\n  " + termsafe.Text(s))
	}
	return b.String()
}
