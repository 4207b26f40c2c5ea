package kb

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// SearchQuery is a search: Text, in all (every term must match) or any
// mode, over the articles in State (the text they publish when published,
// their latest otherwise), optionally of one Locale, Visibility and
// CategoryID, at most Limit hits.
type SearchQuery struct {
	Text                                  string
	All                                   bool
	State, Locale, Visibility, CategoryID string
	Limit                                 int
}

// Hit is an article a search found, with its score (candidates.go: a
// title's match weighs more than a body's) and its highlights.
type Hit struct {
	ID                 string     `json:"id"`
	TranslationGroupID string     `json:"translationGroupId"`
	Locale             string     `json:"locale"`
	CategoryID         string     `json:"categoryId,omitempty"`
	Visibility         string     `json:"visibility"`
	State              string     `json:"state"`
	Title              string     `json:"title"`
	HelpfulCount       int64      `json:"helpfulCount"`
	NotHelpfulCount    int64      `json:"notHelpfulCount"`
	UpdatedAt          time.Time  `json:"updatedAt"`
	Score              float64    `json:"score"`
	Highlights         Highlights `json:"highlights"`
}

// hitRow is a row of a search.
type hitRow struct {
	ID               string    `db:"id"`
	TranslationGroup string    `db:"translation_group"`
	Locale           string    `db:"locale"`
	CategoryID       *string   `db:"category_id"`
	Visibility       string    `db:"visibility"`
	State            string    `db:"state"`
	Title            string    `db:"title"`
	BodyText         string    `db:"body_text"`
	HelpfulCount     int64     `db:"helpful_count"`
	NotHelpfulCount  int64     `db:"not_helpful_count"`
	UpdatedAt        time.Time `db:"updated_at"`
	Score            float64   `db:"score"`
}

// Search runs q: it makes the tsquery of q's text (its non-CJK words
// through the 'english' configuration, its CJK runs as bigram phrases) and
// its terms (the lexemes and bigrams), ranks the candidates
// (candidates.go) and reads the best ones' texts for their highlights.
func (s *Store) Search(ctx context.Context, tenant string, q SearchQuery) (out []Hit, err error) {
	other, runs := splitScripts(q.Text)
	english, combine, cjk := "websearch_to_tsquery('english', $1)", " && ", cjkQuery(runs, true)
	if !q.All {
		english, combine = "to_tsquery('english', $1)", " || "
		cjk, other = suggestionQuery(q.Text)
	}
	out = []Hit{}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var prep struct {
			Query   string         `db:"query"`
			Nodes   int            `db:"nodes"`
			Lexemes pq.StringArray `db:"lexemes"`
		}
		if err := tx.SQL().GetContext(ctx, &prep, `SELECT q::text AS query, numnode(q) AS nodes,
			tsvector_to_array(to_tsvector('english', $1)) AS lexemes FROM (SELECT `+english+combine+`$2::tsquery AS q) x`,
			other, cjk); err != nil {
			return fmt.Errorf("parse search: %w", pg.MapError(err))
		}
		if prep.Nodes == 0 {
			return nil
		}
		cjkTerms := termRunes(runs)
		sql, args := candidates(q, prep.Query, prep.Lexemes, cjkTerms)
		var rows []hitRow
		if err := tx.SQL().SelectContext(ctx, &rows, `SELECT a.id, a.translation_group, a.locale, a.category_id, a.visibility, a.state,
			t.title, t.body_text, a.helpful_count, a.not_helpful_count, a.updated_at, r.score
			FROM (`+sql+`) r
			JOIN kb_articles a ON a.tenant_id = `+pgrecord.CurrentTenant+` AND a.id = r.article_id
			JOIN kb_search t ON t.tenant_id = a.tenant_id AND t.article_id = r.article_id AND t.kind = '`+searchKind(q.State)+`'
			ORDER BY r.score DESC, r.article_id`, args...); err != nil {
			return fmt.Errorf("search articles: %w", pg.MapError(err))
		}
		h := newHighlighter(cjkTerms, prep.Lexemes)
		out = make([]Hit, len(rows))
		for i, r := range rows {
			out[i] = Hit{ID: r.ID, TranslationGroupID: r.TranslationGroup, Locale: r.Locale, CategoryID: pgrecord.Deref(r.CategoryID),
				Visibility: r.Visibility, State: r.State, Title: r.Title, HelpfulCount: r.HelpfulCount, NotHelpfulCount: r.NotHelpfulCount,
				UpdatedAt: r.UpdatedAt.UTC(), Score: r.Score, Highlights: h.highlights(r.Title, r.BodyText)}
		}
		return nil
	})
	return out, err
}
