package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestRunRefusesCtypeC checks the gateway does not start on a database whose
// LC_CTYPE cannot classify non-ASCII text (lower() there folds only ASCII,
// so its case-insensitive unique names are not), and says which database.
func TestRunRefusesCtypeC(t *testing.T) {
	db := testkit.PostgresCTypeC(t)
	env := validEnv()
	env["DATABASE_URL"], env["DATABASE_MIGRATE_URL"] = db.AppURL, db.AdminURL
	addrs := testkit.FreeAddrs(t, 2)
	env["GATEWAY_ADDR"], env["GATEWAY_METRICS_ADDR"] = addrs[0], addrs[1]
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, cfg, slog.New(slog.DiscardHandler))
	want := `database "` + db.Name + `" has LC_CTYPE "C"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("run: %v, want an error saying %s", err, want)
	}
}
