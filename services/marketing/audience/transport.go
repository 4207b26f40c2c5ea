package audience

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// maxImportBytes bounds a CSV import's body.
const maxImportBytes = 8 << 20

// ErrNotCSV is an import whose body is not text/csv.
var ErrNotCSV = errs.New(errs.UnsupportedMediaType, "unsupported-media-type", "an import's body must be text/csv")

// ErrImportTooLarge is an import whose body exceeds maxImportBytes.
var ErrImportTooLarge = errs.New(errs.TooLarge, "import-too-large", "an import's body may hold 8 MiB at most")

// pageRequest is a page of a list: the resource's id (if any), a filter
// (the audience's list), the cursor and the limit.
type pageRequest struct {
	ID     string
	Filter json.RawMessage
	Cursor string
	Limit  int
}

// decodePage reads {id}, filter, cursor and limit.
func decodePage(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	req := pageRequest{ID: r.PathValue("id"), Cursor: q.Get("cursor"), Limit: limit}
	if f := q.Get("filter"); f != "" {
		req.Filter = json.RawMessage(f)
	}
	return req, nil
}

// memberRequest names a member of a list.
type memberRequest struct{ ID, ContactID string }

// decodeMember reads {id} and {contactId}.
func decodeMember(_ context.Context, r *http.Request) (any, error) {
	return memberRequest{ID: r.PathValue("id"), ContactID: r.PathValue("contactId")}, nil
}

// addRequest is an add of members to the list ID.
type addRequest struct {
	ID   string
	Body AddMembers
}

// decodeAdd reads {id} and an AddMembers body.
func decodeAdd(_ context.Context, r *http.Request) (any, error) {
	req := addRequest{ID: r.PathValue("id")}
	return req, kitx.Decode(r, &req.Body, 0)
}

// previewRequest is a filter to preview.
type previewRequest struct {
	Filter json.RawMessage `json:"filter"`
}

// decodePreview reads {filter}.
func decodePreview(_ context.Context, r *http.Request) (any, error) {
	var req previewRequest
	if err := kitx.Decode(r, &req, 0); err != nil {
		return nil, err
	}
	v := errs.NewValidator()
	v.Check(len(req.Filter) > 0 && string(req.Filter) != "null", "filter", "is required")
	return req, v.Err()
}

// importRequest is a CSV to import into the list ID.
type importRequest struct {
	ID   string
	Body []byte
}

// decodeImport reads {id} and a text/csv body.
func decodeImport(_ context.Context, r *http.Request) (any, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/csv" {
		return nil, ErrNotCSV
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxImportBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, ErrImportTooLarge
	}
	return importRequest{ID: r.PathValue("id"), Body: body}, err
}

// Routes returns the routes of the audience and its segments on s and
// rebuilder, each with its permission: reading marketing:read, building
// segments and lists marketing:write, a rebuild marketing:admin.
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s *Service, rebuilder *Rebuilder) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listAudienceContacts", Method: "GET", Path: "/v1/audience/contacts", Permission: marketingdb.PermRead,
			Decode: decodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(pageRequest)
				return ok(s.Contacts(ctx, req.Filter, req.Cursor, req.Limit))
			}},
		starter.Route{Name: "getAudienceContact", Method: "GET", Path: "/v1/audience/contacts/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				c, err := s.Contact(ctx, r.(resource.IDRequest).ID)
				return resource.OK(c, c.Version, err)
			}},
		starter.Route{Name: "rebuildAudience", Method: "POST", Path: "/v1/audience/rebuild", Permission: marketingdb.PermAdmin,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := rebuilder.Start(ctx)
				if err != nil {
					return nil, err
				}
				return resource.Response{Body: out, Status: http.StatusAccepted, Location: "/v1/audience/rebuild"}, nil
			}},
		starter.Route{Name: "getAudienceRebuild", Method: "GET", Path: "/v1/audience/rebuild", Permission: marketingdb.PermRead,
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := rebuilder.Status(ctx)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "listSegments", Method: "GET", Path: "/v1/segments", Permission: marketingdb.PermRead,
			Decode: decodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(pageRequest)
				return ok(s.List(ctx, req.Cursor, req.Limit))
			}},
		starter.Route{Name: "createSegment", Method: "POST", Path: "/v1/segments", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeBody[Segment](createReadOnly),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				seg, err := s.Create(ctx, r.(Segment))
				return resource.Created(seg, seg.Version, "/v1/segments/"+seg.ID, err)
			}},
		starter.Route{Name: "previewSegment", Method: "POST", Path: "/v1/segments/preview", Permission: marketingdb.PermWrite,
			Decode: decodePreview,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				return ok(s.Preview(ctx, r.(previewRequest).Filter))
			}},
		starter.Route{Name: "getSegment", Method: "GET", Path: "/v1/segments/{id}", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				seg, err := s.Get(ctx, r.(resource.IDRequest).ID)
				return resource.OK(seg, seg.Version, err)
			}},
		starter.Route{Name: "updateSegment", Method: "PATCH", Path: "/v1/segments/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodePatch,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.PatchRequest)
				seg, changed, err := s.Update(ctx, req.ID, req.IfMatch, req.Patch)
				return resource.Updated(seg, seg.Version, changed, err)
			}},
		starter.Route{Name: "deleteSegment", Method: "DELETE", Path: "/v1/segments/{id}", Permission: marketingdb.PermWrite,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(resource.IDRequest)
				return resource.NoContent{}, s.Delete(ctx, req.ID, req.IfMatch)
			}},
		starter.Route{Name: "listSegmentMembers", Method: "GET", Path: "/v1/segments/{id}/members", Permission: marketingdb.PermRead,
			Decode: decodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(pageRequest)
				return ok(s.Members(ctx, req.ID, req.Cursor, req.Limit))
			}},
		starter.Route{Name: "addSegmentMembers", Method: "POST", Path: "/v1/segments/{id}/members", Permission: marketingdb.PermWrite,
			Decode: decodeAdd,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(addRequest)
				return ok(s.Add(ctx, req.ID, req.Body))
			}},
		starter.Route{Name: "removeSegmentMember", Method: "DELETE", Path: "/v1/segments/{id}/members/{contactId}",
			Permission: marketingdb.PermWrite, Decode: decodeMember,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(memberRequest)
				return resource.NoContent{}, s.Remove(ctx, req.ID, req.ContactID)
			}},
		starter.Route{Name: "importSegmentMembers", Method: "POST", Path: "/v1/segments/{id}/imports", Permission: marketingdb.PermWrite,
			Decode: decodeImport,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(importRequest)
				return ok(s.Import(ctx, req.ID, bytes.NewReader(req.Body)))
			}},
		starter.Route{Name: "countSegmentMembers", Method: "GET", Path: "/v1/segments/{id}/count", Permission: marketingdb.PermRead,
			Decode: resource.DecodeID,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				return ok(s.Count(ctx, r.(resource.IDRequest).ID))
			}},
		starter.Route{Name: "listSegmentHistory", Method: "GET", Path: "/v1/segments/{id}/history", Permission: marketingdb.PermRead,
			Decode: decodePage,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(pageRequest)
				return ok(s.History(ctx, req.ID, req.Cursor, req.Limit))
			}},
	)
}

// ok wraps a response without a version for a 200, or returns err.
func ok[T any](v T, err error) (any, error) { return resource.OK(v, 0, err) }
