package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// matchSchema reads every field from the jsonb column doc, as a webhook's
// filter reads an event: "data.amount" is a member of doc's "data".
func matchSchema() Schema {
	f := func(key string, typ Type) Field { return JSONBField(key, "doc", key, typ) }
	stage := f("stage", Enum)
	stage.Values = []string{"lead", "prospect", "customer"}
	return Schema{Fields: []Field{
		f("name", String), stage, f("score", Number), f("amount", Decimal), f("vip", Bool),
		f("at", Time), f("day", Date), f("owner", UUID), f("tags", StringArray),
		JSONBField("data.amount", "(doc->'data')", "amount", Decimal),
	}}
}

// matchDocs are the documents both evaluators see, with missing values,
// nulls and values of the wrong JSON type.
var matchDocs = []string{
	`{"name":"Ann","stage":"lead","score":10,"amount":100.50,"vip":true,"at":"2026-01-10T08:00:00Z","day":"1990-02-28","owner":"` + ownerA + `","tags":["purchase-intent","vip"],"data":{"amount":12345678901234567890.5}}`,
	`{"name":"张伟","stage":"prospect","score":50.5,"amount":"lots","vip":"yes","at":"2025-06-01T12:00:00+02:00","day":"1985-07-04","owner":"` + ownerB + `","tags":"vip","data":{"amount":"1"}}`,
	`{"name":"","stage":null,"score":90,"amount":0,"vip":false,"at":null,"tags":[],"data":{"amount":12345678901234567890.4}}`,
	`{"name":5,"score":"7","amount":1e3,"at":7,"day":7,"owner":7,"tags":["newsletter",3],"data":"x"}`,
	`{}`,
	`{"name":"ÅSA berg","stage":"customer","score":-3,"amount":-0.01,"vip":true,"at":"2099-01-01T00:00:00Z","day":"2026-12-01","tags":["vip","newsletter"]}`,
}

func TestFilterMatchAgreesWithCompile(t *testing.T) {
	db := testkit.Open(t, testkit.Postgres(t).AdminURL)
	db.MustExec(`CREATE TABLE docs (id int PRIMARY KEY, doc jsonb NOT NULL)`)
	docs := make([]map[string]any, len(matchDocs))
	for i, src := range matchDocs {
		db.MustExec(`INSERT INTO docs VALUES ($1, $2)`, i+1, src)
		d := json.NewDecoder(bytes.NewReader([]byte(src)))
		d.UseNumber()
		if err := d.Decode(&docs[i]); err != nil {
			t.Fatal(err)
		}
	}
	filters := []string{
		`null`,
		`{"field":"name","op":"eq","value":"Ann"}`,
		`{"field":"name","op":"eq","value":"5"}`,
		`{"field":"name","op":"ne","value":"Ann"}`,
		`{"field":"name","op":"in","value":["Ann","","x"]}`,
		`{"field":"name","op":"contains","value":"SA B"}`,
		`{"field":"name","op":"startsWith","value":"åsa"}`,
		`{"field":"name","op":"startsWith","value":"张"}`,
		`{"field":"name","op":"isEmpty"}`,
		`{"field":"name","op":"isEmpty","value":false}`,
		`{"field":"stage","op":"ne","value":"lead"}`,
		`{"field":"stage","op":"in","value":["lead","customer"]}`,
		`{"field":"stage","op":"isEmpty"}`,
		`{"field":"score","op":"gt","value":10}`,
		`{"field":"score","op":"lte","value":50}`,
		`{"field":"score","op":"eq","value":50}`,
		`{"field":"score","op":"in","value":[10,90,7]}`,
		`{"not":{"field":"score","op":"lt","value":20}}`,
		`{"field":"amount","op":"gte","value":"100.5"}`,
		`{"field":"amount","op":"lt","value":0}`,
		`{"field":"amount","op":"eq","value":1000}`,
		`{"field":"amount","op":"isEmpty"}`,
		`{"field":"data.amount","op":"gt","value":"12345678901234567890.45"}`,
		`{"field":"data.amount","op":"isEmpty"}`,
		`{"field":"vip","op":"eq","value":true}`,
		`{"field":"vip","op":"ne","value":true}`,
		`{"field":"at","op":"lt","value":"2026-01-10T08:00:00Z"}`,
		`{"field":"at","op":"gte","value":"2025-06-01T10:00:00Z"}`,
		`{"field":"at","op":"within","value":"100y"}`,
		`{"field":"at","op":"isEmpty"}`,
		`{"field":"day","op":"gt","value":"1989-12-31"}`,
		`{"field":"day","op":"within","value":"100y"}`,
		`{"field":"owner","op":"eq","value":"` + ownerA + `"}`,
		`{"field":"owner","op":"ne","value":"` + ownerA + `"}`,
		`{"field":"owner","op":"in","value":["` + ownerB + `"]}`,
		`{"field":"tags","op":"contains","value":"vip"}`,
		`{"field":"tags","op":"contains","value":["vip","newsletter"]}`,
		`{"field":"tags","op":"in","value":["newsletter","3"]}`,
		`{"field":"tags","op":"isEmpty"}`,
		`{"not":{"field":"tags","op":"contains","value":"vip"}}`,
		`{"or":[{"and":[{"field":"vip","op":"eq","value":true},{"not":{"field":"name","op":"isEmpty"}}]},{"field":"score","op":"gte","value":90}]}`,
		`{"and":[{"field":"stage","op":"ne","value":"lead"},{"not":{"or":[{"field":"score","op":"gt","value":0},{"field":"amount","op":"lt","value":0}]}}]}`,
	}
	s := matchSchema()
	for _, src := range filters {
		n := mustParse(t, src)
		where, args, err := Compile(n, s, 1)
		if err != nil {
			t.Fatalf("Compile(%s): %v", src, err)
		}
		sqlIDs := []int{}
		if err := db.Select(&sqlIDs, `SELECT id FROM docs WHERE `+where+` ORDER BY id`, args...); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		goIDs := []int{}
		for i, d := range docs {
			ok, err := Match(n, s, d)
			if err != nil {
				t.Fatalf("Match(%s) on doc %d: %v", src, i+1, err)
			}
			if ok {
				goIDs = append(goIDs, i+1)
			}
		}
		if !reflect.DeepEqual(goIDs, sqlIDs) {
			t.Errorf("%s: Match gives %v, PostgreSQL %v", src, goIDs, sqlIDs)
		}
	}
}

func TestFilterMatchRejectsAsCompile(t *testing.T) {
	for _, src := range []string{
		`{"field":"nope","op":"eq","value":1}`,
		`{"field":"score","op":"contains","value":1}`,
		`{"field":"stage","op":"eq","value":"other"}`,
		`{"not":{"field":"tags","op":"within","value":"1d"}}`,
	} {
		n := mustParse(t, src)
		_, _, want := Compile(n, matchSchema(), 1)
		_, got := Match(n, matchSchema(), map[string]any{})
		var we, ge *errs.Error
		if !errors.As(want, &we) || !errors.As(got, &ge) || !reflect.DeepEqual(we.Fields, ge.Fields) {
			t.Errorf("%s: Match error %v, Compile's %v", src, got, want)
		}
	}
}
