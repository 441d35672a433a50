package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is one way a request can go wrong.
type Fault string

// The faults the sandbox can inject.
const (
	Fault500       Fault = "500"       // Internal Server Error
	Fault502       Fault = "502"       // Bad Gateway, as an HTML page from a proxy
	Fault503       Fault = "503"       // Service Unavailable
	FaultRateLimit Fault = "429"       // RateLimit-Remaining: 0, RateLimit-Reset and Retry-After
	FaultHang      Fault = "hang"      // no answer until the client gives up
	FaultDrop      Fault = "drop"      // the connection closes halfway through the body
	FaultMalformed Fault = "malformed" // 200 with a body that is not JSON
	FaultHTML      Fault = "html"      // 200 with an HTML error page
	FaultSlow      Fault = "slow"      // the right answer, late
)

// AllFaults lists every fault.
var AllFaults = []Fault{Fault500, Fault502, Fault503, FaultRateLimit, FaultHang, FaultDrop, FaultMalformed, FaultHTML, FaultSlow}

// Faults makes a share of requests fail.
type Faults struct {
	// Rate is the share of requests that meet a fault, 0 to 1.
	Rate float64
	// Kinds are drawn from evenly; all of them when empty.
	Kinds []Fault
	// Seed makes the draw repeatable.
	Seed uint64
	// Slow is how late a slow answer is (default 2s); Hang is how long a
	// hanging request is held (default 30s, past the client's timeout).
	Slow, Hang time.Duration
}

// ParseFaults reads the --faults flag: RATE or RATE:kind,kind (e.g.
// "0.2" or "0.1:500,429,hang").
func ParseFaults(s string) (*Faults, error) {
	rate, kinds, _ := strings.Cut(s, ":")
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil || r < 0 || r > 1 {
		return nil, fmt.Errorf("--faults: %q is not a share between 0 and 1", rate)
	}
	f := &Faults{Rate: r}
	for _, k := range strings.Split(kinds, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		known := false
		for _, a := range AllFaults {
			if string(a) == k {
				f.Kinds, known = append(f.Kinds, a), true
			}
		}
		if !known {
			return nil, fmt.Errorf("--faults: %q is not a fault (one of %v)", k, AllFaults)
		}
	}
	return f, nil
}

// SetFaults switches fault injection on (nil switches it off).
func (s *Server) SetFaults(f *Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		s.faults, s.faultRNG = nil, nil
		return
	}
	cp := *f
	if len(cp.Kinds) == 0 {
		cp.Kinds = AllFaults
	}
	if cp.Slow <= 0 {
		cp.Slow = 2 * time.Second
	}
	if cp.Hang <= 0 {
		cp.Hang = 30 * time.Second
	}
	s.faults = &cp
	s.faultRNG = rand.New(rand.NewPCG(cp.Seed, 0xfa17))
}

// drawFault decides whether this request meets a fault, and which.
func (s *Server) drawFault() (Fault, *Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults == nil || s.faultRNG.Float64() >= s.faults.Rate {
		return "", nil
	}
	return s.faults.Kinds[s.faultRNG.IntN(len(s.faults.Kinds))], s.faults
}

// injectFault answers with the fault; it reports false for a slow answer,
// which goes on to be served.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, f Fault, cfg *Faults) bool {
	wait := func(d time.Duration) bool {
		t := s.opts.Clock.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.Chan():
			return true
		case <-r.Context().Done():
			return false
		case <-s.closed:
			return false
		}
	}
	switch f {
	case Fault500:
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	case Fault503:
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
	case Fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	case FaultRateLimit:
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", "1")
		w.Header().Set("Retry-After", "1")
		writeMessage(w, http.StatusTooManyRequests, "You have exceeded the rate limit")
	case FaultHang:
		wait(cfg.Hang)
	case FaultDrop:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`[{"id": "cut-off`))
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id": "half an object`))
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<html><body>Something went wrong</body></html>"))
	case FaultSlow:
		return !wait(cfg.Slow)
	}
	return true
}
