package present

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/kiteconsole/kiteconsole/model"
	"github.com/kiteconsole/kiteconsole/termsafe"
)

// FirstLine is a message's first line, with its emoji, safe to draw.
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return termsafe.Text(Emojize(s))
}

// BuildAuthor is who made a build, safe to draw: its creator, else its
// source.
func BuildAuthor(b model.Build) string {
	if b.Creator != nil {
		if n := termsafe.Text(b.Creator.DisplayName()); n != "" {
			return n
		}
	}
	return termsafe.Text(b.Source)
}

// WrapFacts joins facts with " · " on as few lines of width as they fit.
func WrapFacts(facts []string, width int) []string {
	var lines []string
	line := ""
	for _, f := range facts {
		switch {
		case line == "":
			line = f
		case lipgloss.Width(line)+3+lipgloss.Width(f) <= width:
			line += " · " + f
		default:
			lines = append(lines, line)
			line = f
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// TimeField is a time with how long ago it was: "2026-06-01 12:00 UTC
// (5m ago)"; nothing for no time.
func TimeField(now time.Time, t *model.Timestamp) Cell {
	if t == nil || t.IsZero() {
		return nil
	}
	return Text(t.UTC().Format("2006-01-02 15:04 UTC")).And(Muted, " ("+Ago(now, t.Time)+")")
}

// Expiry is a token's expiry in full: the date and time, expired in red,
// and how far it is from now.
func Expiry(now time.Time, at *model.Timestamp) Cell {
	if at == nil || at.IsZero() {
		return Text("never")
	}
	date := Text(at.UTC().Format("2006-01-02 15:04 UTC"))
	if !at.After(now) {
		date = As(Danger, "expired "+at.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return date.And(Muted, " ("+Until(now, at.Time)+")")
}

// YesNo is a setting's boolean as a word.
func YesNo(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] }

// DescribeStep is one step of a pipeline's configuration on one line,
// safe to draw: "wait", "block :rocket: Release", "test: make test".
func DescribeStep(st model.Step) string {
	switch st.Type {
	case model.StepWaiter:
		return "wait"
	case model.StepManual:
		return "block " + termsafe.Text(Emojize(model.Value(st.Label)))
	case model.StepTrigger:
		return "trigger " + termsafe.Text(model.Value(st.Pipeline))
	}
	name := termsafe.Text(Emojize(model.Value(st.Name)))
	cmd := termsafe.Text(model.Value(st.Command))
	if name == "" {
		return "command: " + cmd
	}
	return name + ": " + cmd
}
