package resource

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
)

// IDRequest names one resource, with the version of an If-Match (0: none).
type IDRequest struct {
	ID      string
	IfMatch int64
}

// PatchRequest is a merge patch of one resource at version IfMatch.
type PatchRequest struct {
	ID      string
	IfMatch int64
	Patch   json.RawMessage
}

// DecodeBody returns a decoder of a JSON body of type T that rejects the
// readOnly fields and unknown ones, naming them.
func DecodeBody[T any](readOnly []string) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var raw map[string]json.RawMessage
		if err := kitx.Decode(r, &raw, 0); err != nil {
			return nil, err
		}
		v := errs.NewValidator()
		for _, k := range slices.Sorted(maps.Keys(raw)) {
			v.Check(!slices.Contains(readOnly, k), k, "is read-only")
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		body, err := json.Marshal(raw)
		if err != nil {
			return nil, err
		}
		var t T
		return t, kitx.DecodeJSON(body, &t)
	}
}

// DecodeID reads the {id} path value and an optional If-Match.
func DecodeID(_ context.Context, r *http.Request) (any, error) {
	v, _, err := kitx.ParseIfMatch(r)
	return IDRequest{ID: r.PathValue("id"), IfMatch: v}, err
}

// DecodePatch reads a merge patch with its If-Match.
func DecodePatch(_ context.Context, r *http.Request) (any, error) {
	if err := mergepatch.CheckContentType(r); err != nil {
		return nil, err
	}
	v, _, err := kitx.ParseIfMatch(r)
	if err != nil {
		return nil, err
	}
	var patch json.RawMessage
	if err := kitx.Decode(r, &patch, 0); err != nil {
		return nil, err
	}
	return PatchRequest{ID: r.PathValue("id"), IfMatch: v, Patch: patch}, nil
}
