package screen

import (
	"fmt"
	"strings"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
)

// Drawing of queues, shared by the cluster screen's table and the queue
// screen.

// queueState is the state column: running, or paused with by whom, how
// long Ago and the note; a pause or resume in flight shows as such.
func queueState(c *common.Common, q model.Queue) string {
	st := c.Styles
	if p, ok := c.Session.Pending(q.ID); ok {
		return st.Pending.Render("◌ " + p)
	}
	if !q.DispatchPaused {
		return st.Running.Render("● running")
	}
	// The note comes before who paused: in a narrow column, the reason is
	// what the on-call engineer needs to read.
	s := st.Paused.Render("‖ paused")
	if q.DispatchPausedAt != nil {
		s += " " + common.Ago(c.Now(), q.DispatchPausedAt.Time)
	}
	if note := common.Clean(model.Value(q.DispatchPausedNote)); note != "" {
		s += st.Muted.Render(": ") + note
	}
	if by := common.Clean(q.DispatchPausedBy.DisplayName()); by != "" {
		s += st.Muted.Render(" — " + by)
	}
	return s
}

// shapeLabel describes a hosted queue's machines, or says self-hosted.
func shapeLabel(q model.Queue) string {
	if !q.Hosted || q.HostedAgents == nil {
		return "self-hosted"
	}
	return describeShape(q.HostedAgents.InstanceShape)
}

// describeShape is a shape in a table cell, from what model.ShapeOf
// knows of it (the catalogue, or the shape's name as the API sent it).
func describeShape(s model.InstanceShape) string {
	info := model.ShapeOf(s)
	machine := map[string]string{model.MachineLinux: "Linux", model.MachineMacOS: "macOS"}[info.MachineType]
	if machine == "" {
		machine = common.Clean(info.MachineType)
	}
	text := machine
	if info.MachineType != model.MachineMacOS { // every Mac is Apple silicon
		text = strings.TrimSpace(text + " " + strings.ToUpper(common.Clean(info.Architecture)))
	}
	if info.CPU > 0 || info.Memory > 0 {
		text += fmt.Sprintf(" %d vCPU %d GB", info.CPU, info.Memory)
	}
	switch {
	case info.Deprecated:
		text += " (deprecated)"
	case info.Unknown || text == "":
		text += " " + common.Clean(info.Name)
	}
	return strings.TrimSpace(text)
}

func queueDescription(q model.Queue) string {
	return common.Clean(common.Emojize(model.Value(q.Description)))
}
