package customer

import (
	"strings"
	"unicode"
)

// DisplayName composes a contact's display name from its names: family name
// first with no space when either name is written in Han characters
// ("张" + "伟" → "张伟"), "first last" otherwise.
func DisplayName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if hasHan(first) || hasHan(last) {
		return last + first
	}
	return strings.TrimSpace(first + " " + last)
}

// hasHan reports whether s contains a Han (Chinese) character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
