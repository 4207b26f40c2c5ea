package predictions

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
	"github.com/rapport-crm/rapport/services/reporting/migrations"
)

// TestPredictionsTrainerRetrainsTenantsDue runs the hourly job on a real
// database: a tenant of rm_tenants() is trained once, not again within
// REPORTING_TRAIN_EVERY, and again after it.
func TestPredictionsTrainerRetrainsTenantsDue(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, outbox.Migrations(), migrations.Source()); err != nil {
		t.Fatal(err)
	}
	tenant := uuid.NewString()
	if _, err := admin.Exec(`INSERT INTO rm_freshness (tenant_id, gen, context, as_of, events) VALUES ($1, 1, 'sales', now(), 1)`, tenant); err != nil {
		t.Fatal(err)
	}
	tr := NewTrainer(outbox.NewDB(testkit.Open(t, db.AppURL), rm.Events, registry.MustTopic("", registry.Reporting)),
		func(string) string { return "6h" }, quiet)
	start := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	trainedAt := func() (out []time.Time) {
		t.Helper()
		if err := admin.Select(&out, `SELECT trained_at FROM pred_models WHERE tenant_id = $1 ORDER BY kind`, tenant); err != nil {
			t.Fatal(err)
		}
		for i := range out {
			out[i] = out[i].UTC()
		}
		return out
	}
	for _, step := range []struct {
		at   time.Time
		want time.Time
	}{{start, start}, {start.Add(5 * time.Hour), start}, {start.Add(7 * time.Hour), start.Add(7 * time.Hour)}} {
		tr.now = func() time.Time { return step.at }
		if err := tr.Run(ctx); err != nil {
			t.Fatal(err)
		}
		got := trainedAt()
		if len(got) != len(Kinds) || !got[0].Equal(step.want) || !got[2].Equal(step.want) {
			t.Errorf("run at %s: models trained at %v, want %d at %s", step.at, got, len(Kinds), step.want)
		}
	}
}

func TestPredictionsTrainEvery(t *testing.T) {
	for raw, want := range map[string]time.Duration{"": DefaultTrainEvery, "90m": 90 * time.Minute} {
		if got, err := TrainEvery(func(string) string { return raw }); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"soon", "-1h", "0s"} {
		tr := NewTrainer(nil, func(string) string { return raw }, nil)
		if err := tr.Run(context.Background()); !errors.Is(err, ErrBadTrainEvery) || !strings.Contains(err.Error(), EnvTrainEvery) {
			t.Errorf("%q: %v, want %s named", raw, err, EnvTrainEvery)
		}
	}
}
