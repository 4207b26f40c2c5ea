package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// DefaultPostgresURL is the local server tests use when TEST_DATABASE_URL is
// not set and it answers.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PG is a fresh database made for one test. AdminURL connects as the owner
// (a superuser: use it for migrations and fixtures); AppURL connects as
// AppRole, a login role without SUPERUSER or BYPASSRLS, as services do.
type PG struct {
	Name     string
	AdminURL string
	AppURL   string
	AppRole  string
}

// Postgres creates a fresh database and an application role on the test
// server, and drops both when the test ends. The server is TEST_DATABASE_URL,
// else the local server if it answers, else a throwaway cluster started from
// the system's PostgreSQL binaries (once per test binary).
func Postgres(t testing.TB) PG {
	t.Helper()
	return postgres(t, pg.CreateDatabase)
}

// PostgresCTypeC is Postgres with the database created with LC_CTYPE C, as
// a cluster initialised with --locale=C made them by default (`make run`'s
// did before pg.CreateDatabase): CJK characters are no letters there and
// pg_trgm finds no trigrams in them. For tests of what refuses it.
func PostgresCTypeC(t testing.TB) PG {
	t.Helper()
	return postgres(t, func(ctx context.Context, admin *sql.DB, name, _ string) error {
		_, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
		return err
	})
}

// createFunc creates database name owned by owner, as pg.CreateDatabase.
type createFunc func(ctx context.Context, admin *sql.DB, name, owner string) error

// postgres is Postgres with the database made by create.
func postgres(t testing.TB, create createFunc) PG {
	t.Helper()
	db, drop, err := newPostgres(create)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("testkit: %v", err)
		}
	})
	return db
}

// NewPostgres is Postgres for what outlives one test, such as the
// environment a TestMain shares between tests: the caller must call drop.
func NewPostgres() (db PG, drop func() error, err error) {
	return newPostgres(pg.CreateDatabase)
}

// newPostgres makes a fresh database on the test server by create.
func newPostgres(create createFunc) (PG, func() error, error) {
	server, err := testServerURL()
	if err != nil {
		return PG{}, nil, fmt.Errorf("no PostgreSQL for tests: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return createDatabase(ctx, server, "rt_", create)
}

// CreateDatabase makes a fresh database named prefix plus random hex (by
// pg.CreateDatabase, as the launcher and the operator do), and its
// application role, on server (an admin DSN); drop removes both. Postgres
// uses it for tests; programs such as the benchmarks call it directly.
func CreateDatabase(ctx context.Context, server, prefix string) (db PG, drop func() error, err error) {
	return createDatabase(ctx, server, prefix, pg.CreateDatabase)
}

// createDatabase is CreateDatabase with the database made by create.
func createDatabase(ctx context.Context, server, prefix string, create createFunc) (db PG, drop func() error, err error) {
	admin, err := sql.Open("postgres", server)
	if err != nil {
		return PG{}, nil, fmt.Errorf("open %s: %w", redact(server), err)
	}
	defer admin.Close()
	name := prefix + randomHex(6)
	role := name + "_app"
	password := randomHex(12)
	drop = func() error {
		db, err := sql.Open("postgres", server)
		if err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var errs []error
		for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", q, err))
			}
		}
		return errors.Join(errs...)
	}
	if err := create(ctx, admin, name, ""); err != nil {
		return PG{}, nil, errors.Join(err, drop())
	}
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD " + pq.QuoteLiteral(password),
		"REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC",
		"GRANT CONNECT ON DATABASE " + name + " TO " + role,
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			return PG{}, nil, errors.Join(fmt.Errorf("%s: %w", q, err), drop())
		}
	}
	return PG{
		Name:     name,
		AdminURL: withDatabase(server, name, "", ""),
		AppURL:   withDatabase(server, name, role, password),
		AppRole:  role,
	}, drop, nil
}

// Open connects to url and closes the pool when the test ends.
func Open(t testing.TB, url string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatalf("testkit: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
)

// testServerURL picks the PostgreSQL server tests use (see Postgres).
func testServerURL() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
			serverURL, serverErr = u, ping(u)
			if serverErr != nil {
				serverErr = fmt.Errorf("TEST_DATABASE_URL: %w", serverErr)
			}
			return
		}
		if ping(DefaultPostgresURL) == nil {
			serverURL = DefaultPostgresURL
			return
		}
		serverURL, serverErr = throwawayServer()
	})
	return serverURL, serverErr
}

func ping(u string) error {
	db, err := sql.Open("postgres", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// withDatabase rewrites a server URL to database db and, when user is set,
// to that user and password.
func withDatabase(server, db, user, password string) string {
	u, err := url.Parse(server)
	if err != nil {
		panic(fmt.Sprintf("testkit: bad server url: %v", err))
	}
	u.Path = "/" + db
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "<unparseable url>"
	}
	return p.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
