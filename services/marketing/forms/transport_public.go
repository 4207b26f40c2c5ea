package forms

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// maxBody bounds a posted submission.
const maxBody = 64 << 10

// The content types a submission is posted in: a browser's form
// (answered with HTML pages) or JSON (answered with JSON and problems).
const (
	formURLEncoded = "application/x-www-form-urlencoded"
	jsonType       = "application/json"
)

// The errors of decoding a submission.
var (
	ErrMediaType = errs.New(errs.UnsupportedMediaType, "marketing-form-media-type",
		"a submission is posted as application/x-www-form-urlencoded or application/json")
	ErrBody    = errs.New(errs.Invalid, "marketing-form-body", "the submission could not be read")
	ErrTooMuch = errs.New(errs.TooLarge, "marketing-form-too-large", "a submission may be at most 64 KiB")
)

// contentSecurityPolicy is the hosted pages': no script, no resource from
// elsewhere, their own inline style.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"

// submitRequest is a submission posted to the form ID by Visitor, from a
// browser's form when HTML.
type submitRequest struct {
	ID      string
	In      Input
	Visitor Visitor
	HTML    bool
}

// confirmRequest names a form and a confirmation token.
type confirmRequest struct{ ID, Token string }

// page is an HTML answer with its status, and Retry-After when it says
// to wait.
type page struct {
	Status     int
	Body       []byte
	RetryAfter time.Duration
}

// seeOther sends the browser to a URL (303).
type seeOther string

// limited is a JSON submission's answer over the rate limit: the problem
// with Retry-After (which the problem encoder does not set).
type limited struct {
	Err        error
	Path       string
	RetryAfter time.Duration
}

// publicRoutes are the hosted page's, the submissions' and the
// confirmations' routes under /public/v1, which the gateway reaches
// from <gateway>/m/<tenant>/forms/… with the public principal.
func publicRoutes(s *Service) []starter.Route {
	return []starter.Route{
		{Name: "getPublicMarketingForm", Method: "GET", Path: "/public/v1/forms/{id}", Permission: marketingdb.PermPublic,
			Decode: resource.DecodeID, Encode: encodePublic,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				f, err := s.Public(ctx, r.(resource.IDRequest).ID)
				if err != nil {
					return nil, err
				}
				body, err := formPage(f, Input{}, nil, "")
				return page{Status: http.StatusOK, Body: body}, err
			}},
		{Name: "submitPublicMarketingForm", Method: "POST", Path: "/public/v1/forms/{id}", Permission: marketingdb.PermPublic,
			Decode: decodeSubmit, Encode: encodePublic,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(submitRequest)
				res, err := s.Submit(ctx, req.ID, req.In, req.Visitor)
				if req.HTML {
					return submittedPage(req, res, err)
				}
				switch {
				case errors.Is(err, ErrRateLimited):
					return limited{Err: err, Path: "/public/v1/forms/" + req.ID, RetryAfter: res.RetryAfter}, nil
				case err != nil:
					return nil, err
				case res.Status == SubmissionPending:
					return resource.Response{Body: res, Status: http.StatusAccepted}, nil
				}
				return resource.Response{Body: res, Status: http.StatusCreated}, nil
			}},
		{Name: "getPublicMarketingFormConfirmation", Method: "GET", Path: "/public/v1/forms/{id}/confirm/{token}",
			Permission: marketingdb.PermPublic, Decode: decodeConfirm, Encode: encodePublic,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(confirmRequest)
				res, err := s.Confirmation(ctx, req.ID, req.Token)
				if err != nil {
					return nil, err
				}
				if res.Status != SubmissionPending {
					return resultPage(res)
				}
				body, err := confirmPage(res.Form)
				return page{Status: http.StatusOK, Body: body}, err
			}},
		{Name: "confirmPublicMarketingForm", Method: "POST", Path: "/public/v1/forms/{id}/confirm/{token}",
			Permission: marketingdb.PermPublic, Decode: decodeConfirm, Encode: encodePublic,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(confirmRequest)
				res, err := s.Confirm(ctx, req.ID, req.Token)
				if err != nil {
					return nil, err
				}
				return resultPage(res)
			}},
	}
}

