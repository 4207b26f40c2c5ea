package kb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Store reads and writes the knowledge base; every write of an article or
// a category publishes its event through the outbox in its transaction.
type Store struct {
	db *outbox.DB
}

// NewStore returns the Store on db.
func NewStore(db *outbox.DB) *Store { return &Store{db: db} }

// articleRow is a row of kb_articles.
type articleRow struct {
	ID               string         `db:"id"`
	TranslationGroup string         `db:"translation_group"`
	Locale           string         `db:"locale"`
	CategoryID       *string        `db:"category_id"`
	Visibility       string         `db:"visibility"`
	State            string         `db:"state"`
	Title            string         `db:"title"`
	Body             string         `db:"body"`
	BodyFormat       string         `db:"body_format"`
	Tags             pq.StringArray `db:"tags"`
	PublishedVersion *int           `db:"published_version"`
	DraftVersion     int            `db:"draft_version"`
	HelpfulCount     int64          `db:"helpful_count"`
	NotHelpfulCount  int64          `db:"not_helpful_count"`
	CreatedBy        string         `db:"created_by"`
	CreatedAt        time.Time      `db:"created_at"`
	UpdatedAt        time.Time      `db:"updated_at"`
	PublishedAt      *time.Time     `db:"published_at"`
	Version          int64          `db:"version"`
}

const articleColumns = `id, translation_group, locale, category_id, visibility, state, title, body, body_format, tags,
	published_version, draft_version, helpful_count, not_helpful_count, created_by, created_at, updated_at, published_at, version`

// article is the Article of r.
func (r articleRow) article() Article {
	a := Article{ID: r.ID, TranslationGroupID: r.TranslationGroup, Locale: r.Locale, CategoryID: pgrecord.Deref(r.CategoryID),
		Visibility: r.Visibility, State: r.State, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Tags: []string(r.Tags),
		DraftVersion: r.DraftVersion, HelpfulCount: r.HelpfulCount, NotHelpfulCount: r.NotHelpfulCount, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	if r.PublishedVersion != nil {
		a.PublishedVersion = *r.PublishedVersion
	}
	if r.PublishedAt != nil {
		t := r.PublishedAt.UTC()
		a.PublishedAt = &t
	}
	return a
}

// rowOf is the row of a.
func rowOf(a *Article) articleRow {
	r := articleRow{ID: a.ID, TranslationGroup: a.TranslationGroupID, Locale: a.Locale, Visibility: a.Visibility, State: a.State,
		Title: a.Title, Body: a.Body, BodyFormat: a.BodyFormat, Tags: pq.StringArray(a.Tags), DraftVersion: a.DraftVersion,
		HelpfulCount: a.HelpfulCount, NotHelpfulCount: a.NotHelpfulCount, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
		UpdatedAt: a.UpdatedAt, PublishedAt: a.PublishedAt, Version: a.Version}
	if a.CategoryID != "" {
		r.CategoryID = &a.CategoryID
	}
	if a.PublishedVersion != 0 {
		r.PublishedVersion = &a.PublishedVersion
	}
	return r
}

// CreateArticle stores a new article with its first version, indexes its
// draft and publishes it; a second article of its translation group in
// its locale is ErrTranslationExists, a category that does not exist
// errCategoryRef.
func (s *Store) CreateArticle(ctx context.Context, tenant string, a *Article) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := saveArticle(ctx, tx, a, true); err != nil {
			return err
		}
		if err := saveVersion(ctx, tx, a.version(a.CreatedBy)); err != nil {
			return err
		}
		if err := index(ctx, tx, a, kindDraft); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityArticle, supportdb.VerbCreated, a.ID, a, nil)
	})
}

