package contacts_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/rapport-crm/rapport/libs/importjob"
)

// TestImportReportsBadRows imports a UTF-8 file with a bad row of each kind
// among good ones (one in GB18030 too): every good row is imported, even after a quote left
// open, and each bad one is in the error report with its row, column, value
// and why.
func TestImportReportsBadRows(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	e.created(u, "/v1/custom-fields", map[string]any{"entity": "contact", "key": "score", "label": "Score", "type": "number"})
	gb := string(encoded(t, "张伟", simplifiedchinese.GB18030.NewEncoder()))
	file := "Name,Email,Company,Country,Score\n" +
		"Zoë Müller,good1@x.io,Acme,DE,10\n" +
		"\"Broken, quote,bad@x.io,Acme,DE,1\n" +
		"王芳,good2@x.io,,FR,\n" +
		"Bad Email,not-an-email,,,\n" +
		"Too,many,fields,in,this,row\n" +
		"Unknown Co,u@x.io,Nope Inc,,\n" +
		"Bad Score,s@x.io,,,abc\n" +
		"Bad Country,c@x.io,,Germany,\n" +
		gb + ",gb@x.io,,,\n" +
		"\n" +
		",,,,\n" +
		"Good Three,good3@x.io,Acme,,7.5\n"
	mapping := map[string]string{"Name": "displayName", "Email": "emails", "Company": "accountName", "Country": "address.country", "Score": "customFields.score"}
	im := e.importDone(u, e.startImport(u, map[string]any{"mapping": mapping}, []byte(file)).ID)
	if im.State != importjob.StateCompleted || counts(im) != [5]int64{10, 3, 0, 0, 7} {
		t.Fatalf("import %+v, want 10 rows read, 3 created, 7 failed", im)
	}
	for _, email := range []string{"good1@x.io", "good2@x.io", "good3@x.io"} {
		e.contactByEmail(u, email)
	}
	want := []struct{ row, column, value, reason string }{
		{"3", "", `"Broken, quote,bad@x.io,Acme,DE,1`, "never closed"},
		{"5", "Email", "not-an-email", "emails/0/address must be an email address"},
		{"6", "", "Too,many,fields,in,this,row", "the row has 6 fields; the header has 5"},
		{"7", "Company", "Nope Inc", "no account has this name"},
		{"8", "Score", "abc", "customFields/score must be a number"},
		{"9", "Country", "Germany", "address/country must be an ISO 3166-1 alpha-2 code"},
		{"10", "Name", "\uFFFD", "reads as GB18030"},
	}
	lines := e.importErrors(u, im.ID)
	if len(lines) != len(want) {
		t.Fatalf("error report %q, want %d lines", lines, len(want))
	}
	for i, w := range want {
		l := lines[i]
		if l[0] != w.row || l[1] != w.column || !strings.Contains(l[2], w.value) || !strings.Contains(l[3], w.reason) {
			t.Errorf("line %d: %q, want row %s, column %q, value %q, reason %q", i+1, l, w.row, w.column, w.value, w.reason)
		}
	}
}

// TestImportARowTheDatabaseRefusesFailsAlone makes the database refuse one
// row of a chunk that passed validation (a trigger of the test raises a
// check violation for it): the chunk is committed in halves down to that
// row, which alone fails, with the database's reason.
func TestImportARowTheDatabaseRefusesFailsAlone(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	for _, q := range []string{`CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.first_name = 'hold' THEN RAISE EXCEPTION 'no holds' USING ERRCODE = 'check_violation'; END IF;
			RETURN NEW;
		END $$`, `CREATE TRIGGER refuse_row BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_row()`} {
		if _, err := e.admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	im := e.importDone(u, e.startImport(u, map[string]any{"mapping": map[string]string{"First": "firstName", "Email": "emails"}}, numberedFile(1500, 700)).ID)
	if counts(im) != [5]int64{1500, 1499, 0, 0, 1} {
		t.Fatalf("import %+v, want one row of 1500 failed", im)
	}
	if lines := e.importErrors(u, im.ID); len(lines) != 1 || lines[0][0] != "702" || !strings.Contains(lines[0][3], "the database refused the row") {
		t.Errorf("error report %q, want row 702 refused by the database", lines)
	}
	if got := e.contactCount(u); got != 1499 {
		t.Errorf("%d contacts, want 1499", got)
	}
}
