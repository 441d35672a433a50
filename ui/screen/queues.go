package screen

import (
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/present"
)

// Drawing of queues, shared by the cluster screen's table and the queue
// screen.

// queueState is the state column: running, or paused with by whom, how
// long ago and the note; a pause or resume in flight shows as such.
func queueState(c *common.Common, q model.Queue) present.Cell {
	return present.QueueState(c.Now(), q, pendingOf(c, q.ID))
}

// queueDescription is a queue's description with its emoji, as text the
// host cleans where it draws it.
func queueDescription(q model.Queue) string { return common.Emojize(model.Value(q.Description)) }

// pendingOf is what is in flight for a queue ("pausing…"), "" when nothing.
func pendingOf(c *common.Common, queueID string) string {
	p, _ := c.Session.Pending(queueID)
	return p
}
