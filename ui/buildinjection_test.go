package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// evilLog is a log a build's step printed to drive the operator's
// terminal: write its clipboard (OSC 52), set its title, clear it, a DCS
// query, 8-bit C1 controls, a hyperlink and a cursor report, around
// coloured lines that must keep their colours.
const evilLog = "\x1b_bk;t=1780315200000\x07\x1b[32mgreen-line\x1b[0m\n" +
	"\x1b]52;c;cm0gLXJmIH4=\x07clipboard-line\n" +
	"\x1b]0;pwned\x07\x1b]2;pwned\x1b\\title-line\n" +
	"\x1b[2J\x1b[Hclear-line\x1b[6n\n" +
	"\x1bP+q544e\x1b\\dcs-line\n" +
	"\u009b2J\u009d0;pwned\u009cc1-line\x85\n" +
	"\x1b]8;;http://evil.example\x07link-line\x1b]8;;\x07\n" +
	"\x1b[1;31mred-bold-line\x1b[0m \u202eevil\n"

// logDangerous are sequences no frame of a log ever holds.
var logDangerous = append([]string{"\x1b]52", "\x1b]0;", "\x1b]2;", "\x1b]8;", "\x1b[6n", "\u009d", "\u0085", "\u009c", "pwned"}, dangerous...)

func TestALogCannotDriveTheTerminalButKeepsItsColours(t *testing.T) {
	t.Parallel()
	var evilJob string
	serveEvil := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if evilJob == "" || !strings.HasSuffix(r.URL.Path, "/jobs/"+evilJob+"/log") {
				h.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Range", "bytes 0-"+itoa(len(evilLog)-1)+"/"+itoa(len(evilLog)))
			w.WriteHeader(http.StatusPartialContent)
			_, _ = w.Write([]byte(evilLog))
		})
	}
	d, _ := liveDriver(t, driverOptions{width: 160, height: 48, wrap: serveEvil})
	ctx := context.Background()
	made, err := d.env.Client.CreateBuild(ctx, "deploy-production", model.BuildCreate{Branch: "main" + evil, Commit: "HEAD",
		Message: "message " + evil + "\nsecond line"})
	if err != nil {
		t.Fatal(err)
	}
	b := d.build("deploy-production", made.Number)
	evilJob = b.Jobs[0].ID

	check := func(where string) {
		t.Helper()
		frame := rawFrame(d)
		for _, bad := range logDangerous {
			if strings.Contains(frame, bad) {
				t.Fatalf("%s: the frame holds %q", where, bad)
			}
		}
		for i, line := range strings.Split(frame, "\n") {
			if w := lipgloss.Width(line); w > 160 {
				t.Fatalf("%s: line %d is %d wide", where, i, w)
			}
		}
	}
	p := d.pipeline("deploy-production")
	d.open(func(c *common.Common) common.Screen { return screen.NewPipelineBuildsScreen(c, p) })
	d.waitFor("message ", "mevil")
	check("builds")
	d.keys("enter")
	d.waitFor("deploy-production #", "mevil", "STEP")
	check("build")
	// Its first job waits for an agent (enter would open its queue):
	// open its log as if it had run.
	job := b.Jobs[0]
	job.State = model.JobPassed
	d.open(func(c *common.Common) common.Screen {
		return screen.NewJobLogScreen(c, "deploy-production", made.Number, job)
	})
	frame := d.waitFor("green-line", "clipboard-line", "title-line", "clear-line", "dcs-line", "c1-line", "link-line", "red-bold-line")
	check("log")
	raw := rawFrame(d)
	for _, coloured := range []string{"\x1b[32mgreen-line", "\x1b[1;31mred-bold-line"} {
		if !strings.Contains(raw, coloured) {
			t.Errorf("the log lost the colour of %q", coloured[strings.IndexByte(coloured, 'm')+1:])
		}
	}
	if !strings.Contains(frame, "red-bold-line evil") {
		t.Errorf("the text around a dropped mark is gone:\n%s", frame)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
