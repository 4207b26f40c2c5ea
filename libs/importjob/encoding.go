package importjob

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings detectEncoding recognises: UTF-8 with or without a byte
// order mark, UTF-16 with one, and GB18030 (which GBK files are, GB18030
// being their superset), as Excel and Chinese tools export. Any other
// encoding of the WHATWG Encoding Standard may be named (Options.Encoding).
const (
	encUTF8    = "utf-8"
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	encGB18030 = "gb18030"
)

// The byte order marks, and the magic numbers of what people upload instead
// of CSV.
var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
	magicZIP   = []byte("PK\x03\x04")
	magicOLE   = []byte{0xD0, 0xCF, 0x11, 0xE0}
)

// byteOrderMark returns the encoding a byte order mark at the start of data
// names and the mark's length, or "" and 0.
func byteOrderMark(data []byte) (string, int) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return encUTF8, len(bomUTF8)
	case bytes.HasPrefix(data, bomUTF32LE), bytes.HasPrefix(data, bomUTF32BE):
		return "utf-32", 4
	case bytes.HasPrefix(data, bomUTF16LE):
		return encUTF16LE, len(bomUTF16LE)
	case bytes.HasPrefix(data, bomUTF16BE):
		return encUTF16BE, len(bomUTF16BE)
	}
	return "", 0
}

// detectEncoding names the encoding of a file from its first bytes, sample
// (the whole file when complete), and the length of its byte order mark:
//
//   - a byte order mark decides (UTF-8, UTF-16 LE or BE; UTF-32 is refused);
//   - without one, text that is valid UTF-8 is UTF-8; so is text whose valid
//     multi-byte UTF-8 sequences outnumber its invalid bytes (a UTF-8 file
//     with a few rows in another encoding: those rows fail alone);
//   - text that reads as GB18030 without a single undecodable byte, and
//     looks like Chinese (chineseLike), is GB18030, unless it also holds
//     many UTF-8 sequences of three bytes or more (UTF-8 Chinese), which
//     GB18030 text makes rarely: a file holding those and invalid UTF-8 mixes
//     encodings and is refused (ErrMixedEncodings);
//   - anything else is ErrUnknownEncoding, and NUL bytes, a ZIP (.xlsx) or
//     OLE (.xls) file ErrNotCSV, each naming what to do.
func detectEncoding(sample []byte, complete bool) (string, int, error) {
	if name, n := byteOrderMark(sample); name == "utf-32" {
		return "", 0, ErrUnknownEncoding.WithDetail("the file is UTF-32, which is not supported: save it as UTF-8")
	} else if name != "" {
		return name, n, nil
	}
	switch {
	case bytes.HasPrefix(sample, magicZIP):
		return "", 0, ErrNotCSV.WithDetail("the file is a ZIP archive, such as an Excel workbook (.xlsx): save it as CSV UTF-8 and upload that")
	case bytes.HasPrefix(sample, magicOLE):
		return "", 0, ErrNotCSV.WithDetail("the file is an old Excel workbook (.xls): save it as CSV UTF-8 and upload that")
	case bytes.IndexByte(sample, 0) >= 0:
		return "", 0, ErrNotCSV.WithDetail("the file holds NUL bytes: if it is UTF-16 without a byte order mark, name its encoding (utf-16le or utf-16be)")
	}
	s := scanUTF8(sample, complete)
	if s.invalid == 0 || s.multi >= s.invalid {
		return encUTF8, 0, nil
	}
	someUTF8 := s.wide >= 8 && s.wide*10 >= s.invalid
	switch {
	case readsAsGB18030(sample, complete) && chineseLike(sample) && !someUTF8:
		return encGB18030, 0, nil
	case someUTF8:
		return "", 0, ErrMixedEncodings.WithDetail("the first rows hold UTF-8 text and text in another encoding: save the whole file in one encoding, or name the encoding to read it in")
	}
	return "", 0, ErrUnknownEncoding.WithDetail("the file is neither UTF-8, UTF-16 with a byte order mark, nor GB18030: " +
		"name its encoding (options.encoding, such as windows-1252, shift_jis or big5), or save it as CSV UTF-8")
}

