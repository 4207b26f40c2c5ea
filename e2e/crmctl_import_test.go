package e2e

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// importRows and badRows make the file of TestCrmctlImportExportTail:
// importRows data rows, of which the rows at badRows (0-based) have an
// email that is none.
const importRows = 2000

var badRows = []int{499, 999, 1499}

// TestCrmctlImportExportTail runs crmctl import, export and events tail as
// subprocesses against one real stack: a CSV of 2,000 contacts with 3 bad
// rows imports the good ones, exits 1 and leaves the error report naming
// the bad rows beside the file, and so does a file of accounts (created row
// by row); an export equals what the API lists; the
// tail prints the tenant's new contact's event and no other tenant's, and
// stops on SIGINT.
func TestCrmctlImportExportTail(t *testing.T) {
	st := stack.Start(t, bins)
	tn := st.CreateTenant(t, "cli-import")
	other := st.CreateTenant(t, "cli-other")
	c := crmctl{bin: bins.Crmctl, gateway: st.GatewayURL, config: filepath.Join(t.TempDir(), "rapport", "crmctl.json")}
	c.ok(t, tn.Admin.Password+"\n", "login", "--tenant", tn.Slug, "--email", tn.Admin.Email, "--password-stdin")
	dir := t.TempDir()

	t.Run("import", func(t *testing.T) {
		file := filepath.Join(dir, "people.csv")
		writePeople(t, file)
		code, out, errw := c.run(t, "", "import", "contacts", file,
			"--mapping", "First Name=firstName,Last Name=lastName,Email=emails,City=address.city")
		if code != 1 || !strings.Contains(errw, "rows failed: 3 of 2000 rows") {
			t.Fatalf("import: exit %d, stderr %q; want 1 and the failed rows", code, errw)
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 ||
			!strings.HasPrefix(lines[0], "completed: 2000 rows read, 1997 created, 0 updated, 0 skipped, 3 failed") {
			t.Fatalf("import's stdout (not a terminal: one summary line) = %q", out)
		}
		report := readCSV(t, filepath.Join(dir, "people.errors.csv"))
		var rows []string
		for _, r := range report[1:] {
			rows = append(rows, r[0])
		}
		if strings.Join(report[0], ",") != "row,column,value,reason" || !slices.Equal(slices.Compact(rows), []string{"501", "1001", "1501"}) {
			t.Fatalf("people.errors.csv = %v; want rows 501, 1001 and 1501 (the header is row 1)", report)
		}
		if report[1][1] != "Email" || report[1][2] != "bad-499" {
			t.Fatalf("people.errors.csv's first fault = %v; want the column Email and its value", report[1])
		}
		listed := listAll(t, st, tn.Admin.Token, "/v1/contacts")
		emails := map[string]bool{}
		for _, ct := range listed {
			for _, e := range ct["emails"].([]any) {
				emails[e.(map[string]any)["address"].(string)] = true
			}
		}
		for i := range importRows {
			if want := !slices.Contains(badRows, i); emails[fmt.Sprintf("p%d@import.test", i)] != want {
				t.Fatalf("row %d's contact listed: %v, want %v (%d contacts listed)", i+2, !want, want, len(listed))
			}
		}
	})

	t.Run("import accounts", func(t *testing.T) {
		file := filepath.Join(dir, "accounts.csv")
		data := "name,domain,sizeBand,billingAddress.city\nAcme,acme.test,11-50,Berlin\nGlobex,globex.test,huge,Paris\nInitech,initech.test,,Austin\n"
		if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errw := c.run(t, "", "import", "accounts", file)
		if code != 1 || !strings.HasPrefix(out, "completed: 3 rows read, 2 created, 0 updated, 0 skipped, 1 failed") {
			t.Fatalf("import accounts: exit %d, stdout %q, stderr %q", code, out, errw)
		}
		report := readCSV(t, filepath.Join(dir, "accounts.errors.csv"))
		if len(report) != 2 || report[1][0] != "3" || report[1][1] != "sizeBand" || report[1][2] != "huge" {
			t.Fatalf("accounts.errors.csv = %v; want row 3's sizeBand", report)
		}
		var names []string
		for _, a := range listAll(t, st, tn.Admin.Token, "/v1/accounts") {
			names = append(names, a["name"].(string)+"/"+fmt.Sprint(a["billingAddress"].(map[string]any)["city"]))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Acme/Berlin", "Initech/Austin"}) {
			t.Fatalf("accounts listed: %v", names)
		}
	})

	t.Run("export", func(t *testing.T) {
		file := filepath.Join(dir, "export.csv")
		out := c.ok(t, "", "export", "contacts", file)
		exported := readCSV(t, file)
		listed := listAll(t, st, tn.Admin.Token, "/v1/contacts")
		if !strings.HasPrefix(out, fmt.Sprintf("exported %d contacts to %s", len(listed), file)) || len(exported) != len(listed)+1 {
			t.Fatalf("export: %q, %d rows; the API lists %d contacts", out, len(exported)-1, len(listed))
		}
		idCol := slices.Index(exported[0], "id")
		var got, want []string
		for _, r := range exported[1:] {
			got = append(got, r[idCol])
		}
		for _, ct := range listed {
			want = append(want, ct["id"].(string))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("the export's ids differ from the API's (%d and %d)", len(got), len(want))
		}

		xlsx := filepath.Join(dir, "family7.xlsx")
		c.ok(t, "", "export", "contacts", xlsx, "--filter", `{"field":"lastName","op":"eq","value":"Family7"}`)
		if b, err := os.ReadFile(xlsx); err != nil || !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
			t.Fatalf("family7.xlsx: %v, not a workbook (zip)", err)
		}
		if code, _, errw := c.run(t, "", "export", "contacts", filepath.Join(dir, "out.txt")); code != 1 || !strings.Contains(errw, ".csv or .xlsx") {
			t.Fatalf("export to .txt: exit %d, stderr %q", code, errw)
		}
		if entries, _ := os.ReadDir(dir); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasSuffix(e.Name(), ".part") }) {
			t.Fatalf("a temporary file was left in %s: %v", dir, entries)
		}
	})

	t.Run("tail", func(t *testing.T) {
		var theirs, ours map[string]any
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/contacts", Token: other.Admin.Token,
			Body: map[string]any{"firstName": "Other", "lastName": "Tenant"}}, http.StatusCreated, &theirs)
		if err := json.Unmarshal([]byte(c.ok(t, "", "contacts", "create", "--set", "firstName=Tail", "--set", "lastName=Seen", "-o", "json")), &ours); err != nil {
			t.Fatal(err)
		}
		// The other tenant's event is on the topic: the tail has one to leave out.
		theirsSeen := false
		for end := time.Now().Add(30 * time.Second); !theirsSeen && time.Now().Before(end); {
			for _, r := range testkit.ReadTopic(t, st.Brokers, st.Topic, 1<<30, 3*time.Second) {
				theirsSeen = theirsSeen || header(r, "ce_subject") == theirs["id"]
			}
		}
		if !theirsSeen {
			t.Fatalf("the other tenant's contact.created is not on %s", st.Topic)
		}

		cmd := exec.Command(c.bin, "events", "tail", "--from-beginning", "--brokers", strings.Join(st.Brokers, ","),
			"--type", "dev.rapport.contacts.contact.*")
		cmd.Env = append(os.Environ(), "CRMCTL_GATEWAY="+c.gateway, "CRMCTL_CONFIG="+c.config)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errw bytes.Buffer
		cmd.Stderr = &errw
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		seen, count := false, 0
		deadline := time.After(60 * time.Second)
		var quiet <-chan time.Time
	read:
		for {
			select {
			case line, open := <-lines:
				if !open {
					break read
				}
				count++
				var ev map[string]any
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatalf("tail line %q: %v", line, err)
				}
				if ev["tenantid"] != tn.ID || ev["specversion"] != "1.0" || !strings.HasPrefix(ev["type"].(string), "dev.rapport.contacts.contact.") {
					t.Fatalf("tail printed %s; want only tenant %s's contact events", line, tn.ID)
				}
				if ev["subject"] == ours["id"] && ev["type"] == "dev.rapport.contacts.contact.created.v1" {
					seen, quiet = true, time.After(2*time.Second)
				}
			case <-quiet:
				break read
			case <-deadline:
				break read
			}
		}
		_ = cmd.Process.Signal(syscall.SIGINT)
		go func() {
			for range lines { // what the tail printed after the test stopped reading
			}
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("tail after SIGINT: %v; stderr %s", err, errw.String())
		}
		if !seen {
			t.Fatalf("tail printed %d events but not contact %s's created; stderr %s", count, ours["id"], errw.String())
		}
		if count < importRows-len(badRows)+1 {
			t.Fatalf("tail from the beginning printed %d events; the tenant has %d created contacts", count, importRows-len(badRows)+1)
		}
	})
}

// writePeople writes the import's file: a header and importRows contacts,
// the rows at badRows with an email that is none.
func writePeople(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,City\n")
	for i := range importRows {
		email := fmt.Sprintf("p%d@import.test", i)
		if slices.Contains(badRows, i) {
			email = fmt.Sprintf("bad-%d", i)
		}
		fmt.Fprintf(&b, "Given%d,Family%d,%s,City %d\n", i, i, email, i%10)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readCSV reads a whole CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 || len(rows[0]) == 0 {
		t.Fatalf("%s: %d rows, %v", path, len(rows), err)
	}
	rows[0][0] = strings.TrimPrefix(rows[0][0], "\uFEFF") // the byte order mark exports and reports begin with
	return rows
}

// listAll reads every page of the list at path with token.
func listAll(t *testing.T, st *stack.Stack, token, path string) []map[string]any {
	t.Helper()
	var all []map[string]any
	cursor := ""
	for {
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"nextCursor"`
		}
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + path + "?limit=200&cursor=" + url.QueryEscape(cursor), Token: token},
			http.StatusOK, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}
