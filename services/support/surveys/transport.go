package surveys

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// listRequest is a list's filter and page.
type listRequest struct {
	Filter Filter
	Cursor string
	Limit  int
}

// answerRequest is an answer to the survey of Token.
type answerRequest struct {
	Token  string
	Answer Answer
}

// defaultPeriod is the period of results asked for without from.
const defaultPeriod = 30 * 24 * time.Hour

// Routes returns the surveys' routes on s: the settings (reading needs
// support:read, setting support:admin), the results and the list
// (support:read), and the portal's public question and answer
// (PermPortal). api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getSurveySettings", Method: "GET", Path: "/v1/surveys/settings", Permission: supportdb.PermRead,
			Decode: func(context.Context, *http.Request) (any, error) { return nil, nil },
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := s.Settings(ctx)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "setSurveySettings", Method: "PUT", Path: "/v1/surveys/settings", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[Settings]([]string{"updatedAt", "updatedBy"}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.SetSettings(ctx, r.(Settings))
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "getSurveyResults", Method: "GET", Path: "/v1/surveys/results", Permission: supportdb.PermRead,
			Decode: decodeResults, Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Results(ctx, r.(ResultsQuery))
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "listSurveys", Method: "GET", Path: "/v1/surveys", Permission: supportdb.PermRead,
			Decode: decodeList, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				page, err := s.List(ctx, req.Filter, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "getPortalSurvey", Method: "GET", Path: "/portal/v1/surveys/{token}", Permission: PermPortal,
			Decode: func(_ context.Context, r *http.Request) (any, error) { return r.PathValue("token"), nil },
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Question(ctx, r.(string))
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "answerPortalSurvey", Method: "POST", Path: "/portal/v1/surveys/{token}", Permission: PermPortal,
			Decode: decodeAnswer, Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(answerRequest)
				out, err := s.Answer(ctx, req.Token, req.Answer)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: map[string]any{"kind": out.Kind, "score": out.Score}, Status: http.StatusCreated}, nil
			}},
	)
}

// decodeAnswer reads an answer to the survey {token}.
func decodeAnswer(_ context.Context, r *http.Request) (any, error) {
	req := answerRequest{Token: r.PathValue("token")}
	return req, kitx.Decode(r, &req.Answer, 0)
}

// decodeResults reads a results' query, naming each bad parameter: kind
// (required), from and to (RFC 3339; to defaults to now, from to 30 days
// before to) and groupBy.
func decodeResults(_ context.Context, r *http.Request) (any, error) {
	q, v := r.URL.Query(), errs.NewValidator()
	out := ResultsQuery{Kind: q.Get("kind"), GroupBy: q.Get("groupBy"), To: time.Now().UTC()}
	v.Check(out.Kind == KindCSAT || out.Kind == KindNPS, "kind", "must be csat or nps")
	v.Check(slices.Contains([]string{"", GroupAgent, GroupQueue, GroupMonth}, out.GroupBy), "groupBy", "must be agent, queue or month")
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"to", &out.To}, {"from", &out.From}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			v.Check(err == nil, p.name, "must be a date-time (RFC 3339)")
			*p.dst = t
		}
	}
	if q.Get("from") == "" {
		out.From = out.To.Add(-defaultPeriod)
	}
	v.Check(out.From.Before(out.To), "from", "must be before to")
	return out, v.Err()
}

// decodeList reads a list's query, naming each bad parameter.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q, v := r.URL.Query(), errs.NewValidator()
	req := listRequest{Filter: Filter{Kind: q.Get("kind"), Status: q.Get("status"), CaseID: q.Get("caseId")}, Cursor: q.Get("cursor"),
		Limit: kitx.DefaultLimit}
	v.Check(req.Filter.Kind == "" || req.Filter.Kind == KindCSAT || req.Filter.Kind == KindNPS, "kind", "must be csat or nps")
	v.Check(slices.Contains([]string{"", StatusPending, StatusSent, StatusAnswered}, req.Filter.Status), "status",
		"must be pending, sent or answered")
	v.Check(req.Filter.CaseID == "" || ids.Valid(req.Filter.CaseID), "caseId", "must be a UUID")
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		req.Limit = n
	}
	return req, v.Err()
}
