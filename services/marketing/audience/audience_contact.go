package audience

import (
	"time"

	"github.com/lib/pq"
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
