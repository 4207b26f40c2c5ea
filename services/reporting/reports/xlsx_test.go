package reports

import (
	"io"
	"testing"
	"time"
)

// BenchmarkExportXLSX writes a report of 100,000 rows as XLSX into
// io.Discard: the StreamWriter's allocations per workbook.
func BenchmarkExportXLSX(b *testing.B) {
	r := Result{Report: "funnel", AsOf: time.Now(), Table: Table{Columns: funnel().Columns}}
	period := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		r.Table.Rows = append(r.Table.Rows, []any{period, "owner-" + string(rune('a'+i%26)), int64(i), int64(i / 2), int64(i / 3),
			int64(i / 4), int64(i / 5), "0.5000", "0.6667", "0.7500", "0.8000"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteXLSX(io.Discard, []Sheet{{Name: "funnel", Result: r}}, "en"); err != nil {
			b.Fatal(err)
		}
	}
}
