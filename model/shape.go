package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InstanceShape is the machine a hosted queue's agents run on, as the API
// returns it in hosted_agents.instance_shape.
type InstanceShape struct {
	MachineType  string `json:"machine_type"`
	Architecture string `json:"architecture"`
	CPU          int    `json:"cpu"`
	Memory       int    `json:"memory"`
	Name         string `json:"name"`
}

// Machine types and architectures of hosted agents.
const (
	MachineLinux = "linux"
	MachineMacOS = "macos"
	ArchAMD64    = "amd64"
	ArchARM64    = "arm64"
)

// ShapeInfo is one entry of the instance-shape catalogue.
type ShapeInfo struct {
	InstanceShape
	// Size is the spec's name for it: Small, Medium, Large, Extra Large,
	// Extra Extra Large, 3XL. Empty for a shape not in the catalogue.
	Size string
	// Deprecated shapes may still be reported on old queues but cannot be
	// chosen for a new queue or a resize.
	Deprecated bool
	// Unknown marks a shape the API reported that is not in the
	// catalogue (a shape newer than this build): shown as sent, with what
	// its name and the reply tell of it.
	Unknown bool
}

// ShapesRemovedOn is when the deprecated macOS shapes were removed.
var ShapesRemovedOn = time.Date(2025, time.July, 1, 0, 0, 0, 0, time.UTC)

func shape(name, machine, arch, size string, cpu, mem int, deprecated bool) ShapeInfo {
	return ShapeInfo{
		InstanceShape: InstanceShape{MachineType: machine, Architecture: arch, CPU: cpu, Memory: mem, Name: name},
		Size:          size,
		Deprecated:    deprecated,
	}
}

// InstanceShapes is the catalogue of current/hosted-shapes-linux.md and
// -macos.md: Linux first then macOS; for Linux, each architecture's sizes
// up to Extra Large, then the two larger sizes of each (kept after them so
// that the order of the older shapes, which forms and scripts step
// through, does not move); the deprecated macOS names come last.
var InstanceShapes = []ShapeInfo{
	shape("LINUX_AMD64_2X4", MachineLinux, ArchAMD64, "Small", 2, 4, false),
	shape("LINUX_AMD64_4X16", MachineLinux, ArchAMD64, "Medium", 4, 16, false),
	shape("LINUX_AMD64_8X32", MachineLinux, ArchAMD64, "Large", 8, 32, false),
	shape("LINUX_AMD64_16X64", MachineLinux, ArchAMD64, "Extra Large", 16, 64, false),
	shape("LINUX_ARM64_2X4", MachineLinux, ArchARM64, "Small", 2, 4, false),
	shape("LINUX_ARM64_4X16", MachineLinux, ArchARM64, "Medium", 4, 16, false),
	shape("LINUX_ARM64_8X32", MachineLinux, ArchARM64, "Large", 8, 32, false),
	shape("LINUX_ARM64_16X64", MachineLinux, ArchARM64, "Extra Large", 16, 64, false),
	shape("LINUX_AMD64_32X128", MachineLinux, ArchAMD64, "Extra Extra Large", 32, 128, false),
	shape("LINUX_AMD64_64X256", MachineLinux, ArchAMD64, "3XL", 64, 256, false),
	shape("LINUX_ARM64_32X128", MachineLinux, ArchARM64, "Extra Extra Large", 32, 128, false),
	shape("LINUX_ARM64_64X256", MachineLinux, ArchARM64, "3XL", 64, 256, false),
	shape("MACOS_ARM64_M4_6X28", MachineMacOS, ArchARM64, "Medium", 6, 28, false),
	shape("MACOS_ARM64_M4_12X56", MachineMacOS, ArchARM64, "Large", 12, 56, false),
	shape("MACOS_M2_4X7", MachineMacOS, ArchARM64, "Small", 4, 7, true),
	shape("MACOS_M2_6X14", MachineMacOS, ArchARM64, "Medium", 6, 14, true),
	shape("MACOS_M2_12X28", MachineMacOS, ArchARM64, "Large", 12, 28, true),
	shape("MACOS_M4_12X56", MachineMacOS, ArchARM64, "Large", 12, 56, true),
}

// LookupShape finds a shape of the catalogue by name.
func LookupShape(name string) (ShapeInfo, bool) {
	for _, s := range InstanceShapes {
		if s.Name == name {
			return s, true
		}
	}
	return ShapeInfo{}, false
}

// ValidateNewShape checks that name may be chosen for a new hosted queue.
func ValidateNewShape(name string) error {
	s, ok := LookupShape(name)
	switch {
	case name == "":
		return fmt.Errorf("instance shape is required for a hosted queue")
	case !ok:
		return fmt.Errorf("instance shape %q is not one of Buildkite's hosted agent shapes", name)
	case s.Deprecated:
		return fmt.Errorf("instance shape %s was deprecated and removed on %s", name, ShapesRemovedOn.Format("2 January 2006"))
	}
	return nil
}

