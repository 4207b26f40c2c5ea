package ingest

import (
	"time"

	"github.com/rapport-crm/rapport/libs/events"
)

// The contacts event types the read models use
// (services/contacts/api/events).
const (
	typeContactCreated    = "dev.rapport.contacts.contact.created.v1"
	typeContactUpdated    = "dev.rapport.contacts.contact.updated.v1"
	typeContactDeleted    = "dev.rapport.contacts.contact.deleted.v1"
	typeContactRestored   = "dev.rapport.contacts.contact.restored.v1"
	typeContactMerged     = "dev.rapport.contacts.contact.merged.v1"
	typeContactErased     = "dev.rapport.contacts.contact.erased.v1"
	typeAccountCreated    = "dev.rapport.contacts.account.created.v1"
	typeAccountUpdated    = "dev.rapport.contacts.account.updated.v1"
	typeAccountDeleted    = "dev.rapport.contacts.account.deleted.v1"
	typeAccountRestored   = "dev.rapport.contacts.account.restored.v1"
	typeAccountMerged     = "dev.rapport.contacts.account.merged.v1"
	typeActivityCreated   = "dev.rapport.contacts.activity.created.v1"
	typeActivityUpdated   = "dev.rapport.contacts.activity.updated.v1"
	typeActivityCompleted = "dev.rapport.contacts.activity.completed.v1"
	typeActivityDeleted   = "dev.rapport.contacts.activity.deleted.v1"
)

// contactPayload is what the read models use of a contact's full state
// (contact.created, updated, deleted, restored; a merge's winner).
// ErasedAt is set once the contact was erased: its name is gone.
type contactPayload struct {
	ID             string     `json:"id"`
	AccountID      string     `json:"accountId"`
	OwnerID        string     `json:"ownerId"`
	TeamID         string     `json:"teamId"`
	Source         string     `json:"source"`
	LifecycleStage string     `json:"lifecycleStage"`
	DisplayName    string     `json:"displayName"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	DeletedAt      *time.Time `json:"deletedAt"`
	ErasedAt       *time.Time `json:"erasedAt"`
	Version        int64      `json:"version"`
}

// check is ErrBadPayload unless p names its contact and account by uuid
// and has a version.
func (p contactPayload) check(ev events.Event) error {
	return checkState(ev, p.Version, "id", p.ID, "accountId", p.AccountID)
}

// versionOf is the contact's id and the time of its version.
func (p contactPayload) versionOf() (string, time.Time) { return p.ID, p.UpdatedAt }

// contactErasedPayload is contact.erased: which contact, and when.
type contactErasedPayload struct {
	ID       string    `json:"id"`
	ErasedAt time.Time `json:"erasedAt"`
}

// accountPayload is what the read models use of an account's full state
// (account.created, updated, deleted, restored; a merge's winner).
type accountPayload struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Industry  string     `json:"industry"`
	OwnerID   string     `json:"ownerId"`
	TeamID    string     `json:"teamId"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	DeletedAt *time.Time `json:"deletedAt"`
	Version   int64      `json:"version"`
}

// check is ErrBadPayload unless p names its account by uuid and has a
// version.
func (p accountPayload) check(ev events.Event) error {
	return checkState(ev, p.Version, "id", p.ID)
}

// versionOf is the account's id and the time of its version.
func (p accountPayload) versionOf() (string, time.Time) { return p.ID, p.UpdatedAt }

// activityPayload is what the read models use of an activity's full state
// (activity.created, updated, completed, deleted): its owner is the
// assignee, else the creator; it happened at OccurredAt, else CreatedAt;
// a task is completed by its status.
type activityPayload struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	AssigneeID string     `json:"assigneeId"`
	CreatedBy  string     `json:"createdBy"`
	TeamID     string     `json:"teamId"`
	ContactID  string     `json:"contactId"`
	AccountID  string     `json:"accountId"`
	OccurredAt *time.Time `json:"occurredAt"`
	CreatedAt  time.Time  `json:"createdAt"`
	Task       *struct {
		Status string `json:"status"`
	} `json:"task"`
	Version int64 `json:"version"`
}

// check is ErrBadPayload unless p names its activity, contact and account
// by uuid, has a type and a version.
func (p activityPayload) check(ev events.Event) error {
	if p.Type == "" {
		return ErrBadPayload.WithDetail("%s %s: type missing", ev.Type, ev.ID)
	}
	return checkState(ev, p.Version, "id", p.ID, "contactId", p.ContactID, "accountId", p.AccountID)
}

// owner is the activity's owner: its assignee, else its creator.
func (p activityPayload) owner() string {
	if p.AssigneeID != "" {
		return p.AssigneeID
	}
	return p.CreatedBy
}

// occurred is when the activity happened: OccurredAt, else CreatedAt.
func (p activityPayload) occurred() time.Time {
	if p.OccurredAt != nil && !p.OccurredAt.IsZero() {
		return *p.OccurredAt
	}
	return p.CreatedAt
}

// completed says whether the activity is a completed task.
func (p activityPayload) completed() bool { return p.Task != nil && p.Task.Status == "completed" }

// checkState is ErrBadPayload unless a state event has a version (≥ 1),
// its first id pair (name, value) is a uuid and each further one is a
// uuid or "".
func checkState(ev events.Event, version int64, kv ...string) error {
	if version < 1 {
		return ErrBadPayload.WithDetail("%s %s: version missing", ev.Type, ev.ID)
	}
	ids := append([]string{}, kv[:2]...)
	for i := 2; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			ids = append(ids, kv[i], kv[i+1])
		}
	}
	return requireIDs(ev, ids...)
}
