package kitx

import (
	"net/http"
	"strings"
)

// ChangedFieldsHeader is the response header in which a service names the
// top-level fields an update changed, comma-separated: names, never values.
// It is for the gateway alone, which records the names in its audit log and
// takes the header off before the response reaches the client; the gateway
// reads it only from the responses of the services it called.
const ChangedFieldsHeader = "Rapport-Changed-Fields"

// SetChangedFields names fields in h's ChangedFieldsHeader; with none it
// sets nothing.
func SetChangedFields(h http.Header, fields []string) {
	if len(fields) > 0 {
		h.Set(ChangedFieldsHeader, strings.Join(fields, ","))
	}
}

// ChangedFields returns the field names in h's ChangedFieldsHeader, blanks
// and empty names dropped.
func ChangedFields(h http.Header) []string {
	var out []string
	for _, v := range h.Values(ChangedFieldsHeader) {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}
