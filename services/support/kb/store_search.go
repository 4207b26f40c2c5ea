package kb

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// The kinds of an article's rows in kb_search: the text it publishes and
// its latest saved text.
const (
	kindPublished = "published"
	kindDraft     = "draft"
)

// index writes the search row of kind of a's current text: its plain
// text, and its tsvector of the 'english' lexemes of the non-CJK words and
// the CJK bigrams and unigrams (tokens.go), title at weight A, body B.
func index(ctx context.Context, tx *outbox.Tx, a *Article, kind string) error {
	body := plainText(a.Body, a.BodyFormat)
	titleOther, titleRuns := splitScripts(a.Title)
	bodyOther, bodyRuns := splitScripts(body)
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO kb_search (tenant_id, article_id, kind, title, body_text, doc)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, setweight(to_tsvector('english', $5), 'A') || $6::tsvector
			|| setweight(to_tsvector('english', $7), 'B') || $8::tsvector)
		ON CONFLICT (tenant_id, article_id, kind) DO UPDATE SET title = excluded.title, body_text = excluded.body_text, doc = excluded.doc`,
		a.ID, kind, a.Title, body, titleOther, cjkVector(titleRuns, 'A'), bodyOther, cjkVector(bodyRuns, 'B')); err != nil {
		return fmt.Errorf("index article: %w", pg.MapError(err))
	}
	return nil
}

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

// Hit is an article a search found, with its score (PostgreSQL's
// ts_rank: a title's match weighs more than a body's) and its highlights.
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
// through the 'english' configuration, its CJK runs as bigram phrases),
// then ranks the matching rows of kb_search by it through the GIN index.
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
			tsvector_to_array(to_tsvector('english', $3)) AS lexemes FROM (SELECT `+english+combine+`$2::tsquery AS q) x`,
			other, cjk, q.Text); err != nil {
			return fmt.Errorf("parse search: %w", pg.MapError(err))
		}
		if prep.Nodes == 0 {
			return nil
		}
		kind, state := kindDraft, q.State
		if state == StatePublished {
			kind = kindPublished
		}
		var where pgrecord.Query
		where.Add("s.doc @@ ?::tsquery", prep.Query)
		where.Add("s.kind = ?", kind)
		where.Add("a.state = ?", state)
		for col, v := range map[string]string{"a.locale": q.Locale, "a.visibility": q.Visibility, "a.category_id": q.CategoryID} {
			if v != "" {
				where.Add(col+" = ?", v)
			}
		}
		var rows []hitRow
		if err := tx.SQL().SelectContext(ctx, &rows, `SELECT a.id, a.translation_group, a.locale, a.category_id, a.visibility, a.state,
			s.title, s.body_text, a.helpful_count, a.not_helpful_count, a.updated_at, ts_rank(s.doc, $1::tsquery) AS score
			FROM kb_search s JOIN kb_articles a ON a.tenant_id = s.tenant_id AND a.id = s.article_id`+where.Where()+`
			ORDER BY score DESC, a.id LIMIT `+strconv.Itoa(q.Limit), where.Args...); err != nil {
			return fmt.Errorf("search articles: %w", pg.MapError(err))
		}
		h := newHighlighter(termRunes(runs), prep.Lexemes)
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
