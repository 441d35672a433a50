package cli

import (
	"context"
	"errors"
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
// matches nothing (it is reported when the names are checked). Unlike a
// path's, '*', '?' and '[…]' match a slash too: a cluster's (or an
// agent's) name may hold one, and '*' must still name it. path.Match
// is used with the slash swapped for a byte no typed pattern holds.
func globMatch(pattern, s string) bool {
	const slash = "\x00"
	ok, err := path.Match(strings.ReplaceAll(strings.ToLower(pattern), "/", slash), strings.ReplaceAll(strings.ToLower(s), "/", slash))
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
	found, err := clustersNamed(all, spec)
	if err == nil && len(found) == 0 {
		err = unknownName("cluster", spec, clusterNames(all))
	}
	return found, err
}

// clustersNamed is the clusters of all that spec names (none is not an
// error here); a name that is not a glob and names several is.
func clustersNamed(all []model.Cluster, spec string) ([]model.Cluster, error) {
	if isGlob(spec) {
		var found []model.Cluster
		for _, c := range all {
			if globMatch(spec, c.Name) || c.ID == spec {
				found = append(found, c)
			}
		}
		return found, nil
	}
	found := byIDOrName(all, spec, func(c model.Cluster) (string, string) { return c.ID, c.Name })
	if len(found) > 1 {
		var candidates []string
		for _, c := range found {
			candidates = append(candidates, c.Name+" (id "+c.ID+")")
		}
		return nil, ambiguousName("cluster", spec, candidates)
	}
	return found, nil
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
	// A reading that cuts a pattern in two ("[/]") is not one; a name
	// with none that is a pattern is malformed.
	var splits []queueNameSplit
	var malformed error
	for _, sp := range queueNameSplits(arg) {
		err := checkGlob(sp.cluster)
		if err == nil {
			err = checkGlob(sp.queue)
		}
		if err == nil {
			splits = append(splits, sp)
		} else if malformed == nil {
			malformed = err
		}
	}
	switch {
	case len(splits) == 0 && malformed != nil:
		return nil, malformed
	case len(splits) == 0:
		return nil, usagef("%q: name a queue as CLUSTER/QUEUE (a name or id each; * and ? match several)", arg)
	}
	all, err := n.allClusters(ctx)
	if err != nil {
		return nil, err
	}
	// The clusters each reading names, each cluster's queues listed once.
	clustersOf := make([][]model.Cluster, len(splits))
	var named []model.Cluster
	seenCluster := map[string]bool{}
	for i, sp := range splits {
		if clustersOf[i], err = clustersNamed(all, sp.cluster); err != nil {
			return nil, err
		}
		for _, c := range clustersOf[i] {
			if !seenCluster[c.ID] {
				seenCluster[c.ID] = true
				named = append(named, c)
			}
		}
	}
	if len(named) == 0 {
		return nil, unknownName("cluster", splits[len(splits)-1].cluster, clusterNames(all))
	}
	if err := n.queuesOf(ctx, named); err != nil {
		return nil, err
	}
	var found, candidates []queueRef
	seenQueue := map[string]bool{}
	for i, sp := range splits {
		for _, c := range clustersOf[i] {
			var queues []queueRef
			for _, q := range n.queues[c.ID] {
				queues = append(queues, queueRef{Cluster: c, Queue: q})
			}
			candidates = append(candidates, queues...)
			var matched []queueRef
			if isGlob(sp.queue) {
				for _, r := range queues {
					if globMatch(sp.queue, r.Queue.Key) || r.Queue.ID == sp.queue {
						matched = append(matched, r)
					}
				}
			} else {
				matched = byIDOrName(queues, sp.queue, func(r queueRef) (string, string) { return r.Queue.ID, r.Queue.Key })
			}
			for _, r := range matched {
				if !seenQueue[r.Queue.ID] {
					seenQueue[r.Queue.ID] = true
					found = append(found, r)
				}
			}
		}
	}
	names := func(rs []queueRef) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.name()
		}
		return out
	}
	switch {
	case len(found) == 0:
		return nil, unknownName("queue", arg, names(candidates))
	case len(found) > 1 && !isGlob(arg):
		// "macos" in several clusters, or "Mobile/macos" when two clusters
		// are called Mobile: say which.
		return nil, ambiguousName("queue", arg, names(found))
	}
	return found, nil
}

// queueNameSplit is one reading of CLUSTER/QUEUE.
type queueNameSplit struct{ cluster, queue string }

// queueNameSplits reads CLUSTER/QUEUE at each of its slashes, since a
// cluster's name may hold one: "iOS/Android/macos" is cluster
// "iOS/Android", queue "macos" (a queue's key holds no slash, so the
// other reading names nothing), and "*/*" names every cluster's queues,
// "iOS/Android"'s too. A bare QUEUE is "*/QUEUE". A reading with an
// empty part is none.
func queueNameSplits(arg string) []queueNameSplit {
	if !strings.Contains(arg, "/") {
		return []queueNameSplit{{"*", arg}}
	}
	var out []queueNameSplit
	for i, r := range arg {
		if r == '/' && i > 0 && i < len(arg)-1 {
			out = append(out, queueNameSplit{arg[:i], arg[i+1:]})
		}
	}
	return out
}

// byIDOrName finds what spec names among items, each with an id and a
// name (idName gives both): the item with that id, else those with that
// exact name, else those with that name in any case. More than one is
// for the caller to report as ambiguous.
func byIDOrName[T any](items []T, spec string, idName func(T) (id, name string)) []T {
	for _, matches := range []func(id, name string) bool{
		func(id, _ string) bool { return id == spec },
		func(_, name string) bool { return name == spec },
		func(_, name string) bool { return strings.EqualFold(name, spec) },
	} {
		var found []T
		for _, it := range items {
			if matches(idName(it)) {
				found = append(found, it)
			}
		}
		if len(found) > 0 {
			return found
		}
	}
	return nil
}

// unknownName is a name that matches nothing: a usage error that lists
// what there is, the likely ones (containing what was typed) first.
func unknownName(what, spec string, all []string) error {
	likely := similar(spec, all)
	if len(likely) == 0 {
		likely = all
	}
	return usageError(&nameError{problem: fmt.Sprintf("no %s matches %q", what, termsafe.Text(spec)), list: candidateList("Candidates:", likely)})
}

func ambiguousName(what, spec string, candidates []string) error {
	return usageError(&nameError{problem: fmt.Sprintf("%q names %d %ss", termsafe.Text(spec), len(candidates), what),
		list: candidateList("Name one of them:", candidates)})
}

// nameError is a name that is unknown or ambiguous, with the candidates.
type nameError struct {
	problem, list string
	// forAChange is true when the command would have changed something:
	// then it says that nothing was (a read says nothing of changes).
	forAChange bool
}

func (e *nameError) Error() string {
	s := e.problem
	if e.forAChange {
		s += "; nothing was changed"
	}
	return s + "." + e.list
}

// namesForAChange marks a name error of a command that changes things.
func namesForAChange(err error) error {
	var ne *nameError
	if errors.As(err, &ne) {
		ne.forAChange = true
	}
	return err
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

// candidateList is header and the names, one a line, sorted and at most
// maxCandidates of them.
func candidateList(header string, names []string) string {
	if len(names) == 0 {
		return " There are none."
	}
	names = append([]string(nil), names...)
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("\n" + header)
	for i, s := range names {
		if i == maxCandidates {
			fmt.Fprintf(&b, "\n  … and %d more", len(names)-maxCandidates)
			break
		}
		b.WriteString("\n  " + termsafe.Text(s))
	}
	return b.String()
}
