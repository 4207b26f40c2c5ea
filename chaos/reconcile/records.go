package reconcile

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rapport-crm/rapport/chaos/load"
)

// contact is a contact as the list reads it.
type contact struct {
	ID       string `json:"id"`
	JobTitle string `json:"jobTitle"`
	Emails   []struct {
		Address string `json:"address"`
	} `json:"emails"`
}

// byTenant returns the entries of tenant slug.
func byTenant(entries []load.Entry, slug string) []load.Entry {
	var out []load.Entry
	for _, e := range entries {
		if e.Tenant == slug {
			out = append(out, e)
		}
	}
	return out
}

// contacts checks the contacts of t against its entries: every contact
// created (directly, by a lead's conversion, by a CSV import) held by
// exactly one contact, by its email; merge losers gone; each contact's job
// title the last acknowledged update's. It returns the live contacts' ids.
func contacts(ctx context.Context, a api, entries []load.Entry) ([]Check, map[string]bool, error) {
	items, err := a.list(ctx, "/v1/contacts")
	if err != nil {
		return nil, nil, err
	}
	list, err := decodeAll[contact](items)
	if err != nil {
		return nil, nil, err
	}
	held := map[string]int{}
	live := map[string]bool{}
	title := map[string]string{}
	for _, c := range list {
		if live[c.ID] {
			continue
		}
		live[c.ID] = true
		title[c.ID] = c.JobTitle
		for _, e := range c.Emails {
			held[strings.ToLower(e.Address)]++
		}
	}
	creates := tally{c: Check{Tenant: a.t.Slug, Name: "contacts created, exactly once"}}
	converted := tally{c: Check{Tenant: a.t.Slug, Name: "lead conversions' contacts, exactly once"}}
	imported := tally{c: Check{Tenant: a.t.Slug, Name: "CSV imports' contacts, exactly once"}}
	merges := tally{c: Check{Tenant: a.t.Slug, Name: "merged contacts gone (loser absent)"}}
	updates := tally{c: Check{Tenant: a.t.Slug, Name: "contact updates, last acknowledged holds"}}
	last := map[string]load.Entry{}
	for _, e := range entries {
		switch e.Kind {
		case load.KindContactCreate:
			creates.wantEntry(e, e.Value, held[e.Value])
		case load.KindLeadConvert:
			converted.wantEntry(e, e.Value, held[e.Value])
		case load.KindImport:
			if e.Outcome == load.Acked {
				for _, m := range e.Values {
					imported.want(m, load.Acked, held[m])
				}
			}
		case load.KindContactMerge:
			if e.Outcome == load.Acked {
				merges.c.Want++
				if live[e.Value] {
					merges.c.Extra++
					merges.note("loser still listed " + e.Value)
				} else {
					merges.c.Got++
				}
			}
		case load.KindContactUpdate:
			if p, ok := last[e.Target]; !ok || p.At.Before(e.At) {
				last[e.Target] = e
			}
		}
	}
	for id, e := range last {
		if !live[id] {
			continue // merged away: the winner kept its own title
		}
		if e.Outcome == load.Unknown {
			continue
		}
		updates.c.Want++
		want := lastAcked(entries, id)
		if title[id] == want {
			updates.c.Got++
		} else {
			updates.c.Lost++
			updates.note(id + " reads " + title[id] + ", want " + want)
		}
	}
	return []Check{creates.done(), converted.done(), imported.done(), merges.done(), updates.done()}, live, nil
}

// lastAcked is the value of the latest acknowledged update of record id.
func lastAcked(entries []load.Entry, id string) string {
	return lastAckedOf(entries, load.KindContactUpdate, id)
}

// lastAckedOf is the value of the latest acknowledged write of kind on
// record id ("" when none).
func lastAckedOf(entries []load.Entry, kind, id string) string {
	var v string
	var at load.Entry
	for _, e := range entries {
		if e.Kind == kind && e.Target == id && e.Outcome == load.Acked && !e.At.Before(at.At) {
			v, at = e.Value, e
		}
	}
	return v
}

