package importjob

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Provenance is what an import did to a record: which import (its file,
// who started it, its state), from which row of the file (the header is
// row 1), what it did (created or updated) and when. The row's values are
// not kept: a file is removed when its import ends.
type Provenance struct {
	ImportID  string    `json:"importId" db:"import_id"`
	RecordID  string    `json:"recordId" db:"record_id"`
	FileName  string    `json:"fileName" db:"file_name"`
	Row       int64     `json:"row" db:"row_no"`
	Action    string    `json:"action" db:"action"`
	At        time.Time `json:"at" db:"at"`
	CreatedBy string    `json:"createdBy" db:"created_by"`
	State     string    `json:"state" db:"state"`
}

// NoteRecords notes, in tx (a transaction of the tenant), that rows of
// import importID changed the records ids (rows[i] changed ids[i]) with
// action (ActionCreated or ActionUpdated) at at: the records' Provenance.
func NoteRecords(ctx context.Context, tx sqlx.ExecerContext, importID string, ids []string, rows []int64, action string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO import_records (tenant_id, record_id, import_id, row_no, action, at)
		SELECT `+currentTenant+`, q.id, $1, q.row_no, $2, $3 FROM unnest($4::uuid[], $5::bigint[]) q(id, row_no)`,
		importID, action, at, pq.StringArray(ids), pq.Array(rows))
	if err != nil {
		return fmt.Errorf("note imported records: %w", pg.MapError(err))
	}
	return nil
}

// ProvenanceOf returns what imports did to the records ids, oldest first,
// in tx: a personal-data export's provenance.
func ProvenanceOf(ctx context.Context, tx sqlx.QueryerContext, ids []string) ([]Provenance, error) {
	out := []Provenance{}
	err := sqlx.SelectContext(ctx, tx, &out, `SELECT r.import_id, r.record_id, i.file_name, r.row_no, r.action, r.at, i.created_by, i.state
		FROM unnest($1::uuid[]) x(id)
		CROSS JOIN LATERAL (SELECT import_id, record_id, row_no, action, at FROM import_records WHERE record_id = x.id) r
		JOIN imports i ON i.id = r.import_id
		ORDER BY r.at, r.import_id, r.row_no`, pq.StringArray(ids))
	if err != nil {
		return nil, fmt.Errorf("read import provenance: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// EraseRows readies the imports' data about some records for their
// erasure, in tx, given provenance, their ProvenanceOf: while an import
// that wrote one of them has not ended, its stored file still holds the
// row, and the erasure is refused (ErrImportRunning); otherwise, in the
// error reports of those imports (other rows of the file may repeat the
// person: a duplicate row's email; a malformed row's value is its text),
// it blanks every value holding one of values (the person's addresses,
// numbers and names, in any case) and returns how many.
func EraseRows(ctx context.Context, tx sqlx.ExecerContext, provenance []Provenance, values []string) (int64, error) {
	var imports pq.StringArray
	for _, p := range provenance {
		if !Final(p.State) {
			return 0, ErrImportRunning.WithDetail("import %s, which %s the record, has not ended: erase the record once it has, or cancel it",
				p.ImportID, p.Action)
		}
		imports = append(imports, p.ImportID)
	}
	lowered := make(pq.StringArray, 0, len(values))
	for _, v := range values {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			lowered = append(lowered, v)
		}
	}
	if len(imports) == 0 || len(lowered) == 0 {
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE import_errors e SET value = ''
		FROM (SELECT DISTINCT x.id FROM unnest($1::uuid[]) x(id)) i
		WHERE e.import_id = i.id AND e.value <> ''
			AND EXISTS (SELECT 1 FROM unnest($2::text[]) v(value) WHERE strpos(lower(e.value), v.value) > 0)`, imports, lowered)
	if err != nil {
		return 0, fmt.Errorf("erase import errors: %w", pg.MapError(err))
	}
	return res.RowsAffected()
}
