package search

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// SavedView is a named list of contacts or accounts: a filter, a search, the
// columns to show and a sort. A private view is seen by its owner only; a
// shared one by everyone in the tenant with contacts:read. Built-in views
// are shared, created on first use and read-only.
type SavedView struct {
	ID         string          `json:"id" db:"id"`
	Entity     string          `json:"entity" db:"entity"`
	Name       string          `json:"name" db:"name"`
	Filter     json.RawMessage `json:"filter,omitempty" db:"filter"`
	Q          string          `json:"q,omitempty" db:"q"`
	Columns    pq.StringArray  `json:"columns" db:"columns"`
	Sort       string          `json:"sort,omitempty" db:"sort"`
	Visibility string          `json:"visibility" db:"visibility"`
	OwnerID    string          `json:"ownerId" db:"owner_id"`
	Builtin    bool            `json:"builtin" db:"builtin"`
	CreatedAt  time.Time       `json:"createdAt" db:"created_at"`
	UpdatedAt  time.Time       `json:"updatedAt" db:"updated_at"`
	Version    int64           `json:"version" db:"version"`
}

// The visibilities of a saved view.
const (
	VisibilityPrivate = "private"
	VisibilityShared  = "shared"
)

// MaxViewColumns is how many columns a saved view may list.
const MaxViewColumns = 50

// ViewService manages saved views.
type ViewService interface {
	// CreateView saves a view owned by the caller, checking its filter,
	// q, sort and columns against the entity's fields.
	CreateView(ctx context.Context, v SavedView) (*SavedView, error)
	// GetView reads a view the caller sees: its own or a shared one.
	GetView(ctx context.Context, id string) (*SavedView, error)
	// UpdateView applies a merge patch at version ifMatch; only the owner
	// (or contacts:admin, for a shared view) may, and never a built-in one.
	UpdateView(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*SavedView, error)
	// DeleteView removes a view under the same rule as UpdateView.
	DeleteView(ctx context.Context, id string) error
	// ListViews lists the views of entity ("" for both) the caller sees.
	ListViews(ctx context.Context, entity string) ([]SavedView, error)
}

// The errors of saved views.
var (
	ErrViewNotFound = errs.New(errs.NotFound, "saved-view-not-found", "saved view not found")
	ErrViewReadOnly = errs.New(errs.Forbidden, "saved-view-read-only", "only the owner may change this saved view, and built-in views cannot be changed")
	ErrViewEntity   = errs.New(errs.Invalid, "saved-view-entity", "the saved view lists another entity")
)

// builtinViews are the views every tenant has, by a fixed name; their ids
// derive from the tenant (builtinViewID).
var builtinViews = []SavedView{{
	Entity: customer.EntityContact, Name: "Purchase intent, active in the last 3 months, not yet customers",
	Filter: json.RawMessage(`{"and": [
		{"field": "tags", "op": "contains", "value": "purchase-intent"},
		{"field": "lastActivityAt", "op": "within", "value": "90d"},
		{"field": "lifecycleStage", "op": "ne", "value": "customer"}]}`),
	Columns: pq.StringArray{"displayName", "emails", "accountName", "lifecycleStage", "lastActivityAt", "tags"},
	Sort:    "-lastActivityAt", Visibility: VisibilityShared, OwnerID: "system", Builtin: true,
}}

// read puts a view read from the database in the form the API shows: its
// timestamps in UTC and its filter canonical.
func (v *SavedView) read() {
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	v.Filter = canonicalFilter(v.Filter)
}

// canonicalFilter returns a view's filter compact with its keys sorted, as
// a write and a read of the same filter show it alike (jsonb orders keys its
// own way), so that an update names the filter changed only when it did.
// JSON null and an absent filter are nil; a filter that is not JSON is left
// for the filter's parser to refuse.
func canonicalFilter(f json.RawMessage) json.RawMessage {
	var v any
	if len(f) == 0 || customfields.DecodeNumbers(f, &v) != nil {
		return f
	}
	if v == nil {
		return nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return f
	}
	return out
}
