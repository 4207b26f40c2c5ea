package reporting_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// mergeRow is a row of rm_merges.
type mergeRow struct {
	Kind   string `db:"kind"`
	Loser  string `db:"loser_id"`
	Winner string `db:"winner_id"`
}

// contactRow is what the tests check of a row of rm_contacts.
type contactRow struct {
	ID         string  `db:"id"`
	Owner      string  `db:"owner_id"`
	Stage      string  `db:"lifecycle_stage"`
	Name       string  `db:"display_name"`
	Deleted    bool    `db:"deleted"`
	Erased     bool    `db:"erased"`
	MergedInto *string `db:"merged_into"`
	Version    int64   `db:"version"`
}

// contactRows returns tenant's rm_contacts rows of ids, in the order of ids.
func contactRows(r rmReader, tenant string, ids ...string) []contactRow {
	r.t.Helper()
	var rows []contactRow
	r.selectAs(tenant, &rows, `SELECT id, owner_id, lifecycle_stage, display_name, deleted, erased, merged_into, version
		FROM rm_contacts WHERE gen = $1 AND id = ANY($2::uuid[])
		ORDER BY array_position($2::uuid[], id)`, "{"+strings.Join(ids, ",")+"}")
	return rows
}

// TestIngestContactsMergeChains: merges A→B then B→C, and the same chain
// arriving reversed (and before the contacts' creations), both end with
// every loser's winner final (rm_merges, merged_into); accounts' merges
// likewise.
func TestIngestContactsMergeChains(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	c := func(id string, v int) contact {
		return contact{ID: id, Owner: "u1", Name: "N " + id[:4], Created: ingestAt(0), Updated: ingestAt(time.Duration(v) * time.Hour), Version: v}
	}
	a, b, cc := uuid.NewString(), uuid.NewString(), uuid.NewString()
	for _, id := range []string{a, b, cc} {
		e.publishContact(tenant, "created", c(id, 1))
	}
	e.publishContactMerge(tenant, a, c(b, 2), ingestAt(2*time.Hour))
	e.publishContactMerge(tenant, b, c(cc, 2), ingestAt(3*time.Hour))
	// The same chain reversed, before any of the contacts' creations.
	d, f, g := uuid.NewString(), uuid.NewString(), uuid.NewString()
	e.publishContactMerge(tenant, f, c(g, 2), ingestAt(3*time.Hour))
	e.publishContactMerge(tenant, d, c(f, 2), ingestAt(2*time.Hour))
	for _, id := range []string{d, f, g} {
		e.publishContact(tenant, "created", c(id, 1))
	}
	// Accounts: H→I arrives after I→J.
	acc := func(id string, v int) account {
		return account{ID: id, Name: "Acme " + id[:4], Created: ingestAt(0), Updated: ingestAt(time.Duration(v) * time.Hour), Version: v}
	}
	h, i, j := uuid.NewString(), uuid.NewString(), uuid.NewString()
	for _, id := range []string{h, i, j} {
		e.publishAccount(tenant, "created", acc(id, 1))
	}
	e.publishAccountMerge(tenant, i, acc(j, 2), ingestAt(3*time.Hour))
	e.publishAccountMerge(tenant, h, acc(i, 2), ingestAt(2*time.Hour))
	e.waitEvents(tenant, "contacts", 15)

	var merges []mergeRow
	r.selectAs(tenant, &merges, `SELECT kind, loser_id, winner_id FROM rm_merges WHERE gen = $1 ORDER BY kind, loser_id`)
	want := []mergeRow{{"contact", a, cc}, {"contact", b, cc}, {"contact", d, g}, {"contact", f, g}, {"account", h, j}, {"account", i, j}}
	slices.SortFunc(want, func(x, y mergeRow) int {
		if x.Kind != y.Kind {
			return cmp.Compare(x.Kind, y.Kind)
		}
		return cmp.Compare(x.Loser, y.Loser)
	})
	if !slices.Equal(merges, want) {
		t.Errorf("rm_merges %v, want %v", merges, want)
	}
	for _, row := range contactRows(r, tenant, a, b, cc, d, f, g) {
		winner := ""
		if row.MergedInto != nil {
			winner = *row.MergedInto
		}
		wantWinner := map[string]string{a: cc, b: cc, d: g, f: g}[row.ID]
		if winner != wantWinner {
			t.Errorf("contact %s merged into %q, want %q", row.ID, winner, wantWinner)
		}
		wantVersion := int64(2) // a merge's winner
		if row.ID == a || row.ID == d {
			wantVersion = 1
		}
		if row.Version != wantVersion || row.Owner != "u1" {
			t.Errorf("contact %s: version %d owner %q, want version %d owner u1 (its events' state)", row.ID, row.Version, row.Owner, wantVersion)
		}
	}
	var accounts []struct {
		ID         string  `db:"id"`
		MergedInto *string `db:"merged_into"`
	}
	r.selectAs(tenant, &accounts, `SELECT id, merged_into FROM rm_accounts WHERE gen = $1 AND merged_into IS NOT NULL ORDER BY id`)
	if len(accounts) != 2 || *accounts[0].MergedInto != j || *accounts[1].MergedInto != j {
		t.Errorf("merged accounts %+v, want %s and %s merged into %s", accounts, h, i, j)
	}
}

