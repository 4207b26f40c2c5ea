package search

import (
	"strconv"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

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
func (s *searchText) render(k *pgstore.Table, b *pgstore.Args) searchSQL {
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

// candidates is the subquery of the ids a search may return: prefix
// matches through the btree key indexes and nearest neighbours through the
// trigram GiST index, each within the plan's conditions.
func (p *listPlan) candidates() string {
	a := p.k.Alias
	prefix := "(SELECT " + a + ".id FROM " + p.from() + " WHERE " + whereSQL(p.where, p.search.prefix) +
		" LIMIT " + strconv.Itoa(maxPrefixCandidates) + ")"
	if p.search.distance == "" {
		return prefix
	}
	return prefix + " UNION ALL (SELECT " + a + ".id FROM " + p.from() + " WHERE " + whereSQL(p.where) +
		" ORDER BY " + p.search.distance + " LIMIT " + strconv.Itoa(maxFuzzyCandidates) + ")"
}
