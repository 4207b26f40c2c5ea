package contacts

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/starter"
)

// ErrBadDeleted is returned for a "deleted" query parameter that is not a boolean.
var ErrBadDeleted = errs.New(errs.Invalid, "invalid-deleted", "deleted must be true or false")

// route is one HTTP route of the API.
type route struct {
	pattern  string
	endpoint string
	decode   kithttp.DecodeRequestFunc
}

// routes lists the API's routes; api/openapi.yaml documents each.
var routeTable = []route{
	{"POST /v1/contacts", "createContact", decodeCreate[customer.Contact](customer.ReadOnlyFields)},
	{"POST /v1/contacts/tags", "tagContacts", decodeBody[BulkTag](nil)},
	{"GET /v1/contacts/{id}", "getContact", decodeID},
	{"PATCH /v1/contacts/{id}", "updateContact", decodeRecordPatch},
	{"DELETE /v1/contacts/{id}", "deleteContact", decodeID},
	{"POST /v1/contacts/{id}/restore", "restoreContact", decodeID},
	{"GET /v1/contacts/{id}/consent-history", "contactConsentHistory", decodeConsentHistory},
	{"POST /v1/accounts", "createAccount", decodeCreate[customer.Account](customer.ReadOnlyFields)},
	{"POST /v1/accounts/tags", "tagAccounts", decodeBody[BulkTag](nil)},
	{"GET /v1/accounts/{id}", "getAccount", decodeID},
	{"PATCH /v1/accounts/{id}", "updateAccount", decodeRecordPatch},
	{"DELETE /v1/accounts/{id}", "deleteAccount", decodeID},
	{"POST /v1/accounts/{id}/restore", "restoreAccount", decodeID},
	{"GET /v1/contacts/{id}/duplicates", "contactDuplicates", decodeID},
	{"POST /v1/contacts/{id}/merge", "mergeContacts", decodeMerge},
	{"GET /v1/accounts/{id}/duplicates", "accountDuplicates", decodeID},
	{"POST /v1/accounts/{id}/merge", "mergeAccounts", decodeMerge},
	{"POST /v1/duplicate-scans", "startDuplicateScan", decodeBody[ScanRequest](nil)},
	{"GET /v1/duplicate-scans/{id}", "getDuplicateScan", decodeID},
	{"GET /v1/duplicate-scans/{id}/pairs", "listDuplicatePairs", decodePairs},
}

// Routes returns the API's routes for s, for libs/starter: each with the
// permission its endpoint needs and contacts' encoder, which streams exports
// and sets Location.
func Routes(s Service) []starter.Route {
	eps := makeEndpoints(s)
	var out []starter.Route
	for _, r := range routeTable {
		method, path, _ := strings.Cut(r.pattern, " ")
		out = append(out, starter.Route{Name: r.endpoint, Method: method, Path: path, Permission: permissions[r.endpoint],
			Endpoint: eps[r.endpoint], Decode: r.decode, Encode: encodeResponse})
	}
	return out
}

// decodeBody returns a decoder of a JSON body of type T that rejects the
// readOnly fields and unknown ones.
func decodeBody[T any](readOnly []string) kithttp.DecodeRequestFunc {
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

// decodeID reads the {id} path value and an optional If-Match.
func decodeID(_ context.Context, r *http.Request) (any, error) {
	v, _, err := kitx.ParseIfMatch(r)
	return idRequest{ID: r.PathValue("id"), IfMatch: v}, err
}

// decodePatch reads a merge patch with its If-Match.
func decodePatch(_ context.Context, r *http.Request) (any, error) {
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
	return patchRequest{ID: r.PathValue("id"), IfMatch: v, Patch: patch}, nil
}

// encodeResponse is kitx.EncodeJSON plus the Location of created resources
// and the fields an update changed (kitx.ChangedFieldsHeader, for the
// gateway's audit log); exports are streamed (transport_export.go).
func encodeResponse(ctx context.Context, w http.ResponseWriter, resp any) error {
	if r, ok := resp.(response); ok {
		if r.location != "" {
			w.Header().Set("Location", r.location)
		}
		kitx.SetChangedFields(w.Header(), r.changed)
	}
	return kitx.EncodeJSON(ctx, w, resp)
}
