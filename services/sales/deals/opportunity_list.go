package deals

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Module is the record-scope module of the sales service.
const Module = "sales"

// Filter selects opportunities: each set field must match. CloseFrom and
// CloseTo bound the close date, inclusive (YYYY-MM-DD).
type Filter struct {
	PipelineID, StageID, OwnerID, TeamID, Status string
	CloseFrom, CloseTo                           string
	// AccountID selects the opportunities of an account (a list's filter,
	// not the board's).
	AccountID string
	// Tag selects the opportunities with the tag, regardless of case (a
	// list's filter, not the board's).
	Tag string
	// Deleted selects the deleted opportunities instead of the live ones.
	Deleted bool
}

// InScope reports whether p may see an opportunity owned by owner in team
// (auth.Principal.Sees in the sales module). Scope is the same rule in SQL.
func InScope(p auth.Principal, owner, team string) bool { return p.Sees(Module, owner, team) }

// Scope ANDs to q the rule of InScope in SQL, on the owner_id and team_id
// of alias ("o.", or "" for the table's own): what the lists of
// opportunities, leads and quotes and the forecasts read.
func Scope(q *pgrecord.Query, p auth.Principal, alias string) {
	q.Scope(p, Module, alias+"owner_id", alias+"team_id")
}

// filterOn ANDs to q f's conditions on the columns of alias.
func filterOn(q *pgrecord.Query, f Filter, alias string) {
	if f.Deleted {
		q.Add(alias + "deleted_at IS NOT NULL")
	} else {
		q.Add(alias + "deleted_at IS NULL")
	}
	for _, c := range []struct{ col, v string }{{"pipeline_id", f.PipelineID}, {"stage_id", f.StageID}, {"owner_id", f.OwnerID}, {"team_id", f.TeamID}, {"status", f.Status}, {"account_id", f.AccountID}} {
		if c.v != "" {
			q.Add(alias+c.col+" = ?", c.v)
		}
	}
	if f.Tag != "" {
		q.Add(alias+"tag_keys @> ?", pq.StringArray{strings.ToLower(f.Tag)})
	}
	if f.CloseFrom != "" {
		q.Add(alias+"close_date >= ?::date", f.CloseFrom)
	}
	if f.CloseTo != "" {
		q.Add(alias+"close_date <= ?::date", f.CloseTo)
	}
}

// Opportunities returns up to limit opportunities p may see that f
// selects, newest first, after the id after ("" from the first).
func (s *Store) Opportunities(ctx context.Context, tenant string, p auth.Principal, f Filter, after string, limit int) (out []Opportunity, err error) {
	q := &pgrecord.Query{}
	filterOn(q, f, "")
	Scope(q, p, "")
	if after != "" {
		q.Add("id < ?", after)
	}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []opportunityRow
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+opportunityColumns+" FROM opportunities"+q.Where()+
			" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), q.Args...); err != nil {
			return fmt.Errorf("list opportunities: %w", pg.MapError(err))
		}
		out, err = opportunitiesOf(ctx, tx, rows)
		return err
	})
	return out, err
}

// opportunitiesOf is the Opportunities of rows as a read shows them: only
// the custom field values with a definition they are valid for
// (customfields.Visible), read in tx.
func opportunitiesOf(ctx context.Context, tx *outbox.Tx, rows []opportunityRow) ([]Opportunity, error) {
	out := make([]Opportunity, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	defs, err := FieldStore.Defs(ctx, tx.SQL(), EntityOpportunity)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if out[i], err = r.opportunity(); err != nil {
			return nil, err
		}
		out[i].CustomFields = customfields.Visible(defs, out[i].CustomFields, phoneRegion)
	}
	return out, nil
}

// BoardOrder is the order of the opportunities of a board's stage.
type BoardOrder string

// The orders of a board: the newest first, or the soonest close date first
// (those without one last), then the newest.
const (
	OrderNewest    BoardOrder = "newest"
	OrderCloseDate BoardOrder = "closeDate"
)

// Board is a pipeline's opportunities by stage.
type Board struct {
	PipelineID string        `json:"pipelineId"`
	Columns    []BoardColumn `json:"columns"`
}

