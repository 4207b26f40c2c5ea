package search

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// checkListQuery runs the database-free part of planList over q: the
// search, the filter compiled against k's fixed fields, and the sort.
func checkListQuery(k *pgstore.Table, q ListQuery) error {
	if _, err := parseText(q.Q); err != nil {
		return err
	}
	node, err := parseFilter(q.Filter)
	if err != nil {
		return err
	}
	schema := schemaFor(k, map[string]customfields.Field{"budget": {Key: "budget", Type: "decimal"}})
	if node != nil {
		resolveTagNames(node, map[string]string{"vip": "0190c2b4-0000-7000-8000-000000000001"})
		if _, _, err := filter.Compile(node, schema, 3); err != nil {
			return err
		}
	}
	plan := newListPlan(k)
	return plan.sortBy(q.Sort, schema, false)
}

// FuzzListQuery feeds arbitrary query strings to the list decoding and the
// checks of q, filter and sort: they never panic, and every error is a 400.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{
		"", "limit=10&cursor=abc", "q=%E5%BC%A0", "q=wei.zhang@", "q=%2B1%20415", "sort=-lastActivityAt,displayName",
		"sort=customFields.budget", "deleted=maybe", "limit=0", "limit=999999999999999999999",
		`filter={"and":[{"field":"tags","op":"contains","value":"vip"},{"field":"lastActivityAt","op":"within","value":"90d"}]}`,
		`filter={"field":"customFields.budget","op":"gte","value":1e400}`, `filter={"not":{"not":{"not":{}}}}`,
		`filter={"field":"tags","op":"in","value":["vip",1,null]}`, "filter=[", "filter=null", "sort=,,,", "q=%ff%fe",
		"view=x&q=%00", `filter={"or":[]}`, `filter={"field":"createdAt","op":"within","value":"99999999y"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/v1/contacts", RawQuery: raw}, Header: http.Header{}}
		req, err := decodeList(context.Background(), r)
		if err != nil {
			wantBadRequest(t, raw, err)
			return
		}
		for _, k := range []*pgstore.Table{pgstore.Contacts, pgstore.Accounts} {
			if err := checkListQuery(k, req.(ListQuery)); err != nil {
				wantBadRequest(t, raw, err)
			}
		}
	})
}

// wantBadRequest fails unless err is answered with 400.
func wantBadRequest(t *testing.T, raw string, err error) {
	t.Helper()
	if got := kitx.StatusCode(errs.KindOf(err)); got != http.StatusBadRequest {
		t.Errorf("%q: %v is a %d", raw, err, got)
	}
}
