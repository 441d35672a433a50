package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kiteconsole/kiteconsole/api/sandbox/sandboxtest"
)

var screenshots = flag.String("screenshots", "", "write each screenshot's HTML and text renderings into this directory")

// demoTokenValue stands in for a created token's value in pictures: the
// sandbox's value is no secret, but no picture shows one anyway.
const demoTokenValue = "demo0token0value0not0a0real0secret0a1b2c3d4e5f67"

// shots are the README's pictures: the real program, on the demo
// organisation, at a fixed size and clock.
type shot struct {
	name          string
	width, height int
	take          func(d *driver)
}

var shots = []shot{
	{"clusters", 110, 26, func(d *driver) { d.waitFor("Production", "DEFAULT QUEUE", "PAUSED") }},
	{"cluster-queues", 110, 26, func(d *driver) { openMobile(d); d.waitFor("Xcode") }},
	{"pause-note", 110, 26, func(d *driver) {
		openMobile(d)
		d.keys("p")
		d.typeText("disk full on the Android agents, INC-4822")
		d.waitFor("Pause default (Mobile)")
	}},
	{"hosted-queue", 110, 28, func(d *driver) {
		openMobile(d)
		d.keys("/")
		d.typeText("macos")
		d.keys("enter", "enter", "tab", "tab")
		d.waitFor("Instance shape", "Paused by")
	}},
	{"token-created", 110, 26, func(d *driver) {
		openTokens(d, "Mobile")
		d.keys("n")
		d.waitFor("New agent token in Mobile")
		d.typeText("Mac mini fleet 2027")
		d.formKeys("enter")
		d.typeText("90d")
		d.formKeys("enter")
		d.typeText("203.0.113.0/24")
		d.formKeys("enter")
		d.waitFor("Agent token created")
	}},
	{"pipelines-filtered", 110, 26, func(d *driver) {
		openPipelines(d)
		d.keys("/")
		d.typeText("ios")
		d.waitFor("iOS App")
	}},
	{"pipeline-form", 110, 32, func(d *driver) {
		openPipelines(d)
		d.keys("n")
		d.waitFor("New pipeline")
		d.typeText("Release Train")
		d.waitFor("slug: release-train")
	}},
	{"pipeline", 110, 44, func(d *driver) {
		openPipeline(d, "api gateway", "API Gateway")
		d.waitFor("Provider  GitHub", "Skip existing PR commits")
	}},
	{"pipeline-review", 110, 26, func(d *driver) {
		openPipeline(d, "api gateway", "API Gateway")
		d.keys("e")
		d.waitFor("What do you want to change?")
		d.formKeys("down", "down", "space", "enter")
		d.waitFor("Branch filter")
		d.typeText("main release/*")
		d.formKeys("enter", "right", "enter", "enter", "enter", "enter", "enter", "enter")
		d.waitFor("Send 2 changes?")
	}},
	{"help", 110, 26, func(d *driver) { d.waitFor("Production"); d.keys("?"); d.waitFor("Keys of this screen") }},
}

// liveShots are pictures of the live simulation (builds, jobs, logs), its
// clock standing still.
var liveShots = map[string]bool{"build": true, "job-log": true, "queue-agents": true, "queue-waiting": true, "paused": true}

func init() {
	shots = append(shots,
		shot{"queue-agents", 110, 26, func(d *driver) {
			openQueue(d, "Production", "default")
			d.waitFor("busy")
		}},
		shot{"queue-waiting", 110, 26, func(d *driver) {
			openQueue(d, "Mobile", "macos")
			d.keys("tab")
			d.waitFor("PIPELINE", "WAITING SINCE")
		}},
		shot{"paused", 110, 16, func(d *driver) {
			d.waitFor("Production", "DEFAULT QUEUE")
			d.keys(":")
			d.typeText("paused")
			d.keys("enter")
			d.waitFor("Paused queues and agents", "Xcode")
		}},
		shot{"build", 110, 20, func(d *driver) {
			d.waitFor("Production", "DEFAULT QUEUE")
			d.keys(":")
			d.typeText("deploy production")
			d.settle() // the pipelines are in: the palette lists it
			d.keys("enter")
			d.waitFor("Repository")
			d.keys("tab")
			d.waitFor("Builds (5)")
			d.keys("j", "enter")
			d.waitFor("deploy-production #4", "EXIT")
		}},
		shot{"job-log", 110, 26, func(d *driver) {
			d.waitFor("Production", "DEFAULT QUEUE")
			d.keys(":")
			d.typeText("deploy production")
			d.settle() // the pipelines are in: the palette lists it
			d.keys("enter")
			d.waitFor("Repository")
			d.keys("tab")
			d.waitFor("Builds (5)")
			d.keys("j", "j", "enter")
			d.waitFor("deploy-production #3", "EXIT")
			d.keys("j", "enter", "T")
			d.waitFor("T hides timestamps", "✔ Done")
		}},
	)
}

// TestScreenshotsAreCurrent renders every picture's screen and compares
// it with the text rendering kept beside its PNG in screenshots/: a change
// to a screen fails here until scripts/screenshots.sh remakes the pictures.
func TestScreenshotsAreCurrent(t *testing.T) {
	t.Parallel()
	for _, s := range shots {
		t.Run(s.name, func(t *testing.T) {
			o := driverOptions{width: s.width, height: s.height}
			if liveShots[s.name] {
				o.clock = sandboxtest.NewClock()
			}
			d := startDriver(t, o)
			s.take(d)
			raw := rawFrame(d)
			// Styles run into the value in the raw frame, so find it in the
			// plain text and replace it in both.
			for _, v := range tokenValue.FindAllString(ansi.Strip(raw), -1) {
				raw = strings.ReplaceAll(raw, v, demoTokenValue)
			}
			// The sandbox's address as `kiteconsole sandbox` prints it.
			raw = strings.ReplaceAll(raw, d.env.Server.URL, "http://127.0.0.1:8089")
			text := ansi.Strip(raw)
			if tokenValue.MatchString(text) && !strings.Contains(text, demoTokenValue) {
				t.Fatal("a token value is in the picture")
			}
			if *screenshots != "" {
				for ext, body := range map[string]string{".html": ansiHTML(raw), ".txt": text} {
					if err := os.WriteFile(filepath.Join(*screenshots, s.name+ext), []byte(body), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			want, err := os.ReadFile(filepath.Join("..", "screenshots", s.name+".txt"))
			if err != nil {
				t.Fatalf("no screenshots/%s.txt: run scripts/screenshots.sh (%v)", s.name, err)
			}
			if string(want) != text {
				t.Errorf("the %s screen has changed since its picture was made: run scripts/screenshots.sh\n--- picture\n%s\n--- screen\n%s", s.name, want, text)
			}
		})
	}
}
