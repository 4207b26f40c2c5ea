package leads

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// Store reads and writes leads; every write publishes its event through
// the outbox in its transaction.
type Store struct {
	db *outbox.DB
}

// NewStore returns the Store on db.
func NewStore(db *outbox.DB) *Store { return &Store{db: db} }

// row is a row of leads.
type row struct {
	ID                     string         `db:"id"`
	FirstName              string         `db:"first_name"`
	LastName               string         `db:"last_name"`
	Company                string         `db:"company"`
	Title                  string         `db:"title"`
	Email                  string         `db:"email"`
	Phone                  string         `db:"phone"`
	PhoneE164              string         `db:"phone_e164"`
	Source                 string         `db:"source"`
	CampaignID             *string        `db:"campaign_id"`
	Status                 string         `db:"status"`
	DisqualifiedReason     string         `db:"disqualified_reason"`
	Rating                 string         `db:"rating"`
	Score                  int            `db:"score"`
	ScoreReasons           []byte         `db:"score_reasons"`
	OwnerID                string         `db:"owner_id"`
	TeamID                 string         `db:"team_id"`
	AssignedByRuleID       *string        `db:"assigned_by_rule_id"`
	AssignmentReason       string         `db:"assignment_reason"`
	ConvertedContactID     *string        `db:"converted_contact_id"`
	ConvertedAccountID     *string        `db:"converted_account_id"`
	ConvertedOpportunityID *string        `db:"converted_opportunity_id"`
	ConvertedAt            *time.Time     `db:"converted_at"`
	CreatedAt              time.Time      `db:"created_at"`
	UpdatedAt              time.Time      `db:"updated_at"`
	Version                int64          `db:"version"`
	DeletedAt              *time.Time     `db:"deleted_at"`
	Tags                   pq.StringArray `db:"tags"`
	CustomFields           []byte         `db:"custom_fields"`
}

// columns are the columns of a row, in the order save binds them.
const columns = `id, first_name, last_name, company, title, email, phone, phone_e164, source, campaign_id, status, disqualified_reason,
	rating, score, score_reasons, owner_id, team_id, assigned_by_rule_id, assignment_reason, converted_contact_id, converted_account_id,
	converted_opportunity_id, converted_at, created_at, updated_at, version, deleted_at, tags, custom_fields`

// utc is t in UTC, nil for nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// lead is the Lead of r.
func (r row) lead() (Lead, error) {
	l := Lead{ID: r.ID, FirstName: r.FirstName, LastName: r.LastName, Company: r.Company, Title: r.Title, Email: r.Email, Phone: r.Phone,
		PhoneE164: r.PhoneE164, Source: r.Source, CampaignID: pgrecord.Deref(r.CampaignID), Status: r.Status, DisqualifiedReason: r.DisqualifiedReason,
		Rating: r.Rating, Score: r.Score, OwnerID: r.OwnerID, TeamID: r.TeamID, AssignedByRuleID: pgrecord.Deref(r.AssignedByRuleID),
		AssignmentReason: r.AssignmentReason, ConvertedContactID: pgrecord.Deref(r.ConvertedContactID), ConvertedAccountID: pgrecord.Deref(r.ConvertedAccountID),
		ConvertedOpportunityID: pgrecord.Deref(r.ConvertedOpportunityID), ConvertedAt: utc(r.ConvertedAt), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version, DeletedAt: utc(r.DeletedAt), Tags: append([]string{}, r.Tags...)}
	if err := json.Unmarshal(r.ScoreReasons, &l.ScoreReasons); err != nil {
		return l, fmt.Errorf("read score reasons: %w", err)
	}
	if err := json.Unmarshal(r.CustomFields, &l.CustomFields); err != nil {
		return l, fmt.Errorf("read custom fields: %w", err)
	}
	return l, nil
}

// leadsOf is the Leads of rows as a read shows them: only the custom
// field values with a definition they are valid for (customfields.Visible),
// read in tx.
func leadsOf(ctx context.Context, tx *outbox.Tx, rows []row) ([]Lead, error) {
	out := make([]Lead, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	defs, err := fieldStore.Defs(ctx, tx.SQL(), EntityLead)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if out[i], err = r.lead(); err != nil {
			return nil, err
		}
		out[i].CustomFields = customfields.Visible(defs, out[i].CustomFields, storedRegion)
	}
	return out, nil
}

