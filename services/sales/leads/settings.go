package leads

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/phone"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// Settings are a tenant's settings of leads. DefaultRegion (one of
// libs/phone's Regions) reads a phone typed without an international
// prefix in its national numbering plan, as contacts' default region
// does; empty, the tenant's default, a lead's phone needs its
// international prefix ("+" or "00").
type Settings struct {
	DefaultRegion string     `json:"defaultRegion" db:"default_region"`
	UpdatedAt     *time.Time `json:"updatedAt,omitempty" db:"updated_at"`
	UpdatedBy     string     `json:"updatedBy,omitempty" db:"updated_by"`
}

// normalize checks s (a 400 naming defaultRegion).
func (s *Settings) normalize() error {
	s.DefaultRegion = strings.ToUpper(strings.TrimSpace(s.DefaultRegion))
	v := errs.NewValidator()
	v.Check(s.DefaultRegion == "" || phone.ValidRegion(s.DefaultRegion), "defaultRegion",
		"must be empty (international numbers only) or one of "+strings.Join(phone.Regions, ", "))
	return v.Err()
}

// SettingsService reads and sets the tenant's settings of leads.
type SettingsService struct {
	store *Store
	now   func() time.Time
}

// NewSettingsService returns the SettingsService on store.
func NewSettingsService(store *Store) *SettingsService {
	return &SettingsService{store: store, now: time.Now}
}

// Settings returns the tenant's settings (an empty region when none were
// set).
func (s *SettingsService) Settings(ctx context.Context) (*Settings, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Settings(ctx, p.TenantID)
}

// SetSettings replaces the tenant's settings with in.
func (s *SettingsService) SetSettings(ctx context.Context, in Settings) (*Settings, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.UpdatedAt, in.UpdatedBy = &now, p.UserID
	return &in, s.store.SetSettings(ctx, p.TenantID, &in)
}

// SettingsRoutes returns the routes of the settings of leads on s:
// reading needs sales:read, setting sales:admin. api/openapi.yaml
// documents each (Name is its operationId).
func SettingsRoutes(s *SettingsService) []starter.Route {
	return resource.Routes(
		starter.Route{Name: "getLeadSettings", Method: "GET", Path: "/v1/lead-settings", Permission: deals.PermRead,
			Decode: func(context.Context, *http.Request) (any, error) { return nil, nil },
			Endpoint: func(ctx context.Context, _ any) (any, error) {
				out, err := s.Settings(ctx)
				return resource.OK(out, 0, err)
			}},
		starter.Route{Name: "setLeadSettings", Method: "PUT", Path: "/v1/lead-settings", Permission: deals.PermAdmin,
			Decode: resource.DecodeBody[Settings]([]string{"updatedAt", "updatedBy"}),
			Endpoint: func(ctx context.Context, r any) (any, error) {
				out, err := s.SetSettings(ctx, r.(Settings))
				return resource.OK(out, 0, err)
			}},
	)
}
