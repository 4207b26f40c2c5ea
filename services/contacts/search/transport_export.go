package search

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// The export formats.
const (
	// ExportCSV is RFC 4180 CSV in UTF-8 with a byte order mark (so that
	// spreadsheets read Chinese names right), one row per record.
	ExportCSV = "csv"
	// ExportNDJSON is one record per line, as the API shows it.
	ExportNDJSON = "ndjson"
)

// ErrBadExportFormat is returned for an unknown format parameter.
var ErrBadExportFormat = errs.New(errs.Invalid, "invalid-export-format", "format must be csv or ndjson")

// decodeExport reads an export: the list parameters but limit and cursor
// (see decodeList), and format.
func decodeExport(ctx context.Context, r *http.Request) (any, error) {
	format := r.URL.Query().Get("format")
	switch format {
	case "":
		format = ExportCSV
	case ExportCSV, ExportNDJSON:
	default:
		e := ErrBadExportFormat.WithDetail("format %q must be csv or ndjson", format)
		e.Fields = []errs.FieldError{{Field: "format", Reason: "must be csv or ndjson"}}
		return nil, e
	}
	q, err := decodeList(ctx, r)
	if err != nil {
		return nil, err
	}
	return exportRequest{Query: q.(ListQuery), Format: format}, nil
}

// encodeExport streams an export (streamExport).
func encodeExport(_ context.Context, w http.ResponseWriter, resp any) error {
	switch e := resp.(type) {
	case contactExport:
		return streamExport(w, "contacts", e.Format, contactVocabulary, e.Run)
	case accountExport:
		return streamExport(w, "accounts", e.Format, accountVocabulary, e.Run)
	}
	return fmt.Errorf("contacts: %T is no export", resp)
}

// streamExport writes the export that run produces as format: in CSV a
// column per exported name of the vocabulary, then one "customFields.<key>"
// column per custom field. *T is a record. Nothing is written before the
// service calls start, so an invalid query is still a problem response; an
// error after that aborts the response, so that a client never takes a
// cut-off export for a whole one.
func streamExport[T any](w http.ResponseWriter, name, format string, vocabulary []field,
	run func(start func([]customfields.Field) error, each func(*T) error) error) error {
	var cols []field
	for _, f := range vocabulary {
		if f.export != nil {
			cols = append(cols, f)
		}
	}
	var fields []customfields.Field
	var out *csv.Writer
	enc := json.NewEncoder(w)
	started := false
	start := func(fs []customfields.Field) error {
		fields, started = fs, true
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		if format == ExportNDJSON {
			h.Set("Content-Type", "application/x-ndjson")
			h.Set("Content-Disposition", `attachment; filename="`+name+`.ndjson"`)
			w.WriteHeader(http.StatusOK)
			return nil
		}
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write([]byte("\uFEFF")); err != nil {
			return err
		}
		out = csv.NewWriter(w)
		header := make([]string, 0, len(cols)+len(fields))
		for _, c := range cols {
			header = append(header, c.name)
		}
		for _, f := range fields {
			header = append(header, customfields.Prefix+f.Key)
		}
		return out.Write(header)
	}
	each := func(rec *T) error {
		if format == ExportNDJSON {
			return enc.Encode(rec)
		}
		row := make([]string, 0, len(cols)+len(fields))
		r := any(rec).(customer.Record)
		for _, c := range cols {
			row = append(row, importjob.CellText(c.export(r)))
		}
		custom := r.Base().CustomFields
		for _, f := range fields {
			row = append(row, importjob.CellText(customText(custom[f.Key])))
		}
		return out.Write(row)
	}
	err := run(start, each)
	if err == nil && out != nil {
		out.Flush()
		err = out.Error()
	}
	if err != nil && started {
		panic(http.ErrAbortHandler)
	}
	return err
}

// customText renders a custom field value: options of a multi select
// joined by ";", other values as they print.
func customText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, ";")
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		sort.Strings(parts)
		return strings.Join(parts, ";")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// joinEach joins f of every item with ";".
func joinEach[T any](items []T, f func(T) string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = f(it)
	}
	return strings.Join(parts, ";")
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// timeText formats t as the API does (RFC 3339 in UTC).
func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