// save inserts or updates l's row.
func save(ctx context.Context, tx *outbox.Tx, l *Lead, insert bool) error {
	reasons, err := json.Marshal(l.ScoreReasons)
	if err != nil {
		return err
	}
	values, err := json.Marshal(l.CustomFields)
	if err != nil {
		return err
	}
	keys := make([]string, len(l.Tags))
	for i, t := range l.Tags {
		keys[i] = strings.ToLower(t)
	}
	args := []any{l.ID, l.FirstName, l.LastName, l.Company, l.Title, l.Email, l.Phone, l.PhoneE164, l.Source, pgrecord.OrNull(l.CampaignID), l.Status,
		l.DisqualifiedReason, l.Rating, l.Score, string(reasons), l.OwnerID, l.TeamID, pgrecord.OrNull(l.AssignedByRuleID), l.AssignmentReason,
		pgrecord.OrNull(l.ConvertedContactID), pgrecord.OrNull(l.ConvertedAccountID), pgrecord.OrNull(l.ConvertedOpportunityID), l.ConvertedAt, l.CreatedAt, l.UpdatedAt,
		l.Version, l.DeletedAt, pq.StringArray(l.Tags), pq.StringArray(keys), string(values)}
	q := `UPDATE leads SET first_name = $2, last_name = $3, company = $4, title = $5, email = $6, phone = $7, phone_e164 = $8, source = $9,
		campaign_id = $10, status = $11, disqualified_reason = $12, rating = $13, score = $14, score_reasons = $15, owner_id = $16, team_id = $17,
		assigned_by_rule_id = $18, assignment_reason = $19, converted_contact_id = $20, converted_account_id = $21, converted_opportunity_id = $22,
		converted_at = $23, created_at = $24, updated_at = $25, version = $26, deleted_at = $27, tags = $28, tag_keys = $29,
		custom_fields = $30 WHERE id = $1`
	if insert {
		q = `INSERT INTO leads (tenant_id, ` + columns + `, tag_keys) VALUES (` + pgrecord.CurrentTenant +
			`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27,
			$28, $30, $29)`
	}
	if _, err := tx.Prepared().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save lead: %w", pg.MapError(err))
	}
	return nil
}

// get reads the lead id, locking it when lock.
func get(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Lead, error) {
	var r row
	if err := pgrecord.GetRow(ctx, tx, &r, "leads", columns, id, lock, ErrNotFound, "lead"); err != nil {
		return nil, err
	}
	l, err := leadsOf(ctx, tx, []row{r})
	if err != nil {
		return nil, err
	}
	return &l[0], nil
}

// Create stores the lead prepare makes of the tenant's default phone region
// ("" for international numbers only), read in the transaction, and
// publishes lead.created, returning the lead and the ids of the live leads
// p may see that share its email or phone (Duplicates), newest first. The
// lead's custom field values are checked against the tenant's custom
// fields of leads, read in the transaction, their phones read in the
// region. When ctx asks for it (WithAssignment), the assignment rules give
// the lead its owner in the transaction, and lead.assigned follows
// lead.created. One transaction does it all: a create reads nothing
// before it.
func (s *Store) Create(ctx context.Context, p auth.Principal, prepare func(region string) (*Lead, error)) (l *Lead, duplicates []string, err error) {
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		region, err := regionIn(ctx, tx)
		if err != nil {
			return err
		}
		if l, err = prepare(region); err != nil {
			return err
		}
		duplicates, err = createIn(ctx, tx, p, l, fieldsIn(region))
		return err
	})
	return l, duplicates, err
}

// createIn is Create in tx, a transaction of p's tenant: the one way a
// lead is created, by the API and by a CSV import in the transaction of
// its chunk of rows (ImportDomain).
func createIn(ctx context.Context, tx *outbox.Tx, p auth.Principal, l *Lead, check func(*Lead, Fields) error) ([]string, error) {
	defs, err := fieldStore.Defs(ctx, tx.Prepared(), EntityLead)
	if err != nil {
		return nil, err
	}
	if err := check(l, defs); err != nil {
		return nil, err
	}
	if err := scoreIn(ctx, tx, 0, l); err != nil {
		return nil, err
	}
	if err := save(ctx, tx, l, true); err != nil {
		return nil, err
	}
	assigned, err := assignCreated(ctx, tx, l)
	if err != nil {
		return nil, err
	}
	duplicates, err := duplicatesOf(ctx, tx, p, l)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Publish(ctx, tx.Prepared(), pgstore.EntityLead, pgstore.VerbCreated, []string{l.ID}, []any{l}, nil); err != nil {
		return nil, err
	}
	return duplicates, assigned()
}

