package contacts_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/duplicates"
)

// scanPairs starts a scan of entity as u, waits for it to finish and returns
// its pairs, walking pages of limit, as "aId bId score matchedOn" lines.
func (e *env) scanPairs(u user, entity string, limit int) []string {
	e.t.Helper()
	r := e.want(e.do(u, "POST", "/v1/duplicate-scans", map[string]any{"entity": entity}), http.StatusAccepted)
	scan := contracttest.Decode[duplicates.DuplicateScan](r)
	id := scan.ID
	if r.Header.Get("Location") != "/v1/duplicate-scans/"+id || scan.Status != duplicates.ScanRunning {
		e.t.Fatalf("scan started: %s %v", r.Raw, r.Header)
	}
	scan = e.scanAfter(u, id, 20*time.Second)
	if scan.Status != duplicates.ScanDone || scan.FinishedAt == nil {
		e.t.Fatalf("scan did not finish: %+v", scan)
	}
	var out []string
	cursor := ""
	for range 50 {
		page := e.want(e.do(u, "GET", fmt.Sprintf("/v1/duplicate-scans/%s/pairs?limit=%d%s", id, limit, cursor), nil), http.StatusOK)
		pairs := contracttest.Decode[customer.Page[duplicates.DuplicatePair]](page)
		for _, p := range pairs.Items {
			out = append(out, fmt.Sprintf("%s %s %v %s", p.AID, p.BID, p.Score, strings.Join(p.MatchedOn, ",")))
		}
		next := pairs.NextCursor
		if next == "" {
			break
		}
		cursor = "&cursor=" + next
	}
	if n := scan.PairCount; n != len(out) {
		e.t.Errorf("pairCount %d, listed %d pairs", n, len(out))
	}
	return out
}

// scanAfter reads the scan id as u until it is no longer running, for at
// most timeout, and returns it.
func (e *env) scanAfter(u user, id string, timeout time.Duration) duplicates.DuplicateScan {
	e.t.Helper()
	var scan duplicates.DuplicateScan
	testkit.Eventually(e.t, timeout, "the scan ends", func() (bool, string) {
		scan = contracttest.Decode[duplicates.DuplicateScan](e.want(e.do(u, "GET", "/v1/duplicate-scans/"+id, nil), http.StatusOK))
		return scan.Status != duplicates.ScanRunning, scan.Status
	})
	return scan
}

func TestDuplicateScans(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	allow := "?allowDuplicate=true"
	acct := e.created(u, "/v1/accounts", map[string]any{"name": "Initech", "domain": "initech.com"})
	a := e.created(u, "/v1/contacts", map[string]any{"firstName": "Peter", "lastName": "Gibbons", "accountId": acct,
		"emails": []any{map[string]any{"address": "peter@initech.com"}}})
	b := e.created(u, "/v1/contacts"+allow, map[string]any{"firstName": "Pete", "lastName": "Gibbons", "accountId": acct,
		"emails": []any{map[string]any{"address": "PETER@initech.com"}}})
	c := e.created(u, "/v1/contacts", map[string]any{"firstName": "Milton", "lastName": "Waddams",
		"phones": []any{map[string]any{"number": "+1 (212) 555-0188"}}})
	d := e.created(u, "/v1/contacts"+allow, map[string]any{"firstName": "Bob", "lastName": "Slydell",
		"phones": []any{map[string]any{"number": "212-555-0188"}}})
	e.created(u, "/v1/contacts", map[string]any{"firstName": "Joanna", "accountId": acct})
	deleted := e.created(u, "/v1/contacts"+allow, map[string]any{"firstName": "Peter", "lastName": "Gibbons", "accountId": acct,
		"emails": []any{map[string]any{"address": "peter@initech.com"}}})
	e.want(e.do(u, "DELETE", "/v1/contacts/"+deleted, nil), http.StatusNoContent)

	// Other tenants' records never pair with this tenant's.
	other := newUser(uuid.NewString())
	e.created(other, "/v1/contacts", map[string]any{"firstName": "Peter", "emails": []any{map[string]any{"address": "peter@initech.com"}}})

	ab, cd := sortedIDs(a, b), sortedIDs(c, d)
	pairs := e.scanPairs(u, "contact", 1)
	var nameScore string
	if len(pairs) == 2 {
		nameScore = strings.Fields(pairs[0])[2]
	}
	want := []string{
		fmt.Sprintf("%s %s 1 email,name", ab[0], ab[1]),
		fmt.Sprintf("%s %s 1 phone", cd[0], cd[1]),
	}
	if want[1] < want[0] { // equal scores: by ids
		want[0], want[1] = want[1], want[0]
	}
	if strings.Join(pairs, "\n") != strings.Join(want, "\n") {
		t.Errorf("contact pairs\n%s\nwant\n%s (name score %s)", strings.Join(pairs, "\n"), strings.Join(want, "\n"), nameScore)
	}

	x := e.created(u, "/v1/accounts", map[string]any{"name": "Umbrella Corporation"})
	y := e.created(u, "/v1/accounts"+allow, map[string]any{"name": "Umbrella Corporation Inc"})
	z := e.created(u, "/v1/accounts"+allow, map[string]any{"name": "Initech Software", "domain": "initech.com"})
	e.created(u, "/v1/accounts", map[string]any{"name": "Hooli"})
	pairs = e.scanPairs(u, "account", 50)
	xy, az := sortedIDs(x, y), sortedIDs(acct, z)
	if len(pairs) != 2 || !strings.HasPrefix(pairs[0], az[0]+" "+az[1]+" 1 domain") ||
		!strings.HasPrefix(pairs[1], xy[0]+" "+xy[1]+" 0.") || !strings.HasSuffix(pairs[1], " name") {
		t.Errorf("account pairs\n%s", strings.Join(pairs, "\n"))
	}

	// Scans are tenant-wide: they need contacts:admin.
	writer := user{tenant: u.tenant, id: uuid.NewString(), scope: "all", perms: []string{"contacts:read", "contacts:write"}}
	e.want(e.do(writer, "POST", "/v1/duplicate-scans", map[string]any{"entity": "contact"}), http.StatusForbidden)
	e.want(e.do(u, "POST", "/v1/duplicate-scans", map[string]any{"entity": "deal"}), http.StatusBadRequest)
	e.want(e.do(u, "GET", "/v1/duplicate-scans/"+uuid.NewString(), nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/duplicate-scans/"+uuid.NewString()+"/pairs", nil), http.StatusNotFound)
}
