package reporting_test

import (
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/registry"
)

// The correctness test's history of contacts' accounts and contacts
// (crWorld, correctness_world_test.go): created, updated, merged (a chain
// now and then), deleted, restored and erased.

// genAccounts publishes n accounts, some updated, a few merged or
// deleted.
func (w *crWorld) genAccounts(n int) {
	var ids []string
	for i := range n {
		a := account{ID: crID(w.r), Name: fmt.Sprintf("Account %d", i), Industry: pick(w.r, []string{"tech", "retail", "health", ""}),
			Owner: pick(w.r, w.owners), Team: pick(w.r, w.teams), Created: w.at(crStart, crStart.AddDate(0, 6, 0)), Version: 1}
		w.emit(registry.Contacts, contactsType("account", "created"), a.ID, a.Created, accountPayload("created", a))
		if w.chance(0.4) {
			a.Version, a.Updated, a.Industry, a.Owner = 2, a.Created.Add(48*time.Hour), pick(w.r, []string{"tech", "retail", "finance"}), pick(w.r, w.owners)
			w.emit(registry.Contacts, contactsType("account", "updated"), a.ID, a.Updated, accountPayload("updated", a))
		}
		w.accounts[a.ID] = &crAccount{a: a}
		ids = append(ids, a.ID)
	}
	for range max(2, n/20) { // merges, a chain possible
		loser, winner := pick(w.r, ids), pick(w.r, ids)
		if loser == winner || w.aMerges[loser] != "" || w.aMerges[winner] != "" {
			continue
		}
		st := w.accounts[winner]
		st.a.Version++
		st.a.Updated = w.at(crStart.AddDate(0, 7, 0), crEnd)
		w.emit(registry.Contacts, contactsType("account", "merged"), winner, st.a.Updated, map[string]any{
			"winner": accountPayload("merged", st.a), "loserId": loser, "mergedFields": []string{}})
		w.aMerges[loser] = winner
	}
	for range max(1, n/30) {
		id := pick(w.r, ids)
		st := w.accounts[id]
		if st.deleted || w.aMerges[id] != "" {
			continue
		}
		st.a.Version++
		st.a.Updated = crEnd.Add(-time.Hour)
		w.emit(registry.Contacts, contactsType("account", "deleted"), id, st.a.Updated, accountPayload("deleted", st.a))
		st.deleted = true
	}
}

// crLifecycle are the lifecycle stages the history moves contacts through.
var crLifecycle = []string{"subscriber", "lead", "marketingQualified", "salesQualified", "opportunity", "customer", "evangelist", "churned"}

// genContacts publishes n contacts with their lifecycle moves; a few
// deleted, merged or erased.
func (w *crWorld) genContacts(n int) {
	var ids []string
	for range n {
		created := w.at(crStart, crEnd)
		si := w.r.IntN(4)
		c := contact{ID: crID(w.r), Account: w.accountRef(), Owner: pick(w.r, w.owners), Team: pick(w.r, w.teams),
			Source: pick(w.r, []string{"web", "event", "referral"}), Stage: crLifecycle[si], Created: created, Version: 1}
		st := &crContact{}
		w.contacts[c.ID] = st
		w.contactState(st, "created", c)
		last := created
		for range w.r.IntN(4) {
			c.Version++
			c.Updated = w.at(last.Add(time.Second), last.AddDate(0, 3, 0))
			last = c.Updated
			switch {
			case w.chance(0.15): // no stage change
			case w.chance(0.15):
				si = max(0, si-1)
			default:
				si = min(len(crLifecycle)-1, si+1)
			}
			c.Stage = crLifecycle[si]
			if w.chance(0.2) {
				c.Owner, c.Source = pick(w.r, w.owners), pick(w.r, []string{"web", "event", "referral", "ads"})
			}
			w.contactState(st, "updated", c)
		}
		ids = append(ids, c.ID)
	}
	for range max(2, n/30) {
		loser, winner := pick(w.r, ids), pick(w.r, ids)
		if loser == winner || w.cMerges[loser] != "" || w.cMerges[winner] != "" || w.contacts[winner].deleted {
			continue
		}
		st := w.contacts[winner]
		c := st.c
		c.Version++
		c.Updated = maxTime(c.Updated, c.Created).Add(time.Duration(1+w.r.IntN(90*24)) * time.Hour)
		c.Stage = crLifecycle[min(len(crLifecycle)-1, slicesIndex(crLifecycle, c.Stage)+1)]
		data := map[string]any{"winner": contactPayload("merged", c), "loserId": loser, "mergedFields": []string{}}
		w.emit(registry.Contacts, contactsType("contact", "merged"), winner, c.Updated, data)
		w.recordContact(st, c)
		w.cMerges[loser] = winner
	}
	for range max(1, n/30) {
		id := pick(w.r, ids)
		st := w.contacts[id]
		if st.deleted || w.cMerges[id] != "" {
			continue
		}
		c := st.c
		c.Version++
		c.Updated = maxTime(c.Updated, c.Created).Add(time.Hour)
		w.contactState(st, "deleted", c)
		st.deleted = true
		if w.chance(0.3) {
			c.Version++
			c.Updated = c.Updated.Add(time.Hour)
			w.contactState(st, "restored", c)
			st.deleted = false
		}
	}
	for range max(1, n/30) {
		id := pick(w.r, ids)
		at := maxTime(w.contacts[id].c.Updated, w.contacts[id].c.Created).Add(time.Minute)
		w.emit(registry.Contacts, contactsType("contact", "erased"), id, at,
			map[string]any{"id": id, "tenant": w.tenant, "erasedAt": at, "erasedBy": "dpo"})
	}
}

// contactState emits contact.<verb> of c and records it.
func (w *crWorld) contactState(st *crContact, verb string, c contact) {
	p := contactPayload(verb, c)
	w.emit(registry.Contacts, contactsType("contact", verb), c.ID, p["updatedAt"].(time.Time), p)
	w.recordContact(st, c)
}

// recordContact records c as st's last state and its stage at c's version.
func (w *crWorld) recordContact(st *crContact, c contact) {
	at := c.Updated
	if at.IsZero() {
		at = c.Created
	}
	st.c = c
	st.stages = append(st.stages, crStageRow{version: c.Version, stage: c.Stage, at: at})
}
