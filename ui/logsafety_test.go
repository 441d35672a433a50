package ui

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/common"
	"github.com/kiteconsole/kiteconsole/ui/screen"
)

// servedLog serves, in front of the sandbox, the log of one job as given,
// answering suffix ranges as the API does.
type servedLog struct {
	jobID atomic.Value
	log   atomic.Value
}

func (l *servedLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := l.jobID.Load().(string)
		if id == "" || !strings.HasSuffix(r.URL.Path, "/jobs/"+id+"/log") {
			h.ServeHTTP(w, r)
			return
		}
		log, _ := l.log.Load().([]byte)
		body := log
		if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=-"); ok {
			n, _ := strconv.Atoi(spec)
			from := max(0, len(log)-n)
			body = log[from:]
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(from)+"-"+strconv.Itoa(len(log)-1)+"/"+strconv.Itoa(len(log)))
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write(body)
	})
}

// openServedLog opens, in a console of width×height, the log screen of
// a finished job whose log is log.
func openServedLog(t *testing.T, log []byte, width, height int) *driver {
	t.Helper()
	var served servedLog
	served.log.Store(log)
	d, _ := liveDriver(t, driverOptions{width: width, height: height, wrap: served.wrap})
	b := d.build("deploy-production", 4)
	job := b.Jobs[0]
	job.State = model.JobPassed
	served.jobID.Store(job.ID)
	d.open(func(c *common.Common) common.Screen { return screen.NewJobLogScreen(c, "deploy-production", 4, job) })
	return d
}

// The probe's log line (a colour sequence of 33 parameters panicked the
// renderer and, over SSH, ended every session), more of its kind, and
// blink and conceal: the log is drawn, its colours rewritten, and no
// blink or conceal reaches the terminal.
func TestALogsColourSequencesAreRewrittenNotPassedOn(t *testing.T) {
	log := "\x1b[" + strings.Repeat(";", 32) + "1mboom-line\n" +
		"\x1b[" + strings.Repeat("31;", 32) + "32mmany-colours-line\x1b[0m\n" +
		"\x1b[38;5;" + strings.Repeat(";", 40) + "1mlong-colour-line\n" +
		"\x1b[5mblink-line\x1b[0m \x1b[6mrapid-blink\x1b[0m\n" +
		"\x1b[8mconceal-line\x1b[28m\x1b[0m\n" +
		"\x1b[1;5;8;31mred-bold-line\x1b[0m\n"
	d := openServedLog(t, []byte(log), 160, 40)
	d.waitFor("boom-line", "many-colours-line", "long-colour-line", "blink-line", "rapid-blink", "conceal-line", "red-bold-line")
	raw := rawFrame(d)
	for _, seq := range sgrSequences(raw) {
		params := strings.Split(seq, ";")
		if len(params) > 32 {
			t.Fatalf("an SGR of %d parameters reached the frame: %q", len(params), seq)
		}
		for i := 0; i < len(params); i++ {
			switch params[i] {
			case "38", "48", "58":
				if i+1 < len(params) && params[i+1] == "5" {
					i += 2
				} else if i+1 < len(params) && params[i+1] == "2" {
					i += 4
				}
			case "5", "6", "8":
				t.Fatalf("blink or conceal (%s) reached the frame: %q", params[i], seq)
			}
		}
	}
	if !strings.Contains(raw, "\x1b[1;31mred-bold-line") {
		t.Errorf("the bold red of a line was lost:\n%q", raw)
	}
}

// sgrSequences are the parameters of each SGR sequence (ESC [ … m) in s.
func sgrSequences(s string) []string {
	var out []string
	for _, part := range strings.Split(s, "\x1b[")[1:] {
		end := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > ';' })
		if end >= 0 && part[end] == 'm' {
			out = append(out, part[:end])
		}
	}
	return out
}

// A log of one 10 MB line: its end is shown (it was blank: the part line
// the tail begins in was dropped, and it was the whole tail).
func TestALogOfOneHugeLineShowsItsEnd(t *testing.T) {
	log := "\x1b[32m" + strings.Repeat("0123456789", 1<<20) + "end-of-the-line\n"
	// (The frame wraps it: "end-of-t" is what is sure to share a row.)
	d := openServedLog(t, []byte(log), 120, 30)
	frame := d.waitFor("last 64 KiB of 10.0 MiB", "0123456789012345678901234567890123456789")
	if !strings.Contains(frame, "end-of-t") {
		t.Errorf("the line's end is not shown:\n%s", frame)
	}
	if strings.Contains(frame, "the log is empty") {
		t.Errorf("a 10 MB line is shown as an empty log:\n%s", frame)
	}
}
