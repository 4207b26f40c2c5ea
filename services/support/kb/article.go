// Package kb is the knowledge base of the support service: articles with
// their versions (every save of a draft is one; publishing makes the draft
// the version readers see), in locales linked as translations, in a tree
// of categories, internal or public; ranked search that works for Chinese
// (character bigrams) and English (stemming) with highlights; suggested
// articles for a new case; and agents' feedback. Reading needs
// support:read; writing drafts and feedback support:write; publishing,
// archiving, deleting and the categories support:admin.
package kb

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/tags"
)

// The states of an article.
const (
	StateDraft     = "draft"
	StatePublished = "published"
	StateArchived  = "archived"
)

// The visibilities of an article: internal ones are for agents; public
// ones the portal shows too.
const (
	VisibilityInternal = "internal"
	VisibilityPublic   = "public"
)

// The formats of an article's body. HTML is sanitised when saved.
const (
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

// Article is one locale's article. Its title, body and tags are those of
// its latest saved version (DraftVersion); PublishedVersion, when set, is
// the version readers see and search finds.
type Article struct {
	ID                 string     `json:"id"`
	TranslationGroupID string     `json:"translationGroupId"`
	Locale             string     `json:"locale"`
	CategoryID         string     `json:"categoryId,omitempty"`
	Visibility         string     `json:"visibility"`
	State              string     `json:"state"`
	Title              string     `json:"title"`
	Body               string     `json:"body"`
	BodyFormat         string     `json:"bodyFormat"`
	Tags               []string   `json:"tags"`
	PublishedVersion   int        `json:"publishedVersion,omitempty"`
	DraftVersion       int        `json:"draftVersion"`
	HelpfulCount       int64      `json:"helpfulCount"`
	NotHelpfulCount    int64      `json:"notHelpfulCount"`
	CreatedBy          string     `json:"createdBy"`
	CreatedAt          time.Time  `json:"createdAt"`
	UpdatedAt          time.Time  `json:"updatedAt"`
	PublishedAt        *time.Time `json:"publishedAt,omitempty"`
	Version            int64      `json:"version"`
}

// ArticleInput is what a caller writes of an article: on create (and a
// translation) every field; a patch changes some.
type ArticleInput struct {
	Locale     string   `json:"locale"`
	CategoryID string   `json:"categoryId,omitempty"`
	Visibility string   `json:"visibility"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	BodyFormat string   `json:"bodyFormat"`
	Tags       []string `json:"tags"`
}

// Version is a saved version of an article's text.
type Version struct {
	ArticleID  string    `json:"articleId"`
	Number     int       `json:"number"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	BodyFormat string    `json:"bodyFormat"`
	Tags       []string  `json:"tags"`
	CreatedBy  string    `json:"createdBy"`
	CreatedAt  time.Time `json:"createdAt"`
}

// The bounds of an article, in characters.
const (
	maxTitle   = 300
	maxBody    = 100_000
	maxTags    = 20
	maxComment = 2000
)

// The errors of articles.
var (
	ErrArticleNotFound   = errs.New(errs.NotFound, "article-not-found", "article not found")
	ErrVersionNotFound   = errs.New(errs.NotFound, "article-version-not-found", "the article has no such version")
	ErrTranslationExists = errs.New(errs.Conflict, "translation-exists", "the article already has a translation in this locale")
	ErrNothingToPublish  = errs.New(errs.Conflict, "nothing-to-publish", "the article's latest version is already published")
	ErrAlreadyArchived   = errs.New(errs.Conflict, "already-archived", "the article is already archived")
	ErrIfMatchRequired   = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrVersionMismatch   = errs.New(errs.PreconditionFailed, "version-mismatch", "the record changed since you read it; read it again and retry")
)

// Locale returns the canonical form of the BCP 47 tag s (zh-CN, en, …),
// or false when s is none.
func Locale(s string) (string, bool) {
	if s == "" || len(s) > 35 {
		return "", false
	}
	t, err := language.Parse(s)
	if err != nil || t == language.Und {
		return "", false
	}
	return t.String(), true
}

// text trims s and checks it has min to max characters, naming field.
func text(v *errs.Validator, s *string, field string, min, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	v.Check(n >= min && n <= max, field, fmt.Sprintf("must be %d to %d characters", min, max))
}

// normalize validates in, trimming its texts, canonicalising its locale,
// filling the defaults (internal, markdown) and sanitising an HTML body.
func (in *ArticleInput) normalize() error {
	v := errs.NewValidator()
	locale, ok := Locale(in.Locale)
	v.Check(ok, "locale", "must be a BCP 47 language tag such as zh-CN or en")
	in.Locale = locale
	in.CategoryID = strings.TrimSpace(in.CategoryID)
	if in.Visibility == "" {
		in.Visibility = VisibilityInternal
	}
	v.Check(in.Visibility == VisibilityInternal || in.Visibility == VisibilityPublic, "visibility", "must be internal or public")
	if in.BodyFormat == "" {
		in.BodyFormat = FormatMarkdown
	}
	v.Check(in.BodyFormat == FormatMarkdown || in.BodyFormat == FormatHTML, "bodyFormat", "must be markdown or html")
	text(v, &in.Title, "title", 1, maxTitle)
	v.Check(utf8.RuneCountInString(in.Body) <= maxBody, "body", fmt.Sprintf("must be at most %d characters", maxBody))
	in.Tags = tags.Names(v, "tags", in.Tags)
	v.Check(len(in.Tags) <= maxTags, "tags", fmt.Sprintf("must have at most %d tags", maxTags))
	if err := v.Err(); err != nil {
		return err
	}
	in.Body = sanitize(in.Body, in.BodyFormat)
	return nil
}

// input is what a caller may write of a.
func (a *Article) input() ArticleInput {
	return ArticleInput{Locale: a.Locale, CategoryID: a.CategoryID, Visibility: a.Visibility, Title: a.Title, Body: a.Body,
		BodyFormat: a.BodyFormat, Tags: a.Tags}
}

// textChanged reports whether in's text (title, body, format, tags)
// differs from a's: saving it makes a new version.
func (a *Article) textChanged(in ArticleInput) bool {
	return a.Title != in.Title || a.Body != in.Body || a.BodyFormat != in.BodyFormat || strings.Join(a.Tags, "\x00") != strings.Join(in.Tags, "\x00")
}

// version is a's latest saved text as the Version actor saved.
func (a *Article) version(actor string) Version {
	return Version{ArticleID: a.ID, Number: a.DraftVersion, Title: a.Title, Body: a.Body, BodyFormat: a.BodyFormat, Tags: a.Tags,
		CreatedBy: actor, CreatedAt: a.UpdatedAt}
}
