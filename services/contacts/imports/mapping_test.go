package imports

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/search"
)

// TestFieldNamesAreTheVocabulary keeps the fields a column may fill in step
// with the contacts' field vocabulary: every one is a name of it, but
// accountDomain, which imports alone know.
func TestFieldNamesAreTheVocabulary(t *testing.T) {
	vocabulary := search.Vocabulary(customer.EntityContact).All
	for _, f := range fieldNames {
		if f != fieldAccountDomain && !slices.Contains(vocabulary, f) {
			t.Errorf("%s is no name of the contacts' vocabulary", f)
		}
	}
}

// TestPlanImportRefuses checks that each fault of a mapping is named at
// its entry.
func TestPlanImportRefuses(t *testing.T) {
	header := []string{"Name", "E-Mail", "Phone", "Phone", "Budget"}
	defs := map[string]customfields.Field{"budget": {Key: "budget", Type: "number"}, "tier": {Key: "tier", Type: "text", Required: true}}
	tests := []struct {
		name    string
		mapping importjob.Mapping
		policy  string
		field   string
		reason  string
		err     error
	}{
		{"a column not in the header", importjob.Mapping{"Nmae": "firstName", "E-Mail": "emails", "Budget": "customFields.tier"}, importjob.PolicySkip, "mapping/Nmae", `no column of the header is called "Nmae"`, nil},
		{"an unknown field", importjob.Mapping{"Name": "fullName", "E-Mail": "emails", "Budget": "customFields.tier"}, importjob.PolicySkip, "mapping/Name", `"fullName" is no field`, nil},
		{"a custom field not defined", importjob.Mapping{"Name": "firstName", "Budget": "customFields.nope"}, importjob.PolicyCreate, "mapping/Budget", "is no field", nil},
		{"a header twice", importjob.Mapping{"Phone": "phones", "Name": "firstName", "Budget": "customFields.tier"}, importjob.PolicyCreate, "mapping/Phone", "2 columns of the header", nil},
		{"one field from two columns", importjob.Mapping{"Name": "firstName", "E-Mail": "firstName", "Budget": "customFields.tier"}, importjob.PolicyCreate, "mapping/Name", "takes one value", nil},
		{"no identity", importjob.Mapping{"Budget": "customFields.tier"}, importjob.PolicyCreate, "mapping", "a contact needs a name", nil},
		{"skip without emails", importjob.Mapping{"Name": "firstName", "Budget": "customFields.tier"}, importjob.PolicySkip, "mapping", "map a column to emails", nil},
		{"a required custom field", importjob.Mapping{"Name": "firstName"}, importjob.PolicyCreate, "mapping", "customFields.tier is required", nil},
		{"nothing mapped", importjob.Mapping{"Name": ""}, importjob.PolicyCreate, "", "", importjob.ErrNothingMapped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importjob.PlanImport(header, tt.mapping, tt.policy, &writeRules{defs: defs})
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) || !slices.ContainsFunc(e.Fields, func(f errs.FieldError) bool {
				return f.Field == tt.field && strings.Contains(f.Reason, tt.reason)
			}) {
				t.Fatalf("error %v (%+v), want %s: %q", err, e, tt.field, tt.reason)
			}
		})
	}
}

// TestSuggestMapping checks the suggestions for headers of other tools and
// of Rapport's own export.
func TestSuggestMapping(t *testing.T) {
	defs := map[string]customfields.Field{"budget": {Key: "budget", Label: "Annual budget", Type: "number"}}
	header := []string{"First Name", "Last Name", "E-mail Address", "Mobile", "公司", "Website", "Annual Budget", "address.city", "Notes", "邮箱"}
	want := importjob.Mapping{"First Name": "firstName", "Last Name": "lastName", "E-mail Address": "emails", "Mobile": "phones",
		"公司": "accountName", "Website": "accountDomain", "Annual Budget": "customFields.budget", "address.city": "address.city", "邮箱": "emails"}
	got := suggestMapping(header, defs)
	if len(got) != len(want) {
		t.Errorf("suggested %v, want %v", got, want)
	}
	for h, f := range want {
		if got[h] != f {
			t.Errorf("%q: suggested %q, want %q", h, got[h], f)
		}
	}
}

// TestNewDraft checks how cells fill a contact: trimmed, an export's
// defusing apostrophe dropped, lists split, values read for their custom
// field's type, and each field's column noted.
func TestNewDraft(t *testing.T) {
	header := []string{"Name", "Mail", "Tel", "Tags", "VIP", "Stage", "Consent", "Country"}
	defs := map[string]customfields.Field{"vip": {Key: "vip", Type: "boolean"}}
	p, err := importjob.PlanImport(header, importjob.Mapping{"Name": "firstName", "Mail": "emails", "Tel": "phones", "Tags": "tags", "VIP": "customFields.vip",
		"Stage": "lifecycleStage", "Consent": "consent.email.status", "Country": "address.country"}, importjob.PolicySkip, &writeRules{defs: defs})
	if err != nil {
		t.Fatal(err)
	}
	d := newDraft(importjob.Row{No: 2, Cells: []string{" Ada ", "a@x.io; b@x.io", "'+49 30 1234567", "vip;early", "Yes", "Marketing Qualified", "opt-in", "de"}}, p, defs, time.Now())
	c := d.contact
	if c.FirstName != "Ada" || len(c.Emails) != 2 || c.Emails[1].Address != "b@x.io" || c.Phones[0].Number != "+49 30 1234567" ||
		!slices.Equal(c.Tags, []string{"vip", "early"}) || c.CustomFields["vip"] != true || c.LifecycleStage != "marketingQualified" ||
		c.Consent.Email.Status != "granted" || c.Address.Country != "DE" {
		t.Errorf("draft %+v", c)
	}
	if d.paths.Column("emails/1/address") != 1 || d.paths.Column("customFields/vip") != 4 || d.paths.Column("displayName") != -1 {
		t.Errorf("columns: emails/1 %d, vip %d, displayName %d", d.paths.Column("emails/1/address"), d.paths.Column("customFields/vip"), d.paths.Column("displayName"))
	}
}