// saveArticle inserts or updates a's row.
func saveArticle(ctx context.Context, tx *outbox.Tx, a *Article, insert bool) error {
	q := `UPDATE kb_articles SET category_id = :category_id, visibility = :visibility, state = :state, title = :title, body = :body,
		body_format = :body_format, tags = :tags, published_version = :published_version, draft_version = :draft_version,
		updated_at = :updated_at, published_at = :published_at, version = :version
		WHERE tenant_id = ` + pgrecord.CurrentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO kb_articles (tenant_id, ` + articleColumns + `) VALUES (` + pgrecord.CurrentTenant + `, :id, :translation_group,
			:locale, :category_id, :visibility, :state, :title, :body, :body_format, :tags, :published_version, :draft_version,
			:helpful_count, :not_helpful_count, :created_by, :created_at, :updated_at, :published_at, :version)`
	}
	if _, err := tx.SQL().NamedExecContext(ctx, q, rowOf(a)); err != nil {
		switch {
		case pg.IsUniqueViolation(err, "kb_articles_translation"):
			return ErrTranslationExists.WithDetail("the article already has a translation in %s", a.Locale)
		case errors.Is(pg.MapError(err), pg.ErrReference):
			return errCategoryRef
		}
		return fmt.Errorf("save article: %w", pg.MapError(err))
	}
	return nil
}

// saveVersion inserts v.
func saveVersion(ctx context.Context, tx *outbox.Tx, v Version) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO kb_article_versions (tenant_id, article_id, number, title, body, body_format,
		tags, created_by, created_at) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8)`,
		v.ArticleID, v.Number, v.Title, v.Body, v.BodyFormat, pq.StringArray(v.Tags), v.CreatedBy, v.CreatedAt); err != nil {
		return fmt.Errorf("save article version: %w", pg.MapError(err))
	}
	return nil
}

// Article reads an article.
func (s *Store) Article(ctx context.Context, tenant, id string) (a *Article, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		a, err = getArticle(ctx, tx, id, false)
		return err
	})
	return a, err
}

// getArticle reads the article id, locking it for update when lock.
func getArticle(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Article, error) {
	var r articleRow
	if err := pgrecord.GetRow(ctx, tx, &r, "kb_articles", articleColumns, id, lock, ErrArticleNotFound, "article"); err != nil {
		return nil, err
	}
	a := r.article()
	return &a, nil
}

// ArticleFilter selects articles; empty fields select all.
type ArticleFilter struct {
	Locale, State, Visibility, CategoryID string
}

// Articles returns up to limit articles f selects, in the order they were
// created, after the id after ("" from the first).
func (s *Store) Articles(ctx context.Context, tenant string, f ArticleFilter, after string, limit int) (out []Article, err error) {
	var q pgrecord.Query
	if after != "" {
		q.Add("id > ?", after)
	}
	for col, v := range map[string]string{"locale": f.Locale, "state": f.State, "visibility": f.Visibility, "category_id": f.CategoryID} {
		if v != "" {
			q.Add(col+" = ?", v)
		}
	}
	return out, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = selectArticles(ctx, tx, "SELECT "+articleColumns+" FROM kb_articles"+q.Where()+" ORDER BY id LIMIT "+strconv.Itoa(limit), q.Args...)
		return err
	})
}

// Translations returns the articles of the translation group of the
// article id, itself included, by locale.
func (s *Store) Translations(ctx context.Context, tenant, id string) (out []Article, err error) {
	return out, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if _, err := getArticle(ctx, tx, id, false); err != nil {
			return err
		}
		out, err = selectArticles(ctx, tx, "SELECT "+articleColumns+` FROM kb_articles WHERE translation_group =
			(SELECT translation_group FROM kb_articles WHERE id = $1) ORDER BY locale`, id)
		return err
	})
}

// selectArticles runs a query of articles.
func selectArticles(ctx context.Context, tx *outbox.Tx, query string, args ...any) ([]Article, error) {
	var rows []articleRow
	if err := tx.SQL().SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("list articles: %w", pg.MapError(err))
	}
	out := make([]Article, len(rows))
	for i, r := range rows {
		out[i] = r.article()
	}
	return out, nil
}

