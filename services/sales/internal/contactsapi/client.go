// Package contactsapi is the sales service's client of the contacts
// service: it finds, reads and creates accounts and contacts with the
// authority of the request being served (libs/svcclient: the caller's
// token exchanged at the gateway for one addressed to contacts), so
// contacts applies the caller's permissions and record scope as it does to
// the caller's own requests. Creates carry an Idempotency-Key: a retry with
// the same key gets the first answer instead of a second record.
package contactsapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/svcclient"
)

// Client calls the contacts service.
type Client struct {
	svc *svcclient.Service
}

// New returns the Client calling contacts through svc.
func New(svc *svcclient.Service) *Client { return &Client{svc: svc} }

// Contact is what sales reads of a contact.
type Contact struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	AccountID   string `json:"accountId,omitempty"`
}

// Account is what sales reads of an account.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Email is an email address of a contact.
type Email struct {
	Address string `json:"address"`
	Primary bool   `json:"primary,omitempty"`
}

// Phone is a phone number of a contact, as typed.
type Phone struct {
	Number  string `json:"number"`
	Primary bool   `json:"primary,omitempty"`
}

// NewContact is a contact to create (contacts' ContactInput).
type NewContact struct {
	FirstName      string  `json:"firstName,omitempty"`
	LastName       string  `json:"lastName,omitempty"`
	DisplayName    string  `json:"displayName,omitempty"`
	Emails         []Email `json:"emails,omitempty"`
	Phones         []Phone `json:"phones,omitempty"`
	JobTitle       string  `json:"jobTitle,omitempty"`
	AccountID      string  `json:"accountId,omitempty"`
	LifecycleStage string  `json:"lifecycleStage,omitempty"`
	Source         string  `json:"source,omitempty"`
}

// NewAccount is an account to create (contacts' AccountInput).
type NewAccount struct {
	Name string `json:"name"`
}

// The errors of the client, besides svcclient's (ErrUnavailable: contacts
// is down, or answered 429 or 5xx; retry with the same key).
var (
	// ErrDuplicate: contacts refused a create because the record looks
	// like existing ones it did not match by email or name.
	ErrDuplicate = errs.New(errs.Conflict, "contacts-duplicate", "contacts refused the record as a likely duplicate of existing ones")
	// ErrKeyReused: contacts saw the Idempotency-Key with another body.
	ErrKeyReused = errs.New(errs.Conflict, "conversion-key-reused", "contacts saw this conversion's key with other data")
	// ErrForbidden: contacts refused the caller a permission the call
	// needs there (contacts:read to find, contacts:write to create).
	ErrForbidden = errs.New(errs.Forbidden, "contacts-forbidden", "the contacts service refused you a permission this needs")
	// ErrRefused: contacts refused the call otherwise (data it does not
	// accept).
	ErrRefused = errs.New(errs.Unprocessable, "contacts-refused", "the contacts service refused the request")
)

// maxIDs bounds the ids one lookup asks for: contacts' largest page.
const maxIDs = 200

// FindContactByEmail returns the live contact the caller may see whose
// primary email is email (regardless of case), the oldest if several; nil
// when none.
func (c *Client) FindContactByEmail(ctx context.Context, email string) (*Contact, error) {
	var page struct{ Items []Contact }
	if err := c.list(ctx, "/v1/contacts", condition("emails", "eq", strings.ToLower(email)), 1, &page); err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, nil
	}
	return &page.Items[0], nil
}

// FindAccountByName returns the live account the caller may see named
// exactly name, the oldest if several; nil when none.
func (c *Client) FindAccountByName(ctx context.Context, name string) (*Account, error) {
	var page struct{ Items []Account }
	if err := c.list(ctx, "/v1/accounts", condition("name", "eq", name), 1, &page); err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, nil
	}
	return &page.Items[0], nil
}

// VisibleContacts returns which of ids are live contacts the caller may
// see, in one call (ids are UUIDs, at most 200).
func (c *Client) VisibleContacts(ctx context.Context, ids []string) (map[string]bool, error) {
	var page struct{ Items []Contact }
	return visible(ids, func(f map[string]any) error { return c.list(ctx, "/v1/contacts", f, len(ids), &page) },
		func() []string { return idsOf(page.Items, func(x Contact) string { return x.ID }) })
}

