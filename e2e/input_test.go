package e2e

import (
	"strings"
	"testing"
)

// The probe's 37 bytes (ESC [, 32 ';', "1m"), and the same sequence of 33
// parameters pasted, in a DCS, as a mouse report and as a CSI … ~, typed
// into the console's terminal: each panicked the key decoder and ended
// the program. The console goes on: it opens a cluster and quits cleanly.
// The DCS ends in |, not q: past 16 parameters ultraviolet's decoder
// hands a DCS's bytes on as keys, and here (no guard in front of the
// terminal, see cli/console.go) a q would quit — a key the person typed
// themselves; over SSH, where the guard cuts the DCS, the test sends q.
func TestASequenceOfTooManyParametersLeavesTheConsoleWorking(t *testing.T) {
	semis := strings.Repeat(";", 32)
	for _, tc := range []struct{ name, keys string }{
		{"typed", "\x1b[" + semis + "1m"},
		{"pasted", "\x1b[200~\x1b[" + semis + "1m\x1b[201~"},
		{"DCS", "\x1bP" + semis + "1|\x1b\\"},
		{"mouse SGR", "\x1b[<" + semis + "1M"},
		{"CSI ~", "\x1b[" + semis + "1~"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t)
			mobile := clusterNamed(t, s.env, "Mobile")
			s.waitCounted(mobile.Name)
			s.typeKeys(tc.keys)
			s.typeKeys("/mob\r\r")
			eventually(t, "the Mobile screen to open", func() bool {
				return requestedPath(s.env, "GET", "/v2/organizations/acme/clusters/"+mobile.ID)
			})
			s.quit()
		})
	}
}
