package kitx

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// ProblemTypeBase prefixes every problem type; the error's slug completes it.
const ProblemTypeBase = "https://rapport.dev/problems/"

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// internalDetail replaces the message of an Internal error in responses, so
// nothing about the fault leaks to the caller.
const internalDetail = "an unexpected error occurred; quote the request id when reporting it"

// Problem is the RFC 9457 body of every error response.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"requestId"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

// StatusCode maps an error kind to its HTTP status. It is the only place in
// Rapport where that mapping is made.
func StatusCode(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.PreconditionFailed:
		return http.StatusPreconditionFailed
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.RateLimited:
		return http.StatusTooManyRequests
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	case errs.Gone:
		return http.StatusGone
	case errs.UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case errs.PreconditionRequired:
		return http.StatusPreconditionRequired
	case errs.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case errs.NotImplemented:
		return http.StatusNotImplemented
	case errs.Unprocessable:
		return http.StatusUnprocessableEntity
	case errs.UpgradeRequired:
		return http.StatusUpgradeRequired
	default:
		return http.StatusInternalServerError
	}
}

// NewProblem builds the problem for err. An error that is not an *errs.Error,
// or whose kind is Internal or unknown, becomes ErrOverloaded (503) when its
// cause is the database or a dependency being too slow or unreachable
// (overload.go), and otherwise a 500 whose detail says nothing about the
// cause.
func NewProblem(err error, instance, requestID string) Problem {
	e, ok := errs.As(err)
	if (!ok || StatusCode(e.Kind) == http.StatusInternalServerError) && overloaded(err) {
		e, ok = ErrOverloaded, true
	}
	if !ok || StatusCode(e.Kind) == http.StatusInternalServerError {
		return Problem{
			Type:      ProblemTypeBase + errs.Internal.String(),
			Title:     http.StatusText(http.StatusInternalServerError),
			Status:    http.StatusInternalServerError,
			Detail:    internalDetail,
			Instance:  instance,
			RequestID: requestID,
		}
	}
	status := StatusCode(e.Kind)
	slug := e.Slug
	if slug == "" {
		slug = e.Kind.String()
	}
	return Problem{
		Type:      ProblemTypeBase + slug,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    e.Message,
		Instance:  instance,
		RequestID: requestID,
		Errors:    e.Fields,
	}
}

// WriteProblem writes err as problem+json for plain net/http handlers and
// middleware. The request id comes from the context (see RequestID) and is
// minted if absent; a 500 is logged with its cause through slog.Default().
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(r.Context(), w, r, err, slog.Default())
}

// writeProblem is shared by WriteProblem and the go-kit error encoder. r may
// be nil when the server was built without ServerOptions' before function.
func writeProblem(ctx context.Context, w http.ResponseWriter, r *http.Request, err error, logger *slog.Logger) {
	id := RequestIDFrom(ctx)
	if id == "" {
		id = w.Header().Get(RequestIDHeader)
	}
	if id == "" {
		id = ids.New()
	}
	w.Header().Set(RequestIDHeader, id)

	var instance, method string
	if r != nil {
		instance, method = r.URL.Path, r.Method
	}
	p := NewProblem(err, instance, id)
	if p.Status == http.StatusInternalServerError {
		logger.LogAttrs(ctx, slog.LevelError, "internal error",
			slog.String("request_id", id),
			slog.String("method", method),
			slog.String("path", instance),
			slog.String("error", err.Error()))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rapport"`)
	}
	if p.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", RetryAfterSeconds)
	}
	w.Header().Set("Content-Type", ProblemContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p) // the status is sent; a write error has nowhere to go
}