// leads checks the leads: every lead created held once by its email, and
// every form submission acknowledged made exactly one lead (through the
// marketing service's event to sales).
func leads(ctx context.Context, a api, entries []load.Entry) ([]Check, error) {
	items, err := a.list(ctx, "/v1/leads")
	if err != nil {
		return nil, err
	}
	held := map[string]int{}
	for _, it := range items {
		var l struct{ Email string }
		if err := json.Unmarshal(it, &l); err != nil {
			return nil, err
		}
		held[strings.ToLower(l.Email)]++
	}
	created := tally{c: Check{Tenant: a.t.Slug, Name: "leads created, exactly once"}}
	forms := tally{c: Check{Tenant: a.t.Slug, Name: "form submissions' leads, exactly once"}}
	for _, e := range entries {
		switch e.Kind {
		case load.KindLeadCreate:
			created.wantEntry(e, e.Value, held[e.Value])
		case load.KindFormSubmit:
			forms.wantEntry(e, e.Value, held[e.Value])
		}
	}
	return []Check{created.done(), forms.done()}, nil
}

// opportunity is an opportunity as the list reads it.
type opportunity struct {
	ID, Name, StageID, PipelineID string
}

// opportunities checks the load's opportunities: every one created held
// once, each in the stage of its last acknowledged move. It returns them.
func opportunities(ctx context.Context, a api, entries []load.Entry) ([]Check, []opportunity, error) {
	items, err := a.list(ctx, "/v1/opportunities")
	if err != nil {
		return nil, nil, err
	}
	all, err := decodeAll[opportunity](items)
	if err != nil {
		return nil, nil, err
	}
	held := map[string]int{}
	stage := map[string]string{}
	var ours []opportunity
	for _, o := range all {
		if o.PipelineID == a.t.Pipeline {
			held[o.Name]++
			stage[o.ID] = o.StageID
			ours = append(ours, o)
		}
	}
	created := tally{c: Check{Tenant: a.t.Slug, Name: "opportunities created, exactly once"}}
	moves := tally{c: Check{Tenant: a.t.Slug, Name: "stage moves, last acknowledged holds"}}
	last := map[string]load.Entry{}
	for _, e := range entries {
		switch e.Kind {
		case load.KindOppCreate:
			created.want(e.Value, e.Outcome, held[e.Value])
		case load.KindOppMove:
			if p, ok := last[e.Target]; !ok || p.At.Before(e.At) {
				last[e.Target] = e
			}
		}
	}
	for id, e := range last {
		if e.Outcome == load.Unknown {
			continue
		}
		want := lastAckedOf(entries, load.KindOppMove, id)
		if want == "" {
			continue
		}
		moves.c.Want++
		if stage[id] == want {
			moves.c.Got++
		} else {
			moves.c.Lost++
			moves.note(id + " in " + stage[id] + ", want " + want)
		}
	}
	return []Check{created.done(), moves.done()}, ours, nil
}

// cases checks the cases and their replies: every case created held once,
// every reply acknowledged held once on its case.
func cases(ctx context.Context, a api, entries []load.Entry) ([]Check, error) {
	created := tally{c: Check{Tenant: a.t.Slug, Name: "cases created, exactly once"}}
	replies := tally{c: Check{Tenant: a.t.Slug, Name: "case replies, exactly once"}}
	entriesOf := map[string]map[string]int{}
	for _, e := range entries {
		if e.Kind != load.KindCaseReply || e.Outcome != load.Acked {
			continue
		}
		if entriesOf[e.Target] == nil {
			items, err := a.list(ctx, "/v1/cases/"+e.Target+"/entries")
			if err != nil {
				return nil, err
			}
			m := map[string]int{}
			for _, it := range items {
				var en struct{ ID, Kind string }
				if err := json.Unmarshal(it, &en); err != nil {
					return nil, err
				}
				m[en.ID]++
			}
			entriesOf[e.Target] = m
		}
		replies.want(e.ID, e.Outcome, entriesOf[e.Target][e.ID])
	}
	items, err := a.list(ctx, "/v1/cases")
	if err != nil {
		return nil, err
	}
	held := map[string]int{}
	for _, it := range items {
		var c struct{ Subject string }
		if err := json.Unmarshal(it, &c); err != nil {
			return nil, err
		}
		held[c.Subject]++
	}
	for _, e := range entries {
		if e.Kind == load.KindCaseCreate {
			created.want(e.Value, e.Outcome, held[e.Value])
		}
	}
	return []Check{created.done(), replies.done()}, nil
}
