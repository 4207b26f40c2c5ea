// Package phone normalises phone numbers to E.164 ("+8613812345678"): a
// number written with an international prefix ("+", "00", or "011" in North
// America) is read as such from any country; any other is read in the
// national numbering plan of a default region, the tenant's choice among
// Regions (DefaultRegion until it chooses). Services keep the E.164 form
// beside the number as typed, for duplicate checks and lookups.
package phone

import (
	"errors"
	"slices"
	"strings"
)

// DefaultRegion is the region of a tenant that has not chosen one.
const DefaultRegion = "US"

// Regions are the regions whose national numbers (typed without an
// international prefix) can be normalised; numbers with a "+" or "00" prefix
// are accepted from any country.
var Regions = []string{"CA", "CN", "DE", "GB", "US"}

// callingCodes maps each region of Regions to its country calling code.
var callingCodes = map[string]string{"CA": "1", "US": "1", "CN": "86", "GB": "44", "DE": "49"}

// The reasons Normalize gives for numbers it cannot read.
var (
	errPhoneChars    = errors.New("may hold only digits, spaces, a leading +, and - . ( ) /")
	errPhoneLength   = errors.New("is not a valid international number (8 to 15 digits after the country code's +)")
	errPhoneNational = errors.New("is not a valid number for the default region; add the international prefix (+)")
	errPhoneRegion   = errors.New("needs an international prefix (+): the default region has no national numbering plan here")
)

// Normalize returns number in E.164 form ("+8613812345678"). A number
// with a "+" or "00" prefix (or "011" in North America) is international;
// any other is read in region's national plan (one of Regions).
func Normalize(number, region string) (string, error) {
	s := strings.ReplaceAll(strings.TrimSpace(number), "(0)", "")
	intl := strings.HasPrefix(s, "+")
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0, strings.ContainsRune(" -.()/", r):
		default:
			return "", errPhoneChars
		}
	}
	d := digits.String()
	switch {
	case intl:
	case strings.HasPrefix(d, "00"):
		intl, d = true, d[2:]
	case strings.HasPrefix(d, "011") && callingCodes[region] == "1":
		intl, d = true, d[3:]
	}
	if intl {
		return international(d)
	}
	cc, ok := callingCodes[region]
	if !ok {
		return "", errPhoneRegion
	}
	nsn, ok := nationalSignificant(cc, d, false)
	if !ok {
		return "", errPhoneNational
	}
	return "+" + cc + nsn, nil
}

// international validates digits (country code and number, no prefix).
func international(d string) (string, error) {
	for _, cc := range []string{"1", "86", "44", "49"} {
		if rest, ok := strings.CutPrefix(d, cc); ok {
			nsn, valid := nationalSignificant(cc, rest, true)
			if !valid {
				return "", errPhoneLength
			}
			return "+" + cc + nsn, nil
		}
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", errPhoneLength
	}
	return "+" + d, nil
}

// nationalSignificant returns the national significant number of d in the
// plan of calling code cc. d is as dialled nationally (with the trunk
// prefix), or as written after the country code when intl is set.
func nationalSignificant(cc, d string, intl bool) (string, bool) {
	switch cc {
	case "1": // NANP: [1] NXX NXX XXXX
		if !intl && len(d) == 11 && d[0] == '1' {
			d = d[1:]
		}
		return d, len(d) == 10 && d[0] >= '2' && d[3] >= '2'
	case "86":
		trunk := false
		if d != "" && d[0] == '0' {
			trunk, d = true, d[1:]
		}
		mobile := len(d) == 11 && d[0] == '1' && d[1] >= '3'
		landline := len(d) >= 9 && len(d) <= 11 && d[0] != '0' && (d[0] != '1' || strings.HasPrefix(d, "10") && len(d) == 10)
		if intl {
			return d, !trunk && (mobile || landline)
		}
		return d, trunk && landline || !trunk && mobile
	case "44", "49":
		if d != "" && d[0] == '0' {
			d = d[1:]
		} else if !intl {
			return "", false // a national number starts with the trunk prefix 0
		}
		if cc == "44" {
			return d, (len(d) == 9 || len(d) == 10) && d[0] != '0'
		}
		return d, len(d) >= 6 && len(d) <= 13 && d[0] != '0'
	}
	return "", false
}

// ValidRegion reports whether r is one of Regions.
func ValidRegion(r string) bool { return slices.Contains(Regions, r) }