// Lead reads a lead, deleted or not.
func (s *Store) Lead(ctx context.Context, tenant, id string) (l *Lead, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		l, err = get(ctx, tx, id, false)
		return err
	})
	return l, err
}

// Update changes the lead id in a transaction of tenant (pgrecord.Update):
// it locks and reads the lead, change returns what it becomes and what
// happened (pgrecord.Updated for an update; VerbDeleted and VerbRestored
// for a soft delete and a restore, which write the lead as change left
// it), and unless nothing did, the lead is written and its event goes to
// the outbox in the same transaction. It is the one way a lead changes:
// assignment, scoring and conversion write their fields through it.
func (s *Store) Update(ctx context.Context, tenant, id string, change func(current *Lead) (*Lead, pgrecord.Change, error)) (*Lead, pgrecord.Change, error) {
	return s.update(ctx, tenant, id, func(current *Lead, _ Fields) (*Lead, pgrecord.Change, error) { return change(current) })
}

// update is Update whose change has the tenant's custom fields of leads,
// read in the transaction.
func (s *Store) update(ctx context.Context, tenant, id string, change func(current *Lead, defs Fields) (*Lead, pgrecord.Change, error)) (out *Lead, ch pgrecord.Change, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, ch, err = updateIn(ctx, tx, id, change)
		return err
	})
	return out, ch, err
}

// patch is update whose change also has the tenant's default phone
// region, read in the same transaction: a PATCH of the API.
func (s *Store) patch(ctx context.Context, tenant, id string, change func(current *Lead, defs Fields, region string) (*Lead, pgrecord.Change, error)) (out *Lead, ch pgrecord.Change, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		region, err := regionIn(ctx, tx)
		if err != nil {
			return err
		}
		out, ch, err = updateIn(ctx, tx, id, func(current *Lead, defs Fields) (*Lead, pgrecord.Change, error) {
			return change(current, defs, region)
		})
		return err
	})
	return out, ch, err
}

// updateIn is update in tx, a transaction of the lead's tenant
// (pgrecord.UpdateIn): the one way a lead changes, by the API and by a CSV
// import in the transaction of its chunk of rows (ImportDomain). What the
// change makes of the lead is scored in the transaction (rescored), but
// for a deletion.
func updateIn(ctx context.Context, tx *outbox.Tx, id string, change func(current *Lead, defs Fields) (*Lead, pgrecord.Change, error)) (*Lead, pgrecord.Change, error) {
	var next *Lead
	var defs Fields
	rows := pgrecord.Rows[*Lead]{
		Entity: pgstore.EntityLead,
		Lock: func(ctx context.Context, tx *outbox.Tx, id string) (l *Lead, err error) {
			if defs, err = fieldStore.Defs(ctx, tx.SQL(), EntityLead); err != nil {
				return nil, err
			}
			return get(ctx, tx, id, true)
		},
		Write: func(ctx context.Context, tx *outbox.Tx, _, next *Lead) error { return save(ctx, tx, next, false) },
		// A lead is deleted softly: its deletedAt is written.
		Delete: func(ctx context.Context, tx *outbox.Tx, _ string) error { return save(ctx, tx, next, false) },
	}
	return pgrecord.UpdateIn(ctx, tx, id, rows, func(current *Lead) (*Lead, pgrecord.Change, error) {
		n, ch, err := change(current, defs)
		if err == nil {
			n, ch, err = rescored(ctx, tx, current, n, ch)
		}
		next = n
		return n, ch, err
	})
}

// Filter selects leads: each set field must match; Query is a prefix of
// the first or last name, the company or the email, regardless of case.
type Filter struct {
	Status, OwnerID, TeamID, Source, Rating, Query string
	// Tag selects the leads with the tag, regardless of case.
	Tag string
	// Deleted selects the deleted leads instead of the live ones.
	Deleted bool
}