// articleRows is how pgrecord.Update reads, writes and deletes articles:
// a write whose draft version is new saves that version (as actor's) and
// indexes it; one that publishes indexes what it publishes, and one that
// archives takes its postings out.
func articleRows(actor string) pgrecord.Rows[*Article] {
	return pgrecord.Rows[*Article]{
		Entity: supportdb.EntityArticle,
		Lock: func(ctx context.Context, tx *outbox.Tx, id string) (*Article, error) {
			return getArticle(ctx, tx, id, true)
		},
		Write: func(ctx context.Context, tx *outbox.Tx, current, next *Article) error {
			if err := saveArticle(ctx, tx, next, false); err != nil {
				return err
			}
			if next.DraftVersion != current.DraftVersion {
				if err := saveVersion(ctx, tx, next.version(actor)); err != nil {
					return err
				}
				if err := index(ctx, tx, next, kindDraft); err != nil {
					return err
				}
			}
			switch {
			case next.State == StatePublished && (current.State != StatePublished || next.PublishedVersion != current.PublishedVersion):
				return index(ctx, tx, next, kindPublished)
			case next.State != StatePublished && current.State == StatePublished:
				return unindex(ctx, tx, next.ID)
			}
			return nil
		},
		Delete: func(ctx context.Context, tx *outbox.Tx, id string) error {
			if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM kb_articles WHERE id = $1", id); err != nil {
				return fmt.Errorf("delete article: %w", pg.MapError(err))
			}
			return nil
		},
	}
}

// UpdateArticle changes, or deletes, the article id in a transaction of
// tenant (pgrecord.Update), as actor.
func (s *Store) UpdateArticle(ctx context.Context, tenant, id, actor string, change func(current *Article) (*Article, pgrecord.Change, error)) (*Article, pgrecord.Change, error) {
	return pgrecord.Update(ctx, s.db, tenant, id, articleRows(actor), change)
}

// versionColumns are the columns of kb_article_versions.
const versionColumns = "article_id, number, title, body, body_format, tags, created_by, created_at"

// versionRow is a row of kb_article_versions.
type versionRow struct {
	ArticleID  string         `db:"article_id"`
	Number     int            `db:"number"`
	Title      string         `db:"title"`
	Body       string         `db:"body"`
	BodyFormat string         `db:"body_format"`
	Tags       pq.StringArray `db:"tags"`
	CreatedBy  string         `db:"created_by"`
	CreatedAt  time.Time      `db:"created_at"`
}

// version is the Version of r.
func (r versionRow) version() Version {
	v := Version{ArticleID: r.ArticleID, Number: r.Number, Title: r.Title, Body: r.Body, BodyFormat: r.BodyFormat, Tags: r.Tags,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	return v
}

// Versions returns the versions of the article id, newest first; number,
// when not 0, selects that one (ErrVersionNotFound when there is none).
func (s *Store) Versions(ctx context.Context, tenant, id string, number int) (out []Version, err error) {
	return out, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if _, err := getArticle(ctx, tx, id, false); err != nil {
			return err
		}
		var rows []versionRow
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+versionColumns+` FROM kb_article_versions
			WHERE article_id = $1 AND ($2 = 0 OR number = $2) ORDER BY number DESC`, id, number); err != nil {
			return fmt.Errorf("list article versions: %w", pg.MapError(err))
		}
		if number != 0 && len(rows) == 0 {
			return ErrVersionNotFound
		}
		out = make([]Version, len(rows))
		for i, r := range rows {
			out[i] = r.version()
		}
		return nil
	})
}

// AddFeedback records a reader's feedback on the article id and returns
// the article's counts; the article's version stays (feedback is no
// change of the article).
func (s *Store) AddFeedback(ctx context.Context, tenant string, f Feedback) (counts FeedbackCounts, err error) {
	return counts, s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := tx.SQL().GetContext(ctx, &counts, `UPDATE kb_articles SET helpful_count = helpful_count + $2::int,
			not_helpful_count = not_helpful_count + 1 - $2::int WHERE id = $1 RETURNING helpful_count, not_helpful_count`,
			f.ArticleID, f.helpful()); err != nil {
			if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
				return ErrArticleNotFound
			}
			return fmt.Errorf("count feedback: %w", err)
		}
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO kb_article_feedback (tenant_id, id, article_id, helpful, comment, created_by,
			created_at) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6)`,
			f.ID, f.ArticleID, *f.Helpful, f.Comment, f.CreatedBy, f.CreatedAt); err != nil {
			return fmt.Errorf("save feedback: %w", pg.MapError(err))
		}
		return nil
	})
}
