package pg

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Statements prepares a pool's hot queries once per connection and runs them
// in that connection's transactions as prepared statements: the server then
// parses a query once per connection, and after five executions keeps one
// plan for it (PostgreSQL's plan cache) instead of planning it every time.
//
// Only queries whose plan does not depend on their parameters' values belong
// here: a plan kept for any values must be the one every value wants (a
// lookup by key, an INSERT, a query whose shape is fixed by LATERAL and
// LIMIT). A prefix search, whose index range comes from its parameter, does
// not. Behind a pooler in transaction mode, the pooler must support prepared
// statements (PgBouncer 1.21 and later, max_prepared_statements).
type Statements struct {
	db  *sqlx.DB
	max int

	mu    sync.Mutex
	stmts map[string]*sqlx.Stmt // nil: being prepared
}

// prepareTimeout bounds the wait of a background preparation for a free
// connection of the pool.
const prepareTimeout = 30 * time.Second

// NewStatements returns a Statements of db holding at most max distinct
// queries; a query beyond them runs unprepared.
func NewStatements(db *sqlx.DB, max int) *Statements {
	return &Statements{db: db, max: max, stmts: map[string]*sqlx.Stmt{}}
}

// In returns tx (a transaction of the Statements' pool) running its queries
// as prepared statements. Named queries (sqlx.NamedExecContext) work too:
// the statement is keyed by the query after binding.
func (s *Statements) In(tx *sqlx.Tx) sqlx.ExtContext {
	return &preparedTx{Tx: tx, stmts: s}
}

// statement returns the prepared statement of query, or nil to run it
// unprepared this time. A query met for the first time is prepared on the
// pool in the background (the pool prepares it again on each connection at
// its first use there): preparing it in line would wait for a free
// connection while the caller holds one, and callers holding every
// connection would wait for each other. A query that failed to prepare is
// tried again at its next use; one beyond max always runs unprepared. The
// statements live as long as the pool: closing it closes them.
func (s *Statements) statement(query string) *sqlx.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, known := s.stmts[query]
	if known || len(s.stmts) >= s.max {
		return st
	}
	s.stmts[query] = nil
	go s.prepare(query)
	return nil
}

// prepare prepares query on the pool and keeps it.
func (s *Statements) prepare(query string) {
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	st, err := s.db.PreparexContext(ctx, query)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		delete(s.stmts, query) // unprepared until its next use tries again
		return
	}
	s.stmts[query] = st
}

// preparedTx is a transaction whose queries run as Statements' prepared
// statements.
type preparedTx struct {
	*sqlx.Tx
	stmts *Statements
}

// in returns query's statement bound to the transaction, or nil to run it
// unprepared.
func (p *preparedTx) in(ctx context.Context, query string) *sqlx.Stmt {
	st := p.stmts.statement(query)
	if st == nil {
		return nil
	}
	return p.StmtxContext(ctx, st)
}

// QueryContext implements sqlx.QueryerContext.
func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := p.in(ctx, query)
	if st == nil {
		return p.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryxContext implements sqlx.QueryerContext.
func (p *preparedTx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	st := p.in(ctx, query)
	if st == nil {
		return p.Tx.QueryxContext(ctx, query, args...)
	}
	return st.QueryxContext(ctx, args...)
}

// QueryRowxContext implements sqlx.QueryerContext.
func (p *preparedTx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	st := p.in(ctx, query)
	if st == nil {
		return p.Tx.QueryRowxContext(ctx, query, args...)
	}
	return st.QueryRowxContext(ctx, args...)
}

// ExecContext implements sqlx.ExecerContext.
func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := p.in(ctx, query)
	if st == nil {
		return p.Tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}
