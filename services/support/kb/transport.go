package kb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// listRequest is a list's query: the filter of articles, cursor and limit.
type listRequest struct {
	Filter ArticleFilter
	Cursor string
	Limit  int
}

// bodyRequest is a POST to an article with a body: a translation or
// feedback.
type bodyRequest[T any] struct {
	ID   string
	Body T
}

// versionRequest names a version of an article.
type versionRequest struct {
	ID     string
	Number int
}

// Routes returns the knowledge base's routes on s, each with the
// permission it needs: reading support:read, writing drafts and
// translations and feedback support:write (the gateway asks it of every
// POST), publishing, archiving, deleting and the categories support:admin. api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s Service) []starter.Route {
	return resource.Routes(append(articleRoutes(s), append(searchRoutes(s), categoryRoutes(s)...)...)...)
}

// articleRoutes are the routes of articles, their versions, translations
// and feedback.
func articleRoutes(s Service) []starter.Route {
	return []starter.Route{
		{Name: "listKBArticles", Method: "GET", Path: "/v1/kb/articles", Permission: supportdb.PermRead, Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.ListArticles(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		{Name: "createKBArticle", Method: "POST", Path: "/v1/kb/articles", Permission: supportdb.PermWrite,
			Decode: resource.DecodeBody[ArticleInput](articleReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				a, err := s.CreateArticle(ctx, r.(ArticleInput))
				if err != nil {
					return nil, err
				}
				return resource.Created(a, a.Version, "/v1/kb/articles/"+a.ID, nil)
			}},
		{Name: "getKBArticle", Method: "GET", Path: "/v1/kb/articles/{id}", Permission: supportdb.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				a, err := s.GetArticle(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				return resource.OK(a, a.Version, nil)
			}},
		{Name: "updateKBArticle", Method: "PATCH", Path: "/v1/kb/articles/{id}", Permission: supportdb.PermWrite, Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				a, changed, err := s.UpdateArticle(ctx, req.ID, req.IfMatch, req.Patch)
				if err != nil {
					return nil, err
				}
				return resource.Updated(a, a.Version, changed, nil)
			}},
		{Name: "deleteKBArticle", Method: "DELETE", Path: "/v1/kb/articles/{id}", Permission: supportdb.PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.DeleteArticle(ctx, req.ID, req.IfMatch)
			}},
		{Name: "publishKBArticle", Method: "POST", Path: "/v1/kb/articles/{id}/publish", Permission: supportdb.PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				a, err := s.PublishArticle(ctx, req.ID, req.IfMatch)
				if err != nil {
					return nil, err
				}
				return resource.OK(a, a.Version, nil)
			}},
		{Name: "archiveKBArticle", Method: "POST", Path: "/v1/kb/articles/{id}/archive", Permission: supportdb.PermAdmin, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				a, err := s.ArchiveArticle(ctx, req.ID, req.IfMatch)
				if err != nil {
					return nil, err
				}
				return resource.OK(a, a.Version, nil)
			}},
		{Name: "listKBArticleVersions", Method: "GET", Path: "/v1/kb/articles/{id}/versions", Permission: supportdb.PermRead, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				list, err := s.Versions(ctx, r.(resource.IDRequest).ID)
				return resource.OK(resource.List[Version]{Items: list}, 0, err)
			}},
		{Name: "getKBArticleVersion", Method: "GET", Path: "/v1/kb/articles/{id}/versions/{number}", Permission: supportdb.PermRead,
			Decode: decodeVersion,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(versionRequest)
				v, err := s.Version(ctx, req.ID, req.Number)
				return resource.OK(v, 0, err)
			}},
		{Name: "listKBArticleTranslations", Method: "GET", Path: "/v1/kb/articles/{id}/translations", Permission: supportdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				list, err := s.Translations(ctx, r.(resource.IDRequest).ID)
				return resource.OK(resource.List[Article]{Items: list}, 0, err)
			}},
		{Name: "createKBArticleTranslation", Method: "POST", Path: "/v1/kb/articles/{id}/translations", Permission: supportdb.PermWrite,
			Decode: decodeWithBody[ArticleInput](articleReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(bodyRequest[ArticleInput])
				a, err := s.CreateTranslation(ctx, req.ID, req.Body)
				if err != nil {
					return nil, err
				}
				return resource.Created(a, a.Version, "/v1/kb/articles/"+a.ID, nil)
			}},
		{Name: "addKBArticleFeedback", Method: "POST", Path: "/v1/kb/articles/{id}/feedback", Permission: supportdb.PermWrite,
			Decode: decodeWithBody[Feedback](nil),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(bodyRequest[Feedback])
				counts, err := s.AddFeedback(ctx, req.ID, req.Body)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: counts, Status: http.StatusCreated}, nil
			}},
	}
}

