package notify

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
)

// The contacts events the rules read.
const (
	TypeReminderDue     = "dev.rapport.contacts.activity.reminder_due.v1"
	TypeActivityCreated = "dev.rapport.contacts.activity.created.v1"
	TypeActivityUpdated = "dev.rapport.contacts.activity.updated.v1"
	TypeContactUpdated  = "dev.rapport.contacts.contact.updated.v1"
	TypeAccountUpdated  = "dev.rapport.contacts.account.updated.v1"
)

// activity is what the rules read of an activity event.
type activity struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	ContactID  string    `json:"contactId"`
	AccountID  string    `json:"accountId"`
	Related    []ref     `json:"related"`
	AssigneeID string    `json:"assigneeId"`
	CreatedBy  string    `json:"createdBy"`
	ReminderAt time.Time `json:"reminderAt"`
	Changed    []string  `json:"changed"` // an update's changed fields
}

// ref is a record an activity is related to.
type ref struct {
	Service string `json:"service"`
	Type    string `json:"type"`
	ID      string `json:"id"`
}

// link is the console page of the record a is about: its contact, its
// account, or the first related lead or opportunity; the home page else.
func (a activity) link() string {
	switch {
	case ids.Valid(a.ContactID):
		return "/contacts/" + a.ContactID
	case ids.Valid(a.AccountID):
		return "/accounts/" + a.AccountID
	}
	for _, r := range a.Related {
		if (r.Type == "lead" || r.Type == "opportunity") && ids.Valid(r.ID) {
			return "/" + r.Type + "s/" + r.ID
		}
	}
	return "/"
}

// mention is how the console writes a mention in a note's body:
// @[Display Name](user:<uuid>).
var mention = regexp.MustCompile(`@\[([^\]]*)\]\(user:([0-9a-fA-F-]{36})\)`)

// excerptRunes bounds the excerpt of a note a mention shows.
const excerptRunes = 140

// reminderDue tells an activity's assignee its reminder is due.
func reminderDue(ev events.Event) ([]Draft, error) {
	var a activity
	if err := decode(ev, &a); err != nil {
		return nil, err
	}
	if !ids.Valid(a.AssigneeID) {
		return nil, nil // assigned to no user of the gateway's
	}
	return []Draft{{UserID: a.AssigneeID, Kind: KindTaskReminder, Link: a.link(), Params: map[string]string{
		"type": a.Type, "subject": a.Subject, "due": a.ReminderAt.UTC().Format(time.RFC3339), "id": a.ID,
	}}}, nil
}

// noteMentions tells each user a note mentions, but its author, once per
// note (Draft.Once): of a new note, every user it mentions; of an edited
// body, those it newly mentions. The update event does not say who edited
// the note: its author is named as the one who mentioned.
func noteMentions(ev events.Event) ([]Draft, error) {
	var a activity
	if err := decode(ev, &a); err != nil {
		return nil, err
	}
	if a.Type != "note" || ev.Type == TypeActivityUpdated && !slices.Contains(a.Changed, "body") {
		return nil, nil
	}
	var users []string
	for _, m := range mention.FindAllStringSubmatch(a.Body, -1) {
		if id := strings.ToLower(m[2]); ids.Valid(id) && !slices.Contains(users, id) {
			users = append(users, id)
		}
	}
	excerpt := []rune(strings.Join(strings.Fields(mention.ReplaceAllString(a.Body, "@$1")), " "))
	if len(excerpt) > excerptRunes {
		excerpt = append(excerpt[:excerptRunes-1], '…')
	}
	out := make([]Draft, 0, len(users))
	for _, u := range users {
		out = append(out, Draft{UserID: u, Kind: KindNoteMention, Link: a.link(), ActorID: a.CreatedBy, Once: "note:" + a.ID,
			Params: map[string]string{"excerpt": string(excerpt), "subject": a.Subject, "id": a.ID}})
	}
	return out, nil
}

// contactName is a contact's display name in its event.
func contactName(data json.RawMessage) string { return field(data, "displayName") }

// accountName is an account's name in its event.
func accountName(data json.RawMessage) string { return field(data, "name") }

func init() {
	On(TypeReminderDue, reminderDue)
	On(TypeActivityCreated, noteMentions)
	On(TypeActivityUpdated, noteMentions)
	On(TypeContactUpdated, assignedRule("contact", "/contacts/", contactName))
	On(TypeAccountUpdated, assignedRule("account", "/accounts/", accountName))
}
