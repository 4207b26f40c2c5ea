package audience

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// AudienceContact is a contact as the audience holds it: the fields kept
// from contacts' events and the marketing facts.
type AudienceContact struct {
	ID              string         `json:"id"`
	FirstName       string         `json:"firstName"`
	LastName        string         `json:"lastName"`
	DisplayName     string         `json:"displayName"`
	Email           string         `json:"email"`
	Phone           string         `json:"phone"`
	JobTitle        string         `json:"jobTitle"`
	AccountID       *string        `json:"accountId,omitempty"`
	OwnerID         string         `json:"ownerId"`
	LifecycleStage  string         `json:"lifecycleStage"`
	Source          string         `json:"source"`
	Country         string         `json:"country"`
	City            string         `json:"city"`
	Tags            []string       `json:"tags"`
	CustomFields    map[string]any `json:"customFields"`
	EmailConsent    string         `json:"emailConsent"`
	SMSConsent      string         `json:"smsConsent"`
	LastActivityAt  *time.Time     `json:"lastActivityAt,omitempty"`
	LastOpenedAt    *time.Time     `json:"lastOpenedAt,omitempty"`
	LastClickedAt   *time.Time     `json:"lastClickedAt,omitempty"`
	LastSubmittedAt *time.Time     `json:"lastSubmittedAt,omitempty"`
	CampaignIDs     []string       `json:"campaignIds"`
	CreatedAt       time.Time      `json:"createdAt"`
	UpdatedAt       time.Time      `json:"updatedAt"`
	Version         int64          `json:"version"`
}

// audienceColumns are the columns of an audienceRow over audience_contacts c.
const audienceColumns = `c.id, c.first_name, c.last_name, c.display_name, c.email, c.phone, c.job_title, c.account_id, c.owner_id,
	c.lifecycle_stage, c.source, c.country, c.city, c.tags, c.custom_fields, c.email_consent, c.sms_consent, c.last_activity_at,
	c.last_opened_at, c.last_clicked_at, c.last_submitted_at, c.campaign_ids::text[] AS campaign_ids, c.created_at, c.updated_at, c.version`