// decodeWithBody returns a decoder of the {id} path value and a JSON body
// of type T (resource.DecodeBody).
func decodeWithBody[T any](readOnly []string) func(context.Context, *http.Request) (any, error) {
	body := resource.DecodeBody[T](readOnly)
	return func(ctx context.Context, r *http.Request) (any, error) {
		b, err := body(ctx, r)
		if err != nil {
			return nil, err
		}
		return bodyRequest[T]{ID: r.PathValue("id"), Body: b.(T)}, nil
	}
}

// decodeVersion reads a version's path; a number that is none is the
// version not found.
func decodeVersion(_ context.Context, r *http.Request) (any, error) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return nil, ErrVersionNotFound
	}
	return versionRequest{ID: r.PathValue("id"), Number: n}, nil
}

// decodeList reads a list's query, naming each bad parameter.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	v := errs.NewValidator()
	req := listRequest{Cursor: q.Get("cursor"), Filter: ArticleFilter{Locale: queryLocale(v, q), State: q.Get("state"),
		Visibility: queryVisibility(v, q), CategoryID: queryCategory(v, q)}}
	v.Check(oneOf(req.Filter.State, StateDraft, StatePublished, StateArchived), "state", "must be draft, published or archived")
	limit, err := kitx.Limit(r)
	v.Check(err == nil, "limit", fmt.Sprintf("must be an integer from 1 to %d", kitx.MaxLimit))
	req.Limit = limit
	return req, v.Err()
}

// oneOf reports whether s is "" or one of values.
func oneOf(s string, values ...string) bool {
	for _, v := range values {
		if s == v {
			return true
		}
	}
	return s == ""
}

// queryLocale reads the locale parameter, canonical.
func queryLocale(v *errs.Validator, q url.Values) string {
	s := q.Get("locale")
	if s == "" {
		return ""
	}
	locale, ok := Locale(s)
	v.Check(ok, "locale", "must be a BCP 47 language tag such as zh-CN or en")
	return locale
}

// queryVisibility reads the visibility parameter.
func queryVisibility(v *errs.Validator, q url.Values) string {
	s := q.Get("visibility")
	v.Check(oneOf(s, VisibilityInternal, VisibilityPublic), "visibility", "must be internal or public")
	return s
}

// queryCategory reads the categoryId parameter.
func queryCategory(v *errs.Validator, q url.Values) string {
	s := q.Get("categoryId")
	v.Check(s == "" || ids.Valid(s), "categoryId", "must be a category's id")
	return s
}

// queryText reads the required text parameter name of at most max
// characters.
func queryText(v *errs.Validator, q url.Values, name string, max int) string {
	s := q.Get(name)
	v.Check(s != "" && utf8.RuneCountInString(s) <= max, name, fmt.Sprintf("must be 1 to %d characters", max))
	return s
}

// queryLimit reads the limit parameter: def when absent, at most max.
func queryLimit(v *errs.Validator, q url.Values, def, max int) int {
	s := q.Get("limit")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	v.Check(err == nil && n >= 1 && n <= max, "limit", fmt.Sprintf("must be an integer from 1 to %d", max))
	return n
}
