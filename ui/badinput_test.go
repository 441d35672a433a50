package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// For every field of every form, bad values get a clear message beside
// the field and nothing is sent.
func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 10000)
	newCluster := func(d *driver) {
		d.waitFor("Production", "PAUSED")
		d.keys("n")
		d.waitFor("New cluster")
	}
	newQueue := func(d *driver) {
		openMobile(d)
		d.keys("n")
		d.waitFor("New queue in Mobile")
	}
	newToken := func(d *driver) {
		openTokens(d, "Mobile")
		d.keys("n")
		d.waitFor("New agent token")
	}
	newPipeline := func(d *driver) {
		openPipelines(d)
		d.keys("n")
		d.waitFor("New pipeline")
	}
	cases := []struct {
		form   string
		open   func(*driver)
		before []string // valid values of the fields before the bad one
		bad    string
		want   string
	}{
		{"cluster name empty", newCluster, nil, "", "name is required"},
		{"cluster name blank", newCluster, nil, "   ", "name is required"},
		{"cluster name 10,000 characters", newCluster, nil, long, "name must be at most 1000 characters"},
		{"cluster description 10,000 characters", newCluster, []string{"Ops"}, long, "description must be at most 1000 characters"},
		{"cluster emoji", newCluster, []string{"Ops", ""}, "rocket", "use the emoji syntax"},
		{"cluster colour", newCluster, []string{"Ops", "", ""}, "pink", "colour must be a hex code"},
		{"cluster colour short", newCluster, []string{"Ops", "", ""}, "#GG", "colour must be a hex code"},
		{"queue key empty", newQueue, nil, "", "key is required"},
		{"queue key blank", newQueue, nil, "   ", "key is required"},
		{"queue key with spaces", newQueue, nil, "two words", "letters, digits, hyphens and underscores"},
		{"queue key 10,000 characters", newQueue, nil, long, "key must be at most 100 characters"},
		{"queue description 10,000 characters", newQueue, []string{"k"}, long, "description must be at most 1000 characters"},
		{"token description empty", newToken, nil, "", "description is required"},
		{"token description blank", newToken, nil, "  ", "description is required"},
		{"token description 10,000 characters", newToken, nil, long, "description must be at most 1000 characters"},
		{"token expiry not a time", newToken, []string{"CI"}, "next week", "is not a time"},
		{"token expiry in the past", newToken, []string{"CI"}, "2020-01-01", "expiry must be in the future"},
		{"token IPs not a CIDR", newToken, []string{"CI", ""}, "10.0.0.1", "is not a CIDR block"},
		{"token IPs out of range", newToken, []string{"CI", ""}, "300.1.0.0/16", "is not a CIDR block"},
		{"token IPs IPv6", newToken, []string{"CI", ""}, "::1/128", "is not an IPv4 CIDR block"},
		{"pipeline name empty", newPipeline, nil, "", "name is required"},
		{"pipeline name blank", newPipeline, nil, "    ", "name is required"},
		{"pipeline name 10,000 characters", newPipeline, nil, long, "name must be at most 1000 characters"},
		{"pipeline name without a letter", newPipeline, nil, "🚀 ✨", "name must contain a letter or digit"},
		{"pipeline slug over 100 characters", newPipeline, nil, strings.Repeat("ab ", 40), "a slug may have at most 100"},
		{"pipeline slug given with spaces", newPipeline, []string{"Ops"}, "two words", "a slug has only letters, digits and dashes"},
	}
	for _, tc := range cases {
		t.Run(tc.form, func(t *testing.T) {
			t.Parallel()
			d := startDriver(t, driverOptions{width: 120, height: 40})
			tc.open(d)
			for _, v := range tc.before {
				d.p.Send(tea.PasteMsg{Content: v})
				d.formKeys("enter")
			}
			d.p.Send(tea.PasteMsg{Content: tc.bad})
			d.formKeys("enter")
			frame := d.waitFor(tc.want)
			if !strings.Contains(frame, "┃") {
				t.Fatalf("the form is gone:\n%s", frame)
			}
			if w := d.writes(); len(w) != 0 {
				t.Fatalf("sent %q", w)
			}
		})
	}
}

// Control characters never get into a field: typed or pasted, the input
// drops them, so a value sent holds none.
func TestControlCharactersNeverReachAField(t *testing.T) {
	t.Parallel()
	d := startDriver(t, driverOptions{width: 120, height: 40})
	d.waitFor("Production", "PAUSED")
	d.keys("n")
	d.waitFor("New cluster")
	d.p.Send(tea.PasteMsg{Content: "Ops\x1b[31m\x07\x00"})
	frame := d.waitFor("> Ops[31m")
	if strings.ContainsAny(frame, "\x1b\x07\x00") {
		t.Fatal("a control character is in the field")
	}
}
