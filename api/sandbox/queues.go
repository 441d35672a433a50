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
	lo, hi := paginate(w, r, len(c.queues))
	out := make([]model.Queue, 0, hi-lo)
	for _, q := range c.queues[lo:hi] {
		out = append(out, u.queue(c.cluster.ID, *q))
	}
	return ok(out)
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
	id := s.newID()
	q := &model.Queue{
		ID:          id,
		GraphQLID:   graphQLID("ClusterQueue", id),
		Key:         req.Key,
		Description: optional(req.Description),
		CreatedAt:   model.NewTimestamp(s.opts.Now()),
		CreatedBy:   grantOf(r).user,
	}
	if req.HostedAgents != nil {
		if err := model.ValidateNewShape(req.HostedAgents.InstanceShape); err != nil {
			return invalid(sentence(err))
		}
		shape, _ := model.LookupShape(req.HostedAgents.InstanceShape)
		q.Hosted = true
		q.HostedAgents = &model.HostedAgents{InstanceShape: shape.InstanceShape}
	}
	c.queues = append(c.queues, q)
	// A cluster without a default queue takes its first queue as default,
	// so agents that name no queue have somewhere to go.
	if c.cluster.DefaultQueueID == nil {
		c.cluster.DefaultQueueID = model.Ptr(q.ID)
	}
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
	if req.HostedAgents != nil {
		if !q.Hosted || q.HostedAgents == nil {
			return invalid("Hosted agents can't be added to a self-hosted queue")
		}
		if err := model.ResizeAllowed(q.HostedAgents.InstanceShape.Name, req.HostedAgents.InstanceShape); err != nil {
			return invalid(sentence(err))
		}
		shape, _ := model.LookupShape(req.HostedAgents.InstanceShape)
		next.HostedAgents = &model.HostedAgents{InstanceShape: shape.InstanceShape}
	}
	*q = next
	return ok(u.queue(c.cluster.ID, *q))
}

func (s *Server) deleteQueue(w http.ResponseWriter, r *http.Request, u urls) reply {
	c, q := s.findQueue(r)
	if q == nil {
		return notFound()
	}
	if model.Value(c.cluster.DefaultQueueID) == q.ID {
		return message(http.StatusUnprocessableEntity, "The default queue of a cluster can't be deleted; make another queue the default first")
	}
	c.queues = slices.DeleteFunc(c.queues, func(x *model.Queue) bool { return x == q })
	return noContent()
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
