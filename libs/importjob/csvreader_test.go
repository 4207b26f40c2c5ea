package importjob

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// readAll reads every record of text with delimiter ',' and the header's
// field count set from the first record.
func readAll(t testing.TB, text string) []record {
	t.Helper()
	return readText(t, text, ',', true)
}

// readText reads every record of text with delimiter comma, the field count
// of a record set from the first one when header is set.
func readText(t testing.TB, text string, comma byte, header bool) []record {
	t.Helper()
	r := newCSVReader(strings.NewReader(text), comma, '\n', 0, 1)
	var out []record
	for {
		rec, err := r.read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 && header {
			r.fields = len(rec.fields)
		}
		out = append(out, rec)
	}
}

// TestCSVReaderRecovers checks what the reader does with what encoding/csv
// cannot get past: a quote left open costs its row only, the rows after it
// are read; text after a closing quote fails its row; a row longer than the
// bound fails alone; and offsets and rows say where each record is.
func TestCSVReaderRecovers(t *testing.T) {
	long := strings.Repeat("x", maxRecordBytes+10)
	tests := []struct {
		name    string
		text    string
		want    [][]string // nil for a record with a problem
		rows    []int64
		problem string
	}{
		{"well formed", "a,b\n1,\"two, \"\"2\"\"\"\r\n\"multi\nline\",3\n", [][]string{{"a", "b"}, {"1", `two, "2"`}, {"multi\nline", "3"}}, []int64{1, 2, 3}, ""},
		{"empty lines are rows", "a,b\n\n1,2\n   \n3,4", [][]string{{"a", "b"}, {"1", "2"}, {"   "}, {"3", "4"}}, []int64{1, 3, 4, 5}, ""},
		{"unclosed quote at the end", "a,b\n1,\"2\n3,4\n5,6\n", [][]string{{"a", "b"}, nil, {"3", "4"}, {"5", "6"}}, []int64{1, 2, 3, 4}, "never closed"},
		{"unclosed quote closed by a later one", "a,b\n1,\"2\n3,4\n\"5\",6\n", [][]string{{"a", "b"}, nil, {"3", "4"}, {"5", "6"}}, []int64{1, 2, 3, 4}, "never closed"},
		{"text after the closing quote", "a,b\n\"1\"x,2\n3,4\n", [][]string{{"a", "b"}, nil, {"3", "4"}}, []int64{1, 2, 3}, "after its closing quote"},
		{"bare quote kept", "a,b\n1\"5,2\n", [][]string{{"a", "b"}, {`1"5`, "2"}}, []int64{1, 2}, ""},
		{"spaces around quotes", "a,b\n \"1,1\" , 2\n", [][]string{{"a", "b"}, {"1,1", " 2"}}, []int64{1, 2}, ""},
		{"long row", "a,b\n" + long + "\n3,4\n", [][]string{{"a", "b"}, nil, {"3", "4"}}, []int64{1, 2, 3}, "longer than"},
		{"quote open past the bound", "a,b\n1,\"x\n" + long + "\n3,4\n", [][]string{{"a", "b"}, nil, nil, {"3", "4"}}, []int64{1, 2, 3, 4}, ""},
		{"ragged rows are returned", "a,b\n1\n1,2,3\n", [][]string{{"a", "b"}, {"1"}, {"1", "2", "3"}}, []int64{1, 2, 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("%d records, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, rec := range got {
				if tt.want[i] == nil {
					if !strings.Contains(rec.problem, tt.problem) {
						t.Errorf("record %d: problem %q, want one saying %q", i, rec.problem, tt.problem)
					}
				} else if rec.problem != "" || !slices.Equal(rec.fields, tt.want[i]) {
					t.Errorf("record %d: %q (problem %q), want %q", i, rec.fields, rec.problem, tt.want[i])
				}
				if rec.row != tt.rows[i] {
					t.Errorf("record %d: row %d, want %d", i, rec.row, tt.rows[i])
				}
				if i > 0 && rec.start < got[i-1].end {
					t.Errorf("record %d starts at %d, before the previous ends (%d)", i, rec.start, got[i-1].end)
				}
			}
		})
	}
}

// TestCSVReaderResumes checks that a reader started at a record's end
// offset and row reads the same records as one that went on.
func TestCSVReaderResumes(t *testing.T) {
	text := "a,b\n1,\"x\ny\"\n\n2,\"3\n4,5\n6,7\n"
	all := readAll(t, text)
	for i, rec := range all[:len(all)-1] {
		r := newCSVReader(strings.NewReader(text[rec.end:]), ',', '\n', rec.end, rec.row+1)
		r.fields = 2
		for _, want := range all[i+1:] {
			got, err := r.read()
			if err != nil {
				t.Fatalf("resumed after record %d: %v", i, err)
			}
			if got.row != want.row || got.start != want.start || got.end != want.end || !slices.Equal(got.fields, want.fields) || got.problem != want.problem {
				t.Errorf("resumed after record %d: %+v, want %+v", i, got, want)
			}
		}
	}
}

// TestCSVReaderOldMacLineBreaks reads a file whose lines end in \r alone.
func TestCSVReaderOldMacLineBreaks(t *testing.T) {
	r := newCSVReader(strings.NewReader("a;b\r1;\"x\ry\"\r"), ';', '\r', 0, 1)
	var got [][]string
	for {
		rec, err := r.read()
		if errors.Is(err, io.EOF) {
			break
		}
		got = append(got, rec.fields)
	}
	if want := [][]string{{"a", "b"}, {"1", "x\ny"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzCSVReader checks the reader on any input: it ends, every record is a
// bounded span after the previous one, and on what encoding/csv writes it
// reads what encoding/csv reads.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,\"b\nc\",d\n", "\"a\"\"b\",c\r\n", "x,\"y\n", "\"a\"b,c\n", ",,\n\n", "a\"b,\"c\"\n"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, d uint8) {
		comma := delimiters[int(d)%len(delimiters)]
		r := newCSVReader(strings.NewReader(text), comma, '\n', 0, 1)
		var last int64
		for n := 0; ; n++ {
			rec, err := r.read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.start < last || rec.end <= rec.start || rec.end > int64(len(text)) || len(rec.raw) > maxRecordBytes || len(rec.fields) > maxFields {
				t.Fatalf("record %d: %d..%d after %d in %d bytes, raw %d bytes, %d fields", n, rec.start, rec.end, last, len(text), len(rec.raw), len(rec.fields))
			}
			last = rec.end
		}
		// What encoding/csv writes of the fields it reads, it reads back as
		// they were: so must this reader.
		in := csv.NewReader(strings.NewReader(text))
		in.Comma, in.FieldsPerRecord, in.LazyQuotes = rune(comma), -1, true
		var want [][]string
		var buf bytes.Buffer
		out := csv.NewWriter(&buf)
		out.Comma = rune(comma)
		for {
			rec, err := in.Read()
			if err != nil {
				break
			}
			if len(rec) == 1 && rec[0] == "" {
				continue // an empty line: neither reader returns it once written
			}
			want = append(want, rec)
			_ = out.Write(rec)
		}
		out.Flush()
		got := readText(t, buf.String(), comma, false)
		if len(got) != len(want) {
			t.Fatalf("%d records of %q, encoding/csv read %d", len(got), buf.String(), len(want))
		}
		for i := range got {
			if got[i].problem != "" || !slices.Equal(got[i].fields, want[i]) {
				t.Fatalf("record %d of %q: %q (problem %q), encoding/csv read %q", i, buf.String(), got[i].fields, got[i].problem, want[i])
			}
		}
	})
}
