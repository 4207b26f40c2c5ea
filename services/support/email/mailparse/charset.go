package mailparse

import (
	"io"
	"mime"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// gb18030Labels are the labels of GB18030's subsets: a mail that says GB2312
// or GBK often holds characters only their superset has, so they are all
// read as GB18030.
var gb18030Labels = map[string]bool{"gb2312": true, "gbk": true, "cp936": true, "x-gbk": true, "euc-cn": true,
	"gb_2312-80": true, "csgb2312": true, "ms936": true, "windows-936": true, "gb18030": true, "x-euc-cn": true}

// encodingOf returns the encoding a charset label names, nil when none is
// known.
func encodingOf(label string) encoding.Encoding {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"`))
	if gb18030Labels[label] {
		return simplifiedchinese.GB18030
	}
	if e, err := ianaindex.MIME.Encoding(label); err == nil && e != nil {
		return e
	}
	if e, err := htmlindex.Get(label); err == nil && e != nil {
		return e
	}
	return nil
}

// Decode returns b, declared in charset label, as UTF-8. The label is a
// hint: an unknown label reads b as UTF-8, and bytes that do not decode
// become U+FFFD.
func Decode(label string, b []byte) string {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	enc := encodingOf(label)
	if enc == nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// charsetReader is the word decoder's: every charset decodes, the unknown
// ones as UTF-8.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(Decode(label, b)), nil
}

// words decodes RFC 2047 encoded words.
var words = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeHeader returns a header's value decoded: its encoded words (RFC
// 2047), raw 8-bit bytes in the message's charset hint, CR, LF and other
// control characters replaced by spaces (a header injection through a
// decoded subject goes nowhere).
func decodeHeader(raw, hint string) string {
	v := raw
	if !utf8.ValidString(v) {
		v = Decode(hint, []byte(v))
	}
	if d, err := words.DecodeHeader(v); err == nil {
		v = d
	}
	return clean(v)
}

// clean replaces control characters (CR, LF, NUL, …) by spaces, trims
// and makes s valid UTF-8.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s))
}

// addresses parses an address list header, leniently: an unreadable list
// gives what parses of its comma-separated items.
func addresses(raw, hint string) []Address {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	if !utf8.ValidString(raw) {
		raw = Decode(hint, []byte(raw))
	}
	p := mail.AddressParser{WordDecoder: words}
	list, err := p.ParseList(raw)
	if err != nil {
		list = nil
		for _, item := range strings.Split(raw, ",") {
			if a, err := p.Parse(item); err == nil {
				list = append(list, a)
			}
		}
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{Name: clean(a.Name), Email: strings.ToLower(clean(a.Address))})
	}
	return out
}
