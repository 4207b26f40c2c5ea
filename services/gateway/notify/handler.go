package notify

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// API serves the notifications of the caller (a user's principal, from
// proxy.Authenticate): Mount puts its routes on a mux.
type API struct {
	store     *Store
	hub       *Hub
	cursors   *kitx.Cursors
	heartbeat time.Duration // a comment on an idle stream this often
	lifetime  time.Duration // a stream ends after this long: its client reconnects, authenticated anew
}

// NewAPI returns the API over store, its streams woken by hub (whose Run
// must be running), cursors signing the list's cursors.
func NewAPI(store *Store, hub *Hub, cursors *kitx.Cursors) *API {
	return &API{store: store, hub: hub, cursors: cursors, heartbeat: 25 * time.Second, lifetime: 15 * time.Minute}
}

// Page is the body of GET /v1/notifications.
type Page struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"nextCursor,omitempty"`
}

// UnreadCount is the body of GET /v1/notifications/unread-count.
type UnreadCount struct {
	Count int `json:"count"`
}

// Marked is the body of POST /v1/notifications/read-all.
type Marked struct {
	Marked int64 `json:"marked"`
}

// Preferences is the body of GET and PUT /v1/notification-preferences.
type Preferences struct {
	Items []Preference `json:"items"`
}

// Mount registers the API's routes on mux, each wrapped by wrap (the
// authentication, rate limit and audit of the gateway).
func Mount(mux *http.ServeMux, a *API, wrap func(http.Handler) http.Handler) {
	for pattern, h := range map[string]func(http.ResponseWriter, *http.Request, auth.Principal) error{
		"GET /v1/notifications":              a.list,
		"GET /v1/notifications/unread-count": a.unread,
		"POST /v1/notifications/{id}/read":   a.read,
		"POST /v1/notifications/read-all":    a.readAll,
		"GET /v1/notification-preferences":   a.preferences,
		"PUT /v1/notification-preferences":   a.setPreferences,
		"GET /v1/notifications/stream":       a.stream,
	} {
		mux.Handle(pattern, wrap(asUser(h)))
	}
}

// asUser serves h for the principal of the request, which must be a
// user's: an API key without one has no notifications.
func asUser(h func(http.ResponseWriter, *http.Request, auth.Principal) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok {
			kitx.WriteProblem(w, r, auth.ErrUnauthenticated)
			return
		}
		if !ids.Valid(p.UserID) {
			kitx.WriteProblem(w, r, ErrNoUser)
			return
		}
		if err := h(w, r, p); err != nil {
			kitx.WriteProblem(w, r, err)
		}
	})
}

// reply answers v as JSON, or err when reading it failed.
func reply(w http.ResponseWriter, r *http.Request, v any, err error) error {
	if err != nil {
		return err
	}
	return kitx.EncodeJSON(r.Context(), w, v)
}

func (a *API) list(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	limit, err := kitx.Limit(r)
	if err != nil {
		return err
	}
	unread := false
	switch v := r.URL.Query().Get("unread"); v {
	case "", "false":
	case "true":
		unread = true
	default:
		e := ErrBadQuery.WithDetail("unread %q must be true or false", v)
		e.Fields = []errs.FieldError{{Field: "unread", Reason: "must be true or false"}}
		return e
	}
	items, next, err := kitx.Paged(a.cursors, r.URL.Query().Get("cursor"), limit, func(before string, n int) ([]Notification, error) {
		return a.store.List(r.Context(), p.TenantID, p.UserID, unread, before, n)
	}, func(n Notification) string { return n.ID })
	return reply(w, r, Page{Items: items, NextCursor: next}, err)
}

func (a *API) unread(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := a.store.UnreadCount(r.Context(), p.TenantID, p.UserID)
	return reply(w, r, UnreadCount{Count: n}, err)
}

func (a *API) read(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	if !ids.Valid(id) {
		return ErrNotFound.WithDetail("%q is not a notification id", id)
	}
	n, err := a.store.MarkRead(r.Context(), p.TenantID, p.UserID, id)
	return reply(w, r, n, err)
}

func (a *API) readAll(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	n, err := a.store.MarkAllRead(r.Context(), p.TenantID, p.UserID)
	return reply(w, r, Marked{Marked: n}, err)
}

func (a *API) preferences(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	items, err := a.store.Preferences(r.Context(), p.TenantID, p.UserID)
	return reply(w, r, Preferences{Items: items}, err)
}

// preferencesBody is the body of PUT /v1/notification-preferences: both
// switches of each kind are required.
type preferencesBody struct {
	Items []struct {
		Kind  string `json:"kind"`
		InApp *bool  `json:"inApp"`
		Email *bool  `json:"email"`
	} `json:"items"`
}

// setPreferences stores the preferences of the kinds the body names (the
// others keep theirs) and answers all of them.
func (a *API) setPreferences(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var body preferencesBody
	if err := kitx.Decode(r, &body, 0); err != nil {
		return err
	}
	v := errs.NewValidator()
	v.Check(body.Items != nil, "items", "required: the preferences to set")
	seen := map[string]bool{}
	prefs := make([]Preference, 0, len(body.Items))
	for i, it := range body.Items {
		_, known := lookupKind(it.Kind)
		v.Check(known, fmt.Sprintf("items/%d/kind", i), "not a kind of notification")
		v.Check(!seen[it.Kind], fmt.Sprintf("items/%d/kind", i), "named twice")
		v.Check(it.InApp != nil, fmt.Sprintf("items/%d/inApp", i), "required: true or false")
		v.Check(it.Email != nil, fmt.Sprintf("items/%d/email", i), "required: true or false")
		seen[it.Kind] = true
		if it.InApp != nil && it.Email != nil {
			prefs = append(prefs, Preference{Kind: it.Kind, InApp: *it.InApp, Email: *it.Email})
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	items, err := a.store.SetPreferences(r.Context(), p.TenantID, p.UserID, prefs)
	return reply(w, r, Preferences{Items: items}, err)
}
