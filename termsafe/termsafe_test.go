package termsafe

import (
	"encoding/json"
	"strings"
	"testing"
)

// hostile is text an attacker could put in a cluster description, a pause
// note or an error message.
var hostile = map[string]string{
	"OSC 52 clipboard (BEL)":  "a\x1b]52;c;ZWNobyBwd25lZA==\x07b",
	"OSC 52 clipboard (ST)":   "a\x1b]52;c;ZWNobyBwd25lZA==\x1b\\b",
	"window title":            "a\x1b]0;you have been pwned\x07b",
	"clear screen":            "a\x1b[2Jb",
	"cursor report request":   "a\x1b[6nb",
	"C1 CSI":                  "a\u009b6nb",
	"C1 OSC":                  "a\u009d0;title\u009cb",
	"DCS":                     "a\x1bP+q544e\x1b\\b",
	"8-bit CSI byte":          "a\x9b6nb",
	"bell and backspace":      "a\x07\x08b",
	"right-to-left override":  "a\u202Eb",
	"isolates":                "a\u2066\u2067\u2068\u2069b",
	"LRM RLM ALM":             "a\u200E\u200F\u061Cb",
	"zero width and BOM":      "a\u200B\u200C\u200D\u2060\uFEFFb",
	"line separator":          "a\u2028\u2029b",
	"unterminated OSC at end": "ab\x1b]52;c;AAAA",
}

func TestTextDropsEverySequence(t *testing.T) {
	for name, in := range hostile {
		got := Text(in)
		// A C1 control in UTF-8 is not a sequence to a UTF-8 terminal:
		// the control goes and its parameters stay as inert text.
		want := map[string]string{"C1 CSI": "a6nb", "8-bit CSI byte": "a6nb", "C1 OSC": "a0;titleb"}[name]
		if want == "" {
			want = "ab"
		}
		if got != want {
			t.Errorf("%s: Text(%q) = %q, want %q", name, in, got, want)
		}
		for _, r := range got {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) {
				t.Errorf("%s: a control character survived: %q", name, got)
			}
		}
	}
}

func TestTextKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{"Production", "macOS · M4 Pro", "Ünïcödé 🚀", "INC-4821: paused by Priya", "日本語"} {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q", s, got)
		}
	}
	if got := Text("one\ntwo\tthree"); got != "one two three" {
		t.Errorf("line breaks and tabs: %q", got)
	}
}

func TestLinesKeepsLineBreaksOnly(t *testing.T) {
	got := Lines("first\x1b]0;t\x07\nsecond\u202E\tthird")
	if got != "first\nsecond third" {
		t.Fatalf("Lines = %q", got)
	}
}

func TestEscapeJSONKeepsTheDataAndHidesTheBytes(t *testing.T) {
	in := map[string]string{"note": "a\u009b6n\u202Eb\x1b[2J"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	safe := EscapeJSON(raw)
	if strings.ContainsAny(string(safe), "\u009b\u202E\x1b") {
		t.Fatalf("raw bytes survived: %q", safe)
	}
	var back map[string]string
	if err := json.Unmarshal(safe, &back); err != nil {
		t.Fatal(err)
	}
	if back["note"] != in["note"] {
		t.Fatalf("the data changed: %q", back["note"])
	}
}
