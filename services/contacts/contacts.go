// Package contacts is the customer-data service of Rapport: accounts
// (companies), contacts (people), the per-tenant tag catalogue, custom field
// definitions and tenant settings. Every read and write runs in a tenant
// transaction under row-level security and respects the caller's record scope
// for the "contacts" module; every change is published through the outbox.
package contacts

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Service is the contacts service's business API. Patches are JSON merge
// patches (RFC 7396); ifMatch is the version the caller last saw (0: none).
type Service interface {
	Deduplicator
	ConsentHistorian

	CreateContact(ctx context.Context, c customer.Contact, opts CreateOptions) (*customer.Contact, error)
	GetContact(ctx context.Context, id string) (*customer.Contact, error)
	// UpdateContact applies a merge patch and returns the contact and the
	// names of the top-level fields the patch changed (none: nothing did).
	UpdateContact(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Contact, []string, error)
	DeleteContact(ctx context.Context, id string, ifMatch int64) error
	RestoreContact(ctx context.Context, id string) (*customer.Contact, error)
	TagContacts(ctx context.Context, req BulkTag) (BulkTagResult, error)

	CreateAccount(ctx context.Context, a customer.Account, opts CreateOptions) (*customer.Account, error)
	GetAccount(ctx context.Context, id string) (*customer.Account, error)
	// UpdateAccount is UpdateContact for an account.
	UpdateAccount(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*customer.Account, []string, error)
	DeleteAccount(ctx context.Context, id string, ifMatch int64) error
	RestoreAccount(ctx context.Context, id string) (*customer.Account, error)
	TagAccounts(ctx context.Context, req BulkTag) (BulkTagResult, error)
}

// The errors of merges and duplicate scans.
var (
	ErrMergeSelf     = errs.New(errs.Invalid, "merge-self", "a record cannot be merged into itself")
	ErrAlreadyMerged = errs.New(errs.Conflict, "already-merged", "the loser has already been merged into another record")
	ErrScanNotFound  = errs.New(errs.NotFound, "duplicate-scan-not-found", "duplicate scan not found")
)
