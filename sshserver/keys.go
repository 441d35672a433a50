package sshserver

import (
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// maxKeysFile bounds an authorized_keys file read at every login.
const maxKeysFile = 1 << 20

// authorizedKey is one line of an authorized_keys file with the options
// the server honours. A key with an option it cannot honour is kept with
// the reason, so that it is refused at login, saying why.
type authorizedKey struct {
	key  ssh.PublicKey
	line int
	// from is the from="…" pattern list; empty allows every address.
	from []string
	// expires is expiry-time="…"; zero never expires.
	expires time.Time
	// unusable names the options that cannot be honoured.
	unusable string
}

// Options that restrict what the console never offers anyway (forwarding,
// X11, ~/.ssh/rc): honoured by being the server's rule for every key.
var alwaysHonoured = map[string]bool{
	"no-agent-forwarding": true, "no-port-forwarding": true, "no-x11-forwarding": true, "no-user-rc": true, "pty": true,
}

// readKeys reads an authorized_keys file, with each key's options.
func readKeys(path string) ([]authorizedKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading keys: %w", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("reading keys: %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading keys: %w", err)
	}
	if len(data) > maxKeysFile {
		return nil, fmt.Errorf("reading keys: %s is larger than %d bytes", path, maxKeysFile)
	}
	var keys []authorizedKey
	for i, text := range strings.Split(string(data), "\n") {
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		k, _, opts, _, err := gossh.ParseAuthorizedKey([]byte(text))
		if err != nil {
			continue
		}
		keys = append(keys, withOptions(k, i+1, opts))
	}
	return keys, nil
}

// withOptions reads a key's options: from= and expiry-time= are honoured,
// restrictions of what the console never offers are too, and every other
// option (command=, no-pty, environment=, permitopen=, principals=…)
// makes the key unusable, since the console cannot do what it asks.
//
// An option given twice makes the key unusable too: with from="10.9.9.9",
// from="*" the last one would win and let in every address, while a reader
// of the file sees the first.
func withOptions(k ssh.PublicKey, line int, opts []string) authorizedKey {
	ak := authorizedKey{key: k, line: line}
	var refused []string
	restrict, pty := false, false
	var repeated []string
	seen := map[string]bool{}
	for _, o := range opts {
		name, value, hasValue := strings.Cut(o, "=")
		name = strings.ToLower(name)
		value = strings.Trim(value, `"`)
		if seen[name] {
			if !slices.Contains(repeated, name) {
				repeated = append(repeated, name)
			}
			continue
		}
		seen[name] = true
		switch {
		case name == "from" && hasValue:
			ak.from = strings.Split(value, ",")
		case name == "expiry-time" && hasValue:
			t, err := parseExpiry(value)
			if err != nil {
				refused = append(refused, fmt.Sprintf("expiry-time=%q (not YYYYMMDD[HHMM[SS]][Z])", value))
				continue
			}
			ak.expires = t
		case name == "restrict":
			restrict = true
		case alwaysHonoured[name]:
			pty = pty || name == "pty"
		default:
			refused = append(refused, name)
		}
	}
	// restrict takes the terminal away too, unless pty gives it back.
	if restrict && !pty {
		refused = append(refused, "restrict (without pty the console cannot run)")
	}
	var why []string
	if len(refused) > 0 {
		why = append(why, "option "+strings.Join(refused, ", ")+" cannot be honoured")
	}
	if len(repeated) > 0 {
		why = append(why, "option "+strings.Join(repeated, ", ")+" is given more than once (the last would win)")
	}
	ak.unusable = strings.Join(why, "; ")
	return ak
}

// parseExpiry reads expiry-time as OpenSSH does: YYYYMMDD, YYYYMMDDHHMM or
// YYYYMMDDHHMMSS, in local time unless it ends in Z.
func parseExpiry(v string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		loc, v = time.UTC, v[:len(v)-1]
	}
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(v) == len(layout) {
			return time.ParseInLocation(layout, v, loc)
		}
	}
	return time.Time{}, fmt.Errorf("not a time")
}

// admits says why a listed key may not log in from addr at now, or "".
func (k authorizedKey) admits(addr net.Addr, now time.Time) string {
	if k.unusable != "" {
		return k.unusable
	}
	if !k.expires.IsZero() && !now.Before(k.expires) {
		return "it expired at " + k.expires.Format(time.RFC3339)
	}
	if len(k.from) > 0 && !matchFrom(k.from, addressOf(addr)) {
		return "from= does not allow " + addressOf(addr)
	}
	return ""
}

// matchFrom matches an address against a from= pattern list as OpenSSH
// does for addresses: a negated pattern that matches refuses, else any
// pattern that matches admits. Patterns are addresses with * and ?
// wildcards, or CIDR blocks. Host names are not looked up: a name pattern
// matches nothing.
func matchFrom(patterns []string, addr string) bool {
	ip := net.ParseIP(addr)
	admitted := false
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		var hit bool
		if _, block, err := net.ParseCIDR(p); err == nil {
			hit = ip != nil && block.Contains(ip)
		} else {
			hit = wildcard(strings.ToLower(p), strings.ToLower(addr))
		}
		if hit && negated {
			return false
		}
		admitted = admitted || hit
	}
	return admitted
}

// wildcard matches s against a pattern of * (any run) and ? (one byte).
func wildcard(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcard(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}
