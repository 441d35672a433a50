package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kiteconsole/kiteconsole/api/sandbox"
	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

func openPipelines(d *driver) {
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("Pipelines  ", "API Gateway")
}

func TestGoldenPipelines(t *testing.T) {
	t.Parallel()
	forSizes(t, "pipelines", func(t *testing.T, d *driver) string {
		openPipelines(d)
		return d.waitFor("API Gateway")
	})
}

func TestGoldenPipelinesFiltered(t *testing.T) {
	t.Parallel()
	forSizes(t, "pipelines-filtered", func(t *testing.T, d *driver) string {
		openPipelines(d)
		d.keys("/")
		d.typeText("ios")
		return d.waitFor("iOS App")
	})
}

func TestGoldenPipeline(t *testing.T) {
	t.Parallel()
	forSizes(t, "pipeline", func(t *testing.T, d *driver) string {
		openPipelines(d)
		d.keys("enter")
		return d.waitFor("Repository", "Default branch")
	})
}

func TestGoldenPipelineForm(t *testing.T) {
	t.Parallel()
	forSizes(t, "pipeline-form", func(t *testing.T, d *driver) string {
		openPipelines(d)
		d.keys("n")
		d.waitFor("New pipeline")
		d.typeText("My New  Pipeline")
		return d.waitFor("slug: my-new-pipeline")
	})
}

func TestGoldenClusterPipelinesTab(t *testing.T) {
	t.Parallel()
	forSizes(t, "cluster-pipelines", func(t *testing.T, d *driver) string {
		openTokens(d, "Mobile")
		d.keys("tab")
		return d.waitFor("Pipelines (6)", "iOS App")
	})
}

func TestGoldenPalette(t *testing.T) {
	t.Parallel()
	forSizes(t, "palette", func(t *testing.T, d *driver) string {
		d.waitFor("Production", "PAUSED")
		d.keys(":")
		d.typeText("mac")
		return d.waitFor("Mobile/macos")
	})
}

func TestCreateAPipelineWithItsDerivedSlug(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Release   Train 2026")
	d.waitFor("slug: release-train-2026")
	d.formKeys("enter", "enter")        // name, slug (from the name)
	d.formKeys("down", "down", "enter") // cluster: Mobile
	d.typeText("git@github.com:acme-inc/release.git")
	d.formKeys("enter", "enter", "enter")                   // repository, branch, description
	d.formKeys("enter", "enter", "enter", "enter", "enter") // visibility, tags, teams, their access, teams by UUID
	d.formKeys("enter", "tab", "enter")                     // steps: YAML, configuration (default), nothing more
	d.waitFor("created pipeline Release   Train 2026 (release-train-2026)")

	p, err := d.env.Client.GetPipeline(context.Background(), "release-train-2026")
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := findQueue(t, d, "Mobile", "default")
	if model.Value(p.ClusterID) != cl.ID || p.Configuration != model.DefaultConfiguration || p.DefaultBranch != "main" {
		t.Fatalf("pipeline = %+v", p)
	}
}

func TestDuplicatePipelineNameKeepsTheForm(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("api gateway")
	d.formKeys("enter", "enter", "enter")
	d.typeText("git@github.com:acme-inc/other.git")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	d.formKeys("enter", "tab", "enter")
	frame := d.waitFor("The server said: Validation Failed: name: Name has already been taken")
	if !strings.Contains(frame, "api gateway") {
		t.Fatalf("the form lost the name:\n%s", frame)
	}
}

func TestArchiveThenUnarchiveThenDelete(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 140, height: 30})
	openPipelines(d)
	d.keys("/")
	d.typeText("checkout")
	d.keys("enter")
	d.waitFor("Checkout")
	d.keys("a")
	d.waitFor("Archive pipeline Checkout?")
	d.keys("enter") // the default: cancel
	d.waitFor("canceled: nothing was changed")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("sent %q", w)
	}
	d.keys("a")
	d.waitFor("Archive pipeline Checkout?")
	d.keys("y")
	d.waitFor("archived Checkout")
	if p, _ := d.env.Client.GetPipeline(context.Background(), "checkout"); !p.Archived() {
		t.Fatal("not archived in the sandbox")
	}
	d.waitFor("nothing matches") // archived pipelines are hidden
	d.keys("H")
	d.waitFor("archived")
	d.keys("a") // unarchive: at once
	d.waitFor("unarchived Checkout")
	if p, _ := d.env.Client.GetPipeline(context.Background(), "checkout"); p.Archived() {
		t.Fatal("still archived")
	}

	d.keys("d")
	d.waitFor("Delete pipeline Checkout?", "Type checkout to confirm")
	d.typeText("checkou")
	d.keys("enter")
	d.waitFor("nothing was sent")
	d.typeText("t")
	d.keys("enter")
	d.waitFor("deleted pipeline Checkout")
	if _, err := d.env.Client.GetPipeline(context.Background(), "checkout"); err == nil {
		t.Fatal("the pipeline is still there")
	}
}

