package kb

import (
	"html"
	"slices"
	"strings"
	"unicode"
)

// The bounds of a body's highlight, in characters: the window shown, how
// much of it comes before the first match, and how far into the body a
// match is looked for.
const (
	snippetLength = 240
	snippetLead   = 60
	snippetScan   = 20_000
)

// Highlights are an article's title and an extract of its body with the
// words a search matched marked: HTML-escaped text with <mark> elements.
type Highlights struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// highlighter marks a query's matches in a text: the bigrams (or lone
// characters) of its CJK runs as substrings, its other words by the lexemes the 'english' configuration
// made of them (a word matches a lexeme it starts with, or that starts
// with the word less its last letter: "resetting" matches "reset",
// "policy" matches "polici"; for the display only, ranking is
// PostgreSQL's).
type highlighter struct {
	cjk     [][]rune
	lexemes []string
}

// newHighlighter returns the highlighter of a query's CJK terms
// (termRunes) and its English lexemes.
func newHighlighter(runs [][]rune, lexemes []string) highlighter {
	return highlighter{cjk: runs, lexemes: lexemes}
}

// highlights marks title and an extract of body.
func (h highlighter) highlights(title, body string) Highlights {
	t := []rune(title)
	b := []rune(body)
	scan := b[:min(len(b), snippetScan)]
	spans := h.matches(scan)
	start := 0
	if len(spans) > 0 && spans[0][0] > snippetLead {
		start = spans[0][0] - snippetLead
	}
	end := min(len(b), start+snippetLength)
	return Highlights{Title: mark(t, h.matches(t), 0, len(t)), Body: mark(b, spans, start, end)}
}

// matches returns the spans [start, end) of text's runes that match, in
// order, merged where they overlap.
func (h highlighter) matches(text []rune) [][2]int {
	lower := make([]rune, len(text))
	for i, r := range text {
		lower[i] = unicode.ToLower(r)
	}
	var spans [][2]int
	for _, run := range h.cjk {
		for i := 0; i+len(run) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(run)], run) {
				spans = append(spans, [2]int{i, i + len(run)})
			}
		}
	}
	for i := 0; i < len(lower); {
		if !isWordRune(lower[i]) || isCJK(lower[i]) {
			i++
			continue
		}
		j := i
		for j < len(lower) && isWordRune(lower[j]) && !isCJK(lower[j]) {
			j++
		}
		if h.wordMatches(string(lower[i:j])) {
			spans = append(spans, [2]int{i, j})
		}
		i = j
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var merged [][2]int
	for _, s := range spans {
		if n := len(merged); n > 0 && s[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], s[1])
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// wordMatches reports whether a lower-case word matches one of the
// query's English lexemes.
func (h highlighter) wordMatches(word string) bool {
	for _, l := range h.lexemes {
		if strings.HasPrefix(word, l) {
			return true
		}
		if w := []rune(word); len(w) >= 4 && strings.HasPrefix(l, string(w[:len(w)-1])) {
			return true
		}
	}
	return false
}

// isWordRune reports whether r is part of a word.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mark returns text[start:end] HTML-escaped with the spans in <mark>
// elements, an ellipsis where it is cut.
func mark(text []rune, spans [][2]int, start, end int) string {
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	at := start
	for _, s := range spans {
		from, to := max(s[0], start), min(s[1], end)
		if from >= to {
			continue
		}
		b.WriteString(html.EscapeString(string(text[at:from])))
		b.WriteString("<mark>" + html.EscapeString(string(text[from:to])) + "</mark>")
		at = to
	}
	b.WriteString(html.EscapeString(string(text[at:end])))
	if end < len(text) {
		b.WriteString("…")
	}
	return b.String()
}
