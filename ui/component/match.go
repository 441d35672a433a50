package component

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// The one matcher of the console: the list filter (/) and the palette (:)
// both use it, so that a name found in one is found in the other.
//
// sahilm/fuzzy finds the query's letters in order and scores how well
// they sit (at the start, after a separator, at a camel-case hump, next
// to each other). On its own it finds letters scattered anywhere, so a
// post-filter keeps today's rule: a query matches a text when it is a run
// of the text's characters (contiguous: "macos" in "macos-large"), or
// when it splits into runs that each start a word of the text ("hm" in
// "Hadoop Migration", "apigw" in "API Gateway"), a run of three or more
// counting anywhere ("gatew" in "apigateway"). Letters scattered through
// the text do not match: "dep" does not find "Identity Platform", nor
// "macos" "acme-go-sdk". Case is ignored.

// match is one text matched by a query: its score (higher is better) and
// the byte offsets of the matched characters, for highlighting.
type match struct {
	score int
	idx   []int
}

// minRunAnywhere is the shortest run that may start inside a word.
const minRunAnywhere = 3

// maxRuns bounds how many runs a query may be cut into.
const maxRuns = 4

// The ranking: the kind of match first, as the rule orders them, then
// fuzzy's score within a kind.
const (
	kindRuns = iota + 1
	kindInsideAWord
	kindAtAWord
	kindAtTheStart
	kindWhole
	perKind = 1000 // above the widest fuzzy score counted
)

// matchText matches query against text; ok is false when it does not.
func matchText(query, text string) (m match, ok bool) {
	if query == "" {
		return match{}, true
	}
	found := fuzzy.Find(query, []string{text})
	if len(found) == 0 {
		return match{}, false // not even scattered
	}
	quality := min(max(found[0].Score, -perKind/2+1), perKind/2-1)
	starts := wordStarts(text)

	// A contiguous run wins: the earliest one that starts a word, else
	// the earliest anywhere.
	at := -1
	for i := range text {
		if !runAt(text, i, query) {
			continue
		}
		if starts[i] {
			at = i
			break
		}
		if at < 0 {
			at = i
		}
	}
	if at >= 0 {
		idx := runIndexes(text, at, utf8.RuneCountInString(query))
		kind := kindInsideAWord
		switch {
		case at == 0 && len(idx) == utf8.RuneCountInString(text):
			kind = kindWhole
		case at == 0:
			kind = kindAtTheStart
		case starts[at]:
			kind = kindAtAWord
		}
		return match{score: kind*perKind + quality, idx: idx}, true
	}

	// Otherwise fuzzy's placing of the letters, if it keeps the rule.
	// It places each letter as well as it can before the next one
	// appears, so a later word may hold the query in runs where the
	// text's start scatters it: try it from each word start too.
	first, _ := utf8.DecodeRuneInString(query)
	for k := range text {
		if k > 0 && (!starts[k] || !sameLetter(first, text[k:])) {
			continue
		}
		found := fuzzy.Find(query, []string{text[k:]})
		if len(found) == 0 {
			break // nor from any later start
		}
		idx := found[0].MatchedIndexes
		for i := range idx {
			idx[i] += k
		}
		if keepsTheRule(text, idx, starts) {
			return match{score: kindRuns*perKind + quality, idx: idx}, true
		}
	}
	// Placed from the end, each letter goes as late as it can: a run
	// that ends a word ("ing" of "Remaining" for "ling" in
	// "RateLimit-Remaining").
	if idx := placedFromTheEnd(query, text); idx != nil && keepsTheRule(text, idx, starts) {
		return match{score: kindRuns*perKind + quality, idx: idx}, true
	}
	return match{}, false
}

// placedFromTheEnd is fuzzy's placing of the reversed query in the
// reversed text, as byte offsets of text, in order.
func placedFromTheEnd(query, text string) []int {
	var at []int
	var back []rune
	for i, r := range text {
		at, back = append(at, i), append(back, r)
	}
	q := []rune(query)
	slices.Reverse(back)
	slices.Reverse(q)
	reversed := string(back)
	found := fuzzy.Find(string(q), []string{reversed})
	if len(found) == 0 {
		return nil
	}
	idx := make([]int, len(q))
	for i, j := range found[0].MatchedIndexes {
		idx[len(q)-1-i] = at[len(at)-1-utf8.RuneCountInString(reversed[:j])]
	}
	return idx
}

// keepsTheRule reports whether the matched characters at idx form at
// most maxRuns runs, each at a word start or long enough to stand alone.
func keepsTheRule(text string, idx []int, starts []bool) bool {
	runs := 0
	for i := 0; i < len(idx); {
		n := 1
		for i+n < len(idx) && idx[i+n] == next(text, idx[i+n-1]) {
			n++
		}
		if runs++; runs > maxRuns || !starts[idx[i]] && n < minRunAnywhere {
			return false
		}
		i += n
	}
	return true
}

// next is the byte offset of the character after the one at i.
func next(text string, i int) int {
	_, size := utf8.DecodeRuneInString(text[i:])
	return i + size
}

// runAt reports whether query is the text's run at byte offset at.
func runAt(text string, at int, query string) bool {
	for _, q := range query {
		if at >= len(text) {
			return false
		}
		r, size := utf8.DecodeRuneInString(text[at:])
		if unicode.ToLower(r) != unicode.ToLower(q) {
			return false
		}
		at += size
	}
	return true
}

func sameLetter(r rune, s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return unicode.ToLower(first) == unicode.ToLower(r)
}

// runIndexes are the byte offsets of n characters from at.
func runIndexes(text string, at, n int) []int {
	idx := make([]int, 0, n)
	for ; n > 0; n-- {
		idx = append(idx, at)
		at = next(text, at)
	}
	return idx
}

// wordStarts marks, by byte offset, the characters that begin a word:
// the first, one after a character that is not a letter or digit
// ("go-sdk", "acme/ios"), and an upper-case letter after a lower-case one
// ("HadoopMigration").
func wordStarts(text string) []bool {
	starts := make([]bool, len(text))
	prev := rune(-1)
	for i, r := range text {
		starts[i] = prev < 0 ||
			(!unicode.IsLetter(prev) && !unicode.IsDigit(prev) && (unicode.IsLetter(r) || unicode.IsDigit(r))) ||
			(unicode.IsLower(prev) && unicode.IsUpper(r))
		prev = r
	}
	return starts
}
