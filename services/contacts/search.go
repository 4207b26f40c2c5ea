package contacts

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
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

// search is a parsed search text.
type search struct {
	text   string // trimmed and lower-cased
	digits string // the digits of a phone number search, else ""
	email  bool   // q looks like (the start of) an email address
}

// parseSearch reads q; an empty q is nil.
func parseSearch(q string) (*search, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQueryLen {
		e := ErrInvalidQuery.WithDetail("q must be valid text of at most %d characters", MaxQueryLen)
		e.Fields = []errs.FieldError{{Field: "q", Reason: "must be valid text of at most 200 characters"}}
		return nil, e
	}
	s := &search{text: strings.ToLower(q), email: strings.Contains(q, "@")}
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
func (s *search) term() string {
	if s.digits != "" {
		return s.digits
	}
	return s.text
}

// reverse returns s reversed by runes.
func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// searchSQL renders a search over k for a list query: prefix is the
// condition the prefix indexes serve (leakproof ^@ on stored key columns),
// match the condition a candidate must meet, rank the relevance bucket
// (0 exact email or phone or name, 1 prefix, 2 substring or typo) and score
// the word similarity that orders a bucket. Values are bound through b.
//
// distance orders the nearest neighbours by word similarity through the
// trigram GiST index; it is "" (no fuzzy candidates) for email and phone
// searches and for texts under minFuzzyLen characters, which match as
// prefixes only.
type searchSQL struct {
	prefix, match, rank, score, distance string
}

// render builds the SQL of s over k's alias a.
func (s *search) render(k *pgstore.Table, b *pgstore.Args) searchSQL {
	a := k.Alias + "."
	term := b.Bind(s.term())
	out := searchSQL{score: "word_similarity(" + term + "::text, " + a + "search_text)::float8"}
	if s.fuzzy() {
		out.distance = term + "::text <<-> " + a + "search_text"
	}
	contains := "strpos(" + a + "search_text, " + term + "::text) > 0"
	if k == pgstore.Accounts {
		text := b.Bind(s.text)
		out.prefix = "(" + a + "name_key ^@ " + text + "::text OR " + a + "domain ^@ " + text + "::text)"
		out.match = out.prefix
		if s.fuzzy() {
			out.match = "(" + out.prefix + " OR " + contains + " OR " + out.score + " >= " + b.Bind(minWordSimilarity) + ")"
		}
		out.rank = "CASE WHEN " + a + "name_key = " + text + "::text OR " + a + "domain = " + text + "::text THEN 0 WHEN " +
			out.prefix + " THEN 1 ELSE 2 END"
		return out
	}
	switch {
	case s.digits != "":
		d, rd := term, b.Bind(reverse(s.digits))
		out.prefix = "(" + a + "phone_key ^@ " + d + "::text OR " + a + "phone_rkey ^@ " + rd + "::text)"
		out.match = out.prefix
		exact := a + "phone_key = " + d + "::text"
		if len(s.digits) >= minPhoneSuffix {
			exact += " OR " + a + "phone_rkey ^@ " + rd + "::text"
		}
		out.rank = "CASE WHEN " + exact + " THEN 0 WHEN " + out.prefix + " THEN 1 ELSE 2 END"
	case s.email:
		text := b.Bind(s.text)
		out.prefix = "(" + a + "primary_email ^@ " + text + "::text)"
		out.match = out.prefix
		out.rank = "CASE WHEN " + a + "primary_email = " + text + "::text THEN 0 WHEN " + out.prefix + " THEN 1 ELSE 2 END"
	default:
		text := b.Bind(s.text)
		out.prefix = "(" + a + "name_key ^@ " + text + "::text OR " + a + "account_key ^@ " + text + "::text OR " +
			a + "primary_email ^@ " + text + "::text)"
		out.match = out.prefix
		if s.fuzzy() {
			out.match = "(" + out.prefix + " OR " + contains + " OR " + out.score + " >= " + b.Bind(minWordSimilarity) + ")"
		}
		out.rank = "CASE WHEN " + a + "name_key = " + text + "::text OR " + a + "primary_email = " + text + "::text THEN 0 WHEN " +
			out.prefix + " THEN 1 ELSE 2 END"
	}
	return out
}

// fuzzy reports whether s also matches substrings and typos: a text, not
// an email or phone search, of at least minFuzzyLen characters with a
// letter or digit.
func (s *search) fuzzy() bool {
	return !s.email && s.digits == "" && utf8.RuneCountInString(s.text) >= minFuzzyLen && hasTrigram(s.text)
}

// hasTrigram reports whether the text index can compare t: it needs a
// letter or digit (pg_trgm ignores everything else).
func hasTrigram(t string) bool {
	return strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}
