package sandbox

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
)

func (s *Server) listQueues(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	return pageOf(w, r, c.queues, func(q *model.Queue) model.Queue { return u.queue(c.cluster.ID, *q) })
}

// findQueue returns the cluster and queue a request names, or nil.
func (s *Server) findQueue(r *http.Request) (*clusterRecord, *model.Queue) {
	c := s.findCluster(r)
	if c == nil {
		return nil, nil
	}
	return c, s.org.queue(c, r.PathValue("queue"))
}

func (s *Server) getQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, q := s.findQueue(r)
	if q == nil {
		return notFound()
	}
	return ok(u.queue(c.cluster.ID, *q))
}

// sentence turns a validator's message into the API's form, which starts
// with a capital letter.
func sentence(err error) string {
	msg := err.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

func (s *Server) createQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c := s.findCluster(r)
	if c == nil {
		return notFound()
	}
	var req model.QueueCreate
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	if strings.TrimSpace(req.Key) == "" {
		return invalid("Key can't be blank")
	}
	if err := model.ValidateQueueKey(req.Key); err != nil {
		return invalid(sentence(err))
	}
	for _, q := range c.queues {
		if q.Key == req.Key {
			return invalid("Key has already been taken")
		}
	}
	if len([]rune(req.Description)) > model.MaxTextLength {
		return invalid("Description is too long")
	}
	// Omitted, the docs say, it is prefer-warmest.
	affinity := req.RetryAgentAffinity
	if affinity == "" {
		affinity = model.RetryPreferWarmest
	}
	if err := model.ValidateRetryAgentAffinity(affinity); err != nil {
		return invalid(sentence(err))
	}
	id := s.newID()
	q := &model.Queue{
		ID:                 id,
		GraphQLID:          graphQLID("ClusterQueue", id),
		Key:                req.Key,
		Description:        optional(req.Description),
		RetryAgentAffinity: affinity,
		CreatedAt:          model.NewTimestamp(s.opts.Now()),
		CreatedBy:          grantOf(r).user,
	}
	if req.HostedAgents != nil {
		if err := model.ValidateNewShape(req.HostedAgents.InstanceShape); err != nil {
			return invalid(sentence(err))
		}
		q.Hosted = true
		q.HostedAgents = hostedAgentsOf(req.HostedAgents.InstanceShape)
	}
	// The cluster's default queue is left as it is: the docs never say a
	// first queue becomes the default, and a cluster created through the
	// API has none until an update sets default_queue_id.
	c.queues = append(c.queues, q)
	return created(u.queue(c.cluster.ID, *q))
}

func (s *Server) updateQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, q := s.findQueue(r)
	if q == nil {
		return notFound()
	}
	var req model.QueueUpdate
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	next := *q
	if v, set := req.Description.Get(); set || req.Description.IsNull() {
		if len([]rune(v)) > model.MaxTextLength {
			return invalid("Description is too long")
		}
		next.Description = optional(v)
	}
	if v, set := req.RetryAgentAffinity.Get(); set || req.RetryAgentAffinity.IsNull() {
		// The update's table allows the two values only: blank or null
		// is not one of them.
		if v == "" {
			return invalid("Retry agent affinity must be prefer-warmest or prefer-different")
		}
		if err := model.ValidateRetryAgentAffinity(v); err != nil {
			return invalid(sentence(err))
		}
		next.RetryAgentAffinity = v
	}
	if req.HostedAgents != nil {
		if !q.Hosted || q.HostedAgents == nil {
			return invalid("Hosted agents can't be added to a self-hosted queue")
		}
		if err := model.ResizeAllowedFrom(q.HostedAgents.InstanceShape, req.HostedAgents.InstanceShape); err != nil {
			return invalid(sentence(err))
		}
		next.HostedAgents = hostedAgentsOf(req.HostedAgents.InstanceShape)
	}
	*q = next
	return ok(u.queue(c.cluster.ID, *q))
}

func (s *Server) deleteQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, q := s.findQueue(r)
	if q == nil {
		return notFound()
	}
	// The docs name no rule against deleting the default queue, so the
	// sandbox allows it; the cluster is then left without a default
	// (default_queue_id null) rather than naming a queue that is gone.
	if model.Value(c.cluster.DefaultQueueID) == q.ID {
		c.cluster.DefaultQueueID = nil
	}
	c.queues = slices.DeleteFunc(c.queues, func(x *model.Queue) bool { return x == q })
	return noContent()
}

// hostedAgentsOf is a hosted queue's hosted_agents as the API reports it
// for a shape of the catalogue: Linux queues carry platform settings with
// no custom image; macOS queues carry none.
func hostedAgentsOf(shapeName string) *model.HostedAgents {
	shape, _ := model.LookupShape(shapeName)
	out := &model.HostedAgents{InstanceShape: shape.InstanceShape}
	if shape.MachineType == model.MachineLinux {
		out.PlatformSettings = &model.PlatformSettings{Linux: &model.LinuxPlatformSettings{}}
	}
	return out
}

// pauseBody accepts the note under either name the spec uses: the
// example's dispatch_paused_note and the property table's note.
type pauseBody struct {
	DispatchPausedNote *string `json:"dispatch_paused_note"`
	Note               *string `json:"note"`
}

func (s *Server) pauseQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, q := s.findQueue(r)
	if q == nil {
		return notFound()
	}
	var req pauseBody
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	if q.DispatchPaused {
		return message(http.StatusUnprocessableEntity, "Cluster queue is already paused")
	}
	note := req.DispatchPausedNote
	if note == nil {
		note = req.Note
	}
	if len([]rune(model.Value(note))) > model.MaxTextLength {
		return invalid("Note is too long")
	}
	next := *q
	next.DispatchPaused = true
	next.DispatchPausedBy = grantOf(r).user
	next.DispatchPausedAt = model.NewTimestamp(s.opts.Now())
	next.DispatchPausedNote = optional(model.Value(note))
	*q = next
	return ok(u.queue(c.cluster.ID, *q))
}

func (s *Server) resumeQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, q := s.findQueue(r)
	if q == nil {
		return notFound()
	}
	if !q.DispatchPaused {
		return message(http.StatusUnprocessableEntity, "Cluster queue is not paused")
	}
	next := *q
	next.DispatchPaused = false
	next.DispatchPausedBy = nil
	next.DispatchPausedAt = nil
	next.DispatchPausedNote = nil
	*q = next
	return ok(u.queue(c.cluster.ID, *q))
}
