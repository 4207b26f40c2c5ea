package duplicates

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// combine returns the winner after the merge, not yet normalised: the fields
// chosen from the loser, the union of tags (and of emails and phones), and
// the custom fields of both, the winner's (or the chosen side's) first.
func combine(k *pgstore.Table, winner, loser customer.Record, fields map[string]string) (customer.Record, error) {
	w, err := events.ToMap(winner)
	if err != nil {
		return nil, err
	}
	l, err := events.ToMap(loser)
	if err != nil {
		return nil, err
	}
	lm, wm := loser.Base(), winner.Base()
	custom := map[string]any{}
	for key, val := range lm.CustomFields {
		custom[key] = val
	}
	for key, val := range wm.CustomFields {
		custom[key] = val
	}
	for f, choice := range fields {
		if choice != KeepLoser {
			continue
		}
		if key, ok := strings.CutPrefix(f, customfields.Prefix); ok {
			takeOrDrop(custom, key, lm.CustomFields)
		} else {
			takeOrDrop(w, f, l)
		}
	}
	w["customFields"] = custom
	w["tags"] = append(slices.Clone(wm.Tags), lm.Tags...)
	body, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	rec := k.New()
	if err := kitx.DecodeJSON(body, rec); err != nil {
		return nil, err
	}
	switch r := rec.(type) {
	case *customer.Contact:
		unionContact(r, winner.(*customer.Contact), loser.(*customer.Contact), fields["displayName"] == KeepLoser)
	case *customer.Account:
		fixParent(r, loser.(*customer.Account))
		r.LastActivityAt = customer.LaterActivity(winner.(*customer.Account).LastActivityAt, loser.(*customer.Account).LastActivityAt)
	}
	return rec, nil
}

// takeOrDrop sets dst[key] to src[key], or removes it when src has none.
func takeOrDrop[V any](dst map[string]any, key string, src map[string]V) {
	if val, ok := src[key]; ok {
		dst[key] = val
	} else {
		delete(dst, key)
	}
}

// unionContact appends the loser's emails and phones that the winner lacks
// (by normalised value, never primary) and keeps the later of the two last
// activities. The display name stays computed unless the winner's was set by
// hand or the loser's is chosen and differs from the one the merged names
// give.
func unionContact(c, winner, loser *customer.Contact, loserName bool) {
	c.LastActivityAt = customer.LaterActivity(winner.LastActivityAt, loser.LastActivityAt)
	c.DisplayNameManual = winner.DisplayNameManual
	if loserName {
		c.DisplayNameManual = loser.DisplayNameManual || c.DisplayName != customer.DisplayName(c.FirstName, c.LastName)
	}
	seen := map[string]bool{}
	for _, e := range c.Emails {
		seen[strings.ToLower(strings.TrimSpace(e.Address))] = true
	}
	for _, e := range loser.Emails {
		if key := strings.ToLower(strings.TrimSpace(e.Address)); !seen[key] {
			seen[key] = true
			e.Primary = false
			c.Emails = append(c.Emails, e)
		}
	}
	seen = map[string]bool{}
	for _, ph := range c.Phones {
		seen[cmp.Or(ph.E164, ph.Number)] = true
	}
	for _, ph := range loser.Phones {
		if key := cmp.Or(ph.E164, ph.Number); !seen[key] {
			seen[key] = true
			ph.Primary = false
			c.Phones = append(c.Phones, ph)
		}
	}
}

// fixParent keeps a merged account from having the loser (about to be a
// tombstone) or itself as parent: the loser's parent takes the loser's place.
func fixParent(a, loser *customer.Account) {
	if a.ParentAccountID != nil && *a.ParentAccountID == loser.ID {
		a.ParentAccountID = loser.ParentAccountID
	}
	if a.ParentAccountID != nil && *a.ParentAccountID == a.ID {
		a.ParentAccountID = nil
	}
}
