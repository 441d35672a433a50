package sandbox

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

func (s *Server) listClusters(w http.ResponseWriter, r *http.Request, u urls) reply {
	return pageOf(w, r, s.org.clusters, func(c *clusterRecord) model.Cluster { return u.cluster(c.cluster) })
}

func (s *Server) findCluster(r *http.Request) *clusterRecord {
	return s.org.clusterByID[r.PathValue("cluster")]
}

func (s *Server) getCluster(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	return ok(u.cluster(c.cluster))
}

// clusterNameTaken reports whether another cluster than except has name.
func (s *Server) clusterNameTaken(name string, except *clusterRecord) bool {
	for _, c := range s.org.clusters {
		if c != except && strings.EqualFold(c.cluster.Name, name) {
			return true
		}
	}
	return false
}

func validateClusterFields(name, color string) string {
	if err := model.ValidateColor(color); err != nil {
		return "Color must be a hex color code such as #FFE0F1"
	}
	if len([]rune(name)) > model.MaxTextLength {
		return "Name is too long"
	}
	return ""
}

func (s *Server) createCluster(w http.ResponseWriter, r *http.Request, u urls) reply {
	var req model.ClusterCreate
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	if strings.TrimSpace(req.Name) == "" {
		return invalid("Name can't be blank")
	}
	if reason := validateClusterFields(req.Name, req.Color); reason != "" {
		return invalid(reason)
	}
	if s.clusterNameTaken(req.Name, nil) {
		return invalid("Name has already been taken")
	}
	id := s.newID()
	c := &clusterRecord{cluster: model.Cluster{
		ID:          id,
		GraphQLID:   graphQLID("Cluster", id),
		Name:        req.Name,
		Description: optional(req.Description),
		Emoji:       optional(req.Emoji),
		Color:       optional(req.Color),
		CreatedAt:   model.NewTimestamp(s.opts.Now()),
		CreatedBy:   grantOf(r).user,
	}}
	s.org.clusters = append(s.org.clusters, c)
	s.org.clusterByID[id] = c
	return created(u.cluster(c.cluster))
}

func (s *Server) updateCluster(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	var req model.ClusterUpdate
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	next := c.cluster
	if req.Name.IsSet() {
		name, _ := req.Name.Get()
		if strings.TrimSpace(name) == "" {
			return invalid("Name can't be blank")
		}
		if s.clusterNameTaken(name, c) {
			return invalid("Name has already been taken")
		}
		next.Name = name
	}
	if req.Description.IsSet() {
		v, _ := req.Description.Get()
		next.Description = optional(v)
	}
	if req.Emoji.IsSet() {
		v, _ := req.Emoji.Get()
		next.Emoji = optional(v)
	}
	if req.Color.IsSet() {
		v, _ := req.Color.Get()
		next.Color = optional(v)
	}
	if reason := validateClusterFields(next.Name, model.Value(next.Color)); reason != "" {
		return invalid(reason)
	}
	if req.DefaultQueueID.IsSet() {
		id, _ := req.DefaultQueueID.Get()
		if id == "" {
			return invalid("Default queue can't be blank")
		}
		if s.org.queue(c, id) == nil {
			return invalid("Default queue must be a queue of this cluster")
		}
		next.DefaultQueueID = model.Ptr(id)
	}
	c.cluster = next
	return ok(u.cluster(c.cluster))
}

// deleteCluster deletes a cluster along with its queues and tokens, as
// the spec says; its pipelines are left without a cluster.
func (s *Server) deleteCluster(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	s.org.clusters = slices.DeleteFunc(s.org.clusters, func(x *clusterRecord) bool { return x == c })
	delete(s.org.clusterByID, c.cluster.ID)
	for _, p := range s.org.pipelines {
		if model.Value(p.ClusterID) == c.cluster.ID {
			p.ClusterID = nil
		}
	}
	return noContent()
}

// optional is the API's nullable string: nil for empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