// audienceRow is a row of audience_contacts.
type audienceRow struct {
	ID              string         `db:"id"`
	FirstName       string         `db:"first_name"`
	LastName        string         `db:"last_name"`
	DisplayName     string         `db:"display_name"`
	Email           string         `db:"email"`
	Phone           string         `db:"phone"`
	JobTitle        string         `db:"job_title"`
	AccountID       *string        `db:"account_id"`
	OwnerID         string         `db:"owner_id"`
	LifecycleStage  string         `db:"lifecycle_stage"`
	Source          string         `db:"source"`
	Country         string         `db:"country"`
	City            string         `db:"city"`
	Tags            pq.StringArray `db:"tags"`
	CustomFields    []byte         `db:"custom_fields"`
	EmailConsent    string         `db:"email_consent"`
	SMSConsent      string         `db:"sms_consent"`
	LastActivityAt  *time.Time     `db:"last_activity_at"`
	LastOpenedAt    *time.Time     `db:"last_opened_at"`
	LastClickedAt   *time.Time     `db:"last_clicked_at"`
	LastSubmittedAt *time.Time     `db:"last_submitted_at"`
	CampaignIDs     pq.StringArray `db:"campaign_ids"`
	CreatedAt       time.Time      `db:"created_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
	Version         int64          `db:"version"`
}

// contact is the AudienceContact of r.
func (r audienceRow) contact() (AudienceContact, error) {
	custom, err := decodeCustomFields(r.CustomFields)
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	return AudienceContact{ID: r.ID, FirstName: r.FirstName, LastName: r.LastName, DisplayName: r.DisplayName, Email: r.Email,
		Phone: r.Phone, JobTitle: r.JobTitle, AccountID: r.AccountID, OwnerID: r.OwnerID, LifecycleStage: r.LifecycleStage,
		Source: r.Source, Country: r.Country, City: r.City, Tags: append([]string{}, r.Tags...), CustomFields: custom,
		EmailConsent: r.EmailConsent, SMSConsent: r.SMSConsent, LastActivityAt: utc(r.LastActivityAt),
		LastOpenedAt: utc(r.LastOpenedAt), LastClickedAt: utc(r.LastClickedAt), LastSubmittedAt: utc(r.LastSubmittedAt),
		CampaignIDs: append([]string{}, r.CampaignIDs...), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Version: r.Version}, err
}

// contacts turns rows into AudienceContacts.
func contacts(rows []audienceRow) ([]AudienceContact, error) {
	out := make([]AudienceContact, len(rows))
	for i, r := range rows {
		c, err := r.contact()
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// getAudienceContact reads the contact id; ErrContactNotFound if the
// projection has none.
func getAudienceContact(ctx context.Context, tx *outbox.Tx, id string) (AudienceContact, error) {
	var r audienceRow
	err := pg.MapError(tx.SQL().GetContext(ctx, &r, "SELECT "+audienceColumns+" FROM audience_contacts c WHERE c.id = $1", id))
	if errs.KindOf(err) == errs.NotFound {
		return AudienceContact{}, ErrContactNotFound
	}
	if err != nil {
		return AudienceContact{}, fmt.Errorf("read an audience contact: %w", err)
	}
	return r.contact()
}

// listAudience reads up to n contacts after the id after meeting f, by id.
func listAudience(ctx context.Context, tx *outbox.Tx, f compiled, after string, n int) ([]AudienceContact, error) {
	cond, args, err := f.sql(3)
	if err != nil {
		return nil, err
	}
	var rows []audienceRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+audienceColumns+` FROM audience_contacts c
		WHERE ($1 = '' OR c.id > $1::uuid) AND `+cond+` ORDER BY c.id LIMIT $2`, append([]any{after, n}, args...)...); err != nil {
		return nil, fmt.Errorf("list the audience: %w", pg.MapError(err))
	}
	return contacts(rows)
}

// countAudience counts the contacts meeting f.
func countAudience(ctx context.Context, tx *outbox.Tx, f compiled) (int64, error) {
	cond, args, err := f.sql(1)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM audience_contacts c WHERE "+cond, args...); err != nil {
		return 0, fmt.Errorf("count the audience: %w", pg.MapError(err))
	}
	return n, nil
}

// listMembers reads up to n members of the segment after the contact id
// after, by id.
func listMembers(ctx context.Context, tx *outbox.Tx, segment, after string, n int) ([]AudienceContact, error) {
	var rows []audienceRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+audienceColumns+` FROM segment_members m
		JOIN audience_contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id
		WHERE m.segment_id = $1 AND ($2 = '' OR m.contact_id > $2::uuid) ORDER BY m.contact_id LIMIT $3`, segment, after, n); err != nil {
		return nil, fmt.Errorf("list segment members: %w", pg.MapError(err))
	}
	return contacts(rows)
}

// liveCount counts the segment's members now.
func liveCount(ctx context.Context, tx *outbox.Tx, segment string) (int64, error) {
	var n int64
	if err := tx.SQL().GetContext(ctx, &n, `SELECT count(*) FROM segment_members WHERE segment_id = $1`, segment); err != nil {
		return 0, fmt.Errorf("count segment members: %w", pg.MapError(err))
	}
	return n, nil
}

// existingContacts returns those of ids the projection holds.
func existingContacts(ctx context.Context, tx *outbox.Tx, ids []string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT c.id FROM audience_contacts c WHERE c.id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("find audience contacts: %w", pg.MapError(err))
	}
	return out, nil
}

// contactsByEmail returns the ids of the contacts whose email is one of
// emails (lower-cased), by email.
func contactsByEmail(ctx context.Context, tx *outbox.Tx, emails []string) (map[string]string, error) {
	var rows []struct {
		ID    string `db:"id"`
		Email string `db:"email"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT c.id, c.email FROM audience_contacts c WHERE c.email = ANY($1::text[])`,
		pq.Array(emails)); err != nil {
		return nil, fmt.Errorf("find audience contacts by email: %w", pg.MapError(err))
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Email] = r.ID
	}
	return out, nil
}

// matchingContacts returns the ids of the contacts meeting f.
func matchingContacts(ctx context.Context, tx *outbox.Tx, f compiled) ([]string, error) {
	cond, args, err := f.sql(1)
	if err != nil {
		return nil, err
	}
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT c.id FROM audience_contacts c WHERE "+cond+" ORDER BY c.id", args...); err != nil {
		return nil, fmt.Errorf("select audience contacts: %w", pg.MapError(err))
	}
	return out, nil
}
