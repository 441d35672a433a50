package ui

import (
	"context"
	"strings"
	"testing"
)

// Issue 27: a pipeline's slug follows a rename unless one is given, and
// one can be given on create and on edit; the form says the slug it will
// get before anything is sent.

func TestCreateAPipelineWithAChosenSlug(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Release Train")
	d.waitFor("slug: release-train")
	d.formKeys("enter") // name
	d.typeText("rt-2026")
	d.waitFor("slug: rt-2026")
	d.formKeys("enter", "enter") // slug, cluster
	d.typeText("git@github.com:acme-inc/release.git")
	d.formKeys("enter", "enter", "enter")                   // repository, branch, description
	d.formKeys("enter", "enter", "enter", "enter", "enter") // visibility, tags, teams, their access, teams by UUID
	d.formKeys("enter", "tab", "enter")                     // steps: YAML, configuration (default), nothing more
	d.waitFor("created pipeline Release Train (rt-2026)")

	if p := d.pipeline("rt-2026"); p.Name != "Release Train" {
		t.Fatalf("pipeline rt-2026 = %+v", p)
	}
	if _, err := d.env.Client.GetPipeline(context.Background(), "release-train"); err == nil {
		t.Fatal("a pipeline was made under the derived slug too")
	}
}

func TestRenameAPipelineWithAChosenSlug(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 50})
	openPipeline(d, "checkout", "Checkout")
	d.keys("e")
	d.waitFor("What do you want to change?")
	d.formKeys("space", "enter") // General
	d.waitFor("Name")
	d.formKeys("ctrl+u")
	d.typeText("Checkout Service")
	d.waitFor("slug checkout → checkout-service") // it would follow the name
	d.formKeys("enter")                           // name
	d.typeText("co-svc")
	d.waitFor("slug checkout → co-svc")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter") // slug, cluster, repository, branch, description, visibility, tags
	d.waitFor("Send 2 changes?", "Name: Checkout → Checkout Service", "Slug: checkout → co-svc")
	d.keys("enter")
	// The pipeline's screen shows what the server answered.
	d.waitFor("Pipelines › Checkout Service", "Slug              co-svc")

	if p := d.pipeline("co-svc"); p.Name != "Checkout Service" {
		t.Fatalf("pipeline co-svc = %+v", p)
	}
	for _, slug := range []string{"checkout", "checkout-service"} {
		if _, err := d.env.Client.GetPipeline(context.Background(), slug); err == nil {
			t.Fatalf("a pipeline is still (or also) at %s", slug)
		}
	}
}

// A slug another pipeline has is refused by the server (422 on "slug"):
// the form keeps every value and the focus goes to the Slug field.
func TestATakenSlugKeepsTheFormOnTheSlug(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	openPipelines(d)
	d.keys("n")
	d.waitFor("New pipeline")
	d.typeText("Gateway Two")
	d.formKeys("enter") // name
	d.typeText("api-gateway")
	d.waitFor("slug: api-gateway")
	d.formKeys("enter", "enter") // slug, cluster
	d.typeText("git@github.com:acme-inc/gateway-two.git")
	d.formKeys("enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	d.formKeys("enter", "tab", "enter")
	frame := d.waitFor("The server said: Validation Failed: slug: Slug has already been taken")
	if !strings.Contains(frame, "> api-gateway") {
		t.Fatalf("the form lost the slug:\n%s", frame)
	}
	focused := false
	for _, line := range strings.Split(frame, "\n") {
		switch strings.TrimSpace(line) {
		case "┃ Slug":
			focused = true
		case "┃ Name":
			t.Fatalf("the focus went back to Name:\n%s", frame)
		}
	}
	if !focused {
		t.Fatalf("the focus is not on the Slug:\n%s", frame)
	}
	d.formKeys("shift+tab")
	d.waitFor("> Gateway Two") // the name is kept too
	if _, err := d.env.Client.GetPipeline(context.Background(), "gateway-two"); err == nil {
		t.Fatal("a pipeline was made under the derived slug")
	}
}
