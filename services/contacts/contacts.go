// Package contacts is the customer-data service of Rapport: accounts
// (companies), contacts (people), the per-tenant tag catalogue, custom field
// definitions and tenant settings. Every read and write runs in a tenant
// transaction under row-level security and respects the caller's record scope
// for the "contacts" module; every change is published through the outbox.
package contacts

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Service is the contacts service's business API. Patches are JSON merge
// patches (RFC 7396); ifMatch is the version the caller last saw (0: none).
type Service interface {
	Deduplicator
	ViewService
	ConsentHistorian
	Exporter

	CreateContact(ctx context.Context, c Contact, opts CreateOptions) (*Contact, error)
	GetContact(ctx context.Context, id string) (*Contact, error)
	// UpdateContact applies a merge patch and returns the contact and the
	// names of the top-level fields the patch changed (none: nothing did).
	UpdateContact(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*Contact, []string, error)
	DeleteContact(ctx context.Context, id string, ifMatch int64) error
	RestoreContact(ctx context.Context, id string) (*Contact, error)
	ListContacts(ctx context.Context, q ListQuery) (Page[Contact], error)
	TagContacts(ctx context.Context, req BulkTag) (BulkTagResult, error)

	CreateAccount(ctx context.Context, a Account, opts CreateOptions) (*Account, error)
	GetAccount(ctx context.Context, id string) (*Account, error)
	// UpdateAccount is UpdateContact for an account.
	UpdateAccount(ctx context.Context, id string, ifMatch int64, patch json.RawMessage, opts CreateOptions) (*Account, []string, error)
	DeleteAccount(ctx context.Context, id string, ifMatch int64) error
	RestoreAccount(ctx context.Context, id string) (*Account, error)
	ListAccounts(ctx context.Context, q ListQuery) (Page[Account], error)
	TagAccounts(ctx context.Context, req BulkTag) (BulkTagResult, error)

	CreateTag(ctx context.Context, t Tag) (*Tag, error)
	GetTag(ctx context.Context, id string) (*Tag, error)
	UpdateTag(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Tag, error)
	DeleteTag(ctx context.Context, id string) error
	ListTags(ctx context.Context) ([]Tag, error)

	CreateCustomField(ctx context.Context, d CustomField) (*CustomField, error)
	GetCustomField(ctx context.Context, id string) (*CustomField, error)
	UpdateCustomField(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*CustomField, error)
	DeleteCustomField(ctx context.Context, id string) error
	ListCustomFields(ctx context.Context, entity string) ([]CustomField, error)

	GetSettings(ctx context.Context) (*Settings, error)
	PutSettings(ctx context.Context, s Settings) (*Settings, error)
}

// The service's domain errors; libs/kitx maps their kinds to HTTP statuses.
var (
	ErrContactNotFound     = errs.New(errs.NotFound, "contact-not-found", "contact not found")
	ErrAccountNotFound     = errs.New(errs.NotFound, "account-not-found", "account not found")
	ErrTagNotFound         = errs.New(errs.NotFound, "tag-not-found", "tag not found")
	ErrCustomFieldNotFound = errs.New(errs.NotFound, "custom-field-not-found", "custom field not found")
	ErrIfMatchRequired     = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrVersionMismatch     = errs.New(errs.PreconditionFailed, "version-mismatch", "the record changed since you read it; read it again and retry")
	ErrOutOfScope          = errs.New(errs.Forbidden, "out-of-scope", "the owner and team would put the record outside your record scope")
	ErrTagExists           = errs.New(errs.Conflict, "tag-exists", "a tag with this name already exists")
	ErrCustomFieldExists   = errs.New(errs.Conflict, "custom-field-exists", "a custom field with this key already exists")
	ErrNotDeleted          = errs.New(errs.Conflict, "not-deleted", "the record is not deleted")
)

// The errors of duplicate detection, merges and duplicate scans. A read of a
// merged record is ErrContactMerged or ErrAccountMerged wrapped in a
// *MergedError, and a create that finds duplicates is ErrDuplicateContact or
// ErrDuplicateAccount wrapped in a *DuplicatesError: the transport turns them
// into a 301 redirect and a 409 problem listing the candidates.
var (
	ErrDuplicateContact = errs.New(errs.Conflict, "duplicate-contact", "the contact looks like a duplicate of existing ones; send allowDuplicate=true to save it anyway")
	ErrDuplicateAccount = errs.New(errs.Conflict, "duplicate-account", "the account looks like a duplicate of existing ones; send allowDuplicate=true to save it anyway")
	ErrContactMerged    = errs.New(errs.Gone, "contact-merged", "the contact was merged into another")
	ErrAccountMerged    = errs.New(errs.Gone, "account-merged", "the account was merged into another")
	ErrMergeSelf        = errs.New(errs.Invalid, "merge-self", "a record cannot be merged into itself")
	ErrAlreadyMerged    = errs.New(errs.Conflict, "already-merged", "the loser has already been merged into another record")
	ErrScanNotFound     = errs.New(errs.NotFound, "duplicate-scan-not-found", "duplicate scan not found")
)
