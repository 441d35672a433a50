package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
)

func openPipeline(d *driver, filter, name string) {
	openPipelines(d)
	d.keys("/")
	d.typeText(filter)
	d.keys("enter")
	d.waitFor(name)
	d.keys("enter")
	d.waitFor("General", "Skip queued") // Provider may be below an 80×24 screen
}

// The on-call change of a GitHub pipeline: its branch filter and trigger
// mode, through the edit form's Builds and Provider sections, reviewed
// before it is sent, and read back from the sandbox.
func TestEditTriggerModeAndBranchFilter(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipeline(d, "api gateway", "API Gateway")
	d.keys("e")
	d.waitFor("What do you want to change?")
	d.formKeys("down", "down", "space", "down", "space", "enter") // Builds and Provider
	d.waitFor("Branch filter")
	d.typeText("main release/*")
	// The rest of Builds: skip, its filter, cancel, its filter, env, template.
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter")
	d.waitFor("Filter enabled")
	d.formKeys("enter", "enter")          // filter enabled, condition
	d.formKeys("enter", "enter", "enter") // branches, pull requests, tags
	d.waitFor("Publish commit status")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter")
	d.waitFor("Trigger mode", "deployment: builds when a GitHub deployment is created")
	d.formKeys("down", "enter") // code → deployment
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter")
	frame := d.waitFor("Send 2 changes?")
	for _, want := range []string{"Branch filter: — → main release/*", "Trigger mode: code → deployment"} {
		if !strings.Contains(frame, want) {
			t.Fatalf("the review lacks %q:\n%s", want, frame)
		}
	}
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("sent before the yes: %q", w)
	}
	d.keys("enter")
	d.waitFor("updated pipeline API Gateway")
	p, err := d.env.Client.GetPipeline(context.Background(), "api-gateway")
	if err != nil {
		t.Fatal(err)
	}
	if model.Value(p.BranchConfiguration) != "main release/*" || model.Value(p.Provider.Settings.TriggerMode) != "deployment" {
		t.Fatalf("branch filter %q, trigger mode %q", model.Value(p.BranchConfiguration), model.Value(p.Provider.Settings.TriggerMode))
	}
	// Only what changed was sent.
	if w := d.writes(); len(w) != 1 || !strings.HasPrefix(w[0], "PATCH ") {
		t.Fatalf("writes = %q", w)
	}
	d.waitFor("Trigger mode                  deployment", "Branch filter     main release/*")
}

// esc on the review goes back to the form with every value kept; an edit
// that changes nothing sends nothing.
func TestEditReviewGoesBackAndNothingChangedSendsNothing(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipeline(d, "checkout", "Checkout")
	d.keys("e")
	d.waitFor("What do you want to change?")
	d.formKeys("space", "enter") // General
	d.waitFor("Name")
	d.formKeys("enter", "enter", "enter", "enter", "enter") // name, slug, cluster, repository, branch
	d.typeText("Payments")
	d.formKeys("enter", "enter", "enter")
	d.waitFor("Send 1 change?", "Description: — → Payments")
	d.keys("esc")
	d.waitFor("What do you want to change?")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter")
	d.waitFor("Payments")
	d.formKeys("ctrl+u") // clear it again
	d.formKeys("enter", "enter", "enter")
	d.waitFor("nothing changed, nothing was sent")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("writes = %q", w)
	}
}

func TestCreateAVisualStepPipeline(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Visual Release")
	d.formKeys("enter", "enter", "enter") // name, slug, cluster
	d.typeText("git@github.com:acme-inc/visual.git")
	d.waitFor("slug: visual-release · GitHub")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter") // repository, branch, description, visibility, tags, teams, their access, teams by UUID
	d.waitFor("YAML configuration (recommended)")
	d.formKeys("down", "enter") // visual steps
	d.waitFor("Visual steps", "Build | make build")
	d.formKeys("enter") // the example steps
	d.waitFor("Also set now?")
	d.formKeys("enter")
	d.waitFor("created pipeline Visual Release (visual-release)")
	p, err := d.env.Client.GetPipeline(context.Background(), "visual-release")
	if err != nil {
		t.Fatal(err)
	}
	if p.Configuration != "" || len(p.Steps) != 4 || p.Steps[1].Type != model.StepWaiter || p.Steps[2].Type != model.StepManual ||
		model.Value(p.Steps[3].Command) != "make release" || model.Value(p.Steps[0].Name) != "Build" {
		t.Fatalf("steps = %+v", p.Steps)
	}
	d.keys("/")
	d.typeText("visual")
	d.keys("enter")
	d.waitFor("Visual Release")
	d.keys("enter")
	d.waitFor("Provider  GitHub")
	d.keys("pgdown")
	d.waitFor("Steps  (visual steps)", "1. Build: make build", "2. wait", "3. block Release?")
}

func TestAddAWebhook(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipeline(d, "checkout", "Checkout")
	d.keys("W")
	d.waitFor("webhook created: pushes to git@github.com:acme-inc/checkout.git now trigger builds of Checkout")
	d.keys("W")
	d.waitFor("adding a webhook to Checkout failed: Webhooks could not be created for your repository.")
	if _, hooked := d.env.Sandbox.PipelineTeams("checkout"); !hooked {
		t.Fatal("no webhook in the sandbox")
	}
	d.keys("esc")
	d.keys("/")
	d.keys("ctrl+u")
	d.typeText("feature store")
	d.keys("enter")
	d.waitFor("Feature Store")
	d.keys("enter")
	d.waitFor("Provider  GitLab")
	d.keys("W")
	d.waitFor("adding a webhook to Feature Store failed: Auto-creating webhooks is not supported for your repository.")
}

// A token without write scopes: the API's 403 is said plainly, as
// Buildkite words it (naming the scope), for an archive and for a webhook.
func TestArchiveAndWebhookForbidden(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 140, height: 50, readScopesOnly: true})
	openPipeline(d, "checkout", "Checkout")
	d.keys("a")
	d.waitFor("Archive pipeline Checkout?")
	d.keys("y")
	d.waitFor("archiving Checkout failed: Your access token doesn't have the write_pipelines scope")
	d.keys("W")
	d.waitFor("adding a webhook to Checkout failed: Your access token doesn't have the write_pipelines scope")
}

func TestArchiveTwiceSaysTheAPIsMessage(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 140, height: 50})
	openPipeline(d, "checkout", "Checkout")
	// Someone else archives it first; ours then fails as the spec says.
	if _, err := d.env.Client.ArchivePipeline(context.Background(), "checkout"); err != nil {
		t.Fatal(err)
	}
	d.keys("a")
	d.waitFor("Archive pipeline Checkout?")
	d.keys("y")
	d.waitFor("archiving Checkout failed: Pipeline could not be archived.")
}

// The palette loads the pipelines when it opens; once they are in, the
// open palette finds them (it used to keep the list it opened with).
func TestPaletteFindsPipelinesLoadedWhileOpen(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	d.waitFor("Production", "PAUSED")
	d.keys(":")
	d.typeText("inventory")
	d.waitFor("Inventory (inventory)")
	d.keys("enter")
	d.waitFor("Provider  Bitbucket Server", "Build tags")
}

// Every section of the edit form's first question shows, at 80x24 too.
func TestGoldenPipelineEditSections(t *testing.T) {
	t.Parallel()
	forSizes(t, "pipeline-edit-sections", func(t *testing.T, d *driver) string {
		openPipeline(d, "api gateway", "API Gateway")
		d.keys("e")
		return d.waitFor("What do you want to change?", "Provider (GitHub triggers, statuses, filters)")
	})
}
