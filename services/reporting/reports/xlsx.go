package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Sheet is a sheet of a workbook: its name and the report it shows.
type Sheet struct {
	Name   string
	Result Result
}

// asOfLabel is the label of a sheet's last row, by language.
var asOfLabel = map[string]string{"en": "As of", "zh": "数据截至"}

// WriteXLSX writes sheets to w as an XLSX workbook, one sheet each, rows
// streamed (excelize's StreamWriter keeps memory flat however many rows):
// a bold header of the columns' labels in lang ("en" or "zh"), then the
// rows as typed cells (counts and durations as numbers, money and
// decimals as numbers with their digits, percents as percentages,
// periods as dates, undefined as empty), and last a row with asOf.
func WriteXLSX(w io.Writer, sheets []Sheet, lang string) error {
	f := excelize.NewFile()
	defer f.Close() //nolint:errcheck // the workbook is written or failed by then
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, s := range sheets {
		name := sheetName(s.Name, i, used)
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("reports: sheet %q: %w", name, err)
		}
		if err := writeSheet(f, name, s.Result, lang, st); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// styles are a workbook's cell styles: the header's, a date's, a
// percent's, and money's by exponent (made as needed).
type styles struct {
	f                     *excelize.File
	header, date, percent int
	money                 map[int]int
}

// newStyles makes f's styles.
func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, money: map[int]int{}}
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	dateFmt := "yyyy-mm-dd"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return nil, err
	}
	percentFmt := "0.00%"
	if s.percent, err = f.NewStyle(&excelize.Style{CustomNumFmt: &percentFmt}); err != nil {
		return nil, err
	}
	return s, nil
}

// decimal returns the style of a number with places decimal places.
func (s *styles) decimal(places int) (int, error) {
	if id, ok := s.money[places]; ok {
		return id, nil
	}
	format := "#,##0"
	if places > 0 {
		format += "." + strings.Repeat("0", places)
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	s.money[places] = id
	return id, err
}

// writeSheet streams r into the sheet name of f.
func writeSheet(f *excelize.File, name string, r Result, lang string, st *styles) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	cols := r.Table.Columns
	row := make([]any, len(cols))
	cells := make([]excelize.Cell, len(cols))
	for i, c := range cols {
		cells[i] = excelize.Cell{StyleID: st.header, Value: label(c, lang)}
		row[i] = &cells[i]
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	styleOf := make([]int, len(cols))
	for i, c := range cols {
		if styleOf[i], err = columnStyle(c, st); err != nil {
			return err
		}
	}
	n := 1
	for _, values := range r.Table.Rows {
		n++
		for i, c := range cols {
			var v any
			if i < len(values) {
				v = values[i]
			}
			style := styleOf[i]
			if s, ok := v.(string); ok && (c.Type == TypeMoney || c.Type == TypeDecimal) {
				if style, err = st.decimal(places(s)); err != nil {
					return err
				}
			}
			cells[i] = excelize.Cell{StyleID: style, Value: xlsxValue(c, v)}
			row[i] = &cells[i]
		}
		if err := sw.SetRow(cellName(n), row); err != nil {
			return err
		}
	}
	asOf := "—"
	if !r.AsOf.IsZero() {
		asOf = r.AsOf.UTC().Format(time.RFC3339)
	}
	if err := sw.SetRow(cellName(n+2), []any{excelize.Cell{StyleID: st.header, Value: asOfLabel[lang]}, asOf}); err != nil {
		return err
	}
	return sw.Flush()
}

// columnStyle is the style of c's cells.
func columnStyle(c Column, st *styles) (int, error) {
	switch c.Type {
	case TypePeriod:
		return st.date, nil
	case TypePercent:
		return st.percent, nil
	}
	return 0, nil
}

// xlsxValue is v, a value of column c, as a typed cell's value: a date
// for a period, a number for a count, a duration, money or a decimal
// (their text when it is no number), nil for an undefined figure.
func xlsxValue(c Column, v any) any {
	switch x := v.(type) {
	case string:
		switch c.Type {
		case TypePeriod:
			if t, err := time.Parse(time.DateOnly, x); err == nil {
				return t
			}
		case TypeMoney, TypeDecimal, TypePercent, TypeInteger, TypeDuration:
			if x == "" {
				return nil
			}
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f
			}
		}
		return x
	case time.Time:
		return x.UTC()
	}
	return v
}

// places is the number of decimal places of the decimal string s.
func places(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// cellName is the name of the first cell of row n ("A2").
func cellName(n int) string { return "A" + strconv.Itoa(n) }

// sheetName returns name fit for a sheet (at most 31 characters, none of
// : \ / ? * [ ], not empty, not used before).
func sheetName(name string, i int, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.Trim(name, "'"))
	if name == "" {
		name = "Sheet"
	}
	if r := []rune(name); len(r) > 28 {
		name = string(r[:28])
	}
	if used[name] {
		name = name + " " + strconv.Itoa(i+1)
	}
	used[name] = true
	return name
}
