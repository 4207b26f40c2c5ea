package audit

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// ReadPermission is the permission GET /v1/audit requires by default.
const ReadPermission = "audit:read"

// Page is the body of GET /v1/audit.
type Page struct {
	Items      []Entry `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// Handler serves GET /v1/audit: the entries of the caller's tenant, newest
// first, for a principal (from proxy.Authenticate) holding permission
// (ReadPermission if empty). Query parameters: from and to (RFC 3339; from ≤
// time < to), userId, method, path (a prefix), status, kind, limit (≤ 200)
// and cursor (a nextCursor).
func Handler(store *Store, cursors *kitx.Cursors, permission string) http.Handler {
	if permission == "" {
		permission = ReadPermission
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok {
			kitx.WriteProblem(w, r, auth.ErrUnauthenticated)
			return
		}
		if !p.Can(permission) {
			kitx.WriteProblem(w, r, auth.ErrForbidden.WithDetail("reading the audit log needs the permission %s", permission))
			return
		}
		f, err := parseFilter(r, cursors)
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		items, next, err := store.List(r.Context(), p.TenantID, f)
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		page := Page{Items: items}
		if page.Items == nil {
			page.Items = []Entry{}
		}
		if next != nil {
			page.NextCursor = cursors.EncodeCursor(next)
		}
		_ = kitx.EncodeJSON(r.Context(), w, page)
	})
}

// parseFilter reads a Filter from r's query, naming every bad parameter.
func parseFilter(r *http.Request, cursors *kitx.Cursors) (Filter, error) {
	q := r.URL.Query()
	limit, err := kitx.Limit(r)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{
		UserID:     q.Get("userId"),
		Method:     q.Get("method"),
		PathPrefix: q.Get("path"),
		Kind:       Kind(q.Get("kind")),
		Limit:      limit,
	}
	var bad []errs.FieldError
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				bad = append(bad, errs.FieldError{Field: name, Reason: "must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z"})
				continue
			}
			*dst = t
		}
	}
	if s := q.Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 || n > 599 {
			bad = append(bad, errs.FieldError{Field: "status", Reason: "must be an HTTP status from 100 to 599"})
		}
		f.Status = n
	}
	if f.Kind != "" && !f.Kind.valid() {
		bad = append(bad, errs.FieldError{Field: "kind", Reason: "must be one of " + kindList()})
	}
	if len(bad) > 0 {
		e := ErrBadFilter.WithDetail("the audit filter has %d invalid parameter(s)", len(bad))
		e.Fields = bad
		return Filter{}, e
	}
	if c := q.Get("cursor"); c != "" {
		var pos Position
		if err := cursors.DecodeCursor(c, &pos); err != nil {
			return Filter{}, err
		}
		f.After = &pos
	}
	return f, nil
}
