package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
)

// TestStartDatabaseRefusesCtypeC checks the service does not start on a
// database whose LC_CTYPE cannot classify CJK text (its duplicate checks and
// search would miss Chinese names), and says which database and why.
func TestStartDatabaseRefusesCtypeC(t *testing.T) {
	db := testkit.PostgresCTypeC(t)
	cfg := config{DatabaseURL: db.AppURL, MigrateURL: db.AdminURL, AppRole: db.AppRole}
	app, err := pg.Open(cfg.DatabaseURL, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	publisher := events.NewPublisher(nil)
	defer publisher.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var started atomic.Bool
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	err = startDatabase(ctx, cfg, app, contacts.NewStore(app), quiet, &started, obs.NewMetrics("contacts"), publisher)
	want := `database "` + db.Name + `" has LC_CTYPE "C"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("startDatabase: %v, want an error saying %s", err, want)
	}
	if started.Load() {
		t.Error("the service marked itself started")
	}
}
