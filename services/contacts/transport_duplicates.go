package contacts

import (
	"context"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// ErrBadAllowDuplicate is returned for an allowDuplicate query parameter that
// is not a boolean.
var ErrBadAllowDuplicate = errs.New(errs.Invalid, "invalid-allow-duplicate", "allowDuplicate must be true or false")

// createRequest is a new record and the options of its create.
type createRequest[T any] struct {
	Record T
	Opts   CreateOptions
}

// mergeRequest merges Body.LoserID into the record ID at version IfMatch.
type mergeRequest struct {
	ID      string
	IfMatch int64
	Body    MergeRequest
}

// pairsRequest asks for a page of a scan's pairs.
type pairsRequest struct {
	ScanID string
	Limit  int
	Cursor string
}

// decodeCreate returns the decoder of a create: a JSON body of type T (see
// decodeBody) and the allowDuplicate query parameter.
func decodeCreate[T any](readOnly []string) kithttp.DecodeRequestFunc {
	body := decodeBody[T](readOnly)
	return func(ctx context.Context, r *http.Request) (any, error) {
		var req createRequest[T]
		var err error
		if req.Opts, err = decodeCreateOptions(r); err != nil {
			return nil, err
		}
		rec, err := body(ctx, r)
		if err != nil {
			return nil, err
		}
		req.Record = rec.(T)
		return req, nil
	}
}

// decodeRecordPatch reads an account's or a contact's merge patch (see
// decodePatch) and the allowDuplicate query parameter.
func decodeRecordPatch(ctx context.Context, r *http.Request) (any, error) {
	opts, err := decodeCreateOptions(r)
	if err != nil {
		return nil, err
	}
	req, err := decodePatch(ctx, r)
	if err != nil {
		return nil, err
	}
	patch := req.(patchRequest)
	patch.Opts = opts
	return patch, nil
}

// decodeCreateOptions reads the allowDuplicate query parameter.
func decodeCreateOptions(r *http.Request) (CreateOptions, error) {
	switch v := r.URL.Query().Get("allowDuplicate"); v {
	case "", "false":
		return CreateOptions{}, nil
	case "true":
		return CreateOptions{AllowDuplicate: true}, nil
	default:
		e := ErrBadAllowDuplicate.WithDetail("allowDuplicate %q must be true or false", v)
		e.Fields = []errs.FieldError{{Field: "allowDuplicate", Reason: "must be true or false"}}
		return CreateOptions{}, e
	}
}

// decodeMerge reads a merge: the winner's id and If-Match, and the body.
func decodeMerge(ctx context.Context, r *http.Request) (any, error) {
	v, _, err := kitx.ParseIfMatch(r)
	if err != nil {
		return nil, err
	}
	body, err := decodeBody[MergeRequest](nil)(ctx, r)
	if err != nil {
		return nil, err
	}
	return mergeRequest{ID: r.PathValue("id"), IfMatch: v, Body: body.(MergeRequest)}, nil
}

// decodePairs reads the scan id, limit and cursor.
func decodePairs(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	return pairsRequest{ScanID: r.PathValue("id"), Limit: limit, Cursor: r.URL.Query().Get("cursor")}, nil
}