// TestIngestContactsErasure: a contact erased before its creation arrives
// is nameless and erased for good, as is one erased after; later events
// (even naming it) do not bring its name back; its other fields still
// follow its events.
func TestIngestContactsErasure(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	x, y, z := uuid.NewString(), uuid.NewString(), uuid.NewString()
	e.publishContactErased(tenant, x, ingestAt(time.Hour))
	e.publishContact(tenant, "created", contact{ID: x, Owner: "u1", Stage: "lead", Name: "Xavier", Created: ingestAt(0), Version: 1})
	e.publishContact(tenant, "updated", contact{ID: x, Owner: "u2", Stage: "customer", Name: "Xavier X", Created: ingestAt(0), Updated: ingestAt(2 * time.Hour), Version: 3})
	e.publishContact(tenant, "created", contact{ID: y, Owner: "u1", Name: "Yvonne", Created: ingestAt(0), Version: 1})
	e.publishContactErased(tenant, y, ingestAt(time.Hour))
	e.publishContact(tenant, "updated", contact{ID: y, Owner: "u3", Name: "Yvonne Y", Created: ingestAt(0), Updated: ingestAt(2 * time.Hour), Version: 3})
	e.publishContact(tenant, "created", contact{ID: z, Owner: "u1", Name: "Zed", Created: ingestAt(0), Version: 1})
	e.waitEvents(tenant, "contacts", 7)

	got := contactRows(r, tenant, x, y, z)
	want := []contactRow{
		{ID: x, Owner: "u2", Stage: "customer", Erased: true, Version: 3},
		{ID: y, Owner: "u3", Erased: true, Version: 3},
		{ID: z, Owner: "u1", Name: "Zed", Version: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("contacts\n%+v, want\n%+v", got, want)
	}
}

// TestIngestContactsOrderFree: each row ends as its newest version left
// it whatever order its events arrive in — an update before the creation,
// a restore before the delete it undoes, a completion before the
// activity's creation — and a contact's stage is kept at each version.
func TestIngestContactsOrderFree(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	k, l := uuid.NewString(), uuid.NewString()
	kc := contact{ID: k, Owner: "u2", Stage: "marketingQualified", Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}
	e.publishContact(tenant, "updated", kc)
	e.publishContact(tenant, "created", contact{ID: k, Owner: "u1", Stage: "lead", Created: ingestAt(0), Version: 1})
	kc.Version, kc.Updated = 4, ingestAt(3*time.Hour)
	e.publishContact(tenant, "restored", kc)
	kc.Version, kc.Updated = 3, ingestAt(2*time.Hour)
	e.publishContact(tenant, "deleted", kc)
	e.publishContact(tenant, "created", contact{ID: l, Owner: "u1", Created: ingestAt(0), Version: 1})
	e.publishContact(tenant, "deleted", contact{ID: l, Owner: "u1", Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2})

	m := uuid.NewString()
	e.publishAccount(tenant, "updated", account{ID: m, Name: "New name", Industry: "retail", Created: ingestAt(0), Version: 2})
	e.publishAccount(tenant, "created", account{ID: m, Name: "Old name", Created: ingestAt(0), Version: 1})

	done, gone, open := uuid.NewString(), uuid.NewString(), uuid.NewString()
	e.publishActivity(tenant, "completed", activity{ID: done, Type: "task", Owner: "u4", Team: "t1", Contact: k, Occurred: ingestAt(time.Hour), Version: 2})
	e.publishActivity(tenant, "created", activity{ID: done, Type: "task", Owner: "u4", Team: "t1", Contact: k, Occurred: ingestAt(time.Hour), Version: 1})
	e.publishActivity(tenant, "created", activity{ID: gone, Type: "call", Owner: "u4", Occurred: ingestAt(0), Version: 1})
	e.publishActivity(tenant, "deleted", activity{ID: gone, Type: "call", Owner: "u4", Occurred: ingestAt(0), Version: 1})
	e.publishActivity(tenant, "created", activity{ID: open, Type: "task", Owner: "u5", Occurred: ingestAt(2 * time.Hour), Version: 1})
	e.waitEvents(tenant, "contacts", 13)

	got := contactRows(r, tenant, k, l)
	want := []contactRow{
		{ID: k, Owner: "u2", Stage: "marketingQualified", Name: "Contact", Version: 4},
		{ID: l, Owner: "u1", Name: "Contact", Deleted: true, Version: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("contacts\n%+v, want\n%+v", got, want)
	}
	var stages []struct {
		Version int64     `db:"version"`
		Stage   string    `db:"stage"`
		At      time.Time `db:"at"`
	}
	r.selectAs(tenant, &stages, `SELECT version, stage, at FROM rm_contact_stages WHERE gen = $1 AND contact_id = $2 ORDER BY version`, k)
	if len(stages) != 4 || stages[0].Stage != "lead" || stages[1].Stage != "marketingQualified" || !stages[1].At.Equal(ingestAt(time.Hour)) {
		t.Errorf("stages of %s: %+v, want lead at 1, marketingQualified at 2, 3, 4 (at their updatedAt)", k, stages)
	}
	var accounts []struct {
		Name     string `db:"name"`
		Industry string `db:"industry"`
	}
	r.selectAs(tenant, &accounts, `SELECT name, industry FROM rm_accounts WHERE gen = $1 AND id = $2`, m)
	if len(accounts) != 1 || accounts[0].Name != "New name" || accounts[0].Industry != "retail" {
		t.Errorf("account %+v, want its version 2", accounts)
	}
	type activityRow struct {
		ID        string    `db:"id"`
		Type      string    `db:"type"`
		Owner     string    `db:"owner_id"`
		Team      string    `db:"team_id"`
		Contact   *string   `db:"contact_id"`
		Occurred  time.Time `db:"occurred_at"`
		Completed bool      `db:"completed"`
		Deleted   bool      `db:"deleted"`
	}
	var acts []activityRow
	r.selectAs(tenant, &acts, `SELECT id, type, owner_id, team_id, contact_id, occurred_at, completed, deleted
		FROM rm_activities WHERE gen = $1 ORDER BY occurred_at`)
	wantActs := []activityRow{
		{ID: gone, Type: "call", Owner: "u4", Occurred: ingestAt(0), Deleted: true},
		{ID: done, Type: "task", Owner: "u4", Team: "t1", Contact: &k, Occurred: ingestAt(time.Hour), Completed: true},
		{ID: open, Type: "task", Owner: "u5", Occurred: ingestAt(2 * time.Hour)},
	}
	if len(acts) != len(wantActs) {
		t.Fatalf("activities %+v, want %+v", acts, wantActs)
	}
	for i, a := range acts {
		w := wantActs[i]
		if a.ID != w.ID || a.Type != w.Type || a.Owner != w.Owner || a.Team != w.Team || (a.Contact == nil) != (w.Contact == nil) ||
			a.Contact != nil && *a.Contact != *w.Contact || !a.Occurred.Equal(w.Occurred) || a.Completed != w.Completed || a.Deleted != w.Deleted {
			t.Errorf("activity %d: %+v, want %+v", i, a, w)
		}
	}
}
