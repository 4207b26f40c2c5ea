package contacts

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// CreateContact implements Service.
func (s *service) CreateContact(ctx context.Context, c customer.Contact, opts CreateOptions) (*customer.Contact, error) {
	if err := s.create(ctx, contactKind, &c, opts); err != nil {
		return nil, err
	}
	return &c, nil
}

// GetContact implements Service.
func (s *service) GetContact(ctx context.Context, id string) (*customer.Contact, error) {
	rec, err := s.get(ctx, contactKind, id)
	return asContact(rec), s.followMerge(ctx, contactKind, id, err)
}

// UpdateContact implements Service.
func (s *service) UpdateContact(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Contact, []string, error) {
	rec, changed, err := s.update(ctx, contactKind, id, ifMatch, patch, opts)
	return asContact(rec), changed, err
}

// DeleteContact implements Service.
func (s *service) DeleteContact(ctx context.Context, id string, ifMatch int64) error {
	return s.remove(ctx, contactKind, id, ifMatch)
}

// RestoreContact implements Service.
func (s *service) RestoreContact(ctx context.Context, id string) (*customer.Contact, error) {
	rec, err := s.restore(ctx, contactKind, id)
	return asContact(rec), err
}

// ListContacts implements Service.
func (s *service) ListContacts(ctx context.Context, q ListQuery) (customer.Page[customer.Contact], error) {
	recs, next, err := s.list(ctx, contactKind, q)
	page := customer.Page[customer.Contact]{Items: make([]customer.Contact, 0, len(recs)), NextCursor: next}
	for _, r := range recs {
		page.Items = append(page.Items, *asContact(r))
	}
	return page, err
}

// TagContacts implements Service.
func (s *service) TagContacts(ctx context.Context, req BulkTag) (BulkTagResult, error) {
	return s.bulkTag(ctx, contactKind, req)
}

// CreateAccount implements Service.
func (s *service) CreateAccount(ctx context.Context, a customer.Account, opts CreateOptions) (*customer.Account, error) {
	if err := s.create(ctx, accountKind, &a, opts); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAccount implements Service.
func (s *service) GetAccount(ctx context.Context, id string) (*customer.Account, error) {
	rec, err := s.get(ctx, accountKind, id)
	return asAccount(rec), s.followMerge(ctx, accountKind, id, err)
}

// UpdateAccount implements Service.
func (s *service) UpdateAccount(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Account, []string, error) {
	rec, changed, err := s.update(ctx, accountKind, id, ifMatch, patch, opts)
	return asAccount(rec), changed, err
}

// DeleteAccount implements Service.
func (s *service) DeleteAccount(ctx context.Context, id string, ifMatch int64) error {
	return s.remove(ctx, accountKind, id, ifMatch)
}

// RestoreAccount implements Service.
func (s *service) RestoreAccount(ctx context.Context, id string) (*customer.Account, error) {
	rec, err := s.restore(ctx, accountKind, id)
	return asAccount(rec), err
}

// ListAccounts implements Service.
func (s *service) ListAccounts(ctx context.Context, q ListQuery) (customer.Page[customer.Account], error) {
	recs, next, err := s.list(ctx, accountKind, q)
	page := customer.Page[customer.Account]{Items: make([]customer.Account, 0, len(recs)), NextCursor: next}
	for _, r := range recs {
		page.Items = append(page.Items, *asAccount(r))
	}
	return page, err
}

// TagAccounts implements Service.
func (s *service) TagAccounts(ctx context.Context, req BulkTag) (BulkTagResult, error) {
	return s.bulkTag(ctx, accountKind, req)
}

// asContact returns rec as a contact (nil for nil).
func asContact(rec customer.Record) *customer.Contact {
	c, _ := rec.(*customer.Contact)
	return c
}

// asAccount returns rec as an account (nil for nil).
func asAccount(rec customer.Record) *customer.Account {
	a, _ := rec.(*customer.Account)
	return a
}
