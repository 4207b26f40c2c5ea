package kb

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Service is the knowledge base. Patches are JSON merge patches (RFC 7396)
// needing ifMatch, the version the caller last saw; publishing, archiving
// and deleting take it when given (0: none).
type Service interface {
	CreateArticle(ctx context.Context, in ArticleInput) (*Article, error)
	GetArticle(ctx context.Context, id string) (*Article, error)
	ListArticles(ctx context.Context, f ArticleFilter, cursor string, limit int) (*Page[Article], error)
	// UpdateArticle changes an article; a change of its text (title,
	// body, format, tags) saves a new draft version.
	UpdateArticle(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Article, []string, error)
	// PublishArticle makes the latest version the published one.
	PublishArticle(ctx context.Context, id string, ifMatch int64) (*Article, error)
	// ArchiveArticle takes an article out of search and the portal.
	ArchiveArticle(ctx context.Context, id string, ifMatch int64) (*Article, error)
	DeleteArticle(ctx context.Context, id string, ifMatch int64) error
	// Versions returns an article's versions, newest first.
	Versions(ctx context.Context, id string) ([]Version, error)
	Version(ctx context.Context, id string, number int) (*Version, error)
	// CreateTranslation creates the article of another locale in the
	// translation group of the article id; its category and visibility
	// are the article's unless given.
	CreateTranslation(ctx context.Context, id string, in ArticleInput) (*Article, error)
	// Translations returns the articles of the translation group of the
	// article id, itself included.
	Translations(ctx context.Context, id string) ([]Article, error)
	AddFeedback(ctx context.Context, id string, f Feedback) (FeedbackCounts, error)
	// Search ranks the articles matching q.
	Search(ctx context.Context, q SearchQuery) ([]Hit, error)

	CreateCategory(ctx context.Context, c Category) (*Category, error)
	GetCategory(ctx context.Context, id string) (*Category, error)
	ListCategories(ctx context.Context) ([]Category, error)
	UpdateCategory(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Category, []string, error)
	// DeleteCategory deletes a category nothing is filed under.
	DeleteCategory(ctx context.Context, id string, ifMatch int64) error
}

// Page is a page of a list; NextCursor, when set, reads the next.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// articleReadOnly are the fields of an Article the service sets; a patch
// cannot change an article's locale either (translate it instead).
var (
	articleReadOnly = []string{"id", "translationGroupId", "state", "publishedVersion", "draftVersion", "helpfulCount",
		"notHelpfulCount", "createdBy", "createdAt", "updatedAt", "publishedAt", "version"}
	articlePatchReadOnly = append([]string{"locale"}, articleReadOnly...)
)

type service struct {
	store   *Store
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on store, signing list cursors with
// cursors.
func NewService(store *Store, cursors *kitx.Cursors) Service {
	return &service{store: store, cursors: cursors, now: time.Now}
}

// caller returns the caller's tenant and user; an id that is no UUID
// (when ids are given) is notFound.
func caller(ctx context.Context, notFound error, idList ...string) (tenant, user string, err error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return "", "", auth.ErrUnauthenticated
	}
	for _, id := range idList {
		if !ids.Valid(id) {
			return "", "", notFound
		}
	}
	return p.TenantID, p.UserID, nil
}

// checkCategory is errCategoryRef unless id is "" or a UUID (the foreign
// key checks it exists).
func checkCategory(id string) error {
	if id != "" && !ids.Valid(id) {
		return errCategoryRef
	}
	return nil
}

// CreateArticle implements Service: a draft, its version 1.
func (s *service) CreateArticle(ctx context.Context, in ArticleInput) (*Article, error) {
	t, user, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	if err := checkCategory(in.CategoryID); err != nil {
		return nil, err
	}
	return s.create(ctx, t, user, "", in)
}

// create stores a new article of the translation group group (its own
// when "").
func (s *service) create(ctx context.Context, tenant, user, group string, in ArticleInput) (*Article, error) {
	now := pg.Timestamp(s.now())
	a := &Article{ID: ids.New(), TranslationGroupID: group, Locale: in.Locale, CategoryID: in.CategoryID, Visibility: in.Visibility,
		State: StateDraft, Title: in.Title, Body: in.Body, BodyFormat: in.BodyFormat, Tags: in.Tags, DraftVersion: 1,
		CreatedBy: user, CreatedAt: now, UpdatedAt: now, Version: 1}
	if group == "" {
		a.TranslationGroupID = a.ID
	}
	return a, s.store.CreateArticle(ctx, tenant, a)
}

// GetArticle implements Service.
func (s *service) GetArticle(ctx context.Context, id string) (*Article, error) {
	t, _, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, err
	}
	return s.store.Article(ctx, t, id)
}

