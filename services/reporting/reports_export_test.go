package reporting_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
)

// xlsxMedia is the media type of an XLSX workbook.
const xlsxMedia = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// The contract validator reads an XLSX report as the binary string the
// contract declares it to be.
func init() {
	openapi3filter.RegisterBodyDecoder(xlsxMedia, func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	})
}

func TestExportCSVAndXLSX(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	_, n, newest := e.funnelHistory(u.tenant, u.id, "someone-else")
	e.waitEvents(u.tenant, "sales", n)
	path := "/v1/reports/funnel?from=2026-01-01&to=2026-03-01"
	asOf := newest.Format(time.RFC3339Nano)

	t.Run("csv", func(t *testing.T) {
		r := e.want(e.do(u, http.MethodGet, path, nil, "Accept", "text/csv", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"), http.StatusOK)
		if !bytes.HasPrefix(r.Raw, []byte("\ufeff")) {
			t.Fatalf("no byte order mark: %q", r.Raw[:min(10, len(r.Raw))])
		}
		recs, err := csv.NewReader(bytes.NewReader(r.Raw[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 || recs[0][0] != "期间" || recs[0][2] != "线索" || strings.Join(recs[1], "|") != "2026-01-01||5|4|3|2|1|0.8000|0.7500|0.6667|0.5000" {
			t.Errorf("CSV: %q", recs)
		}
		if got := r.Header.Get("X-Report-As-Of"); got != asOf {
			t.Errorf("X-Report-As-Of %q, want %q", got, asOf)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "funnel") {
			t.Errorf("Content-Disposition %q", cd)
		}
		en := e.want(e.do(u, http.MethodGet, path, nil, "Accept", "text/csv", "Accept-Language", "en-GB,zh;q=0.5"), http.StatusOK)
		if !bytes.HasPrefix(en.Raw, []byte("\ufeffPeriod,Group,Leads")) {
			t.Errorf("English CSV: %q", en.Raw[:min(40, len(en.Raw))])
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		r := e.want(e.do(u, http.MethodGet, path, nil, "Accept", xlsxMedia, "Accept-Language", "zh"), http.StatusOK)
		if got := r.Header.Get("X-Report-As-Of"); got != asOf {
			t.Errorf("X-Report-As-Of %q, want %q", got, asOf)
		}
		if ct := r.Header.Get("Content-Type"); ct != xlsxMedia {
			t.Errorf("Content-Type %q", ct)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Raw))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		if sheet != "funnel" {
			t.Errorf("sheet %q", sheet)
		}
		cell := func(ref string) string {
			v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if cell("A1") != "期间" || cell("C1") != "线索" {
			t.Errorf("header %q %q", cell("A1"), cell("C1"))
		}
		for ref, want := range map[string]string{"C2": "5", "D2": "4", "C3": "3", "H2": "0.8", "K3": "1"} {
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber || cell(ref) != want {
				t.Errorf("%s: %q of type %v, want the number %s", ref, cell(ref), typ, want)
			}
		}
		if typ, _ := f.GetCellType(sheet, "A2"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("the period is text, not a date")
		}
		if v, _ := f.GetCellValue(sheet, "A2"); v != "2026-01-01" {
			t.Errorf("period shown as %q", v)
		}
		if cell("A5") != "数据截至" || cell("B5") != newest.Format(time.RFC3339) {
			t.Errorf("asOf row: %q %q", cell("A5"), cell("B5"))
		}
		style, err := f.GetCellStyle(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("the header is not bold")
		}
	})
}
