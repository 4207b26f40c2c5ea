// Package email checks email addresses and website domains as records hold
// them: a bare, lower-cased address ("name@example.com") whose domain is an
// ASCII host name with at least two labels and an alphabetic top-level
// label. Services normalise first (trim, lower-case) and check the result.
package email

import (
	"net/mail"
	"regexp"
	"strings"
)

var domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidDomain reports whether d is an ASCII host name with at least two
// labels and an alphabetic top-level label.
func ValidDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") == ""
}

// Valid reports whether s is a bare address with a dotted domain.
func Valid(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return ValidDomain(domain)
}
