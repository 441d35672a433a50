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
