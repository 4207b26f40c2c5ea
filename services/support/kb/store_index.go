package kb

import (
	"context"
	"fmt"

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

// The weights of a term's occurrences in its posting, ts_rank's defaults:
// in the title (A) and in the body (B), the body's counted as the
// logarithm of the occurrences so a long body does not swamp a title.
const (
	weightTitle = 1.0
	weightBody  = 0.4
)

// index writes the search row of kind of a's current text: its plain
// text, and its tsvector of the 'english' lexemes of the non-CJK words and
// the CJK bigrams (tokens.go), title at weight A, body B; and for the
// published text, the postings of its lexemes in kb_terms.
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
	if kind != kindPublished {
		return nil
	}
	if err := unindex(ctx, tx, a.ID); err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO kb_terms (tenant_id, article_id, term, weight)
		SELECT s.tenant_id, s.article_id, u.lexeme,
			$2 * (SELECT count(*) FROM unnest(u.weights) w WHERE w = 'A') + $3 * ln(1 + (SELECT count(*) FROM unnest(u.weights) w WHERE w <> 'A'))
		FROM kb_search s, unnest(s.doc) u WHERE s.article_id = $1 AND s.kind = 'published'`, a.ID, weightTitle, weightBody); err != nil {
		return fmt.Errorf("index article's terms: %w", pg.MapError(err))
	}
	return nil
}

// unindex takes the postings of the article id out of kb_terms: it is no
// longer published.
func unindex(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM kb_terms WHERE article_id = $1", id); err != nil {
		return fmt.Errorf("unindex article's terms: %w", pg.MapError(err))
	}
	return nil
}
