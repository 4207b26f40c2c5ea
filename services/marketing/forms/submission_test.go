package forms

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

func TestAcceptMapsValuesToTheLeadAndFields(t *testing.T) {
	f := Form{ID: "f", CampaignID: "c", Consent: &Consent{Text: "Yes", Channel: "sms"}, Fields: []Field{
		{Key: "name", Type: TypeText, MapsTo: "firstName"},
		{Key: "mobile", Type: TypePhone, MapsTo: "phone"},
		{Key: "job", Type: TypeText, MapsTo: "title"},
		{Key: "plan", Type: TypeSelect, Options: []string{"Free", "Pro"}, MapsTo: "custom:tier"},
		{Key: "note", Type: TypeTextarea},
		{Key: "terms", Type: TypeCheckbox, Required: true},
		{Key: "empty", Type: TypeText},
	}}
	d, err := accept(f, Input{Values: map[string]string{"name": " 李雷 ", "mobile": "+86 138-1234-5678", "job": "CTO", "plan": "Pro",
		"note": "line 1\nline 2", "terms": "on", "consent": "yes", "website": ""}})
	if err != nil {
		t.Fatal(err)
	}
	if d.FirstName != "李雷" || d.Phone != "+8613812345678" || d.Title != "CTO" || d.CampaignID != "c" || d.FormID != "f" ||
		!d.Consent || d.ConsentChannel != "sms" || d.ConsentText != "Yes" || d.Source != Source ||
		d.Fields["tier"] != "Pro" || d.Fields["note"] != "line 1\nline 2" || d.Fields["terms"] != true || len(d.Fields) != 3 {
		t.Fatalf("accepted %+v", d)
	}
}

func TestAcceptNamesEveryBadInput(t *testing.T) {
	f := Form{Fields: []Field{
		{Key: "email", Type: TypeEmail, Required: true, MapsTo: "email"},
		{Key: "mobile", Type: TypePhone},
		{Key: "plan", Type: TypeSelect, Options: []string{"Free"}},
		{Key: "terms", Type: TypeCheckbox, Required: true},
		{Key: "name", Type: TypeText},
	}}
	_, err := accept(f, Input{Values: map[string]string{"email": "a@b", "mobile": "138 1234 5678", "plan": "Gold", "terms": "false",
		"name": "a\x00b", "consent": "true", "extra": "x"}, Repeated: []string{"name"}})
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.Invalid {
		t.Fatalf("error %v", err)
	}
	var got []string
	for _, fe := range e.Fields {
		got = append(got, fe.Field)
	}
	// consent is not an input of a form without a consent checkbox.
	want := []string{"consent", "extra", "name", "email", "mobile", "plan", "terms", "name"}
	if !slices.Equal(got, want) {
		t.Fatalf("named %v, want %v", got, want)
	}
}
