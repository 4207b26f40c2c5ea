package portal

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/kb"
)

// The bounds of a list's query.
const (
	maxQuery     = 500
	defaultLimit = 20
)

// articlesRequest is a list or search of articles.
type articlesRequest struct {
	Q, Locale string
	Limit     int
}

// feedbackRequest is a reader's feedback on an article.
type feedbackRequest struct {
	ID   string
	Body kb.Feedback
}

// caseRequest names a case (and one of its files) and carries its link's
// token, a reply's form and the portal's base (BaseHeader).
type caseRequest struct {
	ID, FileID, Token, Base string
	Reply                   ReplyForm
}

// submitRequest is a submitted case's form and the portal's base.
type submitRequest struct {
	Form CaseForm
	Base string
}

// Routes returns the portal's routes on s under /portal/v1, each needing
// PermPortal: the gateway reaches them for the portal's principal only.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listPortalArticles", Method: "GET", Path: "/portal/v1/articles", Permission: PermPortal, Decode: decodeArticles,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(articlesRequest)
				items, err := s.Articles(ctx, req.Q, req.Locale, req.Limit)
				return resource.OK(map[string]any{"items": items}, 0, err)
			}},
		starter.Route{Name: "getPortalArticle", Method: "GET", Path: "/portal/v1/articles/{id}", Permission: PermPortal, Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				a, err := s.Article(ctx, r.(resource.IDRequest).ID)
				return resource.OK(a, 0, err)
			}},
		starter.Route{Name: "addPortalArticleFeedback", Method: "POST", Path: "/portal/v1/articles/{id}/feedback", Permission: PermPortal,
			Decode: decodeFeedback,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(feedbackRequest)
				counts, err := s.Feedback(ctx, req.ID, req.Body)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: counts, Status: http.StatusCreated}, nil
			}},
		starter.Route{Name: "submitPortalCase", Method: "POST", Path: "/portal/v1/cases", Permission: PermPortal, Decode: decodeSubmit,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(submitRequest)
				out, err := s.Submit(ctx, req.Form, req.Base)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: out, Status: http.StatusAccepted}, nil
			}},
		starter.Route{Name: "getPortalCase", Method: "GET", Path: "/portal/v1/cases/{id}", Permission: PermPortal, Decode: decodeCase(false),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(caseRequest)
				c, err := s.Case(ctx, req.ID, req.Token)
				return resource.OK(c, 0, err)
			}},
		starter.Route{Name: "getPortalCaseAttachment", Method: "GET", Path: "/portal/v1/cases/{id}/attachments/{attachmentId}",
			Permission: PermPortal, Decode: decodeCase(false), Encode: encodeFile,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(caseRequest)
				m, data, err := s.File(ctx, req.ID, req.Token, req.FileID)
				if err != nil {
					return nil, err
				}
				return file{Meta: m, Data: data}, nil
			}},
		starter.Route{Name: "replyPortalCase", Method: "POST", Path: "/portal/v1/cases/{id}/replies", Permission: PermPortal,
			Decode: decodeCase(true),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(caseRequest)
				e, err := s.Reply(ctx, req.ID, req.Token, req.Reply, req.Base)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: e, Status: http.StatusCreated}, nil
			}},
	)
}

// decodeArticles reads a list's query, naming each bad parameter.
func decodeArticles(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	v := errs.NewValidator()
	req := articlesRequest{Q: q.Get("q"), Locale: q.Get("locale"), Limit: defaultLimit}
	v.Check(utf8.RuneCountInString(req.Q) <= maxQuery && plainText(req.Q), "q", fmt.Sprintf("at most %d characters of text", maxQuery))
	if req.Locale != "" {
		l, ok := kb.Locale(req.Locale)
		v.Check(ok, "locale", "must be a BCP 47 language tag such as zh-CN or en")
		req.Locale = l
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= maxArticles, "limit", fmt.Sprintf("must be 1 to %d", maxArticles))
		req.Limit = n
	}
	return req, v.Err()
}

// decodeFeedback reads feedback on the article {id}.
func decodeFeedback(_ context.Context, r *http.Request) (any, error) {
	req := feedbackRequest{ID: r.PathValue("id")}
	return req, kitx.Decode(r, &req.Body, 0)
}

// decodeSubmit reads a submitted case's form (DecodeCaseForm).
func decodeSubmit(_ context.Context, r *http.Request) (any, error) {
	if r.ContentLength > FormLimit {
		return nil, ErrFormTooLarge.WithDetail("the form may be at most %d bytes", FormLimit)
	}
	f, err := DecodeCaseForm(r.Header.Get("Content-Type"), r.Body, FormLimit)
	return submitRequest{Form: f, Base: r.Header.Get(BaseHeader)}, err
}

// decodeCase returns the decoder of a case's route: the {id}, the token
// and, for a reply, its form (DecodeReplyForm). A missing token is
// ErrLink, as a wrong one.
func decodeCase(reply bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		req := caseRequest{ID: r.PathValue("id"), FileID: r.PathValue("attachmentId"), Token: r.URL.Query().Get("token"),
			Base: r.Header.Get(BaseHeader)}
		if req.Token == "" {
			return nil, ErrLink
		}
		if !reply {
			return req, nil
		}
		if r.ContentLength > FormLimit {
			return nil, ErrFormTooLarge.WithDetail("the form may be at most %d bytes", FormLimit)
		}
		var err error
		req.Reply, err = DecodeReplyForm(r.Header.Get("Content-Type"), r.Body, FormLimit)
		return req, err
	}
}