// utf8Scan counts what a text holds: valid multi-byte UTF-8 sequences, those
// of three bytes or more, and bytes that are no part of a valid sequence.
type utf8Scan struct{ multi, wide, invalid int }

// scanUTF8 scans data; unless complete, a sequence cut off at its end is
// not counted.
func scanUTF8(data []byte, complete bool) utf8Scan {
	var s utf8Scan
	for len(data) > 0 {
		if data[0] < utf8.RuneSelf {
			data = data[1:]
			continue
		}
		if !complete && !utf8.FullRune(data) {
			break
		}
		r, n := utf8.DecodeRune(data)
		switch {
		case r == utf8.RuneError && n == 1:
			s.invalid++
		case n >= 3:
			s.multi++
			s.wide++
		default:
			s.multi++
		}
		data = data[n:]
	}
	return s
}

// readsAsGB18030 reports whether data decodes as GB18030 without an
// undecodable byte (the decoder makes U+FFFD of those); unless complete, a
// sequence cut off at its end is not decoded.
func readsAsGB18030(data []byte, complete bool) bool {
	if !complete {
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			data = data[:i+1]
		}
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	return err == nil && !bytes.ContainsRune(out, utf8.RuneError)
}

// chineseLike reports whether the double-byte characters data would make
// in GB18030 look like Chinese text: in it, most have a second byte of
// 0x80 or more (GB2312's characters all have), while text in a single-byte
// encoding such as windows-1252 ("Müller") has its few non-ASCII letters
// among ASCII ones, which GB18030 would read as characters with an ASCII
// second byte.
func chineseLike(data []byte) bool {
	pairs, asciiTrail := 0, 0
	for i := 0; i+1 < len(data); i++ {
		if data[i] < 0x81 {
			continue
		}
		if b := data[i+1]; b >= 0x30 && b <= 0x39 {
			i += 3 // a four-byte sequence
			continue
		}
		pairs++
		if data[i+1] < 0x80 {
			asciiTrail++
		}
		i++
	}
	return asciiTrail*2 <= pairs
}

// encodingNamed returns the canonical name of the encoding a client named,
// or false. GBK is read with GB18030's decoder, as the WHATWG standard says
// (x/text's GBK decoder leaves out GB18030's four-byte sequences).
func encodingNamed(name string) (string, bool) {
	if name = strings.ToLower(strings.TrimSpace(name)); name == "utf-16" {
		name = encUTF16LE
	}
	e, err := htmlindex.Get(name)
	if err != nil || e == encoding.Replacement {
		return "", false
	}
	canonical, err := htmlindex.Name(e)
	return canonical, err == nil
}

// decoder returns the decoder of the encoding name (a canonical name), nil
// for UTF-8, whose text is kept as it is.
func decoder(name string) *encoding.Decoder {
	switch name {
	case encUTF8:
		return nil
	case encUTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
	case encUTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	case encGB18030, "gbk":
		return simplifiedchinese.GB18030.NewDecoder()
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil
	}
	return e.NewDecoder()
}

// toUTF8 returns src, in encoding name, as UTF-8: undecodable bytes become
// U+FFFD, which the import then finds in the rows that hold them. UTF-8 is
// kept as it is, invalid bytes and all.
func toUTF8(src io.Reader, name string) io.Reader {
	d := decoder(name)
	if d == nil {
		return src
	}
	return transform.NewReader(src, d)
}

// decodeSample returns the first bytes of a file, after its byte order mark,
// as UTF-8, cut at the last line break unless complete.
func decodeSample(sample []byte, name string, bom int, complete bool) []byte {
	sample = sample[bom:]
	if d := decoder(name); d != nil {
		out, _, err := transform.Bytes(d, sample)
		if err != nil && !errors.Is(err, transform.ErrShortSrc) {
			out = bytes.ToValidUTF8(sample, []byte("\uFFFD"))
		}
		sample = out
	}
	if !complete {
		if i := bytes.LastIndexAny(sample, "\r\n"); i >= 0 {
			sample = sample[:i+1]
		}
	}
	return sample
}
