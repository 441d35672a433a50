package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/ui/component"
)

// tokenValue finds an agent token's value on a frame: the sandbox makes
// 48 letters and digits.
var tokenValue = regexp.MustCompile(`\b[A-Za-z0-9]{48}\b`)

// scrub hides token values, so no golden file holds one.
func scrub(frame string) string {
	const mask = "<agent token value, shown once>"
	return tokenValue.ReplaceAllString(frame, mask+strings.Repeat(" ", 48-len(mask)))
}

func openTokens(d *driver, cluster string) {
	d.waitFor(cluster, "PAUSED")
	d.keys("/")
	d.typeText(strings.ToLower(cluster))
	d.keys("enter", "enter", "tab")
	d.waitFor("Tokens (")
}

func TestGoldenTokens(t *testing.T) {
	t.Parallel()
	forSizes(t, "tokens", func(t *testing.T, d *driver) string {
		openTokens(d, "Production")
		return d.waitFor("Legacy EC2 fleet")
	})
}

func TestGoldenTokenCreated(t *testing.T) {
	t.Parallel()
	forSizes(t, "token-created", func(t *testing.T, d *driver) string {
		openTokens(d, "Mobile")
		d.keys("n")
		d.waitFor("New agent token in Mobile")
		d.typeText("CI agents")
		d.formKeys("enter", "enter", "enter")
		return scrub(d.waitFor("Agent token created"))
	})
}

func TestGoldenTokenForm(t *testing.T) {
	t.Parallel()
	forSizes(t, "token-form", func(t *testing.T, d *driver) string {
		openTokens(d, "Mobile")
		d.keys("n")
		return d.waitFor("New agent token in Mobile", "Allowed IP addresses")
	})
}

func TestCreateATokenShowsItsValueOnce(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 35})
	openTokens(d, "Mobile")
	d.keys("n")
	d.waitFor("New agent token in Mobile")
	d.typeText("Windows agents")
	d.formKeys("enter")
	d.typeText("90d")
	d.formKeys("enter")
	d.typeText("202.144.0.0/24")
	d.formKeys("enter")
	frame := d.waitFor("Agent token created", "only time")
	value := tokenValue.FindString(frame)
	if value == "" {
		t.Fatalf("no token value on the dialog:\n%s", frame)
	}
	d.keys("x", "esc", "q") // no key but enter closes it; q does not quit
	if f := d.waitFor("Agent token created"); !strings.Contains(f, value) {
		t.Fatal("the dialog closed on a stray key")
	}
	d.keys("c")
	d.waitFor("sent the value to the clipboard (OSC 52): " + value[:28] + "…")
	d.keys("enter")
	frame = d.waitFor("Windows agents", "its value is no longer shown")
	if strings.Contains(frame, value) {
		t.Fatal("the value is still on screen")
	}

	cl, _ := findQueue(t, d, "Mobile", "default")
	tokens, err := d.env.Client.ListTokens(context.Background(), cl.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var made model.Token
	for _, tk := range tokens {
		if tk.Description == "Windows agents" {
			made = tk
		}
	}
	got, err := d.env.Client.GetToken(context.Background(), cl.ID, made.ID)
	if err != nil || got.Token != "" {
		t.Fatalf("GET of the token: %+v, %v", got, err)
	}
	if model.Value(got.AllowedIPAddresses) != "202.144.0.0/24" || got.ExpiresAt == nil {
		t.Fatalf("token = %+v", got)
	}
	for _, r := range d.env.Sandbox.Requests() {
		if strings.Contains(r.Path, value) {
			t.Fatal("the value reached a request line")
		}
	}
	// Neither the model nor any later frame holds the value.
	leak := make(chan bool, 1)
	d.p.Send(probe{fn: func(a *App) {
		_, open := openOverlay[*component.TokenDialog](a)
		leak <- strings.Contains(fmt.Sprintf("%+v", *a.c), value) || open
	}})
	if <-leak {
		t.Fatal("the value is kept after the dialog closed")
	}
	d.keys("e")
	if f := d.waitFor("Edit token"); strings.Contains(f, value) {
		t.Fatal("the value shows in the edit form")
	}
}

func TestExpiredTokenRendersAsExpired(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	openTokens(d, "Production")
	frame := d.waitFor("Legacy EC2 fleet")
	for _, line := range strings.Split(frame, "\n") {
		if strings.Contains(line, "Legacy EC2 fleet") && !strings.Contains(line, "expired 2026-05-22") {
			t.Fatalf("not shown as expired: %s", line)
		}
	}
	d.keys("esc", "esc", "esc")
	openTokens(d, "Mobile")
	if f := d.waitFor("Mac mini fleet"); !strings.Contains(f, "expires 2026-06-06") {
		t.Fatalf("the token expiring within a week:\n%s", f)
	}
}

func TestBadTokenInputIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 35})
	openTokens(d, "Mobile")
	d.keys("n")
	d.waitFor("New agent token in Mobile")
	d.typeText("x")
	d.formKeys("enter")
	d.typeText("yesterday")
	d.formKeys("enter")
	d.waitFor("is not a time")
	if w := d.writes(); len(w) != 0 {
		t.Fatalf("sent %q", w)
	}
}

func TestRevokeAToken(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 30})
	openTokens(d, "Mobile")
	d.waitFor("Mac mini fleet")
	d.keys("d")
	d.waitFor("Revoke token Mac mini fleet?")
	d.typeText("Mac mini fleet")
	d.keys("enter")
	d.waitFor("revoked token Mac mini fleet")
	cl, _ := findQueue(t, d, "Mobile", "default")
	if ts, _ := d.env.Client.ListTokens(context.Background(), cl.ID, nil); len(ts) != 0 {
		t.Fatalf("tokens left: %v", ts)
	}
	d.waitFor("no agent tokens")
}
