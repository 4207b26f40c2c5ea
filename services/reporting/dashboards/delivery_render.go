package dashboards

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/reporting/reports"
)

// The content types of the attachments.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv"
)

// report is a schedule's mail: its subject, its text and its
// attachments.
type report struct {
	Subject     string
	Text        string
	Attachments []attachment
}

// attachment is a file of a mail.
type attachment struct {
	Name, ContentType string
	Data              []byte
}

// part is a report a schedule mails: a widget of its dashboard, or its
// own report.
type part struct {
	Title, Report string
	Params        map[string]string
}

// render computes what sc mails at its due time due, as p sees it in tx:
// each report run with reports.Run, as one XLSX workbook with a sheet per
// report (<name>-<date>.xlsx) or a CSV file per report
// (<name>-<title>-<date>.csv; <name>-<date>.csv for one report).
func render(ctx context.Context, tx *outbox.Tx, sc Schedule, p auth.Principal, due time.Time) (report, error) {
	parts := []part{{Title: sc.Name, Report: sc.Report, Params: sc.Params}}
	if sc.DashboardID != "" {
		d, err := Visible(ctx, tx, p, sc.DashboardID)
		if errs.KindOf(err) == errs.NotFound {
			return report{}, fmt.Errorf("the dashboard %s is gone, or no longer shared with the schedule's owner", sc.DashboardID)
		}
		if err != nil {
			return report{}, err
		}
		parts = parts[:0]
		for _, w := range d.Widgets {
			parts = append(parts, part{Title: w.Title, Report: w.Report, Params: w.Params})
		}
	}
	date := due.UTC().Format(time.DateOnly)
	out := report{Subject: sc.Name + " — " + date}
	var text strings.Builder
	fmt.Fprintf(&text, "%s, as of %s UTC.\n\n", sc.Name, due.UTC().Format("2006-01-02 15:04"))
	sheets := make([]reports.Sheet, 0, len(parts))
	for _, pt := range parts {
		q := url.Values{}
		for k, v := range pt.Params {
			q.Set(k, v)
		}
		r, err := reports.Run(ctx, tx.SQL(), pt.Report, q, p)
		if err != nil {
			return report{}, fmt.Errorf("%s (%s): %w", pt.Title, pt.Report, err)
		}
		fmt.Fprintf(&text, "- %s: %s, %s to %s, %d rows\n", pt.Title, pt.Report, r.From.Format(time.DateOnly),
			r.To.Format(time.DateOnly), len(r.Table.Rows))
		sheets = append(sheets, reports.Sheet{Name: pt.Title, Result: r})
	}
	if len(parts) == 0 {
		text.WriteString("The dashboard has no widgets.\n")
	}
	switch sc.Format {
	case "csv":
		for _, s := range sheets {
			var buf bytes.Buffer
			if err := reports.WriteCSV(&buf, s.Result, sc.Language); err != nil {
				return report{}, fmt.Errorf("write %s as CSV: %w", s.Name, err)
			}
			name := sc.Name + "-" + s.Name + "-" + date + ".csv"
			if sc.DashboardID == "" {
				name = sc.Name + "-" + date + ".csv"
			}
			out.Attachments = append(out.Attachments, attachment{Name: fileName(name), ContentType: csvType, Data: buf.Bytes()})
		}
	default:
		var buf bytes.Buffer
		if err := reports.WriteXLSX(&buf, sheets, sc.Language); err != nil {
			return report{}, fmt.Errorf("write the workbook: %w", err)
		}
		out.Attachments = []attachment{{Name: fileName(sc.Name + "-" + date + ".xlsx"), ContentType: xlsxType, Data: buf.Bytes()}}
	}
	out.Text = text.String()
	return out, nil
}

// fileName is name fit for an attachment's file name: no path
// separators, quotes or control characters.
func fileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, name)
}
