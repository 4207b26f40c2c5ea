package reporting_test

import (
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/registry"
)

// The contacts fixtures: the events of rapport.contacts.v1 as the
// contacts service publishes them (complete payloads, valid against
// services/contacts/api/events, TestIngestContactsFixturesMatchSchemas).

// contact is a contact of the contacts service. Name defaults to
// "Contact", Updated to Created, Version to 1; Stage is its lifecycle
// stage (subscriber, lead, marketingQualified, …), "" none.
type contact struct {
	ID, Account, Owner, Team, Source, Stage, Name string
	Created, Updated                              time.Time
	Version                                       int
}

// account is an account of the contacts service. Name defaults to
// "Account", Updated to Created, Version to 1.
type account struct {
	ID, Name, Industry, Owner, Team string
	Created, Updated                time.Time
	Version                         int
}

// activity is an activity (Type call, email, meeting, note or task;
// default task) of the contacts service, assigned to Owner. Completed is
// a task's status completed.
type activity struct {
	ID, Type, Owner, Team, Contact, Account string
	Occurred                                time.Time
	Completed                               bool
	Version                                 int
}

// contactsType is the type of a contacts event of entity and verb.
func contactsType(entity, verb string) string {
	return "dev.rapport.contacts." + entity + "." + verb + ".v1"
}

// publishContact publishes contact.<verb> (created, updated, deleted,
// restored) of c in tenant and returns the event's id.
func (e *env) publishContact(tenant, verb string, c contact) string {
	e.t.Helper()
	p := contactPayload(verb, c)
	return e.publish(registry.Contacts, tenant, contactsType("contact", verb), c.ID, p["updatedAt"].(time.Time), p)
}

// contactPayload is the full state of c as contact.<verb> carries it.
func contactPayload(verb string, c contact) map[string]any {
	updated := c.Updated
	if updated.IsZero() {
		updated = c.Created
	}
	name := c.Name
	if name == "" {
		name = "Contact"
	}
	p := map[string]any{"id": c.ID, "ownerId": c.Owner, "tags": []string{}, "customFields": map[string]any{},
		"createdAt": c.Created, "updatedAt": updated, "version": versionOr1(c.Version), "displayName": name,
		"emails": []any{}, "phones": []any{}}
	setOpt(p, "teamId", c.Team)
	setOpt(p, "accountId", c.Account)
	setOpt(p, "source", c.Source)
	setOpt(p, "lifecycleStage", c.Stage)
	if verb == "deleted" {
		p["deletedAt"] = updated
	}
	markChanged(p, verb)
	return p
}

// publishContactMerge publishes contact.merged: loser merged into winner
// (winner's state after the merge) at at; it returns the event's id.
func (e *env) publishContactMerge(tenant, loser string, winner contact, at time.Time) string {
	e.t.Helper()
	p := map[string]any{"winner": contactPayload("merged", winner), "loserId": loser, "mergedFields": []string{}}
	return e.publish(registry.Contacts, tenant, contactsType("contact", "merged"), winner.ID, at, p)
}

// publishContactErased publishes contact.erased of contact id at at and
// returns the event's id.
func (e *env) publishContactErased(tenant, id string, at time.Time) string {
	e.t.Helper()
	p := map[string]any{"id": id, "tenant": tenant, "erasedAt": at, "erasedBy": uuid.NewString()}
	return e.publish(registry.Contacts, tenant, contactsType("contact", "erased"), id, at, p)
}

// publishAccount publishes account.<verb> (created, updated, deleted,
// restored) of a in tenant and returns the event's id.
func (e *env) publishAccount(tenant, verb string, a account) string {
	e.t.Helper()
	p := accountPayload(verb, a)
	return e.publish(registry.Contacts, tenant, contactsType("account", verb), a.ID, p["updatedAt"].(time.Time), p)
}

// accountPayload is the full state of a as account.<verb> carries it.
func accountPayload(verb string, a account) map[string]any {
	updated := a.Updated
	if updated.IsZero() {
		updated = a.Created
	}
	name := a.Name
	if name == "" {
		name = "Account"
	}
	p := map[string]any{"id": a.ID, "ownerId": a.Owner, "tags": []string{}, "customFields": map[string]any{},
		"createdAt": a.Created, "updatedAt": updated, "version": versionOr1(a.Version), "name": name}
	setOpt(p, "industry", a.Industry)
	setOpt(p, "teamId", a.Team)
	if verb == "deleted" {
		p["deletedAt"] = updated
	}
	markChanged(p, verb)
	return p
}

// publishAccountMerge publishes account.merged: loser merged into winner
// (winner's state after the merge) at at; it returns the event's id.
func (e *env) publishAccountMerge(tenant, loser string, winner account, at time.Time) string {
	e.t.Helper()
	p := map[string]any{"winner": accountPayload("merged", winner), "loserId": loser, "mergedFields": []string{}}
	return e.publish(registry.Contacts, tenant, contactsType("account", "merged"), winner.ID, at, p)
}

// publishActivity publishes activity.<verb> (created, updated, completed,
// deleted) of a in tenant and returns the event's id.
func (e *env) publishActivity(tenant, verb string, a activity) string {
	e.t.Helper()
	p := activityPayload(verb, a)
	return e.publish(registry.Contacts, tenant, contactsType("activity", verb), a.ID, a.Occurred, p)
}

// activityPayload is the full state of a as activity.<verb> carries it
// (completed: a task, completed).
func activityPayload(verb string, a activity) map[string]any {
	typ, owner := a.Type, a.Owner
	if typ == "" || verb == "completed" {
		typ = "task"
	}
	if owner == "" {
		owner = "nobody"
	}
	related := []any{}
	if a.Contact != "" {
		related = append(related, map[string]any{"service": "contacts", "type": "contact", "id": a.Contact})
	}
	p := map[string]any{"id": a.ID, "type": typ, "subject": "Follow up", "related": related, "assigneeId": owner,
		"occurredAt": a.Occurred, "createdBy": owner, "createdAt": a.Occurred, "updatedAt": a.Occurred,
		"version": versionOr1(a.Version)}
	setOpt(p, "teamId", a.Team)
	setOpt(p, "contactId", a.Contact)
	setOpt(p, "accountId", a.Account)
	if typ == "task" {
		task := map[string]any{"priority": "normal", "status": "open", "dueAt": a.Occurred}
		if a.Completed || verb == "completed" {
			task["status"], task["completedAt"] = "completed", a.Occurred
		}
		p["task"] = task
	}
	markChanged(p, verb)
	return p
}