// VisibleAccounts returns which of ids are live accounts the caller may
// see, in one call (ids are UUIDs, at most 200).
func (c *Client) VisibleAccounts(ctx context.Context, ids []string) (map[string]bool, error) {
	var page struct{ Items []Account }
	return visible(ids, func(f map[string]any) error { return c.list(ctx, "/v1/accounts", f, len(ids), &page) },
		func() []string { return idsOf(page.Items, func(x Account) string { return x.ID }) })
}

// AccountName returns the name of the account id when it is live and
// the caller may see it, else "".
func (c *Client) AccountName(ctx context.Context, id string) (string, error) {
	var page struct{ Items []Account }
	if err := c.list(ctx, "/v1/accounts", condition("id", "in", []string{id}), 1, &page); err != nil || len(page.Items) == 0 {
		return "", err
	}
	return page.Items[0].Name, nil
}

// ContactName returns the display name of the contact id when it is live
// and the caller may see it, else "".
func (c *Client) ContactName(ctx context.Context, id string) (string, error) {
	var page struct{ Items []Contact }
	if err := c.list(ctx, "/v1/contacts", condition("id", "in", []string{id}), 1, &page); err != nil || len(page.Items) == 0 {
		return "", err
	}
	return page.Items[0].DisplayName, nil
}

// CreateContact creates in with the Idempotency-Key key (allowDuplicate:
// even when contacts finds it like others).
func (c *Client) CreateContact(ctx context.Context, in NewContact, key string, allowDuplicate bool) (*Contact, error) {
	var out Contact
	path := "/v1/contacts"
	if allowDuplicate {
		path += "?allowDuplicate=true"
	}
	return &out, c.create(ctx, path, in, key, &out)
}

// CreateAccount creates in with the Idempotency-Key key.
func (c *Client) CreateAccount(ctx context.Context, in NewAccount, key string) (*Account, error) {
	var out Account
	return &out, c.create(ctx, "/v1/accounts", in, key, &out)
}

// create POSTs body to path with key, mapping contacts' refusals to this
// package's errors.
func (c *Client) create(ctx context.Context, path string, body any, key string, out any) error {
	_, err := c.svc.Call(ctx, svcclient.Request{Method: http.MethodPost, Path: path, Body: body, IdempotencyKey: key}, out)
	return mapError(err)
}

// list GETs a page of at most limit records of path matching filter.
func (c *Client) list(ctx context.Context, path string, filter map[string]any, limit int, out any) error {
	f, err := json.Marshal(filter)
	if err != nil {
		return err
	}
	q := url.Values{"filter": {string(f)}, "limit": {strconv.Itoa(max(limit, 1))}, "sort": {"createdAt"}}
	_, err = c.svc.Call(ctx, svcclient.Request{Method: http.MethodGet, Path: path + "?" + q.Encode()}, out)
	return mapError(err)
}

// mapError is err as this package's errors: svcclient's own pass (they
// say whether to retry), contacts' problems become ErrDuplicate,
// ErrKeyReused or ErrRefused with contacts' detail.
func mapError(err error) error {
	var p *svcclient.Problem
	if !errors.As(err, &p) {
		return err
	}
	switch {
	case p.Slug() == "duplicate-contact" || p.Slug() == "duplicate-account":
		return ErrDuplicate.WithDetail("contacts: %s", p.Detail).Wrap(p)
	case p.Slug() == "idempotency-key-reused":
		return ErrKeyReused.WithDetail("the lead or the request changed since a conversion with this Idempotency-Key began; convert with a new key").Wrap(p)
	case p.Status == http.StatusUnauthorized:
		return svcclient.ErrRefused.Wrap(p)
	case p.Status == http.StatusForbidden:
		return ErrForbidden.WithDetail("contacts: %s", p.Detail).Wrap(p)
	}
	return ErrRefused.WithDetail("contacts answered %d: %s", p.Status, p.Detail).Wrap(p)
}

// condition is a filter condition (libs/filter).
func condition(field, op string, value any) map[string]any {
	return map[string]any{"field": field, "op": op, "value": value}
}

// visible asks for the records of ids (fetch with an "id in" filter) and
// returns which of them came back (got).
func visible(ids []string, fetch func(map[string]any) error, got func() []string) (map[string]bool, error) {
	out := map[string]bool{}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > maxIDs {
		return nil, errs.Invalidf(nil, "at most %d records are looked up at once", maxIDs)
	}
	if err := fetch(condition("id", "in", ids)); err != nil {
		return nil, err
	}
	for _, id := range got() {
		out[id] = true
	}
	return out, nil
}

// idsOf returns the id of each item.
func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = id(x)
	}
	return out
}
