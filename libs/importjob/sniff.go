package importjob

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

// sampleBytes is how much of a file is read to detect its encoding,
// delimiter and header, and to preview it.
const sampleBytes = 64 << 10

// previewRows is how many rows after the header a preview shows.
const previewRows = 10

// delimiters are the delimiters detected, in order of preference.
var delimiters = []byte{',', ';', '\t', '|'}

// layout is what the first bytes of a file say about it: its encoding (and
// the length of its byte order mark), delimiter, line break, header and
// first rows.
type layout struct {
	Encoding  string
	bom       int
	Delimiter byte
	Newline   byte
	Header    []string
	Rows      [][]string
}

// sniff reads the layout of a file from its first bytes, sample (the whole
// file when complete). encoding and delimiter, when not empty or 0, are the
// client's and are not detected.
func sniff(sample []byte, complete bool, encoding string, delimiter byte) (layout, error) {
	var l layout
	if len(bytes.TrimSpace(sample)) == 0 {
		return l, ErrEmptyFile.WithDetail("the file is empty")
	}
	name, bom := byteOrderMark(sample)
	switch {
	case name == "utf-32":
		return l, ErrUnknownEncoding.WithDetail("the file is UTF-32, which is not supported: save it as UTF-8")
	case name != "":
		l.Encoding, l.bom = name, bom
	case encoding != "":
		l.Encoding = encoding
	default:
		var err error
		if l.Encoding, l.bom, err = detectEncoding(sample, complete); err != nil {
			return l, err
		}
	}
	text := decodeSample(sample, l.Encoding, l.bom, complete)
	if len(bytes.TrimSpace(text)) == 0 {
		return l, ErrEmptyFile.WithDetail("the file holds no text")
	}
	l.Newline = '\n'
	if bytes.IndexByte(text, '\n') < 0 && bytes.IndexByte(text, '\r') >= 0 {
		l.Newline = '\r'
	}
	l.Delimiter = delimiter
	if l.Delimiter == 0 {
		l.Delimiter = detectDelimiter(text, l.Newline)
	}
	records, err := readSample(text, l.Delimiter, l.Newline, previewRows+1)
	if err != nil {
		return l, err
	}
	if len(records) == 0 {
		return l, ErrEmptyFile.WithDetail("the file holds no rows")
	}
	if records[0].problem != "" {
		return l, ErrBadHeader.WithDetail("the header row (row %d) is not well-formed CSV: %s", records[0].row, records[0].problem)
	}
	l.Header = make([]string, len(records[0].fields))
	for i, h := range records[0].fields {
		l.Header[i] = strings.TrimSpace(h)
	}
	for _, rec := range records[1:] {
		l.Rows = append(l.Rows, rec.fields)
	}
	return l, nil
}

// readSample reads up to n records of text.
func readSample(text []byte, comma, newline byte, n int) ([]record, error) {
	r := newCSVReader(bytes.NewReader(text), comma, newline, 0, 1)
	var out []record
	for len(out) < n {
		rec, err := r.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			r.fields = len(rec.fields)
		}
		out = append(out, rec)
	}
	return out, nil
}

// detectDelimiter picks the delimiter that splits the first rows of text
// into the same number of fields as the header, more than one, in most
// rows; ties go to the one splitting into more fields, then to the earlier
// in delimiters. Text that none splits is one column: ','.
func detectDelimiter(text []byte, newline byte) byte {
	best, bestRows, bestFields := byte(','), 0, 1
	for _, d := range delimiters {
		records, err := readSample(text, d, newline, 20)
		if err != nil || len(records) == 0 || len(records[0].fields) < 2 {
			continue
		}
		fields, rows := len(records[0].fields), 0
		for _, rec := range records {
			if rec.problem == "" && len(rec.fields) == fields {
				rows++
			}
		}
		if rows > bestRows || rows == bestRows && fields > bestFields {
			best, bestRows, bestFields = d, rows, fields
		}
	}
	return best
}
