package webhooks

import (
	"net/http"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
)

func (a *API) ping(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	out, err := a.store.Ping(r.Context(), p.TenantID, id)
	return reply(w, r, http.StatusAccepted, out, err)
}

func (a *API) deliveries(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrNotFound)
	if err != nil {
		return err
	}
	limit, err := kitx.Limit(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", DeliveryPending, DeliverySucceeded, DeliveryFailed:
	default:
		return invalidField(ErrBadQuery, "status", "must be pending, succeeded or failed")
	}
	items, next, err := kitx.Paged(a.cursors, r.URL.Query().Get("cursor"), limit, func(before string, n int) ([]Delivery, error) {
		return a.store.Deliveries(r.Context(), p.TenantID, id, status, before, n)
	}, func(d Delivery) string { return d.ID })
	return reply(w, r, http.StatusOK, Page[Delivery]{Items: items, NextCursor: next}, err)
}

func (a *API) delivery(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrDeliveryNotFound)
	if err != nil {
		return err
	}
	out, err := a.store.Delivery(r.Context(), p.TenantID, id)
	return reply(w, r, http.StatusOK, out, err)
}

func (a *API) redeliver(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id, err := pathID(r, ErrDeliveryNotFound)
	if err != nil {
		return err
	}
	out, err := a.store.Redeliver(r.Context(), p.TenantID, id)
	return reply(w, r, http.StatusAccepted, out, err)
}
