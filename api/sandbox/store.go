package sandbox

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

// organization is the sandbox's in-memory state of one organisation.
type organization struct {
	slug     string
	operator *model.User // the user the API tokens belong to
	users    []*model.User

	clusters    []*clusterRecord // in creation order, as the API lists them
	clusterByID map[string]*clusterRecord

	pipelines      []*model.Pipeline // sorted by name, as the API lists them
	pipelineBySlug map[string]*model.Pipeline
	// The pipelines API takes teams on create but does not return them,
	// and makes a webhook without saying so: both are kept here, by
	// pipeline ID, for tests to read back.
	teams    map[string]map[string]string
	webhooks map[string]bool
}

type clusterRecord struct {
	cluster model.Cluster
	queues  []*model.Queue
	tokens  []*model.Token
}

func newOrganization(slug string) *organization {
	return &organization{
		slug:           slug,
		clusterByID:    map[string]*clusterRecord{},
		pipelineBySlug: map[string]*model.Pipeline{},
		teams:          map[string]map[string]string{},
		webhooks:       map[string]bool{},
	}
}

func (o *organization) queue(c *clusterRecord, id string) *model.Queue {
	for _, q := range c.queues {
		if q.ID == id {
			return q
		}
	}
	return nil
}

func (o *organization) token(c *clusterRecord, id string) *model.Token {
	for _, t := range c.tokens {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (o *organization) addPipeline(p *model.Pipeline) {
	i, _ := slices.BinarySearchFunc(o.pipelines, p, comparePipelines)
	o.pipelines = slices.Insert(o.pipelines, i, p)
	o.pipelineBySlug[p.Slug] = p
}

// addPipelines adds many pipelines at once, sorted once: the large
// organisation's 10,000 inserted one by one in order moved 50 million
// pointers. Each has a slug of its own (the names are), so the order is
// the one addPipeline gives.
func (o *organization) addPipelines(ps []*model.Pipeline) {
	o.pipelines = append(o.pipelines, ps...)
	slices.SortStableFunc(o.pipelines, comparePipelines)
	for _, p := range ps {
		o.pipelineBySlug[p.Slug] = p
	}
}

func (o *organization) removePipeline(p *model.Pipeline) {
	o.pipelines = slices.DeleteFunc(o.pipelines, func(x *model.Pipeline) bool { return x == p })
	delete(o.pipelineBySlug, p.Slug)
}

func comparePipelines(a, b *model.Pipeline) int {
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(a.Slug, b.Slug)
}

// graphQLID makes a GraphQL id the way Buildkite's look: base64 of
// "Type---uuid".
func graphQLID(kind, id string) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + "---" + id))
}

// urls builds the API and web URLs of the organisation's objects from the
// base URL a request reached.
type urls struct {
	base, org string
}

func (u urls) api(path ...string) string {
	return u.base + "/v2/organizations/" + u.org + "/" + strings.Join(path, "/")
}

func (u urls) web(path ...string) string {
	return u.base + "/organizations/" + u.org + "/" + strings.Join(path, "/")
}

func (u urls) cluster(c model.Cluster) model.Cluster {
	c.URL = u.api("clusters", c.ID)
	c.WebURL = u.web("clusters", c.ID)
	c.QueuesURL = u.api("clusters", c.ID, "queues")
	c.DefaultQueueURL = nil
	if c.DefaultQueueID != nil {
		c.DefaultQueueURL = model.Ptr(u.api("clusters", c.ID, "queues", *c.DefaultQueueID))
	}
	return c
}

func (u urls) queue(clusterID string, q model.Queue) model.Queue {
	q.URL = u.api("clusters", clusterID, "queues", q.ID)
	q.WebURL = u.web("clusters", clusterID, "queues", q.ID)
	q.ClusterURL = u.api("clusters", clusterID)
	return q
}

func (u urls) token(clusterID string, t model.Token) model.Token {
	t.URL = u.api("clusters", clusterID, "tokens", t.ID)
	t.ClusterURL = u.api("clusters", clusterID)
	return t
}

func (u urls) pipeline(p model.Pipeline) model.Pipeline {
	p.URL = u.api("pipelines", p.Slug)
	p.WebURL = u.base + "/" + u.org + "/" + p.Slug
	p.BuildsURL = u.api("pipelines", p.Slug, "builds")
	p.BadgeURL = u.base + "/badges/" + p.ID + ".svg"
	return p
}
