package sshserver

import (
	"fmt"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// An option given twice refuses the key, at start and at every login:
// with from="10.9.9.9",from="*" the last one won and let every address in.
func TestARepeatedKeyOptionRefusesTheKey(t *testing.T) {
	for _, opts := range []string{`from="10.9.9.9",from="*"`, `expiry-time="20000101",expiry-time="29991231"`, `pty,PTY`} {
		t.Run(opts, func(t *testing.T) {
			h := startHostile(t, Options{}, func(s gossh.Signer) string {
				return opts + " " + string(gossh.MarshalAuthorizedKey(s.PublicKey()))
			})
			if w := h.log.with(":1: key SHA256:"); len(w) != 1 || !strings.Contains(w[0], "more than once") {
				t.Fatalf("no warning at start: %q", h.log.all())
			}
			c, err := h.dial("vera", gossh.PublicKeys(h.viewer))
			if err == nil {
				c.Close()
				t.Fatal("a key with a repeated option was admitted")
			}
			if refused := h.log.with("refused key"); len(refused) != 1 || !strings.Contains(refused[0], "more than once") {
				t.Fatalf("log = %q", h.log.all())
			}
		})
	}
}

// Refusals are counted by key, not by the user name the client chose, and
// a session's end does not write its count: a viewer reconnecting under a
// new name for each refusal is one line, then one count.
func TestRotatingUserNamesAreOneRefusalCount(t *testing.T) {
	h := startServer(t)
	for i := range 3 {
		tm := h.open(h.viewer, fmt.Sprintf("name%d", i))
		h.openCluster(tm, "Mobile")
		tm.keys("p")
		tm.keys("q")
		_ = tm.sess.Wait()
	}
	if e := h.auditEntries(); len(e) != 1 || e[0].Who != "name0" {
		t.Fatalf("audit lines before the window ended: %+v", e)
	}
	h.audit.Close()
	if e := h.auditEntries(); len(e) != 2 || e[1].Repeated != 2 || e[1].Fingerprint != gossh.FingerprintSHA256(h.viewer.PublicKey()) {
		t.Fatalf("audit lines: %+v", e)
	}
}
