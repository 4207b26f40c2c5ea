package kb

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search indexes a text in two parts, since PostgreSQL's parser does not
// segment Chinese (or Japanese, or Korean) text into words: its other
// words through the 'english' configuration (stemmed, stop words left
// out), and its runs of CJK characters as their overlapping character
// bigrams, the standard n-gram approach that needs no dictionary, with
// each run's last character alone. A query is split the same way: a run
// of CJK characters matches as the phrase of its bigrams; one character
// as the prefix of a bigram or a run's last character.

// The limits of a tsvector's positions (PostgreSQL's): positions past the
// last are left out, and so are a lexeme's positions past the most.
const (
	maxPosition           = 16383
	maxLexemePositions    = 256
	maxSuggestionTerms    = 24
	cjkPhraseSeparator    = " <-> "
	tsqueryAnd, tsqueryOr = " & ", " | "
)

// isCJK reports whether r belongs to a script written without spaces
// between words.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// splitScripts returns s's text other than CJK (each CJK run replaced by a
// space) and its CJK runs, in order.
func splitScripts(s string) (other string, runs [][]rune) {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) > 0 {
			runs = append(runs, run)
			run = nil
			b.WriteByte(' ')
		}
	}
	for _, r := range s {
		if isCJK(r) {
			run = append(run, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String(), runs
}

// cjkVector returns the tsvector (in its text form) of runs' bigrams, and
// each run's last character, with weight: the bigram of the characters i
// and i+1, or the last character i, is at position i+1, a gap between
// runs, so a query's bigrams match as a phrase only within one run.
func cjkVector(runs [][]rune, weight byte) string {
	positions := map[string][]int{}
	var order []string
	add := func(lexeme string, pos int) {
		p, seen := positions[lexeme]
		if !seen {
			order = append(order, lexeme)
		}
		if len(p) < maxLexemePositions {
			positions[lexeme] = append(p, pos)
		}
	}
	pos := 1
	for _, run := range runs {
		for i := range run {
			if pos > maxPosition {
				break
			}
			add(string(run[i:min(i+2, len(run))]), pos)
			pos++
		}
		pos++
	}
	var b strings.Builder
	for _, lexeme := range order {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(lexeme))
		b.WriteByte(':')
		for i, p := range positions[lexeme] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
			b.WriteByte(weight)
		}
	}
	return b.String()
}

// quoteLexeme is lexeme quoted for a tsvector's or tsquery's text form.
func quoteLexeme(lexeme string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(lexeme) + "'"
}

// cjkLexeme is term as a tsquery operand: a bigram itself, one character
// the prefix of the lexemes that start with it.
func cjkLexeme(term string) string {
	if utf8.RuneCountInString(term) == 1 {
		return quoteLexeme(term) + ":*"
	}
	return quoteLexeme(term)
}

// cjkTerms returns the terms a query's CJK runs search for: a run of one
// character is its unigram; a longer one the phrase of its bigrams.
func cjkTerms(runs [][]rune) [][]string {
	var out [][]string
	for _, run := range runs {
		if len(run) == 1 {
			out = append(out, []string{string(run)})
			continue
		}
		var phrase []string
		for i := 0; i+1 < len(run); i++ {
			phrase = append(phrase, string(run[i:i+2]))
		}
		out = append(out, phrase)
	}
	return out
}

// cjkQuery returns the tsquery (in its text form) of a query's CJK runs:
// every run matching (all) or any of them, each as the phrase of its
// bigrams; "" when there is none.
func cjkQuery(runs [][]rune, all bool) string {
	var parts []string
	for _, phrase := range cjkTerms(runs) {
		quoted := make([]string, len(phrase))
		for i, t := range phrase {
			quoted[i] = cjkLexeme(t)
		}
		parts = append(parts, "("+strings.Join(quoted, cjkPhraseSeparator)+")")
	}
	op := tsqueryOr
	if all {
		op = tsqueryAnd
	}
	return strings.Join(parts, op)
}

// termRunes returns the bigrams and lone characters cjkTerms makes of runs,
// each once.
func termRunes(runs [][]rune) [][]rune {
	var out [][]rune
	for _, phrase := range cjkTerms(runs) {
		for _, t := range phrase {
			if !slices.ContainsFunc(out, func(r []rune) bool { return string(r) == t }) {
				out = append(out, []rune(t))
			}
		}
	}
	return out
}

// suggestionQuery returns, for a long text (a case's subject and
// description), the tsquery text of its CJK part (any of its bigrams or
// lone characters) and the to_tsquery input of its other words (any of
// them), each at most maxSuggestionTerms distinct terms.
func suggestionQuery(text string) (cjk, words string) {
	other, runs := splitScripts(text)
	var terms []string
	for _, t := range termRunes(runs) {
		if len(terms) < maxSuggestionTerms {
			terms = append(terms, cjkLexeme(string(t)))
		}
	}
	var ws []string
	for _, w := range strings.FieldsFunc(strings.ToLower(other), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !slices.Contains(ws, w) && len(ws) < maxSuggestionTerms {
			ws = append(ws, w)
		}
	}
	return strings.Join(terms, tsqueryOr), strings.Join(ws, tsqueryOr)
}
