package exporter

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ErrTooManyRows is an export larger than a worksheet holds.
var ErrTooManyRows = fmt.Errorf("the export has more rows than a worksheet holds (%d); export to .csv", excelize.TotalRows)

// copyCSV copies the export as the service sent it (UTF-8 with a byte
// order mark) and counts its records.
func copyCSV(w io.Writer, r io.Reader) (int64, error) {
	rows, err := countRecords(io.TeeReader(r, w))
	return max(rows-1, 0), err
}

// countRecords reads CSV from r to its end and returns how many records it
// holds.
func countRecords(r io.Reader) (int64, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.FieldsPerRecord, cr.ReuseRecord = -1, true
	var n int64
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// writeXLSX writes the CSV export r as the first worksheet of a workbook,
// one row of text cells per record, through excelize's stream writer.
func writeXLSX(w *os.File, r io.Reader) (int64, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.FieldsPerRecord = -1
	var n int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
		}
		n++
		if n > excelize.TotalRows {
			return 0, ErrTooManyRows
		}
		cells := make([]any, len(rec))
		for i, v := range rec {
			cells[i] = v
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return 0, err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	if _, err := f.WriteTo(w); err != nil {
		return 0, err
	}
	return int64(max(n-1, 0)), nil
}
