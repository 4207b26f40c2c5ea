package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"runtime"
	"strings"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// defaultServerURL is the PostgreSQL server used when neither
// BENCH_DATABASE_URL nor TEST_DATABASE_URL is set.
const defaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// serverURL picks the PostgreSQL server the benchmark creates its database on.
func serverURL() string {
	for _, k := range []string{"BENCH_DATABASE_URL", "TEST_DATABASE_URL"} {
		if u := os.Getenv(k); u != "" {
			return u
		}
	}
	return defaultServerURL
}

// scratchDB is a database and login role made for one run by
// testkit.CreateDatabase: AdminURL connects as the server's superuser, AppURL
// as AppRole (no SUPERUSER, no BYPASSRLS), so row-level security applies.
type scratchDB struct {
	testkit.PG
	drop func() error
}

// newScratchDB creates the database and role on server. The caller must call
// Drop, also on failure.
func newScratchDB(ctx context.Context, server string) (*scratchDB, error) {
	db, drop, err := testkit.CreateDatabase(ctx, server, "bench_")
	if err != nil {
		return nil, err
	}
	return &scratchDB{PG: db, drop: drop}, nil
}

// Drop removes the database and the role.
func (s *scratchDB) Drop() error { return s.drop() }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// machine describes where the numbers were measured.
type machine struct {
	CPUs     int
	CPUModel string
	Go       string
	Postgres string
}

// describeMachine collects the machine description; db is any connection to
// the server.
func describeMachine(ctx context.Context, db *sql.DB) machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), CPUModel: cpuModel()}
	if err := db.QueryRowContext(ctx, `SELECT version()`).Scan(&m.Postgres); err != nil {
		m.Postgres = "unknown: " + err.Error()
	}
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
