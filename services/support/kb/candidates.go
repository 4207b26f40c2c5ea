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
// tenant's articles would cost every search a scan of them.
const idfScale = "10000.0"

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
// articles with the term), summed per article; a search needs every term
// (the articles that have them all, unless it has an or or a not), a
// suggestion any. Only a phrase
// (<->), an or, a not, or more terms than maxPostingTerms need the doc
// itself, checked on those candidates only; and only a filter of locale,
// visibility or category their articles. Drafts and archived articles
// are few: their docs are matched and ranked (ts_rank) directly.
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
	verify := strings.ContainsAny(query, "<|!") || len(terms) > maxPostingTerms
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
		postings = append(postings, `SELECT article_id, weight * ln(1 + `+idfScale+` / count(*) OVER ()) AS w FROM kb_terms WHERE term = `+arg)
	}
	having := ""
	if q.All && !strings.ContainsAny(query, "|!") {
		having = " HAVING count(*) = " + strconv.Itoa(len(terms))
	}
	joins := ""
	if verify {
		joins = " JOIN kb_search s ON s.tenant_id = " + pgrecord.CurrentTenant + " AND s.article_id = m.article_id AND s.kind = 'published'"
		w.Add("s.doc @@ ?::tsquery", query)
	}
	if filters() {
		joins += " JOIN kb_articles a ON a.tenant_id = " + pgrecord.CurrentTenant + " AND a.id = m.article_id"
	}
	return `WITH m AS (SELECT x.article_id, sum(x.w) AS score FROM (` + strings.Join(postings, " UNION ALL ") + `) x
			GROUP BY x.article_id` + having + `)
		SELECT m.article_id, m.score FROM m` + joins + w.Where() + ` ORDER BY m.score DESC, m.article_id` + limit, w.Args
}
