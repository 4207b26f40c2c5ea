package imports

import (
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// findAccounts gives each draft naming an account — by id, domain or name,
// tried in that order — the live account it names; a row naming none, or a
// name or domain several accounts share, fails. It returns the drafts left.
func (m *merger) findAccounts(drafts []*draft) ([]*draft, error) {
	var byID, byDomain, byName []string
	for _, d := range drafts {
		a := &d.account
		a.Domain = customer.NormalizeDomain(a.Domain)
		switch {
		case a.ID != "" && ids.Valid(a.ID):
			byID = append(byID, strings.ToLower(a.ID))
		case a.ID == "" && a.Domain != "":
			byDomain = append(byDomain, a.Domain)
		}
		if a.ID == "" && a.Name != "" {
			byName = append(byName, a.Name)
		}
	}
	if len(byID)+len(byDomain)+len(byName) == 0 {
		return drafts, nil
	}
	hits, err := findAccounts(m.ctx, m.tx, distinct(byID), distinct(byDomain), distinct(byName))
	if err != nil {
		return nil, err
	}
	found := map[string][]string{}
	for _, h := range hits {
		found[h.Kind+":"+h.Key] = append(found[h.Kind+":"+h.Key], h.ID)
	}
	var out []*draft
	for _, d := range drafts {
		if !d.account.named() {
			out = append(out, d)
			continue
		}
		if id, ok := m.accountOf(d, found); ok {
			d.contact.AccountID = &id
			out = append(out, d)
		}
	}
	return out, nil
}

// distinct returns the distinct values of list.
func distinct(list []string) []string {
	slices.Sort(list)
	return slices.Compact(list)
}

// accountOf returns the account d names among found (by "kind:key"), or
// fails d's row and returns false.
func (m *merger) accountOf(d *draft, found map[string][]string) (string, bool) {
	a := d.account
	if a.ID != "" {
		if ids := found["id:"+strings.ToLower(a.ID)]; len(ids) == 1 {
			return ids[0], true
		}
		m.b.FailAt(d.row, a.idCol, "accountId names no account")
		return "", false
	}
	if a.Domain != "" {
		switch ids := found["domain:"+a.Domain]; {
		case len(ids) == 1:
			return ids[0], true
		case len(ids) > 1:
			m.b.FailAt(d.row, a.domainCol, "several accounts have this domain: map accountId")
			return "", false
		case a.Name == "":
			m.b.FailAt(d.row, a.domainCol, "no account has this domain")
			return "", false
		}
	}
	switch ids := found["name:"+a.Name]; {
	case len(ids) == 1:
		return ids[0], true
	case len(ids) > 1:
		m.b.FailAt(d.row, a.nameCol, "several accounts have this name: map accountDomain or accountId")
	default:
		m.b.FailAt(d.row, a.nameCol, "no account has this name")
	}
	return "", false
}
