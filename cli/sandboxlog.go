package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kiteconsole/kiteconsole/termsafe"
)

// logRequests wraps the sandbox's handler for `sandbox --log`: one line
// per request with its method, path, status and duration. It never logs
// a header (the Authorization header holds the token) and it hides the
// value of any query parameter whose name says token, for a client that
// sends one there.
func logRequests(next http.Handler, w io.Writer, now func() time.Time) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		line := fmt.Sprintf("%s %s %d %s\n", termsafe.Text(r.Method), termsafe.Text(loggedPath(r.URL)), rec.status, now().Sub(start).Round(time.Microsecond))
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(w, line)
	})
}

// loggedPath is the request's path and query, with token values hidden.
func loggedPath(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "token") {
			q[k] = []string{"REDACTED"}
		}
	}
	return u.Path + "?" + q.Encode()
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush passes on a flush, for a handler that streams.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
