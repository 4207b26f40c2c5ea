package tracking

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// The errors of the feedback upload's body.
var (
	ErrReportMediaType = errs.New(errs.UnsupportedMediaType, "unsupported-media-type",
		"the body must be the report mail as message/rfc822 or text/plain")
	ErrReportTooLarge = errs.New(errs.TooLarge, "body-too-large", "the report is larger than 10 MiB")
)

// listRequest is a page of the suppression list asked for.
type listRequest struct {
	Channel, Cursor string
	Limit           int
}

// removeRequest is a suppression to remove.
type removeRequest struct{ Channel, Address string }

// decodeList reads the list's query, naming each bad parameter.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	q, v := r.URL.Query(), errs.NewValidator()
	req := listRequest{Channel: q.Get("channel"), Cursor: q.Get("cursor"), Limit: kitx.DefaultLimit}
	v.Check(req.Channel == "" || req.Channel == ChannelEmail || req.Channel == ChannelSMS, "channel", "must be email or sms")
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		req.Limit = n
	}
	return req, v.Err()
}

// decodeReport reads an uploaded report: the raw mail, as message/rfc822
// or text/plain, at most 10 MiB.
func decodeReport(_ context.Context, r *http.Request) (any, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "message/rfc822" && mt != "text/plain") {
		return nil, ErrReportMediaType
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxReport+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxReport {
		return nil, ErrReportTooLarge
	}
	return raw, nil
}

// suppressionReadOnly are the fields of a suppression the service sets.
var suppressionReadOnly = []string{"createdBy", "createdAt"}

// Routes are the routes of s: its public ones (PublicRoutes) and the
// tenant's feedback upload and suppression list, which need
// marketing:admin (the suppression list holds personal data).
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s *Service) []starter.Route {
	return append(PublicRoutes(s), resource.Routes(
		starter.Route{Name: "uploadMarketingFeedback", Method: "POST", Path: "/v1/marketing-feedback", Permission: marketingdb.PermAdmin,
			Decode: decodeReport,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.Feedback(ctx, r.([]byte))
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: out, Status: http.StatusAccepted}, nil
			}},
		starter.Route{Name: "listSuppressions", Method: "GET", Path: "/v1/suppressions", Permission: marketingdb.PermAdmin,
			Decode: decodeList,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(listRequest)
				out, err := s.ListSuppressions(ctx, req.Channel, req.Cursor, req.Limit)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "addSuppression", Method: "POST", Path: "/v1/suppressions", Permission: marketingdb.PermAdmin,
			Decode: resource.DecodeBody[Suppression](suppressionReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.AddSuppression(ctx, r.(Suppression))
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: out, Status: http.StatusCreated}, nil
			}},
		starter.Route{Name: "removeSuppression", Method: "DELETE", Path: "/v1/suppressions/{channel}/{address}", Permission: marketingdb.PermAdmin,
			Decode: func(_ context.Context, r *http.Request) (any, error) {
				return removeRequest{Channel: r.PathValue("channel"), Address: r.PathValue("address")}, nil
			},
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(removeRequest)
				return resource.NoContent{}, s.RemoveSuppression(ctx, req.Channel, req.Address)
			}},
	)...)
}
