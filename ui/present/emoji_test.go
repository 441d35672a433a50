package present

import "testing"

// Buildkite's own shortcodes, which have no Unicode form, are left out
// where the label has words of its own, and kept where they are all of
// it; Unicode ones are drawn; a joined emoji stays whole (issue 29, 12).
func TestEmojizeLeavesOutImageOnlyShortcodesBesideWords(t *testing.T) {
	for in, want := range map[string]string{
		":pipeline: Upload":          "Upload",
		":docker: :eslint: Lint":     "Lint",
		"Build :docker: image":       "Build image",
		":rocket: Deploy :pipeline:": "🚀 Deploy",
		":docker:":                   ":docker:",
		":docker: :pipeline:":        ":docker: :pipeline:",
		"ratio 3:2 :rocket:":         "ratio 3:2 🚀",
		"no codes here":              "no codes here",
	} {
		if got := Emojize(in); got != want {
			t.Errorf("Emojize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := EmojiCell(":technologist:"); got != "🧑‍💻" {
		t.Errorf("EmojiCell(:technologist:) = %q (% x), want the joined emoji whole", got, got)
	}
	if got := EmojiCell(":docker:"); got != "" {
		t.Errorf("EmojiCell(:docker:) = %q, want nothing", got)
	}
}

// A label that is only Buildkite's image-only shortcodes is drawn muted,
// never as the name's words; one with words has them left out; a code
// glued to a word is no emoji and stays as typed (issue 29, 12).
func TestEmojiLabelMutesALabelOfImagesOnly(t *testing.T) {
	for in, want := range map[string]Cell{
		":docker:":              {{Text: ":docker:", Role: Muted}},
		":docker: :pipeline:":   {{Text: ":docker:", Role: Muted}, {Text: " ", Role: Title}, {Text: ":pipeline:", Role: Muted}},
		":rocket: :docker:":     {{Text: "🚀 ", Role: Title}, {Text: ":docker:", Role: Muted}},
		":docker: Build":        {{Text: "Build", Role: Title}},
		"npm run test:unit:ci":  {{Text: "npm run test:unit:ci", Role: Title}},
		":docker::eslint:":      {{Text: ":docker:", Role: Muted}, {Text: ":eslint:", Role: Muted}},
		":docker::eslint: Lint": {{Text: "Lint", Role: Title}},
	} {
		got := EmojiLabel(Title, in)
		if len(got) != len(want) {
			t.Errorf("EmojiLabel(%q) = %+v, want %+v", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("EmojiLabel(%q) = %+v, want %+v", in, got, want)
				break
			}
		}
	}
	if got := Emojize("npm run test:unit:ci"); got != "npm run test:unit:ci" {
		t.Errorf("Emojize(an npm script) = %q", got)
	}
}
