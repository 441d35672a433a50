package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// Every screen at 80×24 and 160×48, as plain text: the colour profile is
// out of the picture, and what a person reads is what is compared.
var goldenSizes = [][2]int{{80, 24}, {160, 48}}

func forSizes(t *testing.T, name string, run func(t *testing.T, d *driver) string) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := startDriver(t, driverOptions{width: size[0], height: size[1]})
			frame := run(t, d)
			if lines := strings.Count(frame, "\n") + 1; lines != size[1] {
				t.Errorf("the frame has %d lines, want %d", lines, size[1])
			}
			golden(t, fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), frame)
		})
	}
}

// openMobile goes from the home screen into the Mobile cluster.
func openMobile(d *driver) {
	d.waitFor("Mobile", "PAUSED")
	d.keys("/")
	d.typeText("mobile")
	d.keys("enter", "enter")
	d.waitFor("macos-large", "Queues (3)")
}

func TestGoldenClusters(t *testing.T) {
	t.Parallel()
	forSizes(t, "clusters", func(t *testing.T, d *driver) string {
		return d.waitFor("Production", "Sandbox", "DEFAULT QUEUE")
	})
}

func TestGoldenClustersFiltered(t *testing.T) {
	t.Parallel()
	forSizes(t, "clusters-filtered", func(t *testing.T, d *driver) string {
		d.waitFor("Production", "Sandbox")
		d.keys("/")
		d.typeText("da")
		return d.waitFor("of 5")
	})
}

func TestGoldenCluster(t *testing.T) {
	t.Parallel()
	forSizes(t, "cluster", func(t *testing.T, d *driver) string {
		openMobile(d)
		return d.waitFor("Xcode")
	})
}

func TestGoldenQueue(t *testing.T) {
	t.Parallel()
	forSizes(t, "queue-paused", func(t *testing.T, d *driver) string {
		openMobile(d)
		d.keys("/")
		d.typeText("macos")
		d.keys("enter", "enter")
		d.waitFor("Agents (")
		d.keys("shift+tab") // the queue's settings
		return d.waitFor("Instance shape", "Paused by")
	})
}

func TestGoldenPauseNote(t *testing.T) {
	t.Parallel()
	forSizes(t, "pause-note", func(t *testing.T, d *driver) string {
		openMobile(d)
		d.keys("p")
		d.typeText("disk full")
		return d.waitFor("Pause default (Mobile)", "disk full")
	})
}

func TestGoldenHelp(t *testing.T) {
	t.Parallel()
	forSizes(t, "help", func(t *testing.T, d *driver) string {
		d.waitFor("Production")
		d.keys("?")
		return d.waitFor("Keys of", "Everywhere")
	})
}

func TestGoldenDeleteConfirm(t *testing.T) {
	t.Parallel()
	forSizes(t, "delete-cluster", func(t *testing.T, d *driver) string {
		d.waitFor("Sandbox", "PAUSED")
		d.keys("G", "d")
		return d.waitFor("Delete cluster Sandbox?", "Type Sandbox to confirm")
	})
}

func TestGoldenQueueForm(t *testing.T) {
	t.Parallel()
	forSizes(t, "queue-form", func(t *testing.T, d *driver) string {
		openMobile(d)
		d.keys("n")
		return d.waitFor("New queue in Mobile", "Agents")
	})
}

func TestGoldenClusterForm(t *testing.T) {
	t.Parallel()
	forSizes(t, "cluster-form", func(t *testing.T, d *driver) string {
		d.waitFor("Mobile", "PAUSED")
		d.keys("j", "j", "e")
		return d.waitFor("Edit Mobile", "Default queue")
	})
}

func TestGoldenReadOnly(t *testing.T) {
	t.Parallel()
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := startDriver(t, driverOptions{width: size[0], height: size[1], readOnly: true})
			openMobile(d)
			d.keys("p")
			golden(t, fmt.Sprintf("read-only-%dx%d", size[0], size[1]), d.waitFor("READ-ONLY", "read-only mode: pausing is turned off"))
		})
	}
}

// liveGolden is forSizes on the sandbox's live simulation, its clock
// standing still: the builds and jobs are the same on every run.
func liveGolden(t *testing.T, name string, run func(t *testing.T, d *driver) string) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d, _ := liveDriver(t, driverOptions{width: size[0], height: size[1]})
			frame := run(t, d)
			if lines := strings.Count(frame, "\n") + 1; lines != size[1] {
				t.Errorf("the frame has %d lines, want %d", lines, size[1])
			}
			golden(t, fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), frame)
		})
	}
}

func TestGoldenPipelineBuilds(t *testing.T) {
	t.Parallel()
	liveGolden(t, "pipeline-builds", func(t *testing.T, d *driver) string {
		p := d.pipeline("deploy-production")
		d.open(func(c *common.Common) common.Screen { return screen.NewPipelineScreen(c, p) })
		d.waitFor("Repository")
		d.keys("tab")
		return d.waitFor("Builds (5)", "Refactor the queue")
	})
}

func TestGoldenBuild(t *testing.T) {
	t.Parallel()
	liveGolden(t, "build", func(t *testing.T, d *driver) string {
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
		return d.waitFor("deploy-production #3", "Release?", "EXIT")
	})
}

func TestGoldenJobLog(t *testing.T) {
	t.Parallel()
	liveGolden(t, "job-log", func(t *testing.T, d *driver) string {
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
		d.waitFor("deploy-production #3", "Release?", "EXIT")
		d.keys("j", "enter")
		return d.waitFor("T shows timestamps", "✔ Done")
	})
}

func TestGoldenOrgBuilds(t *testing.T) {
	t.Parallel()
	liveGolden(t, "builds", func(t *testing.T, d *driver) string {
		d.keys(":")
		d.typeText("builds")
		d.keys("enter")
		return d.waitFor("Running, scheduled and failing builds", "PIPELINE")
	})
}

func TestGoldenUnblockForm(t *testing.T) {
	t.Parallel()
	liveGolden(t, "unblock-form", func(t *testing.T, d *driver) string {
		d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, "deploy-production", 3) })
		d.waitFor("deploy-production #3", "Release?")
		d.keys("/")
		d.typeText("release")
		d.keys("enter", "u")
		return d.waitFor("Release name *", "Environment *")
	})
}
