package privacy

import (
	"testing"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

func TestScrub(t *testing.T) {
	p := personOf([]*customer.Contact{{
		Meta:      customer.Meta{ID: "c1"},
		FirstName: "Ann", LastName: "Lee", DisplayName: "Ann Lee",
		Emails: customer.Emails{{Address: "Ann.Lee@Example.com"}},
	}, {
		Meta:        customer.Meta{ID: "c2"},
		DisplayName: "张伟",
	}})
	for _, tt := range []struct{ in, want string }{
		{"Call Ann Lee about the Annual report", "Call [erased] about the Annual report"},
		{"ann's deal; write to ann.lee@example.com", "[erased]'s deal; write to [erased]"},
		{"Leeds office, Ann", "Leeds office, [erased]"},
		{"联系张伟先生", "联系[erased]先生"},
		{"nothing here", "nothing here"},
		{"", ""},
	} {
		if got := scrub(tt.in, p.terms); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
