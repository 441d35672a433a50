package sandbox

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiteconsole/kiteconsole/model"
)

// A job's log is made up, line by line, from the job's id and how long it
// has run: a running job's log grows with the clock and what it has
// printed never changes. Each line starts with the agent's timestamp
// (APC "_bk;t=<ms>") and many carry SGR colours, as real logs do.

// logLineEvery is how often a running job prints a line.
const logLineEvery = 2 * time.Second

// maxLogLines bounds a made-up log.
const maxLogLines = 5000

var logLines = []string{
	"\x1b[90m# Sourcing hooks\x1b[0m",
	"Running %s",
	"\x1b[32mok\x1b[0m  \tgithub.com/acme-inc/app/internal/%s\t0.%03ds",
	"\x1b[33mwarning:\x1b[0m deprecated flag --legacy in %s",
	"Downloading %s (\x1b[1m%d kB\x1b[0m)",
	"\x1b[36m=== RUN\x1b[0m   Test%s",
	"\x1b[32m--- PASS:\x1b[0m Test%s (0.%02ds)",
	"Step %d/%d : RUN make %s",
	"\x1b[2m[cache] hit for %s\x1b[0m",
}

var logWords = []string{"checkout", "billing", "queue", "auth", "worker", "search", "ledger", "router", "cache", "api"}

// jobLog is the log of j up to now.
func (s *Server) jobLog(j *jobRecord, now time.Time) []byte {
	if j.job.Type != model.JobScript || j.job.StartedAt == nil || j.logDeleted {
		return []byte{}
	}
	start := j.job.StartedAt.Time
	end := now
	if j.job.FinishedAt != nil && j.job.FinishedAt.Before(end) {
		end = j.job.FinishedAt.Time
	}
	n := min(int(end.Sub(start)/logLineEvery)+1, maxLogLines)
	h := fnv.New64a()
	_, _ = h.Write([]byte(j.job.ID))
	seed := h.Sum64()
	var sb strings.Builder
	stamp := func(at time.Time) string { return fmt.Sprintf("\x1b_bk;t=%d\x07", at.UnixMilli()) }
	sb.WriteString(stamp(start) + "~~~ Preparing working directory\n")
	sb.WriteString(stamp(start) + "\x1b[90m$\x1b[0m cd /var/lib/buildkite-agent/builds/" + j.build.pipeline.Slug + "\n")
	sb.WriteString(stamp(start) + "+++ :hammer: " + j.job.DisplayName() + "\n")
	sb.WriteString(stamp(start) + "\x1b[90m$\x1b[0m " + model.Value(j.job.Command) + "\n")
	for i := 0; i < n; i++ {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		at := start.Add(time.Duration(i) * logLineEvery)
		word := logWords[rng.IntN(len(logWords))]
		var line string
		switch k := rng.IntN(len(logLines)); k {
		case 1, 3, 8:
			line = fmt.Sprintf(logLines[k], word)
		case 5:
			line = fmt.Sprintf(logLines[k], strings.ToUpper(word[:1])+word[1:])
		case 2:
			line = fmt.Sprintf(logLines[k], word, rng.IntN(1000))
		case 4:
			line = fmt.Sprintf(logLines[k], word, 10+rng.IntN(5000))
		case 6:
			line = fmt.Sprintf(logLines[k], strings.ToUpper(word[:1])+word[1:], rng.IntN(100))
		case 7:
			line = fmt.Sprintf(logLines[k], 1+rng.IntN(9), 10, word)
		default:
			line = logLines[k]
		}
		sb.WriteString(stamp(at) + line + "\n")
	}
	if j.job.FinishedAt != nil && !j.job.FinishedAt.After(now) {
		at := stamp(j.job.FinishedAt.Time)
		switch status := model.Value(j.job.ExitStatus); {
		case j.job.State == model.JobCanceled:
			sb.WriteString(at + "\x1b[31m# Received cancellation signal, interrupting\x1b[0m\n")
		case status != 0:
			sb.WriteString(at + fmt.Sprintf("\x1b[31m🚨 Error: The command exited with status %d\x1b[0m\n", status))
		default:
			sb.WriteString(at + "\x1b[32m✔ Done\x1b[0m\n")
		}
	}
	return []byte(sb.String())
}

// headerTimes are the log's line timestamps in nanoseconds, as the JSON
// form of the log has them.
func headerTimes(log []byte) []int64 {
	var out []int64
	for _, line := range strings.Split(string(log), "\n") {
		if rest, ok := strings.CutPrefix(line, "\x1b_bk;t="); ok {
			if end := strings.IndexByte(rest, '\x07'); end > 0 {
				if ms, err := strconv.ParseInt(rest[:end], 10, 64); err == nil {
					out = append(out, ms*int64(time.Millisecond))
				}
			}
		}
	}
	return out
}

