package component

import (
	"unicode"
	"unicode/utf8"
)

// The one matcher of the console: the list filter (/) and the palette (:)
// both use it, so that a name found in one is found in the other.
//
// A query matches a text when it is a run of the text's characters
// (contiguous: "macos" in "macos-large"), or when it splits into runs that
// each start a word of the text ("hm" in "Hadoop Migration", "apigw" in
// "API Gateway"), a run of three or more counting anywhere ("gatew" in
// "apigateway"). Letters scattered through the text do not match: "dep"
// does not find "Identity Platform", nor "macos" "acme-go-sdk". Case is
// ignored.

// match is one text matched by a query: its score (higher is better) and
// the byte offsets of the matched characters, for highlighting.
type match struct {
	score int
	idx   []int
}

// minRunAnywhere is the shortest run that may start inside a word.
const minRunAnywhere = 3

// maxSegments bounds how many runs a query may be cut into.
const maxSegments = 4

// matchText matches query against text; ok is false when it does not.
func matchText(query, text string) (m match, ok bool) {
	q := foldRunes(query)
	if len(q) == 0 {
		return match{}, true
	}
	t := foldRunes(text)
	if len(q) > len(t) {
		return match{}, false
	}
	offsets := make([]int, 0, len(t))
	for i := range text {
		offsets = append(offsets, i)
	}
	if len(offsets) != len(t) { // invalid UTF-8 decoded differently
		return match{}, false
	}
	starts := wordStarts(text, len(t))

	// A contiguous run wins: the earliest one that starts a word, else
	// the earliest anywhere.
	best := -1
	for i := 0; i+len(q) <= len(t); i++ {
		if equalRunes(t[i:i+len(q)], q) {
			if starts[i] {
				best = i
				break
			}
			if best < 0 {
				best = i
			}
		}
	}
	if best >= 0 {
		score := 1000 - best
		switch {
		case best == 0:
			score += 300
		case starts[best]:
			score += 200
		}
		if len(q) == len(t) {
			score += 500
		}
		return match{score: score, idx: byteIndexes(offsets, best, len(q), nil)}, true
	}

	// Otherwise runs that start words (or are long enough to stand on
	// their own), in order, longest first.
	type seg struct{ at, n int }
	failed := map[[2]int]bool{}
	var segs []seg
	var walk func(qi, ti int) bool
	walk = func(qi, ti int) bool {
		if qi == len(q) {
			return true
		}
		if len(segs) == maxSegments || failed[[2]int{qi, ti}] {
			return false
		}
		for i := ti; i < len(t); i++ {
			if t[i] != q[qi] {
				continue
			}
			run := 0
			for qi+run < len(q) && i+run < len(t) && t[i+run] == q[qi+run] {
				run++
			}
			for n := run; n >= 1; n-- {
				if !starts[i] && n < minRunAnywhere {
					break
				}
				segs = append(segs, seg{i, n})
				if walk(qi+n, i+n) {
					return true
				}
				segs = segs[:len(segs)-1]
			}
		}
		failed[[2]int{qi, ti}] = true
		return false
	}
	if !walk(0, 0) {
		return match{}, false
	}
	score := 600 - 50*len(segs) - segs[0].at
	if segs[0].at == 0 {
		score += 100
	}
	var idx []int
	for _, s := range segs {
		idx = byteIndexes(offsets, s.at, s.n, idx)
	}
	return match{score: score, idx: idx}, true
}

func foldRunes(s string) []rune {
	out := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		out = append(out, unicode.ToLower(r))
	}
	return out
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wordStarts marks the runes that begin a word: the first, one after a
// character that is not a letter or digit ("go-sdk", "acme/ios"), and an
// upper-case letter after a lower-case one ("HadoopMigration").
func wordStarts(text string, n int) []bool {
	starts := make([]bool, 0, n)
	prev := rune(-1)
	for _, r := range text {
		s := prev < 0 ||
			(!unicode.IsLetter(prev) && !unicode.IsDigit(prev) && (unicode.IsLetter(r) || unicode.IsDigit(r))) ||
			(unicode.IsLower(prev) && unicode.IsUpper(r))
		starts = append(starts, s)
		prev = r
	}
	return starts
}

func byteIndexes(offsets []int, at, n int, into []int) []int {
	for i := at; i < at+n; i++ {
		into = append(into, offsets[i])
	}
	return into
}
