package model

import (
	"fmt"
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
	// Size is the spec's name for it: Small, Medium, Large, Extra Large.
	Size string
	// Deprecated shapes may still be reported on old queues but cannot be
	// chosen for a new queue or a resize.
	Deprecated bool
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

// InstanceShapes is the catalogue of the spec, Linux first then macOS,
// each by size; the deprecated macOS names come last.
var InstanceShapes = []ShapeInfo{
	shape("LINUX_AMD64_2X4", MachineLinux, ArchAMD64, "Small", 2, 4, false),
	shape("LINUX_AMD64_4X16", MachineLinux, ArchAMD64, "Medium", 4, 16, false),
	shape("LINUX_AMD64_8X32", MachineLinux, ArchAMD64, "Large", 8, 32, false),
	shape("LINUX_AMD64_16X64", MachineLinux, ArchAMD64, "Extra Large", 16, 64, false),
	shape("LINUX_ARM64_2X4", MachineLinux, ArchARM64, "Small", 2, 4, false),
	shape("LINUX_ARM64_4X16", MachineLinux, ArchARM64, "Medium", 4, 16, false),
	shape("LINUX_ARM64_8X32", MachineLinux, ArchARM64, "Large", 8, 32, false),
	shape("LINUX_ARM64_16X64", MachineLinux, ArchARM64, "Extra Large", 16, 64, false),
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

// ResizeAllowed checks the spec's rule for updating a hosted queue: only
// the size may change, never the machine type (macOS ↔ Linux) nor, for
// Linux, the architecture (AMD64 ↔ ARM64).
func ResizeAllowed(from, to string) error {
	if err := ValidateNewShape(to); err != nil {
		return err
	}
	cur, ok := LookupShape(from)
	if !ok {
		return fmt.Errorf("the queue's current instance shape %q is unknown", from)
	}
	next, _ := LookupShape(to)
	if cur.MachineType != next.MachineType {
		return fmt.Errorf("cannot change the machine type from %s to %s; only the size can change", cur.MachineType, next.MachineType)
	}
	if cur.MachineType == MachineLinux && cur.Architecture != next.Architecture {
		return fmt.Errorf("cannot change the architecture from %s to %s; only the size can change", cur.Architecture, next.Architecture)
	}
	return nil
}

// ResizeOptions lists the shapes a hosted queue of shape from may be
// resized to (its current shape included), in catalogue order.
func ResizeOptions(from string) []ShapeInfo {
	var out []ShapeInfo
	for _, s := range InstanceShapes {
		if ResizeAllowed(from, s.Name) == nil {
			out = append(out, s)
		}
	}
	return out
}
