package search

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
)

// MaxQueryLen is the longest search text q, in characters.
const MaxQueryLen = 200

// Search tuning. A search reads candidates through the indexes, at most
// maxPrefixCandidates prefix matches and maxFuzzyCandidates nearest
// neighbours by word similarity, and keeps those that match; so a search
// finds at most their sum, the most relevant first. Each candidate costs a
// row read and a similarity, so the bounds keep a broad prefix ("kathe" in a
// million contacts) within a few milliseconds; listing every match of a
// prefix is a filter (startsWith), not a search.
const (
	maxPrefixCandidates = 300
	maxFuzzyCandidates  = 200
	// minWordSimilarity is how close q must come to a word sequence of the
	// record's text to match as a typo (pg_trgm word_similarity).
	minWordSimilarity = 0.5
	// minPhoneDigits is how many digits make q a phone number search, and
	// minPhoneSuffix how many a suffix match needs to rank as exact.
	minPhoneDigits = 3
	minPhoneSuffix = 7
	// minFuzzyLen is how many characters a text needs to match anywhere
	// and with typos; shorter ones (张, 华为, "jo") match as prefixes.
	minFuzzyLen = 3
)

// ErrInvalidQuery is returned for a search text q that is too long.
var ErrInvalidQuery = errs.New(errs.Invalid, "invalid-query", "invalid search text")

// searchText is a parsed search text q.
type searchText struct {
	text   string // trimmed and lower-cased
	digits string // the digits of a phone number search, else ""
	email  bool   // q looks like (the start of) an email address
}

// parseText reads the search text q; an empty q is nil.
func parseText(q string) (*searchText, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQueryLen {
		e := ErrInvalidQuery.WithDetail("q must be valid text of at most %d characters", MaxQueryLen)
		e.Fields = []errs.FieldError{{Field: "q", Reason: "must be valid text of at most 200 characters"}}
		return nil, e
	}
	s := &searchText{text: strings.ToLower(q), email: strings.Contains(q, "@")}
	var digits strings.Builder
	phone := true
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case strings.ContainsRune("+-(). ", r):
		default:
			phone = false
		}
	}
	if phone && digits.Len() >= minPhoneDigits {
		s.digits = digits.String()
	}
	return s, nil
}

// term is what the text index compares with: the digits of a phone search,
// else the text.
func (s *searchText) term() string {
	if s.digits != "" {
		return s.digits
	}
	return s.text
}

// fuzzy reports whether s also matches substrings and typos: a text, not
// an email or phone search, of at least minFuzzyLen characters with a
// letter or digit.
func (s *searchText) fuzzy() bool {
	return !s.email && s.digits == "" && utf8.RuneCountInString(s.text) >= minFuzzyLen && hasTrigram(s.text)
}

// hasTrigram reports whether the text index can compare t: it needs a
// letter or digit (pg_trgm ignores everything else).
func hasTrigram(t string) bool {
	return strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// parseFilter reads a filter's JSON; empty is none.
func parseFilter(raw json.RawMessage) (*filter.Node, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, nil
	}
	return filter.Parse(raw)
}
