package leads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/contactsapi"
)

// Converter converts leads into the contacts service's contact and
// account, and optionally an opportunity, with the caller's authority.
type Converter interface {
	// Convert converts the lead id as req says. attempt names the attempt
	// (the request's Idempotency-Key, else ""): its retries reuse the
	// contacts service's records rather than make new ones.
	Convert(ctx context.Context, id, attempt string, req ConvertRequest) (*Conversion, error)
}

type converter struct {
	*service
	contacts      *contactsapi.Client
	opportunities deals.Creator
}

// NewConverter returns the Converter of the leads of store, calling
// contacts (nil: not configured, every conversion a 503) and creating
// opportunities with opportunities.
func NewConverter(store *Store, contacts *contactsapi.Client, opportunities deals.Creator) Converter {
	return &converter{service: &service{store: store, now: time.Now}, contacts: contacts, opportunities: opportunities}
}

// Convert implements Converter. Nothing changes in sales until contacts
// has answered every call; then the lead (status converted, the ids it
// became, convertedAt) and the opportunity are written in one transaction
// publishing lead.updated, lead.converted and opportunity.created. A
// failure of contacts (down, 429, 5xx, a timeout) is a 503 and leaves the
// lead as it was: the records contacts made stay, and a retry with the
// same attempt finds or replays them (idempotencyKey), so it makes
// nothing twice. The attempt that converts the lead is kept in the
// conversion's transaction (Store.convertedBy): a retry of it on the
// converted lead gets the first answer again, even when libs/idempotency
// never kept it; any other conversion is the 409 of alreadyConverted.
func (c *converter) Convert(ctx context.Context, id, attempt string, req ConvertRequest) (*Conversion, error) {
	p, l, err := c.visible(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case l.DeletedAt != nil:
		return nil, ErrNotFound
	}
	keys := keysOf(l.ID, p.UserID, attempt)
	var done string
	if attempt != "" {
		done = keys("lead")
	}
	if l.Status == StatusConverted {
		return c.converted(ctx, p.TenantID, l, done)
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	if c.contacts == nil {
		return nil, ErrContactsNotConfigured
	}
	opp := req.opportunity(l)
	if opp != nil {
		if err := c.opportunities.PrepareOpportunity(ctx, opp); err != nil {
			return nil, within("opportunity", err)
		}
	}
	out := &Conversion{}
	if out.AccountID, out.AccountAction, err = c.account(ctx, l, req.Account, keys("account")); err != nil {
		return nil, err
	}
	if out.ContactID, out.ContactAction, err = c.contact(ctx, l, req.Contact, out.AccountID, keys("contact")); err != nil {
		return nil, err
	}
	if opp != nil {
		opp.AccountID, opp.PrimaryContactID, out.OpportunityID = out.AccountID, out.ContactID, opp.ID
	}
	var create func(tx *outbox.Tx) error
	if opp != nil {
		create = func(tx *outbox.Tx) error {
			return within("opportunity", c.opportunities.CreateOpportunityIn(ctx, tx, opp))
		}
	}
	return c.store.convert(ctx, p, l.ID, done, pg.Timestamp(c.now()), out, create)
}

// converted answers a conversion of the converted lead l: its first
// answer again when attempt (the digest of the caller's Idempotency-Key,
// "" for none) converted it, so a retry whose first answer was lost (or
// never kept by libs/idempotency) is not refused; otherwise the 409 naming
// what the lead became.
func (c *converter) converted(ctx context.Context, tenant string, l *Lead, attempt string) (*Conversion, error) {
	out, err := c.store.convertedBy(ctx, tenant, l, attempt)
	switch {
	case err != nil:
		return nil, err
	case out == nil:
		return nil, alreadyConverted(l)
	}
	return out, nil
}

// keysOf returns the Idempotency-Key of each call of the conversion of
// lead by user in attempt: a digest of them and the call, so that a retry
// of the attempt sends the keys its first try sent. The user is in it
// because contacts keeps keys per tenant: another user's conversion of the
// lead must not be answered with records made for the first, which it may
// not see.
func keysOf(lead, user, attempt string) func(call string) string {
	return func(call string) string {
		sum := sha256.Sum256([]byte("lead-conversion\x00" + lead + "\x00" + user + "\x00" + attempt + "\x00" + call))
		return "sales-lead-conversion-" + hex.EncodeToString(sum[:])
	}
}

// account resolves the lead's account: the existing one chosen, a new one
// (chosen, or when none is named as the lead's company), or the one named
// so; none for a lead without a company.
func (c *converter) account(ctx context.Context, l *Lead, choice *RecordChoice, key string) (id, action string, err error) {
	if choice == nil {
		choice = &RecordChoice{}
	}
	switch {
	case choice.ExistingID != "":
		return c.existing(ctx, c.contacts.VisibleAccounts, choice.ExistingID, "account/existingId")
	case l.Company == "" && choice.Create:
		return "", "", errs.Invalidf([]errs.FieldError{{Field: "account/create", Reason: "the lead has no company to name an account"}}, "no company")
	case l.Company == "":
		return "", "", nil
	case !choice.Create:
		found, err := c.contacts.FindAccountByName(ctx, l.Company)
		if err != nil || found != nil {
			return idOf(found), ActionLinked, err
		}
	}
	a, err := c.contacts.CreateAccount(ctx, contactsapi.NewAccount{Name: l.Company}, key)
	if err != nil {
		return "", "", within("account", err)
	}
	return a.ID, ActionCreated, nil
}

// contact resolves the lead's contact: the existing one chosen, the one
// whose primary email is the lead's unless a new one is chosen, else a new
// one from the lead in account.
func (c *converter) contact(ctx context.Context, l *Lead, choice *RecordChoice, account, key string) (id, action string, err error) {
	if choice == nil {
		choice = &RecordChoice{}
	}
	if choice.ExistingID != "" {
		return c.existing(ctx, c.contacts.VisibleContacts, choice.ExistingID, "contact/existingId")
	}
	if !choice.Create && l.Email != "" {
		found, err := c.contacts.FindContactByEmail(ctx, l.Email)
		if err != nil || found != nil {
			var id string
			if found != nil {
				id = found.ID
			}
			return id, ActionLinked, err
		}
	}
	in := contactsapi.NewContact{FirstName: l.FirstName, LastName: l.LastName, JobTitle: l.Title, AccountID: account, Source: l.Source,
		LifecycleStage: "salesQualified"}
	if l.FirstName == "" && l.LastName == "" {
		in.DisplayName = l.displayName()
	}
	if l.Email != "" {
		in.Emails = []contactsapi.Email{{Address: l.Email, Primary: true}}
	}
	if l.Phone != "" {
		in.Phones = []contactsapi.Phone{{Number: l.PhoneE164, Primary: true}}
	}
	ct, err := c.contacts.CreateContact(ctx, in, key, choice.AllowDuplicate)
	if err != nil {
		return "", "", within("contact", err)
	}
	return ct.ID, ActionCreated, nil
}

// existing checks that id is a record the caller may see (visible asks
// contacts), a 422 naming field otherwise.
func (c *converter) existing(ctx context.Context, visible func(context.Context, []string) (map[string]bool, error), id, field string) (string, string, error) {
	found, err := visible(ctx, []string{id})
	if err != nil {
		return "", "", err
	}
	if !found[id] {
		e := ErrUnknownRecord.WithDetail("%s is not a record of contacts that you may see", id)
		e.Fields = []errs.FieldError{{Field: field, Reason: "must be a record of contacts that you may see"}}
		return "", "", e
	}
	return id, ActionLinked, nil
}

// idOf is the id of a, "" for nil.
func idOf(a *contactsapi.Account) string {
	if a == nil {
		return ""
	}
	return a.ID
}

// within is err with the fields it names below prefix (opportunity/name);
// an error naming none is prefix's when it is the request's fault.
func within(prefix string, err error) error {
	var e *errs.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Fields = make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = errs.FieldError{Field: prefix + "/" + f.Field, Reason: f.Reason}
	}
	if len(out.Fields) == 0 && (e.Kind == errs.Invalid || e.Kind == errs.Unprocessable || e.Kind == errs.Conflict) {
		out.Fields = []errs.FieldError{{Field: prefix, Reason: e.Message}}
	}
	return &out
}