// getJobLog is "Get a job's log output": JSON by default; the raw text
// for Accept: text/plain or the .txt form; and, with the text, a tail by
// a suffix range (Range: bytes=-N).
func (s *Server) getJobLog(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	log := s.jobLog(j, s.opts.Now())
	text := strings.HasSuffix(r.URL.Path, ".txt") || strings.Contains(r.Header.Get("Accept"), "text/plain")
	rangeHeader := r.Header.Get("Range")
	if rangeHeader != "" {
		// jobs.md: "Range requests are only supported with Accept:
		// text/plain" — the .txt form without that header is refused too.
		if !strings.Contains(r.Header.Get("Accept"), "text/plain") {
			return message(http.StatusBadRequest, "Range requests are only supported with Accept: text/plain")
		}
		spec, ok := strings.CutPrefix(rangeHeader, "bytes=-")
		n, err := strconv.Atoi(spec)
		if !ok || err != nil || n <= 0 || strings.Contains(spec, ",") {
			return message(http.StatusBadRequest, "Only suffix byte ranges (bytes=-N, N > 0) are supported")
		}
		if len(log) == 0 {
			return reply{status: http.StatusRequestedRangeNotSatisfiable, body: map[string]string{"message": "The job's log is empty"},
				header: map[string]string{"Content-Range": "bytes */0"}}
		}
		from := max(0, len(log)-n)
		return reply{status: http.StatusPartialContent, text: log[from:], header: map[string]string{
			"Accept-Ranges": "bytes",
			"Content-Range": fmt.Sprintf("bytes %d-%d/%d", from, len(log)-1, len(log)),
		}}
	}
	if text || r.Method == http.MethodHead {
		return reply{status: http.StatusOK, text: log, header: map[string]string{"Accept-Ranges": "bytes"}}
	}
	apiURL, _ := u.build(j.build)
	return ok(map[string]any{
		"url":          apiURL + "/jobs/" + j.job.ID + "/log",
		"content":      string(log),
		"size":         len(log),
		"header_times": headerTimes(log),
	})
}

// deleteJobLog is "Delete a job's log output".
func (s *Server) deleteJobLog(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	j.logDeleted = true
	return noContent()
}

// reprioritizeJob is "Reprioritize a job": a waiting job of higher
// priority is taken before older ones of its queue.
func (s *Server) reprioritizeJob(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	var req struct {
		Priority json.RawMessage `json:"priority"`
	}
	if rp := decode(r, &req); rp != nil {
		return *rp
	}
	var priority int
	if json.Unmarshal(req.Priority, &priority) != nil {
		return message(http.StatusBadRequest, "Priority must be an integer")
	}
	j.job.Priority = &model.JobPriority{Number: priority}
	q := model.Value(j.job.ClusterQueueID)
	slices.SortStableFunc(s.sim.waiting[q], func(a, b *jobRecord) int {
		return priorityOf(b) - priorityOf(a)
	})
	return ok(s.jobView(u, j, true))
}

func priorityOf(j *jobRecord) int {
	if j.job.Priority == nil {
		return 0
	}
	return j.job.Priority.Number
}

// getJobEnv is "Get a job's environment variables": the pipeline's and
// the build's env and Buildkite's own variables, as JSON or (text/plain,
// .txt) KEY="VALUE" lines.
func (s *Server) getJobEnv(w http.ResponseWriter, r *http.Request, u urls) reply {
	j := s.findJob(r)
	if j == nil {
		return message(http.StatusNotFound, msgNoJob)
	}
	b := j.build
	_, web := u.build(b)
	env := map[string]string{}
	for k, v := range b.pipeline.Env {
		env[k] = v
	}
	for k, v := range b.build.Env {
		env[k] = fmt.Sprint(v)
	}
	for k, v := range map[string]string{
		"CI": "true", "BUILDKITE": "true", "BUILDKITE_TAG": "", "BUILDKITE_REPO": b.pipeline.Repository,
		"BUILDKITE_BRANCH": b.build.Branch, "BUILDKITE_COMMIT": b.build.Commit, "BUILDKITE_JOB_ID": j.job.ID,
		"BUILDKITE_COMMAND": model.Value(j.job.Command), "BUILDKITE_MESSAGE": b.build.Message,
		"BUILDKITE_BUILD_ID": b.build.ID, "BUILDKITE_BUILD_URL": web, "BUILDKITE_BUILD_NUMBER": strconv.Itoa(b.build.Number),
		"BUILDKITE_ORGANIZATION_SLUG": s.org.slug, "BUILDKITE_PIPELINE_SLUG": b.pipeline.Slug,
		"BUILDKITE_PULL_REQUEST": "false", "BUILDKITE_PIPELINE_PROVIDER": b.pipeline.Provider.ID,
	} {
		env[k] = v
	}
	if a := j.agent; a != nil {
		env["BUILDKITE_AGENT_NAME"] = a.agent.Name
	}
	if c := b.build.Creator; c != nil {
		env["BUILDKITE_BUILD_CREATOR"], env["BUILDKITE_BUILD_CREATOR_EMAIL"] = c.Name, c.Email
	}
	if strings.HasSuffix(r.URL.Path, ".txt") || strings.Contains(r.Header.Get("Accept"), "text/plain") {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var sb strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&sb, "%s=%q\n", k, env[k])
		}
		return reply{status: http.StatusOK, text: []byte(sb.String())}
	}
	return ok(map[string]any{"env": env})
}
