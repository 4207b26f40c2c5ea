package contacts_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestChineseNamesOnAMakeRunCluster runs the duplicate checks and search for
// Chinese names on a database made as `make run` makes its databases: on a
// cluster initialised by libs/pgcluster, by pg.CreateDatabase. The shared
// test server defaults to C.UTF-8, so only here would a cluster or database
// with LC_CTYPE C show: pg_trgm finds no trigrams in CJK text there, and
// similar Chinese names are neither duplicates nor typos of each other.
func TestChineseNamesOnAMakeRunCluster(t *testing.T) {
	e := newEnvOn(t, testkit.ClusterPostgres(t))
	u := newUser(uuid.NewString())

	// Two accounts named 华为技术有限公司.
	huawei := e.created(u, "/v1/accounts", map[string]any{"name": "华为技术有限公司"})
	r := e.want(e.do(u, "POST", "/v1/accounts", map[string]any{"name": "华为技术有限公司"}), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[huawei]; !ok || matched(c) != "name" || c.Score != 1 {
		t.Errorf("account candidates %s", r.Raw)
	}
	twin := e.created(u, "/v1/accounts?allowDuplicate=true", map[string]any{"name": "华为技术有限公司"})
	r = e.want(e.do(u, "GET", "/v1/accounts/"+huawei+"/duplicates", nil), http.StatusOK)
	if c, ok := candidates(r, "items")[twin]; !ok || matched(c) != "name" {
		t.Errorf("duplicates of the account: %s", r.Raw)
	}

	// Three contacts 张伟 in one account.
	zhang := map[string]any{"lastName": "张", "firstName": "伟", "accountId": huawei}
	first := e.created(u, "/v1/contacts", zhang)
	r = e.want(e.do(u, "POST", "/v1/contacts", zhang), http.StatusConflict)
	if c, ok := candidates(r, "duplicates")[first]; !ok || matched(c) != "name" || c.Score != 1 {
		t.Errorf("contact candidates %s", r.Raw)
	}
	second := e.created(u, "/v1/contacts?allowDuplicate=true", zhang)
	third := e.created(u, "/v1/contacts?allowDuplicate=true", zhang)
	r = e.want(e.do(u, "GET", "/v1/contacts/"+first+"/duplicates", nil), http.StatusOK)
	got := candidates(r, "items")
	_, hasSecond := got[second]
	_, hasThird := got[third]
	if len(got) != 2 || !hasSecond || !hasThird {
		t.Errorf("duplicates of the first 张伟: %s", r.Raw)
	}

	// Search: a prefix, the account's name, a typo (word similarity).
	for _, tt := range []struct {
		path, q string
		want    []string
	}{
		{"/v1/contacts", "张", []string{"张伟", "张伟", "张伟"}},
		{"/v1/contacts", "华为", []string{"张伟", "张伟", "张伟"}},
		{"/v1/accounts", "华为", []string{"华为技术有限公司", "华为技术有限公司"}},
		{"/v1/accounts", "华为技朮有限公司", []string{"华为技术有限公司", "华为技术有限公司"}},
	} {
		if got := names(e.list(u, tt.path, "q", tt.q)); !slices.Equal(got, tt.want) {
			t.Errorf("%s q=%s found %v, want %v", tt.path, tt.q, got, tt.want)
		}
	}
	validateEvents(t, e)
}
