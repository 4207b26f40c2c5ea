package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Credentials are the passwords of a Database's two roles.
type Credentials struct {
	OwnerPassword string
	AppPassword   string
}

// Pool keeps one connection pool per admin DSN, so the reconciles of every
// tenant on a server share a few connections.
type Pool struct {
	mu      sync.Mutex
	servers map[string]*Server
}

// NewPool returns an empty pool; Close it when done.
func NewPool() *Pool { return &Pool{servers: map[string]*Server{}} }

// Server returns the server behind the admin DSN dsn, opening its pool on
// first use. Opening does not connect: an unreachable server shows in the
// first statement.
func (p *Pool) Server(dsn string) (*Server, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.servers[dsn]; ok {
		return s, nil
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, ErrBadDSN
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, ErrBadDSN
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	s := &Server{db: db, url: u}
	p.servers[dsn] = s
	return s, nil
}

// Close closes every server's connections.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for dsn, s := range p.servers {
		errs = append(errs, s.db.Close())
		delete(p.servers, dsn)
	}
	return errors.Join(errs...)
}

// Server is one PostgreSQL server, reached as its admin.
type Server struct {
	db  *sql.DB
	url *url.URL
}

// Ensure makes d exist: both roles (LOGIN, no SUPERUSER, BYPASSRLS,
// CREATEDB or CREATEROLE) with the passwords of c, the database owned by
// d.Owner (made by pg.CreateDatabase: UTF-8 character classification
// whatever the server's default locale), its schema public owned by d.Owner
// too, and CONNECT on it for d.App but not for PUBLIC. It creates only
// what is missing; resetPasswords also sets the passwords of roles that
// already exist (when their Secret was lost). created reports whether a
// role or the database was made.
func (s *Server) Ensure(ctx context.Context, d Database, c Credentials, resetPasswords bool) (created bool, err error) {
	existing := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT rolname FROM pg_roles WHERE rolname = ANY($1)`, pq.StringArray{d.Owner, d.App})
	if err != nil {
		return false, classify("look up roles", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return false, classify("look up roles", err)
		}
		existing[name] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return false, classify("look up roles", err)
	}
	for _, r := range []struct{ name, password string }{{d.Owner, c.OwnerPassword}, {d.App, c.AppPassword}} {
		var stmt string
		switch {
		case !existing[r.name]:
			stmt = `CREATE ROLE ` + pq.QuoteIdentifier(r.name) + ` LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ` + pq.QuoteLiteral(r.password)
			created = true
		case resetPasswords:
			stmt = `ALTER ROLE ` + pq.QuoteIdentifier(r.name) + ` LOGIN PASSWORD ` + pq.QuoteLiteral(r.password)
		default:
			continue
		}
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return created, classify("role "+r.name, err)
		}
	}
	var exists bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, d.Name).Scan(&exists); err != nil {
		return created, classify("look up database "+d.Name, err)
	}
	if !exists {
		if err := pg.CreateDatabase(ctx, s.db, d.Name, d.Owner); err != nil {
			return created, classify("create database "+d.Name, err)
		}
		created = true
	}
	if err := s.restrictConnect(ctx, d); err != nil {
		return created, err
	}
	return created, s.ownPublicSchema(ctx, d)
}

// ownPublicSchema gives schema public of d's database to d.Owner, unless it
// has it already. From PostgreSQL 15 that schema belongs to
// pg_database_owner, whose rights a NOINHERIT owner role does not use, and
// PUBLIC may no longer create in it: without this, the owner role running a
// tenant's migrations could create no table.
func (s *Server) ownPublicSchema(ctx context.Context, d Database) error {
	db, err := sql.Open("postgres", s.AdminURL(d.Name))
	if err != nil {
		return ErrBadDSN
	}
	defer db.Close()
	var owner sql.NullString
	err = db.QueryRowContext(ctx, `SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'`).Scan(&owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // dropped by hand: the migrations make their own schemas
	case err != nil:
		return classify("schema public of "+d.Name, err)
	case owner.String == d.Owner:
		return nil
	}
	if _, err := db.ExecContext(ctx, `ALTER SCHEMA public OWNER TO `+pq.QuoteIdentifier(d.Owner)); err != nil {
		return classify("schema public of "+d.Name, err)
	}
	return nil
}

// restrictConnect revokes PUBLIC's privileges on d's database and grants
// CONNECT to d.App, unless that is already so.
func (s *Server) restrictConnect(ctx context.Context, d Database) error {
	var public, app bool
	err := s.db.QueryRowContext(ctx, `SELECT has_database_privilege('public', $1, 'CONNECT'), has_database_privilege($2, $1, 'CONNECT')`,
		d.Name, d.App).Scan(&public, &app)
	if err != nil {
		return classify("privileges of "+d.Name, err)
	}
	db := pq.QuoteIdentifier(d.Name)
	if public {
		if _, err := s.db.ExecContext(ctx, `REVOKE ALL ON DATABASE `+db+` FROM PUBLIC`); err != nil {
			return classify("revoke on "+d.Name, err)
		}
		// d.App may have had CONNECT only through PUBLIC.
		if err := s.db.QueryRowContext(ctx, `SELECT has_database_privilege($1, $2, 'CONNECT')`, d.App, d.Name).Scan(&app); err != nil {
			return classify("privileges of "+d.Name, err)
		}
	}
	if !app {
		if _, err := s.db.ExecContext(ctx, `GRANT CONNECT ON DATABASE `+db+` TO `+pq.QuoteIdentifier(d.App)); err != nil {
			return classify("grant on "+d.Name, err)
		}
	}
	return nil
}

// Drop removes d's database, closing its sessions, and both roles. What is
// already gone is skipped.
func (s *Server) Drop(ctx context.Context, d Database) error {
	for _, stmt := range []string{
		`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(d.Name) + ` WITH (FORCE)`,
		`DROP ROLE IF EXISTS ` + pq.QuoteIdentifier(d.Owner) + `, ` + pq.QuoteIdentifier(d.App),
	} {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return classify(fmt.Sprintf("drop %s", d.Name), err)
		}
	}
	return nil
}

// URL returns the DSN of role with password on database, on this server
// with the admin DSN's host, port and parameters.
func (s *Server) URL(database, role, password string) string {
	u := *s.url
	u.Path, u.RawPath = "/"+database, ""
	u.User = url.UserPassword(role, password)
	return u.String()
}

// AdminURL returns the admin DSN with its database replaced by database:
// what pg_dump and pg_restore connect with.
func (s *Server) AdminURL(database string) string {
	u := *s.url
	u.Path, u.RawPath = "/"+database, ""
	return u.String()
}
