// Package rm holds what the reporting service's contexts share about its
// read models: their generations (a rebuild fills a new one while the
// active one answers, then switches over), their freshness (asOf) and the
// reporting module's permissions and record scope.
package rm

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// The permissions of the reporting module: reading reports, predictions
// and the dashboards one may see; saving dashboards and schedules; and
// administering (rebuilding the read models, retraining the models,
// changing anyone's dashboards).
const (
	PermRead  = "reporting:read"
	PermWrite = "reporting:write"
	PermAdmin = "reporting:admin"
)

// Module is the module whose record scope a caller's reports and
// predictions are limited by (auth.Principal.ScopeFor).
const Module = "reporting"

// The source contexts whose topics the read models are built from.
const (
	Contacts  = "contacts"
	Sales     = "sales"
	Marketing = "marketing"
	Support   = "support"
)

// Contexts are the source contexts, in the order their topics are read.
var Contexts = []string{Contacts, Sales, Marketing, Support}

// Gen is a generation of a tenant's read models; every read-model row
// carries the one it belongs to.
type Gen int

// First is the generation a tenant without rm_generations rows has.
const First Gen = 1

// Active returns the generation of tenant's read models that reports
// read: the active one, First when none was ever switched.
func Active(ctx context.Context, tx *sqlx.Tx) (Gen, error) {
	var g []Gen
	if err := tx.SelectContext(ctx, &g, `SELECT gen FROM rm_generations WHERE state = 'active'`); err != nil {
		return 0, fmt.Errorf("rm: active generation: %w", err)
	}
	if len(g) == 0 {
		return First, nil
	}
	return g[0], nil
}

// Live returns the generations an event of the live consumers is applied
// to: the active one (First when none was switched) and, while a rebuild
// runs, the one it builds. It is one query: the live consumers run it for
// every event.
func Live(ctx context.Context, tx *sqlx.Tx) ([]Gen, error) {
	var rows []struct {
		Gen    Gen  `db:"gen"`
		Active bool `db:"active"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT gen, state = 'active' AS active FROM rm_generations
		WHERE state IN ('active', 'building') ORDER BY state = 'active' DESC`); err != nil {
		return nil, fmt.Errorf("rm: live generations: %w", err)
	}
	live := []Gen{First}
	for i, r := range rows {
		if i == 0 && r.Active {
			live[0] = r.Gen
			continue
		}
		live = append(live, r.Gen)
	}
	return live, nil
}

// Touch records that an event of context made at at was applied to gen:
// the freshness reports answer with.
func Touch(ctx context.Context, tx *sqlx.Tx, gen Gen, context string, at time.Time) error {
	return TouchN(ctx, tx, gen, context, at, 1)
}

// TouchN records that n events of context, the newest made at at, were
// applied to gen (a rebuild's batch).
func TouchN(ctx context.Context, tx *sqlx.Tx, gen Gen, context string, at time.Time, n int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_freshness (tenant_id, gen, context, as_of, events)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4)
		ON CONFLICT (tenant_id, gen, context) DO UPDATE SET as_of = GREATEST(rm_freshness.as_of, EXCLUDED.as_of), events = rm_freshness.events + EXCLUDED.events`,
		gen, context, at, n)
	if err != nil {
		return fmt.Errorf("rm: freshness: %w", err)
	}
	return nil
}

// AsOf returns the time of the newest event of contexts applied to gen;
// the zero time when none was.
func AsOf(ctx context.Context, tx *sqlx.Tx, gen Gen, contexts ...string) (time.Time, error) {
	var at pq.NullTime
	err := tx.GetContext(ctx, &at, `SELECT max(as_of) FROM rm_freshness WHERE gen = $1 AND context = ANY($2)`, gen, pq.StringArray(contexts))
	if err != nil {
		return time.Time{}, fmt.Errorf("rm: asOf: %w", err)
	}
	return at.Time, nil
}

// InScope reports whether p may see a record owned by owner in team in the
// reporting module (auth.Principal.Sees). Scope is the same rule in SQL.
func InScope(p auth.Principal, owner, team string) bool { return p.Sees(Module, owner, team) }

// Scope ANDs to q the rule of InScope on the owner and team columns given
// (qualified as the query needs: "o.owner_id", "o.team_id").
func Scope(q *pgrecord.Query, p auth.Principal, ownerCol, teamCol string) {
	q.Scope(p, Module, ownerCol, teamCol)
}
