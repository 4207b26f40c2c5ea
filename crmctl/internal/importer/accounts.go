package importer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rapport-crm/rapport/crmctl/internal/session"
)

// accountWorkers is how many accounts are created at once.
const accountWorkers = 8

// accountFields are the fields a column of an accounts file may fill, as
// the accounts' export names them; tags take several values separated by
// ";", customFields.<key> any custom field.
var accountFields = []string{"name", "domain", "industry", "sizeBand", "ownerId", "teamId", "tags", "parentAccountId",
	"billingAddress.street", "billingAddress.city", "billingAddress.region", "billingAddress.postalCode", "billingAddress.country",
	"shippingAddress.street", "shippingAddress.city", "shippingAddress.region", "shippingAddress.postalCode", "shippingAddress.country"}

// accountRow is one row of the file to create, numbered as a spreadsheet
// numbers it (the header is row 1).
type accountRow struct {
	n     int64
	cells []string
}

// rowError is one line of the error report.
type rowError struct {
	row                   int64
	column, value, reason string
}

// importAccounts creates an account per row of the file through POST
// /v1/accounts, accountWorkers at a time, each with an Idempotency-Key of
// this run and its row; the rows refused go to the error report beside the
// file.
func importAccounts(ctx context.Context, c *session.Client, o Options) (Result, error) {
	res := Result{State: "completed"}
	f, err := os.Open(o.File)
	if err != nil {
		return res, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return res, err
	}
	bar := newBar(o.Progress, info.Size(), "importing", "")
	defer bar.Exit()
	reader := progressbar.NewReader(f, bar)
	r := csv.NewReader(&reader)
	r.FieldsPerRecord, r.ReuseRecord = -1, false
	header, err := r.Read()
	if err != nil {
		return res, fmt.Errorf("%s: the header row: %w", o.File, err)
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	cols, err := accountColumns(header, o.Mapping)
	if err != nil {
		return res, err
	}
	run := make([]byte, 8)
	_, _ = rand.Read(run)
	rows := make(chan accountRow, accountWorkers)
	var (
		mu       sync.Mutex
		failures []rowError
		created  atomic.Int64
		wg       sync.WaitGroup
	)
	began := time.Now()
	for range accountWorkers {
		wg.Go(func() {
			for row := range rows {
				errs := createAccount(ctx, c, hex.EncodeToString(run), header, cols, row)
				if errs == nil {
					created.Add(1)
					continue
				}
				mu.Lock()
				failures = append(failures, errs...)
				mu.Unlock()
			}
		})
	}
	n := int64(1)
	for ctx.Err() == nil {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		n++
		if err != nil {
			mu.Lock()
			failures = append(failures, rowError{row: n, reason: err.Error()})
			mu.Unlock()
			continue
		}
		rows <- accountRow{n: n, cells: cells}
	}
	close(rows)
	wg.Wait()
	res.RowsRead, res.Created = n-1, created.Load()
	res.Failed = res.RowsRead - res.Created
	res.RowsPerSecond = float64(res.RowsRead) / time.Since(began).Seconds()
	if ctx.Err() != nil {
		return res, fmt.Errorf("interrupted after %d rows of %s: the accounts created stay (run it again: they come back as duplicates in the error report)", res.RowsRead, o.File)
	}
	_ = bar.Finish()
	if len(failures) > 0 {
		res.ErrorFile = ErrorFile(o.File)
		return res, writeAccountErrors(res.ErrorFile, failures)
	}
	return res, nil
}

// accountColumns returns the field each column of header fills ("" for
// none): mapping's, or with no mapping each column named as a field.
func accountColumns(header []string, mapping map[string]string) ([]string, error) {
	known := func(f string) bool { return slices.Contains(accountFields, f) || strings.HasPrefix(f, "customFields.") }
	cols := make([]string, len(header))
	if mapping == nil {
		for i, h := range header {
			if known(h) {
				cols[i] = h
			}
		}
		if !slices.Contains(cols, "name") {
			return nil, fmt.Errorf("%w: no column is called name; map one with --mapping 'Company=name'", ErrBadMapping)
		}
		return cols, nil
	}
	for name, field := range mapping {
		i := slices.Index(header, name)
		switch {
		case i < 0:
			return nil, fmt.Errorf("%w: no column of the header is called %q", ErrBadMapping, name)
		case field != "" && !known(field):
			return nil, fmt.Errorf("%w: %q is no field of accounts; one of %s or customFields.<key>", ErrBadMapping, field, strings.Join(accountFields, ", "))
		}
		cols[i] = field
	}
	return cols, nil
}

// createAccount creates the account of row and returns the row's faults
// (nil once created).
func createAccount(ctx context.Context, c *session.Client, run string, header, cols []string, row accountRow) []rowError {
	body := map[string]any{}
	for i, field := range cols {
		if field == "" || i >= len(row.cells) || strings.TrimSpace(row.cells[i]) == "" {
			continue
		}
		setPath(body, field, strings.TrimSpace(row.cells[i]))
	}
	b, err := json.Marshal(body)
	if err != nil {
		return []rowError{{row: row.n, reason: err.Error()}}
	}
	h := http.Header{"Idempotency-Key": {"crmctl-" + run + "-" + strconv.FormatInt(row.n, 10)}}
	resp, err := c.Do(ctx, http.MethodPost, "/v1/accounts", b, h)
	if err != nil {
		return []rowError{{row: row.n, reason: err.Error()}}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	err = session.Check(resp.StatusCode, answer)
	var p *session.Problem
	if !errors.As(err, &p) {
		return nil
	}
	if len(p.Errors) == 0 {
		return []rowError{{row: row.n, reason: p.Error()}}
	}
	out := make([]rowError, 0, len(p.Errors))
	for _, fe := range p.Errors {
		e := rowError{row: row.n, reason: fe.Reason}
		field := strings.ReplaceAll(strings.TrimPrefix(fe.Field, "/"), "/", ".")
		if i := slices.Index(cols, field); i >= 0 {
			e.column, e.value = header[i], row.cells[i]
		}
		out = append(out, e)
	}
	return out
}

// setPath sets body's member at the dotted path to value; tags take a list
// of the cell's ";"-separated names.
func setPath(body map[string]any, path, value string) {
	if path == "tags" {
		var tags []string
		for t := range strings.SplitSeq(value, ";") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		body["tags"] = tags
		return
	}
	head, rest, nested := strings.Cut(path, ".")
	if !nested {
		body[path] = value
		return
	}
	child, _ := body[head].(map[string]any)
	if child == nil {
		child = map[string]any{}
		body[head] = child
	}
	child[rest] = value
}

// writeAccountErrors writes the error report as the import jobs' is
// written: UTF-8 with a byte order mark, row, column, value and reason, in
// the order of the rows.
func writeAccountErrors(path string, failures []rowError) error {
	slices.SortStableFunc(failures, func(a, b rowError) int { return int(a.row - b.row) })
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"row", "column", "value", "reason"})
	for _, f := range failures {
		_ = w.Write([]string{strconv.FormatInt(f.row, 10), f.column, f.value, f.reason})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return writeFileFrom(path, &buf)
}
