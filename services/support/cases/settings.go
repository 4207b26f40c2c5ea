package cases

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Settings are a tenant's settings of cases: the days after being solved
// within which a case may be reopened (by an agent or a customer's reply;
// after them a customer's reply opens a new case), and the days after
// which the auto-close job closes a solved case.
type Settings struct {
	ReopenDays    int        `json:"reopenDays" db:"reopen_days"`
	AutoCloseDays int        `json:"autoCloseDays" db:"auto_close_days"`
	UpdatedAt     *time.Time `json:"updatedAt,omitempty" db:"updated_at"`
	UpdatedBy     string     `json:"updatedBy,omitempty" db:"updated_by"`
}

// DefaultSettings are a tenant's settings until it sets its own.
var DefaultSettings = Settings{ReopenDays: 7, AutoCloseDays: 3}

// maxDays bounds the days of a setting.
const maxDays = 365

// check checks s (a 400 naming each field).
func (s *Settings) check() error {
	v := errs.NewValidator()
	v.Check(s.ReopenDays >= 0 && s.ReopenDays <= maxDays, "reopenDays", fmt.Sprintf("must be 0 to %d", maxDays))
	v.Check(s.AutoCloseDays >= 1 && s.AutoCloseDays <= maxDays, "autoCloseDays", fmt.Sprintf("must be 1 to %d", maxDays))
	return v.Err()
}

// settingsIn reads the tenant's settings in tx (DefaultSettings when none
// were set).
func settingsIn(ctx context.Context, tx *outbox.Tx) (Settings, error) {
	out := Settings{}
	err := sqlx.GetContext(ctx, tx.Prepared(), &out, "SELECT reopen_days, auto_close_days, updated_at, updated_by FROM case_settings")
	if errs.KindOf(pg.MapError(err)) == errs.NotFound {
		return DefaultSettings, nil
	}
	if err != nil {
		return out, fmt.Errorf("read case settings: %w", pg.MapError(err))
	}
	out.UpdatedAt = utc(out.UpdatedAt)
	return out, nil
}

// Settings returns the caller's tenant's settings.
func (s *Service) Settings(ctx context.Context) (out Settings, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = settingsIn(ctx, tx)
		return err
	})
	return out, err
}

// SetSettings replaces the caller's tenant's settings with in.
func (s *Service) SetSettings(ctx context.Context, in Settings) (Settings, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return in, err
	}
	if err := in.check(); err != nil {
		return in, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.UpdatedAt, in.UpdatedBy = &now, p.UserID
	return in, s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO case_settings (tenant_id, reopen_days, auto_close_days, updated_at, updated_by)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET reopen_days = EXCLUDED.reopen_days, auto_close_days = EXCLUDED.auto_close_days,
				updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`, in.ReopenDays, in.AutoCloseDays, now, in.UpdatedBy)
		if err != nil {
			return fmt.Errorf("save case settings: %w", pg.MapError(err))
		}
		return nil
	})
}

// SettingsRoutes returns the routes of the settings of cases on s:
// reading needs support:read, setting support:admin.
func SettingsRoutes(s *Service) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getCaseSettings", Method: "GET", Path: "/v1/case-settings", Permission: supportdb.PermRead,
			Decode: func(context.Context, *http.Request) (any, error) { return nil, nil },
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := s.Settings(ctx)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "setCaseSettings", Method: "PUT", Path: "/v1/case-settings", Permission: supportdb.PermAdmin,
			Decode: resource.DecodeBody[Settings]([]string{"updatedAt", "updatedBy"}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.SetSettings(ctx, r.(Settings))
				return resource.OK(out, 0, err)
			}},
	)
}
