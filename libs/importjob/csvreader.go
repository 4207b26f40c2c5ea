package importjob

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// The bounds of what the CSV reader holds in memory: a record (all its
// lines) of at most maxRecordBytes, with at most maxFields fields.
const (
	maxRecordBytes = 256 << 10
	maxFields      = 1000
)

// record is one CSV record as csvReader reads it: its fields, the
// spreadsheet row it is (the header is row 1; a record spanning several
// lines is one row, an empty line one too), the offsets of its first byte and
// of the byte after it, and, for a record the reader could not split into
// fields, why (problem) and its first line as it reads (raw).
type record struct {
	fields     []string
	row        int64
	start, end int64
	problem    string
	raw        string
}

// csvReader reads RFC 4180 records (quoted fields with "" escapes, line
// breaks in quoted fields, CRLF or LF) from text in UTF-8 or any
// ASCII-compatible encoding, as encoding/csv does for well-formed input
// (FuzzCSVReader checks it), but bounded and recovering, which encoding/csv
// is not: encoding/csv reads a quote left open to the end of the file, as
// one field held in memory, and cannot go on after it. Here a record that
// is not well formed — a quote never closed within maxRecordBytes or before
// the end, text after a closing quote, a record spanning several lines whose
// field count is not the header's — is returned as its first line with a
// problem, and reading goes on with the line after it, so that one stray
// quote costs one row. It is lenient where no data is lost: a quote inside
// an unquoted field is kept as text, and spaces around a quoted field are
// dropped.
//
// Offsets count the bytes of the source from where the reader started
// (base); a reader started at a record's end offset reads on from there.
type csvReader struct {
	src     *bufio.Reader
	comma   byte
	newline byte // '\n', or '\r' for files with old Mac line breaks
	// fields is the number of fields of a record (the header's), once known:
	// a record spanning several lines must have as many.
	fields int
	row    int64 // the row of the next record
	offset int64 // the offset of the next byte of src
	back   []textLine
	field  []byte // the field being read, reused
}

// textLine is one line of the source without its line break (and without
// the \r of a CRLF), with the offsets of its first byte and of the byte
// after its line break; long marks a line longer than maxRecordBytes, whose
// text is cut there.
type textLine struct {
	text       []byte
	start, end int64
	long       bool
}

// newCSVReader returns a reader of src, whose first byte is at offset base
// and is the start of row firstRow.
func newCSVReader(src io.Reader, comma, newline byte, base, firstRow int64) *csvReader {
	return &csvReader{src: bufio.NewReaderSize(src, 64<<10), comma: comma, newline: newline, offset: base, row: firstRow}
}

// tooLong is the problem of a line longer than maxRecordBytes.
var tooLong = fmt.Sprintf("the row is longer than %d KiB", maxRecordBytes>>10)

// read returns the next record, skipping empty lines, or io.EOF.
func (r *csvReader) read() (record, error) {
	for {
		first, err := r.next()
		if err != nil {
			return record{}, err
		}
		row := r.row
		r.row++
		if len(first.text) == 0 && !first.long {
			continue
		}
		if first.long {
			return record{row: row, start: first.start, end: first.end, problem: tooLong, raw: string(first.text)}, nil
		}
		fields, lines, problem, err := r.parse(first)
		if err != nil {
			return record{}, err
		}
		if problem != "" && len(lines) > 1 || problem == "" && len(lines) > 1 && r.fields > 0 && len(fields) != r.fields {
			// A record that spans lines only because a quote was left open
			// goes wrong somewhere after it.
			problem = "a quote opened on this row is never closed"
		}
		if problem != "" {
			// Only the first line is this record's: read the others again.
			r.back = append(append([]textLine{}, lines[1:]...), r.back...)
			return record{row: row, start: first.start, end: first.end, problem: problem, raw: string(first.text)}, nil
		}
		return record{fields: fields, row: row, start: first.start, end: lines[len(lines)-1].end}, nil
	}
}

// parse splits the record starting with line first into fields, reading
// more lines while a quoted field goes on. It returns the lines it used and,
// for a record that is not well formed, a problem.
func (r *csvReader) parse(first textLine) (fields []string, lines []textLine, problem string, err error) {
	lines = []textLine{first}
	text, size := first.text, len(first.text)
	i := 0
	for {
		if len(fields) == maxFields {
			return nil, lines, fmt.Sprintf("the row has more than %d fields", maxFields), nil
		}
		j := skipSpaces(text, i)
		if j == len(text) || text[j] != '"' {
			k := bytes.IndexByte(text[i:], r.comma)
			if k < 0 {
				return append(fields, string(text[i:])), lines, "", nil
			}
			fields, i = append(fields, string(text[i:i+k])), i+k+1
			continue
		}
		// A quoted field: up to a quote not followed by another.
		r.field, i = r.field[:0], j+1
		for {
			k := bytes.IndexByte(text[i:], '"')
			if k < 0 {
				r.field = append(r.field, text[i:]...)
				next, err := r.next()
				if errors.Is(err, io.EOF) {
					return nil, lines, "a quote opened on this row is never closed", nil
				}
				if err != nil {
					return nil, lines, "", err
				}
				lines, size = append(lines, next), size+len(next.text)+1
				if next.long || size > maxRecordBytes {
					return nil, lines, "a quote opened on this row is never closed", nil
				}
				r.field = append(r.field, '\n')
				text, i = next.text, 0
				continue
			}
			r.field = append(r.field, text[i:i+k]...)
			i += k + 1
			if i < len(text) && text[i] == '"' {
				r.field = append(r.field, '"')
				i++
				continue
			}
			break
		}
		fields = append(fields, string(r.field))
		j = skipSpaces(text, i)
		switch {
		case j == len(text):
			return fields, lines, "", nil
		case text[j] == r.comma:
			i = j + 1
		default:
			return nil, lines, fmt.Sprintf("field %d has text after its closing quote", len(fields)), nil
		}
	}
}

// skipSpaces returns the index of the first byte of text at or after i that
// is not a space.
func skipSpaces(text []byte, i int) int {
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i
}

// next returns the next line, one read again first, or io.EOF.
func (r *csvReader) next() (textLine, error) {
	if len(r.back) > 0 {
		l := r.back[0]
		r.back = r.back[1:]
		return l, nil
	}
	var l textLine
	l.start = r.offset
	for {
		chunk, err := r.src.ReadSlice(r.newline)
		r.offset += int64(len(chunk))
		if room := maxRecordBytes + 1 - len(l.text); room > 0 {
			l.text = append(l.text, chunk[:min(len(chunk), room)]...)
		} else {
			l.long = true
		}
		switch {
		case err == nil:
			return r.finish(l), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && r.offset > l.start:
			return r.finish(l), nil
		default:
			return textLine{}, err
		}
	}
}

// finish drops the line break (and a CRLF's \r) from l.
func (r *csvReader) finish(l textLine) textLine {
	l.end = r.offset
	if !l.long {
		l.text = bytes.TrimSuffix(l.text, []byte{r.newline})
		if r.newline == '\n' {
			l.text = bytes.TrimSuffix(l.text, []byte{'\r'})
		}
	}
	if len(l.text) > maxRecordBytes {
		l.long, l.text = true, l.text[:maxRecordBytes]
	}
	return l
}
