package templates

import (
	"strings"
	"unicode/utf16"
)

// The encodings of an SMS.
const (
	EncodingGSM7 = "GSM-7"
	EncodingUCS2 = "UCS-2"
)

// gsm7Basic is the GSM 03.38 default alphabet (one septet each);
// gsm7Extension the characters of its extension table (two septets: the
// escape and the character).
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extension = "^{}\\[~]|€\f"
)

// The capacity of an SMS: a single message, and each part of a
// concatenated one (the user data header takes the rest), in septets for
// GSM-7 and UTF-16 code units for UCS-2.
const (
	gsm7Single = 160
	gsm7Part   = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// SMSCount is the number of messages body takes and their encoding: GSM-7
// when every character is in the GSM alphabet (extension characters
// counting two), otherwise UCS-2 (Chinese, emoji: an emoji outside the
// BMP counts two). A character never straddles two parts. An empty body
// takes none.
func SMSCount(body string) (int, string) {
	if body == "" {
		return 0, EncodingGSM7
	}
	units, enc := gsm7Units(body), EncodingGSM7
	single, part := gsm7Single, gsm7Part
	if units == nil {
		units, enc = ucs2Units(body), EncodingUCS2
		single, part = ucs2Single, ucs2Part
	}
	total := 0
	for _, u := range units {
		total += u
	}
	if total <= single {
		return 1, enc
	}
	parts, room := 1, part
	for _, u := range units {
		if u > room {
			parts, room = parts+1, part
		}
		room -= u
	}
	return parts, enc
}

// gsm7Units are the septets of each character of body, nil when one is
// outside the GSM alphabet.
func gsm7Units(body string) []int {
	var out []int
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			out = append(out, 1)
		case strings.ContainsRune(gsm7Extension, r):
			out = append(out, 2)
		default:
			return nil
		}
	}
	return out
}

// ucs2Units are the UTF-16 code units of each character of body.
func ucs2Units(body string) []int {
	var out []int
	for _, r := range body {
		out = append(out, utf16.RuneLen(r))
	}
	return out
}
