package kb

import (
	"context"
	"strconv"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// publishedColumns are an article's columns with the text of its
// published version in place of its latest's.
const publishedColumns = `a.id, a.translation_group, a.locale, a.category_id, a.visibility, a.state, v.title, v.body, v.body_format,
	v.tags, a.published_version, a.draft_version, a.helpful_count, a.not_helpful_count, a.created_by, a.created_at, a.updated_at,
	a.published_at, a.version`

// publishedFrom joins the published articles to their published version.
const publishedFrom = ` FROM kb_articles a JOIN kb_article_versions v
	ON v.tenant_id = a.tenant_id AND v.article_id = a.id AND v.number = a.published_version`

// Published returns up to limit published articles of visibility (and of
// locale, unless ""), each with the text of its published version, in the
// order they were created, after the id after ("" from the first). It is
// what readers outside the tenant see (package portal).
func (s *Store) Published(ctx context.Context, tenant, visibility, locale, after string, limit int) (out []Article, err error) {
	var q pgrecord.Query
	q.Add("a.state = ?", StatePublished)
	q.Add("a.visibility = ?", visibility)
	if locale != "" {
		q.Add("a.locale = ?", locale)
	}
	if after != "" {
		q.Add("a.id > ?", after)
	}
	return out, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = selectArticles(ctx, tx, "SELECT "+publishedColumns+publishedFrom+q.Where()+" ORDER BY a.id LIMIT "+strconv.Itoa(limit), q.Args...)
		return err
	})
}

// PublishedArticle returns the article id with the text of its published
// version, if it is published with visibility; else ErrArticleNotFound.
func (s *Store) PublishedArticle(ctx context.Context, tenant, visibility, id string) (*Article, error) {
	if !ids.Valid(id) {
		return nil, ErrArticleNotFound
	}
	var out []Article
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) (err error) {
		out, err = selectArticles(ctx, tx, "SELECT "+publishedColumns+publishedFrom+` WHERE a.id = $1 AND a.state = $2 AND a.visibility = $3`,
			id, StatePublished, visibility)
		return err
	})
	if err == nil && len(out) == 0 {
		err = ErrArticleNotFound
	}
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}
