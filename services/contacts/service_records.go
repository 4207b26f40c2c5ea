package contacts

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// CreateContact implements Service.
func (s *service) CreateContact(ctx context.Context, c customer.Contact, opts CreateOptions) (*customer.Contact, error) {
	if err := s.create(ctx, pgstore.Contacts, &c, opts); err != nil {
		return nil, err
	}
	return &c, nil
}

// GetContact implements Service.
func (s *service) GetContact(ctx context.Context, id string) (*customer.Contact, error) {
	rec, err := s.get(ctx, pgstore.Contacts, id)
	return asContact(rec), s.followMerge(ctx, pgstore.Contacts, id, err)
}

// UpdateContact implements Service.
func (s *service) UpdateContact(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Contact, []string, error) {
	rec, changed, err := s.update(ctx, pgstore.Contacts, id, ifMatch, patch, opts)
	return asContact(rec), changed, err
}

// DeleteContact implements Service.
func (s *service) DeleteContact(ctx context.Context, id string, ifMatch int64) error {
	return s.remove(ctx, pgstore.Contacts, id, ifMatch)
}

// RestoreContact implements Service.
func (s *service) RestoreContact(ctx context.Context, id string) (*customer.Contact, error) {
	rec, err := s.restore(ctx, pgstore.Contacts, id)
	return asContact(rec), err
}

// TagContacts implements Service.
func (s *service) TagContacts(ctx context.Context, req BulkTag) (BulkTagResult, error) {
	return s.bulkTag(ctx, pgstore.Contacts, req)
}

// CreateAccount implements Service.
func (s *service) CreateAccount(ctx context.Context, a customer.Account, opts CreateOptions) (*customer.Account, error) {
	if err := s.create(ctx, pgstore.Accounts, &a, opts); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAccount implements Service.
func (s *service) GetAccount(ctx context.Context, id string) (*customer.Account, error) {
	rec, err := s.get(ctx, pgstore.Accounts, id)
	return asAccount(rec), s.followMerge(ctx, pgstore.Accounts, id, err)
}

// UpdateAccount implements Service.
func (s *service) UpdateAccount(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Account, []string, error) {
	rec, changed, err := s.update(ctx, pgstore.Accounts, id, ifMatch, patch, opts)
	return asAccount(rec), changed, err
}

// DeleteAccount implements Service.
func (s *service) DeleteAccount(ctx context.Context, id string, ifMatch int64) error {
	return s.remove(ctx, pgstore.Accounts, id, ifMatch)
}

// RestoreAccount implements Service.
func (s *service) RestoreAccount(ctx context.Context, id string) (*customer.Account, error) {
	rec, err := s.restore(ctx, pgstore.Accounts, id)
	return asAccount(rec), err
}

// TagAccounts implements Service.
func (s *service) TagAccounts(ctx context.Context, req BulkTag) (BulkTagResult, error) {
	return s.bulkTag(ctx, pgstore.Accounts, req)
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