// likePrefix is s as a LIKE pattern of the strings that start with it, in
// lower case.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%"
}

// List returns up to limit leads p may see that f selects, newest first,
// after the id after ("" from the first).
func (s *Store) List(ctx context.Context, p auth.Principal, f Filter, after string, limit int) (out []Lead, err error) {
	q := &pgrecord.Query{}
	if f.Deleted {
		q.Add("deleted_at IS NOT NULL")
	} else {
		q.Add("deleted_at IS NULL")
	}
	for _, c := range []struct{ col, v string }{{"status", f.Status}, {"owner_id", f.OwnerID}, {"team_id", f.TeamID}, {"source", f.Source}, {"rating", f.Rating}} {
		if c.v != "" {
			q.Add(c.col+" = ?", c.v)
		}
	}
	if f.Tag != "" {
		q.Add("tag_keys @> ?", pq.StringArray{strings.ToLower(f.Tag)})
	}
	if f.Query != "" {
		q.Add("(lower(last_name) LIKE ? OR lower(first_name) LIKE ? OR lower(company) LIKE ? OR email_key LIKE ?)",
			likePrefix(f.Query), likePrefix(f.Query), likePrefix(f.Query), likePrefix(f.Query))
	}
	deals.Scope(q, p, "")
	if after != "" {
		q.Add("id < ?", after)
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		var rs []row
		if err := tx.SQL().SelectContext(ctx, &rs, "SELECT "+columns+" FROM leads WHERE "+strings.Join(q.Conds, " AND ")+
			" ORDER BY id DESC LIMIT "+strconv.Itoa(limit), q.Args...); err != nil {
			return fmt.Errorf("list leads: %w", pg.MapError(err))
		}
		out, err = leadsOf(ctx, tx, rs)
		return err
	})
	return out, err
}

// Duplicates returns the live leads p may see, other than l, that share
// l's email (regardless of case) or phone (E.164), newest first.
func (s *Store) Duplicates(ctx context.Context, p auth.Principal, l *Lead) (out []Lead, err error) {
	out = []Lead{}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		q, ok := duplicateQuery(p, l)
		if !ok {
			return nil
		}
		var rs []row
		if err := tx.SQL().SelectContext(ctx, &rs, "SELECT "+columns+" FROM leads WHERE "+strings.Join(q.Conds, " AND ")+
			" ORDER BY id DESC LIMIT "+strconv.Itoa(maxDuplicates), q.Args...); err != nil {
			return fmt.Errorf("lead duplicates: %w", pg.MapError(err))
		}
		out, err = leadsOf(ctx, tx, rs)
		return err
	})
	return out, err
}

// maxDuplicates bounds the duplicates of one lead that are listed.
const maxDuplicates = 100

// duplicateQuery is the condition of l's duplicates p may see; false when
// l has neither email nor phone.
func duplicateQuery(p auth.Principal, l *Lead) (*pgrecord.Query, bool) {
	q := &pgrecord.Query{}
	switch {
	case l.Email != "" && l.PhoneE164 != "":
		q.Add("(email_key = ? OR phone_e164 = ?)", strings.ToLower(l.Email), l.PhoneE164)
	case l.Email != "":
		q.Add("email_key = ?", strings.ToLower(l.Email))
	case l.PhoneE164 != "":
		q.Add("phone_e164 = ?", l.PhoneE164)
	default:
		return nil, false
	}
	q.Add("deleted_at IS NULL")
	q.Add("id <> ?", l.ID)
	deals.Scope(q, p, "")
	return q, true
}

// duplicatesOf returns the ids of l's duplicates p may see, in tx.
func duplicatesOf(ctx context.Context, tx *outbox.Tx, p auth.Principal, l *Lead) ([]string, error) {
	out := []string{}
	q, ok := duplicateQuery(p, l)
	if !ok {
		return out, nil
	}
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT id FROM leads WHERE "+strings.Join(q.Conds, " AND ")+
		" ORDER BY id DESC LIMIT "+strconv.Itoa(maxDuplicates), q.Args...); err != nil {
		return nil, fmt.Errorf("lead duplicates: %w", pg.MapError(err))
	}
	return out, nil
}
