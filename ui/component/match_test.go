package component

import (
	"slices"
	"testing"
)

// Issue 17, 26: the filter and the palette matched letters scattered
// through a text: "/dep" found Identity and Hadoop Migration, ":macos"
// offered acme-go-sdk.
func TestMatchDropsScatteredLetters(t *testing.T) {
	for _, c := range []struct {
		query, text string
		want        bool
	}{
		{"dep", "Deploy Production acme-inc/deploy", true},
		{"dep", "Identity platform/identity", false},
		{"dep", "Hadoop Migration acme-inc/hadoop", false},
		{"macos", "acme-go-sdk (acme-go-sdk)", false},
		{"macos", "Mobile/macos-large", true},
		{"MACOS", "Mobile/macos", true},
		{"hm", "Hadoop Migration", true},      // initials
		{"apiga", "API Gateway", true},        // runs at word starts
		{"hadmig", "HadoopMigration", true},   // camel case starts a word
		{"gatew", "apigateway", true},         // a run of three anywhere
		{"ag", "acme-go-sdk", true},           // a-cme g-o
		{"cs", "acme-go-sdk", false},          // c and s inside words
		{"ios", "iOS App acme-inc/ios", true}, // case ignored
		{"zz", "API Gateway", false},
		{"", "anything", true},
	} {
		_, ok := matchText(c.query, c.text)
		if ok != c.want {
			t.Errorf("matchText(%q, %q) = %v, want %v", c.query, c.text, ok, c.want)
		}
	}
}

// Contiguous and word-start matches rank first; the offsets are bytes,
// for the highlight.
func TestMatchRanksAndOffsets(t *testing.T) {
	score := func(q, text string) int {
		m, ok := matchText(q, text)
		if !ok {
			t.Fatalf("%q does not match %q", q, text)
		}
		return m.score
	}
	if !(score("macos", "macos") > score("macos", "macos-large")) {
		t.Error("an exact name does not rank above a longer one")
	}
	if !(score("dep", "Deploy Staging") > score("dep", "old deps")) {
		t.Error("a match at the start does not rank above one later")
	}
	if !(score("dep", "old deps") > score("dep", "d e p")) {
		t.Error("a contiguous match does not rank above word starts")
	}
	if !(score("gate", "API gateway") > score("gate", "delegate")) {
		t.Error("a run at a word start does not rank above one inside a word")
	}
	m, _ := matchText("ap", "🚀 API Gateway")
	if want := []int{5, 6}; !slices.Equal(m.idx, want) {
		t.Errorf("offsets %v, want %v", m.idx, want)
	}
	m, _ = matchText("hm", "Hadoop Migration")
	if want := []int{0, 7}; !slices.Equal(m.idx, want) {
		t.Errorf("offsets %v, want %v", m.idx, want)
	}
}
