package customer

import (
	"slices"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The errors of reading and writing records; libs/kitx maps their kinds to
// HTTP statuses.
var (
	ErrContactNotFound = errs.New(errs.NotFound, "contact-not-found", "contact not found")
	ErrAccountNotFound = errs.New(errs.NotFound, "account-not-found", "account not found")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the record changed since you read it; read it again and retry")
	ErrOutOfScope      = errs.New(errs.Forbidden, "out-of-scope", "the owner and team would put the record outside your record scope")
	ErrNotDeleted      = errs.New(errs.Conflict, "not-deleted", "the record is not deleted")
	// ErrContactErased refuses a write of a contact whose personal data was
	// erased (Contact.ErasedAt): it is a tombstone for reports, which no
	// update, merge or second erasure may change.
	ErrContactErased = errs.New(errs.Conflict, "contact-erased", "the contact's personal data was erased; it is kept only for reports and cannot be changed")
)

// The errors of duplicates and merges. A read of a merged record is
// ErrContactMerged or ErrAccountMerged wrapped in a *MergedError, and a write
// that finds duplicates is ErrDuplicateContact or ErrDuplicateAccount
// wrapped in a *DuplicatesError: the transport turns them into a 301
// redirect and a 409 problem listing the candidates.
var (
	ErrDuplicateContact = errs.New(errs.Conflict, "duplicate-contact", "the contact looks like a duplicate of existing ones; send allowDuplicate=true to save it anyway")
	ErrDuplicateAccount = errs.New(errs.Conflict, "duplicate-account", "the account looks like a duplicate of existing ones; send allowDuplicate=true to save it anyway")
	ErrContactMerged    = errs.New(errs.Gone, "contact-merged", "the contact was merged into another")
	ErrAccountMerged    = errs.New(errs.Gone, "account-merged", "the account was merged into another")
)

// What a duplicate candidate matched on.
const (
	MatchEmail  = "email"
	MatchPhone  = "phone"
	MatchName   = "name"
	MatchDomain = "domain"
)

// identityFields are the API fields the duplicate checks compare: an update
// changing one of them is checked like a create.
var identityFields = []string{"emails", "phones", "displayName", "firstName", "lastName", "accountId", "name", "domain"}

// ChangesIdentity reports whether changed, an update's changed fields,
// names one of the fields the duplicate checks compare.
func ChangesIdentity(changed []string) bool {
	for _, f := range changed {
		if slices.Contains(identityFields, f) {
			return true
		}
	}
	return false
}

// DuplicateCandidate is an existing record that looks like a duplicate:
// DisplayName is a contact's display name or an account's name; Score is 1
// for exact matches (email, phone, domain), else the names' similarity.
type DuplicateCandidate struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	MatchedOn   []string `json:"matchedOn"`
	Score       float64  `json:"score"`
}

// DuplicatesError is a write refused because of Candidates; it unwraps to
// ErrDuplicateContact or ErrDuplicateAccount.
type DuplicatesError struct {
	Err        *errs.Error
	Candidates []DuplicateCandidate
}

// Error implements error.
func (e *DuplicatesError) Error() string { return e.Err.Error() }

// Unwrap returns the domain error.
func (e *DuplicatesError) Unwrap() error { return e.Err }

// MergedError is a read of a record that was merged into WinnerID (the end
// of the chain of merges); it unwraps to ErrContactMerged or ErrAccountMerged.
// Sub is the path below the record that the read asked for ("" for the
// record itself, "/consent-history"), which the redirect keeps.
type MergedError struct {
	Err      *errs.Error
	Entity   string
	WinnerID string
	Sub      string
}

// Error implements error.
func (e *MergedError) Error() string { return e.Err.Error() }

// Unwrap returns the domain error.
func (e *MergedError) Unwrap() error { return e.Err }
