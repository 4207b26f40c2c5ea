package support_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// kbArticle is an article as the API answers it.
type kbArticle struct {
	ID                 string     `json:"id"`
	TranslationGroupID string     `json:"translationGroupId"`
	Locale             string     `json:"locale"`
	CategoryID         string     `json:"categoryId"`
	Visibility         string     `json:"visibility"`
	State              string     `json:"state"`
	Title              string     `json:"title"`
	Body               string     `json:"body"`
	BodyFormat         string     `json:"bodyFormat"`
	Tags               []string   `json:"tags"`
	PublishedVersion   int        `json:"publishedVersion"`
	DraftVersion       int        `json:"draftVersion"`
	HelpfulCount       int64      `json:"helpfulCount"`
	NotHelpfulCount    int64      `json:"notHelpfulCount"`
	CreatedBy          string     `json:"createdBy"`
	PublishedAt        *time.Time `json:"publishedAt"`
	Version            int64      `json:"version"`
}

// kbVersion is a version of an article.
type kbVersion struct {
	ArticleID string   `json:"articleId"`
	Number    int      `json:"number"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Tags      []string `json:"tags"`
	CreatedBy string   `json:"createdBy"`
}

// kbHit is an article a search found.
type kbHit struct {
	ID         string  `json:"id"`
	Locale     string  `json:"locale"`
	Visibility string  `json:"visibility"`
	State      string  `json:"state"`
	Title      string  `json:"title"`
	Score      float64 `json:"score"`
	Highlights struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"highlights"`
}

// kbList is a list answer.
type kbList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// newArticle writes an article as u and returns it.
func (e *env) newArticle(u user, body map[string]any) kbArticle {
	e.t.Helper()
	return contracttest.Decode[kbArticle](e.want(e.do(u, "POST", "/v1/kb/articles", body), 201))
}

// publishedArticle writes an article as u and publishes it.
func (e *env) publishedArticle(u user, locale, visibility, title, body string) kbArticle {
	e.t.Helper()
	a := e.newArticle(u, map[string]any{"locale": locale, "visibility": visibility, "title": title, "body": body})
	return contracttest.Decode[kbArticle](e.want(e.do(u, "POST", "/v1/kb/articles/"+a.ID+"/publish", nil), 200))
}

// search runs GET path?params as u and returns the hits' titles, best
// first.
func (e *env) searchTitles(u user, path string, params ...string) []string {
	e.t.Helper()
	var titles []string
	for _, h := range e.search(u, path, params...) {
		titles = append(titles, h.Title)
	}
	return titles
}

// search runs GET path with the query params (name, value pairs) as u.
func (e *env) search(u user, path string, params ...string) []kbHit {
	e.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return contracttest.Decode[kbList[kbHit]](e.want(e.do(u, "GET", path+"?"+q.Encode(), nil), 200)).Items
}

// etag is the If-Match of version.
func etag(version int64) string { return fmt.Sprintf(`"%d"`, version) }

// wantTitles fails t unless got are want, in order.
func wantTitles(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}
