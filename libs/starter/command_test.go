package starter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/libs/version"
)

// cli is the command line of the notes service with the environment env;
// serving fails the test.
func cli(t *testing.T, env map[string]string) (c starter.CLI, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	return starter.CLI{
		Schema: notes(make(chan struct{}, 1)).Schema(),
		Serve:  func() int { t.Error("the command line served"); return 0 },
		Getenv: func(k string) string { return env[k] },
		Stdout: stdout, Stderr: stderr,
	}, stdout, stderr
}

// TestCommandLine checks the subcommands that need no database: version
// prints one line and exits 0; an unknown command, or migrate without the
// owner's DSN, exits 2 saying why.
func TestCommandLine(t *testing.T) {
	c, stdout, _ := cli(t, nil)
	if code := c.Run([]string{"version"}); code != 0 || stdout.String() != version.String("notes")+"\n" || !strings.HasPrefix(stdout.String(), "notes ") {
		t.Errorf("notes version: exit %d, printed %q; want 0 and %q", code, stdout, version.String("notes")+"\n")
	}
	for _, args := range [][]string{{"serve"}, {"version", "--short"}, {"-h"}} {
		c, stdout, stderr := cli(t, nil)
		if code := c.Run(args); code != 2 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "usage: notes [version | migrate]") {
			t.Errorf("notes %v: exit %d, stderr %q; want 2 and the usage", args, code, stderr)
		}
	}
	c, _, stderr := cli(t, map[string]string{"DATABASE_URL": "postgres://notes_app@127.0.0.1:5432/notes"})
	if code := c.Run([]string{"migrate"}); code != 2 || !strings.Contains(stderr.String(), "DATABASE_MIGRATE_URL is required") {
		t.Errorf("notes migrate without DATABASE_MIGRATE_URL: exit %d, stderr %q; want 2 naming the variable", code, stderr)
	}
}

// TestServiceWaitsForMigrate starts a service without the owner's DSN on an
// empty database: it serves but is not ready, and /readyz says to run
// `notes migrate`; once `notes migrate` has run (the subcommand, as the
// chart's Job runs it) the service becomes ready, and its runtime role can
// write the tables the subcommand made.
func TestServiceWaitsForMigrate(t *testing.T) {
	db := testkit.Postgres(t)
	brokers := testkit.Kafka(t)
	signer, jwks := contracttest.Gateway(t)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := starter.Config{Name: "notes", HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL,
		Brokers: brokers, JWKSURL: jwks}
	in, err := starter.Start(ctx, cfg, notes(make(chan struct{}, 1)), quiet, starter.WithoutJobs())
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := in.Wait(); err != nil {
			t.Errorf("stopping notes: %v", err)
		}
	})
	base := "http://" + in.Addr()

	testkit.Eventually(t, time.Minute, "/readyz saying to run notes migrate", func() (bool, string) {
		resp, body := call(t, signer, nil, "GET", base+"/readyz", "")
		var report struct{ Checks map[string]string }
		if err := json.Unmarshal(body, &report); err != nil {
			return false, err.Error()
		}
		why := report.Checks["migrations"]
		return resp.StatusCode == http.StatusServiceUnavailable &&
			strings.HasPrefix(why, "database schema not migrated: run `notes migrate` (pending: outbox: "), why
	})

	c, stdout, stderr := cli(t, map[string]string{"DATABASE_URL": db.AppURL, "DATABASE_MIGRATE_URL": db.AdminURL})
	if code := c.Run([]string{"migrate"}); code != 0 {
		t.Fatalf("notes migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := proc.WaitReady(ctx, base, time.Minute); err != nil {
		t.Fatal(err)
	}
	// The service never migrated: the grant that lets it write is the subcommand's.
	p := &auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString(), Permissions: []string{"notes:*"}}
	if resp, body := call(t, signer, p, "POST", base+"/v1/notes", `{"text":"after migrate"}`); resp.StatusCode != http.StatusCreated {
		t.Errorf("POST /v1/notes after notes migrate: %d %s", resp.StatusCode, body)
	}
}
