package webhooks

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/services/gateway/catalogue"
	"github.com/rapport-crm/rapport/services/gateway/identity"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// bodyLimit bounds a subscription's request body.
const bodyLimit = 64 << 10

// API serves /v1/webhooks for the caller's tenant: Mount puts its routes on
// a mux. Reading needs webhooks:read, changing webhooks:manage.
type API struct {
	store   *Store
	cat     *catalogue.Catalogue
	cursors *kitx.Cursors
	dev     bool
}

// NewAPI returns the API over store, the event types and filter fields of
// cat, cursors signing the lists' cursors; dev (the development setting
// GATEWAY_WEBHOOK_ALLOW_PRIVATE) accepts http and loopback URLs.
func NewAPI(store *Store, cat *catalogue.Catalogue, cursors *kitx.Cursors, dev bool) *API {
	return &API{store: store, cat: cat, cursors: cursors, dev: dev}
}

// Page is the body of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// route is a handler of the API for the principal of the request.
type route func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// Mount registers the API's routes on mux, each wrapped by wrap (the
// authentication, rate limit and audit of the gateway).
func Mount(mux *http.ServeMux, a *API, wrap func(http.Handler) http.Handler) {
	read, manage := identity.PermWebhooksRead, identity.PermWebhooksManage
	for pattern, h := range map[string]struct {
		perm string
		fn   route
	}{
		"GET /v1/webhooks/subscriptions":                     {read, a.list},
		"POST /v1/webhooks/subscriptions":                    {manage, a.create},
		"GET /v1/webhooks/subscriptions/{id}":                {read, a.get},
		"PATCH /v1/webhooks/subscriptions/{id}":              {manage, a.update},
		"DELETE /v1/webhooks/subscriptions/{id}":             {manage, a.delete},
		"POST /v1/webhooks/subscriptions/{id}/enable":        {manage, a.enable},
		"POST /v1/webhooks/subscriptions/{id}/rotate-secret": {manage, a.rotate},
		"POST /v1/webhooks/subscriptions/{id}/ping":          {manage, a.ping},
		"GET /v1/webhooks/subscriptions/{id}/deliveries":     {read, a.deliveries},
		"GET /v1/webhooks/deliveries/{id}":                   {read, a.delivery},
		"POST /v1/webhooks/deliveries/{id}/redeliver":        {manage, a.redeliver},
	} {
		mux.Handle(pattern, wrap(guarded(h.perm, h.fn)))
	}
}

// guarded serves fn for a principal holding perm.
func guarded(perm string, fn route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok {
			kitx.WriteProblem(w, r, auth.ErrUnauthenticated)
			return
		}
		if !p.Can(perm) {
			kitx.WriteProblem(w, r, auth.ErrForbidden.WithDetail("this needs the permission %s", perm))
			return
		}
		if err := fn(w, r, p); err != nil {
			kitx.WriteProblem(w, r, err)
		}
	})
}

// reply answers v as JSON with status, or err when making it failed.
func reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return kitx.EncodeJSON(r.Context(), w, answer{body: v, status: status})
}

// answer is a body with its status and, for a subscription, its ETag.
type answer struct {
	body   any
	status int
}

// StatusCode is kitx.StatusCoder's.
func (a answer) StatusCode() int { return a.status }

// ETag is kitx.ETagger's: a subscription's version.
func (a answer) ETag() string {
	if s, ok := a.body.(Subscription); ok {
		return kitx.ETag(s.Version)
	}
	return ""
}

// MarshalJSON renders the body.
func (a answer) MarshalJSON() ([]byte, error) { return json.Marshal(a.body) }

// pathID returns the {id} of r, or notFound when it is no id.
func pathID(r *http.Request, notFound error) (string, error) {
	id := r.PathValue("id")
	if !ids.Valid(id) {
		return "", notFound
	}
	return id, nil
}

// subscriptionBody is the body of POST and PATCH: in a PATCH, an absent
// member keeps its value, and a null filter removes it.
type subscriptionBody struct {
	URL         *string        `json:"url"`
	Description *string        `json:"description"`
	EventTypes  *[]string      `json:"eventTypes"`
	Filter      jsontext.Value `json:"filter"`
}

// apply sets the members of b present on s, checking the whole result.
func (a *API) apply(r *http.Request, b subscriptionBody, s *Subscription) error {
	if b.URL != nil {
		s.URL = strings.TrimSpace(*b.URL)
	}
	if b.Description != nil {
		s.Description = *b.Description
	}
	if b.EventTypes != nil {
		s.EventTypes = *b.EventTypes
	}
	if b.Filter != nil {
		n, err := filter.Parse(b.Filter)
		if err != nil {
			return err
		}
		s.Filter = n
	}
	switch {
	case s.URL == "":
		return invalidField(ErrInvalid, "url", "required: the https URL events are POSTed to")
	case len(s.URL) > maxURLLen:
		return invalidField(ErrInvalid, "url", "longer than 2000 bytes")
	case utf8.RuneCountInString(s.Description) > maxDescription:
		return invalidField(ErrInvalid, "description", "longer than 500 characters")
	}
	if b.URL != nil {
		if err := delivery.CheckURL(r.Context(), s.URL, a.dev); err != nil {
			return err
		}
	}
	if err := checkEventTypes(a.cat, s.EventTypes); err != nil {
		return err
	}
	return checkFilter(a.cat, s.EventTypes, s.Filter)
}

func (a *API) list(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	limit, err := kitx.Limit(r)
	if err != nil {
		return err
	}
	items, next, err := kitx.Paged(a.cursors, r.URL.Query().Get("cursor"), limit, func(before string, n int) ([]Subscription, error) {
		return a.store.List(r.Context(), p.TenantID, before, n)
	}, func(s Subscription) string { return s.ID })
	return reply(w, r, http.StatusOK, Page[Subscription]{Items: items, NextCursor: next}, err)
}

func (a *API) create(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var b subscriptionBody
	if err := kitx.Decode(r, &b, bodyLimit); err != nil {
		return err
	}
	var s Subscription
	if err := a.apply(r, b, &s); err != nil {
		return err
	}
	out, err := a.store.Create(r.Context(), p.TenantID, p.UserID, s)
	if err == nil {
		w.Header().Set("Location", "/v1/webhooks/subscriptions/"+out.ID)
	}
	return reply(w, r, http.StatusCreated, out, err)
}

func (a *API) get(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	out, err := a.store.Get(r.Context(), p.TenantID, id)
	return reply(w, r, http.StatusOK, out, err)
}

func (a *API) update(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	ifMatch, err := ifMatchOf(r)
	if err != nil {
		return err
	}
	var b subscriptionBody
	if err := kitx.Decode(r, &b, bodyLimit); err != nil {
		return err
	}
	out, err := a.store.Update(r.Context(), p.TenantID, id, ifMatch, func(s *Subscription) error { return a.apply(r, b, s) })
	return reply(w, r, http.StatusOK, out, err)
}

func (a *API) delete(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	ifMatch, err := ifMatchOf(r)
	if err != nil {
		return err
	}
	if err := a.store.Delete(r.Context(), p.TenantID, id, ifMatch); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) enable(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	out, err := a.store.Enable(r.Context(), p.TenantID, id)
	return reply(w, r, http.StatusOK, out, err)
}

func (a *API) rotate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	out, err := a.store.RotateSecret(r.Context(), p.TenantID, id)
	return reply(w, r, http.StatusOK, out, err)
}

// ifMatchOf returns the version r's If-Match names, nil without one.
func ifMatchOf(r *http.Request) (*int64, error) {
	v, ok, err := kitx.ParseIfMatch(r)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}
