package templates

import (
	"mime"
	"unicode/utf8"
)

// EncodeSubject is s as a mail's Subject header value: as is when it is
// printable ASCII, else RFC 2047 encoded words in UTF-8 (Q when mostly
// ASCII, B otherwise, as for Chinese), split to keep each word within 75
// characters.
func EncodeSubject(s string) string {
	nonASCII := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] < ' ' || s[i] == 0x7f {
			nonASCII++
		}
	}
	switch {
	case nonASCII == 0:
		return s
	case nonASCII*3 < len(s):
		return mime.QEncoding.Encode("utf-8", s)
	default:
		return mime.BEncoding.Encode("utf-8", s)
	}
}
