package surveys

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Settings are a tenant's settings of its surveys.
type Settings struct {
	// CSATEnabled sends a CSAT survey CSATDelayMinutes after a case is
	// solved.
	CSATEnabled      bool `json:"csatEnabled"`
	CSATDelayMinutes int  `json:"csatDelayMinutes"`
	// ExpiryDays is how long a survey's link is valid.
	ExpiryDays int `json:"expiryDays"`
	// LowThreshold is the highest CSAT score (1-5) that is low; LowAction
	// what a low score does: reopen the case, alert the manager or both.
	// An NPS score is low when it is a detractor's (0-6).
	LowThreshold int    `json:"lowThreshold"`
	LowAction    string `json:"lowAction"`
	// NPSEnabled sends NPS surveys every NPSEveryDays to the requesters of
	// the cases solved in the period, once per address.
	NPSEnabled   bool `json:"npsEnabled"`
	NPSEveryDays int  `json:"npsEveryDays"`
	// PortalSlug is the tenant's slug in the portal's links
	// (/portal/<slug>/surveys/…); empty, the links are on the portal of
	// the tenant's own domain.
	PortalSlug string     `json:"portalSlug"`
	UpdatedAt  *time.Time `json:"updatedAt,omitempty"`
	UpdatedBy  string     `json:"updatedBy,omitempty"`
}

// DefaultSettings are a tenant's settings until it sets some: surveys off.
var DefaultSettings = Settings{CSATDelayMinutes: 60, ExpiryDays: 14, LowThreshold: 2, LowAction: ActionBoth, NPSEveryDays: 90}

// The bounds of the settings.
const (
	maxDelayMinutes = 30 * 24 * 60
	maxExpiryDays   = 365
	maxNPSDays      = 366
)

// slugPattern is a tenant's slug.
var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// check validates s, naming every bad field.
func (s *Settings) check() error {
	v := errs.NewValidator()
	v.Check(s.CSATDelayMinutes >= 0 && s.CSATDelayMinutes <= maxDelayMinutes, "csatDelayMinutes", fmt.Sprintf("must be 0 to %d", maxDelayMinutes))
	v.Check(s.ExpiryDays >= 1 && s.ExpiryDays <= maxExpiryDays, "expiryDays", fmt.Sprintf("must be 1 to %d", maxExpiryDays))
	v.Check(s.LowThreshold >= 1 && s.LowThreshold <= 4, "lowThreshold", "must be 1 to 4 (a CSAT score)")
	v.Check(slices.Contains([]string{ActionReopen, ActionAlert, ActionBoth}, s.LowAction), "lowAction", "must be reopen, alert or both")
	v.Check(s.NPSEveryDays >= 1 && s.NPSEveryDays <= maxNPSDays, "npsEveryDays", fmt.Sprintf("must be 1 to %d", maxNPSDays))
	v.Check(s.PortalSlug == "" || slugPattern.MatchString(s.PortalSlug), "portalSlug", "must be the tenant's slug: lowercase letters, digits and hyphens")
	return v.Err()
}

// settingsRow is a row of survey_settings.
type settingsRow struct {
	CSATEnabled      bool      `db:"csat_enabled"`
	CSATDelayMinutes int       `db:"csat_delay_minutes"`
	ExpiryDays       int       `db:"expiry_days"`
	LowThreshold     int       `db:"low_threshold"`
	LowAction        string    `db:"low_action"`
	NPSEnabled       bool      `db:"nps_enabled"`
	NPSEveryDays     int       `db:"nps_every_days"`
	PortalSlug       string    `db:"portal_slug"`
	UpdatedAt        time.Time `db:"updated_at"`
	UpdatedBy        string    `db:"updated_by"`
}

// settingsIn reads the settings of tx's tenant, the defaults when it has
// none.
func settingsIn(ctx context.Context, tx *outbox.Tx) (Settings, error) {
	var r settingsRow
	err := tx.SQL().GetContext(ctx, &r, `SELECT csat_enabled, csat_delay_minutes, expiry_days, low_threshold, low_action,
		nps_enabled, nps_every_days, portal_slug, updated_at, updated_by FROM survey_settings`)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read survey settings: %w", pg.MapError(err))
	}
	at := r.UpdatedAt.UTC()
	return Settings{CSATEnabled: r.CSATEnabled, CSATDelayMinutes: r.CSATDelayMinutes, ExpiryDays: r.ExpiryDays, LowThreshold: r.LowThreshold,
		LowAction: r.LowAction, NPSEnabled: r.NPSEnabled, NPSEveryDays: r.NPSEveryDays, PortalSlug: r.PortalSlug, UpdatedAt: &at,
		UpdatedBy: r.UpdatedBy}, nil
}

// saveSettings writes s as the settings of tx's tenant.
func saveSettings(ctx context.Context, tx *outbox.Tx, s Settings) error {
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO survey_settings (tenant_id, csat_enabled, csat_delay_minutes, expiry_days,
			low_threshold, low_action, nps_enabled, nps_every_days, portal_slug, updated_at, updated_by)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (tenant_id) DO UPDATE SET csat_enabled = EXCLUDED.csat_enabled, csat_delay_minutes = EXCLUDED.csat_delay_minutes,
			expiry_days = EXCLUDED.expiry_days, low_threshold = EXCLUDED.low_threshold, low_action = EXCLUDED.low_action,
			nps_enabled = EXCLUDED.nps_enabled, nps_every_days = EXCLUDED.nps_every_days, portal_slug = EXCLUDED.portal_slug,
			updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
		s.CSATEnabled, s.CSATDelayMinutes, s.ExpiryDays, s.LowThreshold, s.LowAction, s.NPSEnabled, s.NPSEveryDays, s.PortalSlug,
		*s.UpdatedAt, s.UpdatedBy)
	if err != nil {
		return fmt.Errorf("save survey settings: %w", pg.MapError(err))
	}
	return nil
}
