package importjob

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/rapport-crm/rapport/libs/errs"
)

// chinese is a file's text with Chinese names, as the tests encode it.
const chinese = "姓名,邮箱,城市\n张伟,zhang.wei@example.cn,北京\n王芳,wang.fang@example.cn,上海\n李娜,li.na@example.cn,广州\n"

// encode returns text in encoding e.
func encode(t testing.TB, text string, enc interface{ Bytes([]byte) ([]byte, error) }) []byte {
	t.Helper()
	b, err := enc.Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDetectEncoding checks what each kind of file is detected as, and that
// what cannot be read is refused naming what to do.
func TestDetectEncoding(t *testing.T) {
	gb := encode(t, chinese, simplifiedchinese.GB18030.NewEncoder())
	le := encode(t, chinese, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder())
	be := encode(t, chinese, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder())
	latin := encode(t, "Name,Stadt\nJürgen Müller,Düsseldorf\nSöhne Straße,Köln\n", charmap.Windows1252.NewEncoder())
	mostlyUTF8 := append([]byte(chinese+chinese), gb[len("姓名,邮箱,城市\n")*0:20]...)
	mixed := append(append([]byte(chinese+chinese+chinese), gb...), gb...)
	tests := []struct {
		name string
		data []byte
		want string
		bom  int
		err  *errs.Error
	}{
		{"utf-8", []byte(chinese), encUTF8, 0, nil},
		{"utf-8 with a byte order mark", append([]byte("\uFEFF"), chinese...), encUTF8, 3, nil},
		{"utf-16 le with a byte order mark", le, encUTF16LE, 2, nil},
		{"utf-16 be with a byte order mark", be, encUTF16BE, 2, nil},
		{"gb18030", gb, encGB18030, 0, nil},
		{"utf-8 with a few rows in gb18030", mostlyUTF8, encUTF8, 0, nil},
		{"utf-8 and gb18030 mixed", mixed, "", 0, ErrMixedEncodings},
		{"windows-1252", latin, "", 0, ErrUnknownEncoding},
		{"utf-32", []byte{0xFF, 0xFE, 0, 0, 'a', 0, 0, 0}, "", 0, ErrUnknownEncoding},
		{"xlsx", []byte("PK\x03\x04\x14\x00\x06\x00"), "", 0, ErrNotCSV},
		{"utf-16 without a byte order mark", encode(t, "a,b\n", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()), "", 0, ErrNotCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bom, err := detectEncoding(tt.data, true)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("detected %q, %v; want %v", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want || bom != tt.bom {
				t.Fatalf("detected %q (byte order mark %d), %v; want %q (%d)", got, bom, err, tt.want, tt.bom)
			}
		})
	}
}

// TestSniffReadsEachEncoding checks that the header and rows of each
// encoding read as the text they encode.
func TestSniffReadsEachEncoding(t *testing.T) {
	for name, data := range map[string][]byte{
		"gb18030":  encode(t, chinese, simplifiedchinese.GB18030.NewEncoder()),
		"utf-16le": encode(t, chinese, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()),
		"utf-16be": encode(t, chinese, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder()),
		"utf-8":    append([]byte("\uFEFF"), chinese...),
	} {
		l, err := sniff(data, true, "", 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.Encoding != name || l.Header[0] != "姓名" || len(l.Rows) != 3 || l.Rows[0][0] != "张伟" || l.Rows[2][2] != "广州" {
			t.Errorf("%s: read %q %q as %s", name, l.Header, l.Rows, l.Encoding)
		}
	}
}

// TestDetectDelimiter checks the delimiters of what spreadsheets write.
func TestDetectDelimiter(t *testing.T) {
	for text, want := range map[string]byte{
		"a,b,c\n1,2,3\n":              ',',
		"a;b;c\n1;\"2,5\";3\n":        ';',
		"a\tb\n1\t2\n":                '\t',
		"a|b\n1|2\n":                  '|',
		"name\nAda\n":                 ',',
		"a;b\n\"x,y,z\";2\n\"p,q\";3": ';',
	} {
		if got := detectDelimiter([]byte(text), '\n'); got != want {
			t.Errorf("%q: delimiter %q, want %q", text, got, want)
		}
	}
}

// FuzzDetectEncoding checks the detection on any input: it ends with an
// encoding it can decode, or a refusal; a byte order mark decides; text that
// is valid UTF-8 is UTF-8; and what is not UTF-8 decodes to valid UTF-8.
func FuzzDetectEncoding(f *testing.F) {
	f.Add([]byte(chinese), true)
	f.Add(encode(f, chinese, simplifiedchinese.GB18030.NewEncoder()), false)
	f.Add(encode(f, chinese, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()), true)
	f.Add([]byte("a,b\n\xff\xfe"), true)
	f.Fuzz(func(t *testing.T, data []byte, complete bool) {
		name, bom, err := detectEncoding(data, complete)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid {
				t.Fatalf("refusal %v is no Invalid error", err)
			}
			return
		}
		if mark, n := byteOrderMark(data); mark != "" && (mark != name || n != bom) {
			t.Fatalf("byte order mark of %s, detected %s (%d)", mark, name, bom)
		}
		if _, n := byteOrderMark(data); n == 0 && utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 && !bytes.HasPrefix(data, magicZIP) && !bytes.HasPrefix(data, magicOLE) && name != encUTF8 {
			t.Fatalf("valid UTF-8 detected as %s", name)
		}
		if text := decodeSample(data, name, bom, complete); name != encUTF8 && !utf8.Valid(text) {
			t.Fatalf("%s decoded to invalid UTF-8", name)
		}
	})
}
