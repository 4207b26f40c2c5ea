package testkit_test

import (
	"context"
	"testing"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestClusterPostgres checks the database on a cluster of the test's own
// takes the app role and classifies CJK text as `make run`'s databases do.
func TestClusterPostgres(t *testing.T) {
	db := testkit.ClusterPostgres(t)
	app := testkit.Open(t, db.AppURL)
	var user string
	if err := app.QueryRow(`SELECT current_user`).Scan(&user); err != nil || user != db.AppRole {
		t.Fatalf("connected as %q (%v), want %s", user, err, db.AppRole)
	}
	if err := pg.CheckTextClassification(context.Background(), app.DB); err != nil {
		t.Error(err)
	}
}
