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
	if p, ok := c.Pending[q.ID]; ok {
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

func describeShape(s model.InstanceShape) string {
	machine := map[string]string{model.MachineLinux: "Linux", model.MachineMacOS: "macOS"}[s.MachineType]
	if machine == "" {
		machine = common.Clean(s.MachineType)
	}
	arch := strings.ToUpper(common.Clean(s.Architecture))
	if s.MachineType == model.MachineMacOS {
		arch = "M4"
		if info, ok := model.LookupShape(s.Name); ok && info.Deprecated {
			arch = "M2 (deprecated)"
		}
	}
	return fmt.Sprintf("%s %s %d vCPU %d GB", machine, arch, s.CPU, s.Memory)
}

func queueDescription(q model.Queue) string {
	return common.Clean(common.Emojize(model.Value(q.Description)))
}
