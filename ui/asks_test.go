package ui

import (
	"context"
	"strconv"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// A request a key makes of the root model (open a dialog, the pause's
// prompt) is acted on before the next key is read, however fast that key
// comes: these tests send keys in one burst, no reply taken in between,
// as a paste or a fast typist gives them to bubbletea. Were requests sent
// as commands' messages, the next key would reach the list under the
// dialog.

// burst sends keys one after another without taking in any reply between
// them.
func (d *driver) burst(names ...string) {
	d.takeReplies()
	for _, n := range names {
		d.send(keyPress(n))
	}
}

func TestConfirmationTakesAKeySentInTheSameBurst(t *testing.T) {
	t.Parallel()
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48})
	p := d.pipeline("deploy-production")
	made, err := d.env.Client.CreateBuild(context.Background(), p.Slug, model.BuildCreate{Branch: p.DefaultBranch, Commit: "HEAD", Message: "Ship the console"})
	if err != nil {
		t.Fatal(err)
	}
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
	d.waitFor("Ship the console")
	d.keys("g")
	// C asks the question; y, in the same burst, answers it (on the list
	// y copies the build's ID).
	d.burst("C", "y")
	d.waitFor("cancelled deploy-production #" + strconv.Itoa(made.Number))
	if b := d.build(p.Slug, made.Number); b.State != model.BuildCanceled && b.State != model.BuildCanceling {
		t.Errorf("the build is %s after C y", b.State)
	}
}

func TestPausePromptTakesTheNoteTypedInTheSameBurst(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 200, height: 30})
	openMobile(d)
	// p opens the prompt; the note and enter follow at once.
	d.burst("p", "d", "i", "s", "k", "enter")
	d.waitFor("default paused")
	if _, q := findQueue(t, d, "Mobile", "default"); !q.DispatchPaused || model.Value(q.DispatchPausedNote) != "disk" {
		t.Fatalf("sandbox queue = paused %v, note %q", q.DispatchPaused, model.Value(q.DispatchPausedNote))
	}
}
