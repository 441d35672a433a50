package sshserver

import (
	"strings"
	"testing"
)

// The probe's 37 bytes, and the same sequence in the other places the
// key decoder reads parameters: 33 parameters (32 separators) panicked
// x/ansi's decoder in the session's input reader, which ended the whole
// server. A viewer sends each, and the console goes on working: it opens
// a cluster, and a second session is served.
func TestASequenceOfTooManyParametersLeavesTheServerWorking(t *testing.T) {
	semis := strings.Repeat(";", 32)
	h := startServer(t)
	for _, tc := range []struct{ name, keys string }{
		{"typed", "\x1b[" + semis + "1m"},
		{"pasted", "\x1b[200~\x1b[" + semis + "1m\x1b[201~"},
		{"DCS", "\x1bP" + semis + "1q\x1b\\"},
		{"mouse SGR", "\x1b[<" + semis + "1M"},
		{"CSI ~", "\x1b[" + semis + "1~"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := h.open(h.viewer, "vera")
			eventually(t, "the console", func() bool { return strings.Contains(tm.received(), "Clusters") })
			tm.keys(tc.keys)
			h.openCluster(tm, "Mobile")
			if err := tm.quit("the session did not quit"); err != nil {
				t.Fatalf("the session ended with %v", err)
			}
		})
	}
}
