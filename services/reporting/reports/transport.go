package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// The formats a report is written in, by Accept.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

// The media types of CSV and XLSX.
const (
	MediaCSV  = "text/csv"
	MediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// AsOfHeader is the header that carries a report's asOf.
const AsOfHeader = "X-Report-As-Of"

// Routes returns reports' routes on s, each with its permission (reading:
// reporting:read). api/openapi.yaml documents each (Name is its
// operationId).
func Routes(s Service) []starter.Route {
	e := MakeEndpoints(s)
	return []starter.Route{
		{Name: "listReports", Method: "GET", Path: "/v1/reports", Permission: rm.PermRead, Endpoint: e.Catalogue},
		{Name: "getReport", Method: "GET", Path: "/v1/reports/{name}", Permission: rm.PermRead, Endpoint: e.Report,
			Decode: decodeReport, Encode: encodeReport},
		{Name: "listReportRecords", Method: "GET", Path: "/v1/reports/{name}/records", Permission: rm.PermRead,
			Endpoint: e.Records, Decode: decodeRecords, Encode: encodeRecords},
	}
}

// decodeReport reads a report's request: its name, query, the format
// Accept asks for and the language Accept-Language prefers.
func decodeReport(_ context.Context, r *http.Request) (any, error) {
	return reportRequest{Name: r.PathValue("name"), Query: r.URL.Query(), Format: formatOf(r.Header.Values("Accept")),
		Lang: langOf(r.Header.Get("Accept-Language"))}, nil
}

// decodeRecords reads a drill-down's request: the report's name and
// query, the figure's period, group and measure, and the limit.
func decodeRecords(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return RecordsQuery{Name: r.PathValue("name"), Period: q.Get(paramPeriod), Group: q.Get(paramGroup),
		Measure: q.Get(paramMeasure), Limit: limit, Query: q}, nil
}

// formatOf returns the format the Accept headers ask for: CSV or XLSX
// when they name one (the first named wins), else JSON.
func formatOf(accept []string) string {
	for _, h := range accept {
		for _, part := range strings.Split(h, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			switch mt {
			case MediaCSV:
				return formatCSV
			case MediaXLSX:
				return formatXLSX
			case "application/json":
				return formatJSON
			}
		}
	}
	return formatJSON
}

// langs are the languages of a report's headers, English first (the
// default).
var langs = language.NewMatcher([]language.Tag{language.English, language.Chinese})

// langOf returns "zh" when Accept-Language header prefers Chinese, else
// "en".
func langOf(header string) string {
	_, i := language.MatchStrings(langs, header)
	if i == 1 {
		return "zh"
	}
	return "en"
}

// encodeReport writes a report as JSON, CSV or XLSX, with its asOf in
// X-Report-As-Of. CSV streams from the computed table; XLSX's headers
// wait for its first byte (its rows are streamed into the workbook
// first), so that a failure building it is still a problem.
func encodeReport(ctx context.Context, w http.ResponseWriter, response any) error {
	r := response.(reportResponse)
	setAsOf(w, r.Result.AsOf)
	switch r.Format {
	case formatCSV:
		attachment(w, MediaCSV+"; charset=utf-8", r.Result, formatCSV)
		w.WriteHeader(http.StatusOK)
		return WriteCSV(w, r.Result, r.Lang)
	case formatXLSX:
		return WriteXLSX(&firstWrite{w: w, before: func() { attachment(w, MediaXLSX, r.Result, formatXLSX) }},
			[]Sheet{{Name: r.Result.Report, Result: r.Result}}, r.Lang)
	}
	return kitx.EncodeJSON(ctx, w, reportJSON(r.Result))
}

// firstWrite is w that runs before once, at its first write.
type firstWrite struct {
	w      io.Writer
	before func()
}

// Write implements io.Writer.
func (f *firstWrite) Write(p []byte) (int, error) {
	if f.before != nil {
		f.before()
		f.before = nil
	}
	return f.w.Write(p)
}

// attachment sets the headers of r as a file of media type media named
// <report>-<from>.<ext>.
func attachment(w http.ResponseWriter, media string, r Result, ext string) {
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": r.Report + "-" + r.From.Format(time.DateOnly) + "." + ext}))
}

// encodeRecords writes a drill-down as JSON with its asOf.
func encodeRecords(ctx context.Context, w http.ResponseWriter, response any) error {
	r := response.(Records)
	setAsOf(w, r.AsOf)
	return kitx.EncodeJSON(ctx, w, r)
}

// setAsOf sets X-Report-As-Of to asOf, unless nothing was applied.
func setAsOf(w http.ResponseWriter, asOf time.Time) {
	if !asOf.IsZero() {
		w.Header().Set(AsOfHeader, asOf.UTC().Format(time.RFC3339Nano))
	}
}

// reportBody is a report's JSON: its parameters, asOf, columns and rows
// (an object per row, keyed by column name).
type reportBody struct {
	Report   string     `json:"report"`
	From     time.Time  `json:"from"`
	To       time.Time  `json:"to"`
	Interval string     `json:"interval,omitempty"`
	GroupBy  string     `json:"groupBy"`
	Currency *string    `json:"currency,omitempty"`
	AsOf     *time.Time `json:"asOf"`
	Columns  []Column   `json:"columns"`
	Rows     []jsonRow  `json:"rows"`
}

// reportJSON is r as its JSON.
func reportJSON(r Result) reportBody {
	b := reportBody{Report: r.Report, From: r.From, To: r.To, Interval: r.Interval, GroupBy: r.GroupBy,
		Columns: r.Table.Columns, Rows: make([]jsonRow, len(r.Table.Rows))}
	if b.Columns == nil {
		b.Columns = []Column{}
	}
	if d, ok := Definitions()[r.Report]; ok && HasAmounts(d) {
		b.Currency = &r.Currency
	}
	if !r.AsOf.IsZero() {
		at := r.AsOf.UTC()
		b.AsOf = &at
	}
	for i, row := range r.Table.Rows {
		b.Rows[i] = jsonRow{cols: r.Table.Columns, values: row}
	}
	return b
}

// jsonRow is a row of a table as a JSON object, in the columns' order.
type jsonRow struct {
	cols   []Column
	values []any
}

// MarshalJSON implements json.Marshaler.
func (r jsonRow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range r.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(c.Name)
		b.Write(key)
		b.WriteByte(':')
		var v any
		if i < len(r.values) {
			v = jsonValue(r.values[i])
		}
		val, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