// ListArticles implements Service: in the order they were created.
func (s *service) ListArticles(ctx context.Context, f ArticleFilter, cursor string, limit int) (*Page[Article], error) {
	t, _, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Article, error) {
		return s.store.Articles(ctx, t, f, after, n)
	}, func(a Article) string { return a.ID })
	if err != nil {
		return nil, err
	}
	return &Page[Article]{Items: items, NextCursor: next}, nil
}

// UpdateArticle implements Service. A patch that changes nothing keeps the
// version and publishes nothing.
func (s *service) UpdateArticle(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Article, []string, error) {
	t, user, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := s.store.UpdateArticle(ctx, t, id, user, func(old *Article) (*Article, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		var in ArticleInput
		if err := mergepatch.Apply(old.input(), patch, articlePatchReadOnly, &in); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := in.normalize(); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := checkCategory(in.CategoryID); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next := *old
		next.CategoryID, next.Visibility, next.Title, next.Body, next.BodyFormat, next.Tags =
			in.CategoryID, in.Visibility, in.Title, in.Body, in.BodyFormat, in.Tags
		if old.textChanged(in) {
			next.DraftVersion++
		}
		next.UpdatedAt, next.Version = pg.Timestamp(s.now()), old.Version+1
		return pgrecord.Updated(old, &next)
	})
	return out, ch.Fields, err
}

// PublishArticle implements Service: an article whose latest version is
// published already is ErrNothingToPublish.
func (s *service) PublishArticle(ctx context.Context, id string, ifMatch int64) (*Article, error) {
	return s.transition(ctx, id, ifMatch, supportdb.VerbPublished, func(a *Article, now time.Time) error {
		if a.State == StatePublished && a.PublishedVersion == a.DraftVersion {
			return ErrNothingToPublish
		}
		a.State, a.PublishedVersion, a.PublishedAt = StatePublished, a.DraftVersion, &now
		return nil
	})
}

// ArchiveArticle implements Service.
func (s *service) ArchiveArticle(ctx context.Context, id string, ifMatch int64) (*Article, error) {
	return s.transition(ctx, id, ifMatch, supportdb.VerbArchived, func(a *Article, _ time.Time) error {
		if a.State == StateArchived {
			return ErrAlreadyArchived
		}
		a.State = StateArchived
		return nil
	})
}

// transition changes the article id's state by change, as verb.
func (s *service) transition(ctx context.Context, id string, ifMatch int64, verb string, change func(*Article, time.Time) error) (*Article, error) {
	t, user, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, err
	}
	out, _, err := s.store.UpdateArticle(ctx, t, id, user, func(old *Article) (*Article, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := *old
		now := pg.Timestamp(s.now())
		if err := change(&next, now); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.UpdatedAt, next.Version = now, old.Version+1
		return &next, pgrecord.Change{Verb: verb}, nil
	})
	return out, err
}

// DeleteArticle implements Service: the article with its versions and
// feedback.
func (s *service) DeleteArticle(ctx context.Context, id string, ifMatch int64) error {
	t, user, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = s.store.UpdateArticle(ctx, t, id, user, func(old *Article) (*Article, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: supportdb.VerbDeleted}, nil
	})
	return err
}

// Versions implements Service.
func (s *service) Versions(ctx context.Context, id string) ([]Version, error) {
	t, _, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, err
	}
	return s.store.Versions(ctx, t, id, 0)
}

// Version implements Service.
func (s *service) Version(ctx context.Context, id string, number int) (*Version, error) {
	t, _, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, err
	}
	if number < 1 {
		return nil, ErrVersionNotFound
	}
	list, err := s.store.Versions(ctx, t, id, number)
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// CreateTranslation implements Service.
func (s *service) CreateTranslation(ctx context.Context, id string, in ArticleInput) (*Article, error) {
	t, user, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, err
	}
	source, err := s.store.Article(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if in.CategoryID == "" {
		in.CategoryID = source.CategoryID
	}
	if in.Visibility == "" {
		in.Visibility = source.Visibility
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	if err := checkCategory(in.CategoryID); err != nil {
		return nil, err
	}
	return s.create(ctx, t, user, source.TranslationGroupID, in)
}

// Translations implements Service.
func (s *service) Translations(ctx context.Context, id string) ([]Article, error) {
	t, _, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return nil, err
	}
	return s.store.Translations(ctx, t, id)
}

// AddFeedback implements Service.
func (s *service) AddFeedback(ctx context.Context, id string, f Feedback) (FeedbackCounts, error) {
	t, user, err := caller(ctx, ErrArticleNotFound, id)
	if err != nil {
		return FeedbackCounts{}, err
	}
	if err := f.normalize(); err != nil {
		return FeedbackCounts{}, err
	}
	f.ID, f.ArticleID, f.CreatedBy, f.CreatedAt = ids.New(), id, user, pg.Timestamp(s.now())
	return s.store.AddFeedback(ctx, t, f)
}

// Search implements Service.
func (s *service) Search(ctx context.Context, q SearchQuery) ([]Hit, error) {
	t, _, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	return s.store.Search(ctx, t, q)
}