// BoardColumn is one stage of a board: how many opportunities the caller
// may see are in it, their amounts' totals per currency and the newest of
// them.
type BoardColumn struct {
	Stage         Stage         `json:"stage"`
	Count         int           `json:"count"`
	Totals        []Total       `json:"totals"`
	Opportunities []Opportunity `json:"opportunities"`
}

// Total is a sum of amounts in one currency, in its minor units: an
// integer of any size (a sum of int64 amounts may exceed one).
type Total struct {
	Currency string      `json:"currency"`
	Minor    json.Number `json:"minor"`
	Exponent int         `json:"exponent"`
}

// Board returns the board of the pipeline id: for each of its stages in
// order, the count and totals of the live opportunities p may see that f
// selects, and the first limit of them in order: the counts and totals
// from board_totals, the opportunities from the index opportunities_board
// (or opportunities_board_close).
func (s *Store) Board(ctx context.Context, tenant string, p auth.Principal, id string, f Filter, order BoardOrder, limit int) (*Board, error) {
	b := &Board{PipelineID: id}
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		pl, err := getPipeline(ctx, tx, id, false)
		if err != nil {
			return err
		}
		f.PipelineID, f.Deleted = id, false
		agg := &pgrecord.Query{}
		agg.Add("pipeline_id = ?", id)
		if f.OwnerID != "" {
			agg.Add("owner_id = ?", f.OwnerID)
		}
		if f.TeamID != "" {
			agg.Add("team_id = ?", f.TeamID)
		}
		Scope(agg, p, "")
		var sums []struct {
			StageID  string `db:"stage_id"`
			Currency string `db:"currency"`
			N        int    `db:"n"`
			Total    string `db:"total"`
		}
		if err := tx.SQL().SelectContext(ctx, &sums, `SELECT stage_id, currency, sum(n) AS n, sum(total)::text AS total
			FROM board_totals`+agg.Where()+" GROUP BY stage_id, currency HAVING sum(n) > 0 ORDER BY stage_id, currency", agg.Args...); err != nil {
			return fmt.Errorf("board totals: %w", pg.MapError(err))
		}
		// The newest ids of each stage by an index-only scan (what the
		// filters and the scope read is in the index), then their rows.
		cards := &pgrecord.Query{}
		cards.Add("t.pipeline_id = s.pipeline_id AND t.stage_id = s.id")
		filterOn(cards, f, "t.")
		Scope(cards, p, "t.")
		var rows []opportunityRow
		by := "id DESC"
		if order == OrderCloseDate {
			by = "close_date, id DESC" // ascending, nulls last: opportunities_board_close
		}
		if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+opportunityColumns+" FROM opportunities WHERE id IN (SELECT top.id FROM pipeline_stages s"+
			" CROSS JOIN LATERAL (SELECT t.id FROM opportunities t"+cards.Where()+" ORDER BY t."+by+" LIMIT "+strconv.Itoa(limit)+") top"+
			" WHERE s.pipeline_id = $"+strconv.Itoa(len(cards.Args)+1)+") ORDER BY "+by, append(cards.Args, id)...); err != nil {
			return fmt.Errorf("board cards: %w", pg.MapError(err))
		}
		list, err := opportunitiesOf(ctx, tx, rows)
		if err != nil {
			return err
		}
		for _, st := range pl.Stages {
			col := BoardColumn{Stage: st, Totals: []Total{}, Opportunities: []Opportunity{}}
			for _, sum := range sums {
				if sum.StageID != st.ID {
					continue
				}
				col.Count += sum.N
				if sum.Currency != "" {
					exp, _ := money.Exponent(sum.Currency)
					col.Totals = append(col.Totals, Total{Currency: sum.Currency, Minor: json.Number(sum.Total), Exponent: exp})
				}
			}
			for _, o := range list {
				if o.StageID == st.ID {
					col.Opportunities = append(col.Opportunities, o)
				}
			}
			b.Columns = append(b.Columns, col)
		}
		return nil
	})
	return b, err
}
