package support_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/sla"
)

// slaDirect is package sla used directly, without the HTTP service, on a
// scratch support database (migrated): for the recomputation's tests and
// bench, which seed clocks in bulk as the owner.
type slaDirect struct {
	ctx    context.Context // the tenant's principal, with support:*
	tenant string
	db     *outbox.DB // the application role's
	s      *sla.Service
	admin  *sqlx.DB // the owner's, for seeding and checks
}

// newSLADirect migrates a scratch database and returns its slaDirect for
// a new tenant.
func newSLADirect(tb testing.TB) slaDirect {
	tb.Helper()
	ctx := context.Background()
	pg := testkit.Postgres(tb)
	if err := support.Starter().Schema().Migrate(ctx, starter.MigrateConfig{DatabaseURL: pg.AppURL, MigrateURL: pg.AdminURL}, quiet); err != nil {
		tb.Fatal(err)
	}
	tenant := uuid.NewString()
	db := outbox.NewDB(testkit.Open(tb, pg.AppURL), supportdb.Events, registry.MustTopic("", registry.Support))
	return slaDirect{
		ctx:    auth.WithPrincipal(ctx, auth.Principal{TenantID: tenant, UserID: uuid.NewString(), Permissions: []string{"support:*"}}),
		tenant: tenant, db: db, s: sla.NewService(db), admin: testkit.Open(tb, pg.AdminURL),
	}
}