// submittedPage is the HTML answer to a browser's submission: the
// thank-you page or the redirect, the form again with its errors (400)
// or with the rate limit's message (429, Retry-After); other errors are
// problems.
func submittedPage(req submitRequest, res Result, err error) (any, error) {
	var bad *errs.Error
	switch {
	case err == nil:
		return resultPage(res)
	case res.Form.ID == "":
		return nil, err
	case errors.Is(err, ErrRateLimited):
		body, err := formPage(res.Form, req.In, nil, textsOf(res.Form.Language).TooMany)
		return page{Status: http.StatusTooManyRequests, Body: body, RetryAfter: res.RetryAfter}, err
	case errors.As(err, &bad) && bad.Kind == errs.Invalid:
		fields := map[string]string{}
		for _, f := range bad.Fields {
			if fields[f.Field] == "" {
				fields[f.Field] = f.Reason
			}
		}
		body, err := formPage(res.Form, req.In, fields, "")
		return page{Status: http.StatusBadRequest, Body: body}, err
	}
	return nil, err
}

// resultPage is the page of a submission's or confirmation's Result: a
// redirect to the form's URL, or its message.
func resultPage(res Result) (any, error) {
	if res.RedirectURL != "" {
		return seeOther(res.RedirectURL), nil
	}
	body, err := messagePage(res.Form, res.Message)
	return page{Status: http.StatusOK, Body: body}, err
}

// decodeConfirm reads the {id} and {token} of a confirmation.
func decodeConfirm(_ context.Context, r *http.Request) (any, error) {
	return confirmRequest{ID: r.PathValue("id"), Token: r.PathValue("token")}, nil
}

// decodeSubmit reads a submission: a browser's form or a JSON object of
// texts and booleans, each name once.
func decodeSubmit(_ context.Context, r *http.Request) (any, error) {
	req := submitRequest{ID: r.PathValue("id"), Visitor: visitorOf(r), In: Input{Values: map[string]string{}}}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch media {
	case formURLEncoded:
		req.HTML = true
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			return nil, ErrBody.Wrap(err)
		}
		if len(raw) > maxBody {
			return nil, ErrTooMuch
		}
		q, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, ErrBody.WithDetail("the form's encoding is broken: %v", err)
		}
		for _, k := range slices.Sorted(maps.Keys(q)) {
			req.In.Values[k] = q[k][0]
			if len(q[k]) > 1 {
				req.In.Repeated = append(req.In.Repeated, k)
			}
		}
		return req, nil
	case jsonType:
		var raw map[string]json.RawMessage
		if err := kitx.Decode(r, &raw, maxBody); err != nil {
			return nil, err
		}
		v := errs.NewValidator()
		for _, k := range slices.Sorted(maps.Keys(raw)) {
			var text string
			var on bool
			switch {
			case json.Unmarshal(raw[k], &text) == nil:
				req.In.Values[k] = text
			case json.Unmarshal(raw[k], &on) == nil:
				req.In.Values[k] = strconv.FormatBool(on)
			default:
				v.Check(false, k, "must be text, or true or false")
			}
		}
		return req, v.Err()
	}
	return nil, ErrMediaType
}

// visitorOf is the client of r: the first hop of X-Forwarded-For (which
// the gateway sets), else the peer's address, and its User-Agent.
func visitorOf(r *http.Request) Visitor {
	ip, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ",")
	ip = strings.TrimSpace(ip)
	if ip == "" {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	ua := r.UserAgent()
	if len(ua) > 500 {
		ua = ua[:500]
	}
	return Visitor{IP: ip, UserAgent: strings.ToValidUTF8(ua, "")}
}

// encodePublic writes the public routes' answers: pages, redirects, the
// rate limit's problem, and resource.Encode's JSON.
func encodePublic(ctx context.Context, w http.ResponseWriter, resp any) error {
	switch r := resp.(type) {
	case page:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		setRetryAfter(w, r.RetryAfter)
		w.WriteHeader(r.Status)
		_, err := w.Write(r.Body)
		return err
	case seeOther:
		w.Header().Set("Location", string(r))
		w.WriteHeader(http.StatusSeeOther)
		return nil
	case limited:
		p := kitx.NewProblem(r.Err, r.Path, kitx.RequestIDFrom(ctx))
		setRetryAfter(w, r.RetryAfter)
		w.Header().Set("Content-Type", kitx.ProblemContentType)
		w.WriteHeader(p.Status)
		return json.NewEncoder(w).Encode(p)
	}
	return resource.Encode(ctx, w, resp)
}

// setRetryAfter sets Retry-After to d in whole seconds (at least 1), if d
// is set.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
	}
}