// ShapeOf describes a queue's shape as the API reported it: the
// catalogue's entry when the name is known, else the shape as sent, with
// the machine type, architecture, vCPU and memory the reply left out read
// from its name where the name tells them (LINUX_AMD64_128X512,
// MACOS_ARM64_M5_8X32), and marked Unknown. A screen shows the name as
// sent: an unknown shape is never "unknown" to a person.
func ShapeOf(s InstanceShape) ShapeInfo {
	if info, ok := LookupShape(s.Name); ok {
		return info
	}
	fromName := shapeFromName(s.Name)
	if s.MachineType == "" {
		s.MachineType = fromName.MachineType
	}
	if s.Architecture == "" {
		s.Architecture = fromName.Architecture
	}
	if s.CPU == 0 && s.Memory == 0 {
		s.CPU, s.Memory = fromName.CPU, fromName.Memory
	}
	return ShapeInfo{InstanceShape: s, Unknown: true}
}

// shapeFromName reads what a shape's name tells: LINUX_ or MACOS_ for the
// machine type, AMD64 or ARM64 for the architecture (macOS machines are
// Apple silicon: arm64), and a trailing CPUxMEMORY for vCPU and GB.
func shapeFromName(name string) InstanceShape {
	out := InstanceShape{Name: name}
	parts := strings.Split(strings.ToUpper(strings.TrimSpace(name)), "_")
	switch parts[0] {
	case "LINUX":
		out.MachineType = MachineLinux
	case "MACOS":
		out.MachineType, out.Architecture = MachineMacOS, ArchARM64
	}
	for _, p := range parts[1:] {
		switch p {
		case "AMD64", "X86_64", "X64":
			out.Architecture = ArchAMD64
		case "ARM64", "AARCH64":
			out.Architecture = ArchARM64
		}
	}
	if len(parts) > 1 {
		cpu, mem, ok := strings.Cut(parts[len(parts)-1], "X")
		c, errC := strconv.Atoi(cpu)
		m, errM := strconv.Atoi(mem)
		if ok && errC == nil && errM == nil {
			out.CPU, out.Memory = c, m
		}
	}
	return out
}

// ResizeAllowed checks the spec's rule for updating a hosted queue: only
// the size may change, never the machine type (macOS ↔ Linux) nor, for
// Linux, the architecture (AMD64 ↔ ARM64). The target must be a shape of
// the catalogue that can be chosen. A current shape outside the catalogue
// is judged by what its name tells (ShapeOf); what the name does not tell
// is left to the server.
func ResizeAllowed(from, to string) error {
	return ResizeAllowedFrom(InstanceShape{Name: from}, to)
}

// ResizeAllowedFrom is ResizeAllowed for the current shape as the API
// reported it, whose machine_type and architecture are used when its name
// is not in the catalogue.
func ResizeAllowedFrom(from InstanceShape, to string) error {
	if err := ValidateNewShape(to); err != nil {
		return err
	}
	cur := ShapeOf(from)
	next, _ := LookupShape(to)
	if cur.MachineType != "" && cur.MachineType != next.MachineType {
		return fmt.Errorf("cannot change the machine type from %s to %s; only the size can change", cur.MachineType, next.MachineType)
	}
	machine := cur.MachineType
	if machine == "" {
		machine = next.MachineType
	}
	if machine == MachineLinux && cur.Architecture != "" && cur.Architecture != next.Architecture {
		return fmt.Errorf("cannot change the architecture from %s to %s; only the size can change", cur.Architecture, next.Architecture)
	}
	return nil
}

// ResizeOptions lists the shapes a hosted queue of shape from may be
// resized to, in catalogue order, its current shape first when the
// catalogue does not have it (so a form can show it selected).
func ResizeOptions(from string) []ShapeInfo {
	return ResizeOptionsFrom(InstanceShape{Name: from})
}

// ResizeOptionsFrom is ResizeOptions for the current shape as the API
// reported it. For a shape whose machine type cannot be told, every shape
// that can be chosen is offered and the server decides.
func ResizeOptionsFrom(from InstanceShape) []ShapeInfo {
	var out []ShapeInfo
	if cur := ShapeOf(from); cur.Unknown && from.Name != "" {
		out = append(out, cur)
	}
	for _, s := range InstanceShapes {
		if ResizeAllowedFrom(from, s.Name) == nil {
			out = append(out, s)
		}
	}
	return out
}

// DescribeShape is one line about a shape for a screen: "Linux AMD64
// Small, 2 vCPU, 4 GB (LINUX_AMD64_2X4)"; a shape outside the catalogue
// gives what is known of it and its name as sent, and a deprecated one
// says so.
func DescribeShape(s InstanceShape) string {
	info := ShapeOf(s)
	var words []string
	switch info.MachineType {
	case MachineLinux:
		words = append(words, "Linux")
	case MachineMacOS:
		words = append(words, "macOS")
	case "":
	default:
		words = append(words, info.MachineType)
	}
	if info.Architecture != "" && info.MachineType != MachineMacOS {
		words = append(words, strings.ToUpper(info.Architecture))
	}
	if info.Size != "" {
		words = append(words, info.Size)
	}
	text := strings.Join(words, " ")
	if info.CPU > 0 || info.Memory > 0 {
		if text != "" {
			text += ", "
		}
		text += fmt.Sprintf("%d vCPU, %d GB", info.CPU, info.Memory)
	}
	name := info.Name
	switch {
	case name == "" && text == "":
		return "shape not reported"
	case name == "":
		return text
	case text == "":
		text = name
	default:
		text += " (" + name + ")"
	}
	switch {
	case info.Deprecated:
		text += ", removed on " + ShapesRemovedOn.Format("2 January 2006")
	case info.Unknown:
		text += ", not in this console's list of shapes"
	}
	return text
}
