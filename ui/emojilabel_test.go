package ui

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// A step whose whole label is a Buildkite image-only shortcode shows it
// muted, not as its name's words; where words follow it is left out
// (issue 29, 12).
func TestAStepLabelledOnlyWithAnImageShortcodeIsMuted(t *testing.T) {
	t.Parallel()
	// The build's steps as a pipeline of Buildkite's emoji labels them:
	// one with only an image, one with an image before its words.
	labels := rewrite("", func(_ *http.Request, body []byte, _ http.Header) []byte {
		body = bytes.ReplaceAll(body, []byte(`":pipeline: Upload"`), []byte(`":docker:"`))
		return bytes.ReplaceAll(body, []byte(`":hammer: Build"`), []byte(`":eslint: Lint"`))
	})
	d := startDriver(t, driverOptions{width: 80, height: 24, wrap: labels})
	ctx := context.Background()
	p, err := d.env.Client.GetPipeline(ctx, "deploy-production")
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.env.Client.CreateBuild(ctx, p.Slug, model.BuildCreate{Branch: "main", Commit: "HEAD", Message: "Images"})
	if err != nil {
		t.Fatal(err)
	}
	d.open(func(c *common.Common) common.Screen { return screen.NewBuildScreen(c, p.Slug, b.Number) })
	frame := d.waitFor("STEP", "Lint", ":docker:")
	d.keys("j") // the cursor off the first step, which it highlights
	d.waitFor("› Lint")
	if strings.Contains(frame, ":eslint:") {
		t.Errorf("a shortcode beside words is shown:\n%s", frame)
	}
	muted := d.app.c.Styles.Muted.Render(":docker:")
	if raw := rawFrame(d); !strings.Contains(raw, muted) {
		t.Errorf("the step labelled :docker: is not drawn muted (%q):\n%q", muted, raw)
	}
}
