package audience

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Bounds of a CSV import: its rows, and the unknown rows it lists.
const (
	maxImportRows     = 100000
	maxUnknownListed  = 100
	importColumnEmail = "email"
	importColumnID    = "id"
)

// ErrBadCSV is an import whose CSV cannot be read, or has no email or id
// column.
var ErrBadCSV = errs.New(errs.Invalid, "invalid-csv", "the CSV cannot be imported")

// Imported is the outcome of a CSV import into a list: its data rows,
// how many contacts entered the list, how many were in it already, and
// the rows naming no contact of the audience (their count, and the first
// 100 of their row numbers, the header being row 1).
type Imported struct {
	Rows           int   `json:"rows"`
	Added          int   `json:"added"`
	AlreadyMembers int   `json:"alreadyMembers"`
	Unknown        int   `json:"unknown"`
	UnknownRows    []int `json:"unknownRows"`
}

// importRow is a data row of an import: its row number and its key (a
// lower-cased email or contact id).
type importRow struct {
	line int
	key  string
}

// readImport reads a CSV with a header naming an email or an id column
// (case-insensitive; email wins when it has both) and returns the column
// used and each data row's key.
func readImport(r io.Reader) (column string, rows []importRow, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return "", nil, badCSV("the CSV has no header row")
	}
	at := -1
	for _, want := range []string{importColumnEmail, importColumnID, "contactid"} {
		if at = slices.IndexFunc(header, func(h string) bool {
			return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), want)
		}); at >= 0 {
			column = want
			break
		}
	}
	if at < 0 {
		return "", nil, badCSV("the header has no email or id column")
	}
	if column == "contactid" {
		column = importColumnID
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return column, rows, nil
		}
		if err != nil {
			return "", nil, badCSV("row %d cannot be read", line)
		}
		if len(rows) == maxImportRows {
			return "", nil, badCSV("the CSV has more than %d rows", maxImportRows)
		}
		key := ""
		if at < len(rec) {
			key = strings.TrimSpace(rec[at])
		}
		rows = append(rows, importRow{line: line, key: strings.ToLower(key)})
	}
}

// badCSV is ErrBadCSV naming the body.
func badCSV(format string, args ...any) error {
	e := ErrBadCSV.WithDetail(format, args...)
	e.Fields = []errs.FieldError{{Field: "body", Reason: e.Message}}
	return e
}

// Import adds the contacts a CSV names (by email or id) to the static
// list id.
func (s *Service) Import(ctx context.Context, id string, body io.Reader) (out Imported, err error) {
	column, rows, err := readImport(body)
	if err != nil {
		return out, err
	}
	out.Rows, out.UnknownRows = len(rows), []int{}
	err = s.segmentTx(ctx, id, true, func(tx *outbox.Tx, seg Segment) error {
		if seg.Kind != KindStatic {
			return ErrNotStatic
		}
		found, err := resolveRows(ctx, tx, column, rows)
		if err != nil {
			return err
		}
		var want []string
		for _, r := range rows {
			if c, ok := found[r.key]; ok {
				want = append(want, c)
				continue
			}
			out.Unknown++
			if len(out.UnknownRows) < maxUnknownListed {
				out.UnknownRows = append(out.UnknownRows, r.line)
			}
		}
		slices.Sort(want)
		added, err := s.addKnown(ctx, tx, id, slices.Compact(want))
		out.Added, out.AlreadyMembers = added.Added, added.AlreadyMembers
		return err
	})
	return out, err
}

// resolveRows maps the rows' keys to the audience's contact ids.
func resolveRows(ctx context.Context, tx *outbox.Tx, column string, rows []importRow) (map[string]string, error) {
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.key != "" && (column == importColumnEmail || ids.Valid(r.key)) {
			keys = append(keys, r.key)
		}
	}
	if column == importColumnEmail {
		return contactsByEmail(ctx, tx, keys)
	}
	known, err := existingContacts(ctx, tx, keys)
	out := make(map[string]string, len(known))
	for _, k := range known {
		out[k] = k
	}
	return out, err
}
