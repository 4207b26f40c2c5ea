package reports

import (
	"encoding/csv"
	"io"
)

// bom is the UTF-8 byte order mark a CSV starts with, so that
// spreadsheets read it as UTF-8.
const bom = "\ufeff"

// WriteCSV writes r's table to w as UTF-8 CSV with a byte order mark: a
// header of the columns' labels in lang ("en" or "zh"), then a line per
// row (numbers as digits, money and percents as their decimal strings,
// periods as dates, undefined as empty).
func WriteCSV(w io.Writer, r Result, lang string) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	line := make([]string, len(r.Table.Columns))
	for i, c := range r.Table.Columns {
		line[i] = label(c, lang)
	}
	if err := cw.Write(line); err != nil {
		return err
	}
	for _, row := range r.Table.Rows {
		for i := range line {
			line[i] = ""
			if i < len(row) {
				line[i] = cellText(row[i])
			}
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
