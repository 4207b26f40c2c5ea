package cases

import (
	"context"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// entryBody is the body of a reply or a note; Status is a reply's only.
type entryBody struct {
	BodyText      string   `json:"bodyText"`
	BodyHTML      string   `json:"bodyHtml"`
	AttachmentIDs []string `json:"attachmentIds"`
	Status        string   `json:"status"`
}

// noteBody is the body of a note.
type noteBody struct {
	BodyText      string   `json:"bodyText"`
	BodyHTML      string   `json:"bodyHtml"`
	AttachmentIDs []string `json:"attachmentIds"`
}

// entryRequest is an entry for the case ID.
type entryRequest struct {
	ID    string
	Entry NewEntry
}

// mergeBody is the body of a merge: the case merged into.
type mergeBody struct {
	IntoCaseID string `json:"intoCaseId"`
}

// mergeRequest merges the case ID into IntoCaseID.
type mergeRequest struct {
	ID, IntoCaseID string
}

// splitBody is the body of a split: the new case's subject, if not the
// default.
type splitBody struct {
	Subject string `json:"subject"`
}

// splitRequest splits the entry EntryID of the case ID into a new case.
type splitRequest struct {
	ID, EntryID, Subject string
}

// entriesRequest is a page of a case's thread.
type entriesRequest struct {
	ID, Cursor string
	Limit      int
}

// ThreadRoutes returns the routes of the cases' threads, merges and
// splits on s: reading needs support:read, the rest support:write.
func ThreadRoutes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "listCaseEntries", Method: "GET", Path: "/v1/cases/{id}/entries", Permission: supportdb.PermRead, Decode: decodeEntries,
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(entriesRequest)
				page, err := s.Entries(ctx, req.ID, req.Cursor, req.Limit)
				return resource.OK(page, 0, err)
			}},
		starter.Route{Name: "getCaseEntry", Method: "GET", Path: "/v1/cases/{id}/entries/{entryId}", Permission: supportdb.PermRead,
			Decode: func(_ context.Context, r *http.Request) (any, error) {
				return [2]string{r.PathValue("id"), r.PathValue("entryId")}, nil
			},
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.([2]string)
				e, err := s.Entry(ctx, req[0], req[1])
				return resource.OK(e, 0, err)
			}},
		starter.Route{Name: "createCaseReply", Method: "POST", Path: "/v1/cases/{id}/replies", Permission: supportdb.PermWrite,
			Decode: decodeEntry[entryBody](func(b entryBody) NewEntry {
				return NewEntry{BodyText: b.BodyText, BodyHTML: b.BodyHTML, AttachmentIDs: b.AttachmentIDs, Status: b.Status}
			}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(entryRequest)
				e, err := s.Reply(ctx, req.ID, req.Entry)
				return resource.Created(e, 0, entryLocation(e), err)
			}},
		starter.Route{Name: "createCaseNote", Method: "POST", Path: "/v1/cases/{id}/notes", Permission: supportdb.PermWrite,
			Decode: decodeEntry[noteBody](func(b noteBody) NewEntry {
				return NewEntry{BodyText: b.BodyText, BodyHTML: b.BodyHTML, AttachmentIDs: b.AttachmentIDs}
			}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(entryRequest)
				e, err := s.Note(ctx, req.ID, req.Entry)
				return resource.Created(e, 0, entryLocation(e), err)
			}},
		starter.Route{Name: "mergeCase", Method: "POST", Path: "/v1/cases/{id}/merge", Permission: supportdb.PermWrite,
			Decode: func(ctx context.Context, r *http.Request) (any, error) {
				body, err := resource.DecodeBody[mergeBody](nil)(ctx, r)
				if err != nil {
					return nil, err
				}
				req := mergeRequest{ID: r.PathValue("id"), IntoCaseID: body.(mergeBody).IntoCaseID}
				v := errs.NewValidator()
				v.Check(req.IntoCaseID != "", "intoCaseId", "is required")
				return req, v.Err()
			},
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(mergeRequest)
				c, err := s.Merge(ctx, req.ID, req.IntoCaseID)
				return resource.OK(c, c.Version, err)
			}},
		starter.Route{Name: "splitCaseEntry", Method: "POST", Path: "/v1/cases/{id}/entries/{entryId}/split", Permission: supportdb.PermWrite,
			Decode: func(ctx context.Context, r *http.Request) (any, error) {
				body, err := resource.DecodeBody[splitBody](nil)(ctx, r)
				if err != nil {
					return nil, err
				}
				req := splitRequest{ID: r.PathValue("id"), EntryID: r.PathValue("entryId"), Subject: body.(splitBody).Subject}
				v := errs.NewValidator()
				v.Check(utf8.RuneCountInString(req.Subject) <= maxSubject, "subject", "at most "+strconv.Itoa(maxSubject)+" characters")
				return req, v.Err()
			},
			Endpoint: func(ctx context.Context, r any) (any, error) {
				req := r.(splitRequest)
				c, err := s.Split(ctx, req.ID, req.EntryID, req.Subject)
				return resource.Created(c, c.Version, "/v1/cases/"+c.ID, err)
			}},
	)
}

// decodeEntry returns the decoder of an entry's body B (unknown fields
// refused), made a NewEntry by entry.
func decodeEntry[B any](entry func(B) NewEntry) func(context.Context, *http.Request) (any, error) {
	return func(ctx context.Context, r *http.Request) (any, error) {
		body, err := resource.DecodeBody[B](nil)(ctx, r)
		if err != nil {
			return nil, err
		}
		return entryRequest{ID: r.PathValue("id"), Entry: entry(body.(B))}, nil
	}
}

// decodeEntries reads a page's query: limit and cursor.
func decodeEntries(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	req := entriesRequest{ID: r.PathValue("id"), Cursor: q.Get("cursor"), Limit: kitx.DefaultLimit}
	v := errs.NewValidator()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= kitx.MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(kitx.MaxLimit))
		req.Limit = n
	}
	return req, v.Err()
}

// entryLocation is the URL of the entry e of a case's thread.
func entryLocation(e Entry) string { return "/v1/cases/" + e.CaseID + "/entries/" + e.ID }