func TestPaletteJumpsToAQueueByPartOfItsKey(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("linux-la")
	d.waitFor("Production/linux-large")
	d.keys("enter")
	d.waitFor("Agents (")
	d.keys("shift+tab") // the queue's settings
	frame := d.waitFor("Instance shape", "LINUX_AMD64_8X32")
	if !strings.Contains(frame, "acme › Production › linux-large") {
		t.Fatalf("breadcrumbs:\n%s", frame)
	}
	// The palette remembers: ctrl+p brings back what was run; ↑ and ↓
	// move through the suggestions (issue 29, 17).
	d.keys(":", "ctrl+p")
	d.waitFor(":linux-la")
	d.keys("ctrl+n")
	d.waitUntil("cleared the history's text", false, func(f string) bool { return !strings.Contains(f, ":linux-la") })
	d.typeText("e")
	first := d.waitFor("› ")
	d.keys("down")
	second := d.waitFor("› ")
	pick := func(f string) string {
		for _, line := range strings.Split(f, "\n") {
			if l := strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "│")); strings.HasPrefix(l, "› ") {
				return l
			}
		}
		return ""
	}
	if pick(first) == "" || pick(first) == pick(second) || strings.Contains(second, ":linux-la") {
		t.Fatalf("↓ did not move to the next suggestion: %q then %q", pick(first), pick(second))
	}
	d.keys("up")
	if got := pick(d.waitFor("› ")); got != pick(first) {
		t.Fatalf("↑ went to %q, want %q", got, pick(first))
	}
	d.keys("esc")
}

func TestGoldenArchiveConfirm(t *testing.T) {
	t.Parallel()
	forSizes(t, "archive-confirm", func(t *testing.T, d *driver) string {
		openPipelines(d)
		d.keys("a")
		return d.waitFor("Archive pipeline acme-cli?")
	})
}

func TestGoldenRevokeConfirm(t *testing.T) {
	t.Parallel()
	forSizes(t, "revoke-confirm", func(t *testing.T, d *driver) string {
		openTokens(d, "Mobile")
		d.waitFor("Mac mini fleet")
		d.keys("d")
		return d.waitFor("Revoke token Mac mini fleet?")
	})
}

func TestCopyAndBrowseWithoutABrowser(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	d.p.Send(probe{fn: func(a *App) { a.c.Remote = true }}) // as over SSH: no browser here
	d.waitFor("Production", "PAUSED")
	// In the demo (the driver's console is one) the sandbox's pages,
	// http:// on its own loopback address, are copied, as the README says.
	d.keys("o")
	d.waitFor("the demo's sandbox serves no web pages: sent the address to the clipboard (OSC 52): http://sandbox")
	d.keys("y")
	d.waitFor("sent the cluster's URL to the clipboard (OSC 52): http://sandbox")
	// Elsewhere they are not a page o opens or y copies.
	d.p.Send(probe{fn: func(a *App) { a.c.Demo = false }})
	d.keys("o")
	d.waitFor("not opened: not a Buildkite page: only https:// addresses are opened")
	d.keys("y")
	d.waitFor("not copied: not a Buildkite page")
	d.keys("Y")
	d.waitFor("sent the cluster's ID to the clipboard (OSC 52)")
}

// In a large organisation the pipelines screen fetches what fills it and
// more as the cursor goes down, not every page; a filter asks the server
// for what is not loaded; coming back costs nothing.
func TestPipelinesLoadAsYouScroll(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 140, height: 30, size: sandbox.SizeLarge, latency: 20 * time.Millisecond})
	d.waitFor("payments-01", "PAUSED")
	before := len(d.env.Sandbox.Requests())
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	frame := d.waitFor("100 of about 10,000 · more as you scroll")
	if !strings.Contains(frame, "›") {
		t.Fatalf("no rows:\n%s", frame)
	}
	if n := pipelineLists(d.env, before); n != 1 {
		t.Fatalf("opening the list made %d requests for it, want 1", n)
	}
	// G goes to the true end: the last page comes, one request.
	d.keys("G")
	d.waitFor("Pipelines  10,000 · ", " loaded · more as you scroll")
	if n := pipelineLists(d.env, before); n != 2 {
		t.Fatalf("%d list requests after G, want 2", n)
	}
	// A filter finds what is not loaded: the server is asked.
	d.keys("/")
	d.typeText("payments core")
	d.advance(screen.FilterDebounce) // typing pauses
	d.waitFor("/payments core", "› payments core")
	d.keys("esc", "esc") // clear the filter, then back home
	d.waitFor("payments-01")
	// Coming back shows the list at once, without a request.
	before = len(d.env.Sandbox.Requests())
	d.keys(":")
	d.typeText("pipelines")
	d.keys("enter")
	d.waitFor("more as you scroll")
	if n := pipelineLists(d.env, before); n != 0 {
		t.Fatalf("reopening made %d requests for the list", n)
	}
}
