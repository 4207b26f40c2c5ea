package kb

import (
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// maxPostingTerms is how many terms of a query are looked up in the
// postings; a query with more (up to 500 characters of Chinese) matches
// the candidates of its first ones and checks the rest on their docs.
const maxPostingTerms = 32

// idfScale stands for the number of articles in a term's idf: a constant,
// as ranking needs only the order of the terms' rarity, and counting the
// tenant's articles would cost every search a scan of them. It is a
// double precision: a numeric one made the idf's logarithm numeric, which
// took three quarters of a common term's search (a numeric ln per
// posting; bench/results.md, part 12).
const idfScale = "10000.0::float8"

// searchKind is the kind of kb_search row a search in state reads: the
// published text of published articles, the latest of the others.
func searchKind(state string) string {
	if state == StatePublished {
		return kindPublished
	}
	return kindDraft
}

// candidates returns the SQL, with its arguments, of the ids and scores of
// the best q.Limit articles matching the tsquery query, whose terms are
// lexemes (of its words other than CJK) and cjk (its bigrams, a lone
// character a prefix).
//
// Published articles are found through their postings (kb_terms, which
// hold those of the published articles only): each
// term's articles with its weight times its idf, ln(1 + idfScale /
// articles with the term: an exact term's counted once, in a subquery, a
// window over its postings took twice as long), summed per article; a search needs every term
// (the articles that have them all, unless it has an or or a not), a
// suggestion any. Only a phrase
// (<->), a not, an or beside an and, or more terms than maxPostingTerms
// than an all-terms search looks up need the doc itself (needsDoc),
// checked on the candidates in the order of their scores until q.Limit
// match, not on all of them; and only a filter of locale, visibility or
// category their articles. Drafts and archived articles are few: their
// docs are matched and ranked (ts_rank) directly.
func candidates(q SearchQuery, query string, lexemes []string, cjk [][]rune) (string, []any) {
	var w pgrecord.Query
	filters := func() bool {
		n := len(w.Conds)
		for col, v := range map[string]string{"a.locale": q.Locale, "a.visibility": q.Visibility, "a.category_id": q.CategoryID} {
			if v != "" {
				w.Add(col+" = ?", v)
			}
		}
		return len(w.Conds) > n
	}
	limit := " LIMIT " + strconv.Itoa(q.Limit)
	if q.State != StatePublished {
		w.Add("s.doc @@ ?::tsquery", query)
		w.Add("a.state = ?", q.State)
		filters()
		return `SELECT s.article_id, ts_rank(s.doc, $1::tsquery) AS score FROM kb_articles a
			JOIN kb_search s ON s.tenant_id = a.tenant_id AND s.article_id = a.id AND s.kind = 'draft'` + w.Where() +
			` ORDER BY score DESC, s.article_id` + limit, w.Args
	}
	terms := append([]string{}, lexemes...)
	for _, t := range cjk {
		terms = append(terms, string(t))
	}
	verify := needsDoc(query, len(terms))
	terms = terms[:min(len(terms), maxPostingTerms)]
	var postings []string
	for _, t := range terms {
		w.Args = append(w.Args, t)
		arg := "$" + strconv.Itoa(len(w.Args))
		if r := []rune(t); len(r) == 1 && isCJK(r[0]) {
			postings = append(postings, `SELECT article_id, max(weight) * ln(1 + `+idfScale+` / count(*) OVER ()) AS w
				FROM kb_terms WHERE term ^@ `+arg+` GROUP BY article_id`)
			continue
		}
		postings = append(postings, `SELECT article_id, weight * (SELECT ln(1 + `+idfScale+` / count(*)) FROM kb_terms WHERE term = `+arg+`) AS w
			FROM kb_terms WHERE term = `+arg)
	}
	having := ""
	if q.All && !strings.ContainsAny(query, "|!") {
		having = " HAVING count(*) = " + strconv.Itoa(len(terms))
	}
	joins := ""
	if filters() {
		joins = " JOIN kb_articles a ON a.tenant_id = " + pgrecord.CurrentTenant + " AND a.id = m.article_id"
	}
	ranked := `WITH m AS (SELECT x.article_id, sum(x.w) AS score FROM (` + strings.Join(postings, " UNION ALL ") + `) x
			GROUP BY x.article_id` + having + `)
		SELECT m.article_id, m.score FROM m` + joins + w.Where() + ` ORDER BY m.score DESC, m.article_id`
	if !verify {
		return ranked + limit, w.Args
	}
	// OFFSET 0 keeps the doc's check out of the ranking (the planner would
	// push it down, onto every candidate): it filters the ranked
	// candidates in order, and the LIMIT stops it at the last hit.
	w.Args = append(w.Args, query)
	return `SELECT c.article_id, c.score FROM (` + ranked + ` OFFSET 0) c
		WHERE (SELECT s.doc @@ $` + strconv.Itoa(len(w.Args)) + `::tsquery FROM kb_search s
			WHERE s.tenant_id = ` + pgrecord.CurrentTenant + ` AND s.article_id = c.article_id AND s.kind = 'published')
		ORDER BY c.score DESC, c.article_id` + limit, w.Args
}

// needsDoc reports whether the postings of a query's terms (n of them) do
// not decide which articles match its tsquery query, so that the
// candidates' docs must: a phrase (<->) or a not (!) is not in the
// postings; an or beside an and makes the terms' count in an article no
// test; and past maxPostingTerms the terms not looked up of an
// all-terms query are not known. A query of ors alone (a suggestion's, a
// websearch "or") is matched by every article with a posting of one of
// its terms.
func needsDoc(query string, n int) bool {
	if strings.ContainsAny(query, "<!") {
		return true
	}
	if strings.Contains(query, "|") {
		return strings.Contains(query, "&")
	}
	return n > maxPostingTerms
}
