package portal

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/support/kb"
)

// ArticleSummary is an article as a list or a search shows it; a
// search's hits have their Highlights.
type ArticleSummary struct {
	ID                 string         `json:"id"`
	TranslationGroupID string         `json:"translationGroupId"`
	Locale             string         `json:"locale"`
	CategoryID         string         `json:"categoryId,omitempty"`
	Title              string         `json:"title"`
	HelpfulCount       int64          `json:"helpfulCount"`
	NotHelpfulCount    int64          `json:"notHelpfulCount"`
	UpdatedAt          time.Time      `json:"updatedAt"`
	Highlights         *kb.Highlights `json:"highlights,omitempty"`
}

// Article is a published public article as readers see it: the text of
// its published version, and its translations that readers may see.
type Article struct {
	ID                 string        `json:"id"`
	TranslationGroupID string        `json:"translationGroupId"`
	Locale             string        `json:"locale"`
	CategoryID         string        `json:"categoryId,omitempty"`
	Title              string        `json:"title"`
	Body               string        `json:"body"`
	BodyFormat         string        `json:"bodyFormat"`
	Tags               []string      `json:"tags"`
	HelpfulCount       int64         `json:"helpfulCount"`
	NotHelpfulCount    int64         `json:"notHelpfulCount"`
	PublishedAt        *time.Time    `json:"publishedAt,omitempty"`
	Translations       []Translation `json:"translations"`
}

// Translation is another locale's published public article of a
// translation group.
type Translation struct {
	ID     string `json:"id"`
	Locale string `json:"locale"`
}

// maxArticles is the most articles a list answers.
const maxArticles = 50

// Articles returns the published public articles: those matching q, best
// first, when q is not empty; else the first limit of them. locale, when
// set, keeps that locale's.
func (s *Service) Articles(ctx context.Context, q, locale string, limit int) ([]ArticleSummary, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	out := []ArticleSummary{}
	if q != "" {
		hits, err := s.kb.Search(ctx, p.TenantID, kb.SearchQuery{Text: q, All: true, State: kb.StatePublished,
			Visibility: kb.VisibilityPublic, Locale: locale, Limit: limit})
		for _, h := range hits {
			out = append(out, ArticleSummary{ID: h.ID, TranslationGroupID: h.TranslationGroupID, Locale: h.Locale,
				CategoryID: h.CategoryID, Title: h.Title, HelpfulCount: h.HelpfulCount, NotHelpfulCount: h.NotHelpfulCount,
				UpdatedAt: h.UpdatedAt, Highlights: &h.Highlights})
		}
		return out, err
	}
	list, err := s.kb.Published(ctx, p.TenantID, kb.VisibilityPublic, locale, "", limit)
	for _, a := range list {
		out = append(out, ArticleSummary{ID: a.ID, TranslationGroupID: a.TranslationGroupID, Locale: a.Locale, CategoryID: a.CategoryID,
			Title: a.Title, HelpfulCount: a.HelpfulCount, NotHelpfulCount: a.NotHelpfulCount, UpdatedAt: a.UpdatedAt})
	}
	return out, err
}

// Article returns the published public article id (kb.ErrArticleNotFound
// for any other).
func (s *Service) Article(ctx context.Context, id string) (*Article, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.kb.PublishedArticle(ctx, p.TenantID, kb.VisibilityPublic, id)
	if err != nil {
		return nil, err
	}
	group, err := s.kb.Translations(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	out := &Article{ID: a.ID, TranslationGroupID: a.TranslationGroupID, Locale: a.Locale, CategoryID: a.CategoryID, Title: a.Title,
		Body: a.Body, BodyFormat: a.BodyFormat, Tags: a.Tags, HelpfulCount: a.HelpfulCount, NotHelpfulCount: a.NotHelpfulCount,
		PublishedAt: a.PublishedAt, Translations: []Translation{}}
	for _, t := range group {
		if t.ID != a.ID && t.State == kb.StatePublished && t.Visibility == kb.VisibilityPublic {
			out.Translations = append(out.Translations, Translation{ID: t.ID, Locale: t.Locale})
		}
	}
	return out, nil
}

// Feedback records a reader's verdict on the published public article id
// and returns its counts.
func (s *Service) Feedback(ctx context.Context, id string, f kb.Feedback) (kb.FeedbackCounts, error) {
	if _, err := s.Article(ctx, id); err != nil {
		return kb.FeedbackCounts{}, err
	}
	return s.feedback.AddFeedback(ctx, id, f)
}
