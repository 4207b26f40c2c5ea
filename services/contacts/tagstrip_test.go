package contacts_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/tags"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/migrations"
)

// strip runs StripDeletedTags until it has nothing left to do and returns
// the records it changed.
func strip(t *testing.T, store *catalog.Store) int {
	t.Helper()
	total := 0
	for {
		n, err := store.StripDeletedTags(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

// carrying counts the records of table that still hold tag in their rows.
func (e *env) carrying(table, tag string) int {
	e.t.Helper()
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM `+table+` WHERE tag_ids @> ARRAY[$1::uuid]`, tag); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestDeletedTagIsStrippedAfterwards deletes a tag carried by more contacts
// than one transaction of the stripping reads, and by accounts: the delete
// answers at once, and the tag is gone from every record it is on — their
// tags, filters, the catalogue — before any row is touched. The stripping
// then removes its id from every row, leaving the other tags and the
// versions, and a tag created again under the name is a new one.
func TestDeletedTagIsStrippedAfterwards(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	store := catalog.NewStore(pgstore.New(e.app, ""))
	gone := e.created(u, "/v1/tags", map[string]any{"name": "Webinar 2025"})
	kept := e.created(u, "/v1/tags", map[string]any{"name": "VIP"})
	const n = 12000 // more than two of StripDeletedTags's transactions
	if _, err := e.admin.Exec(`INSERT INTO contacts (tenant_id, id, first_name, last_name, display_name, emails, phones,
			owner_id, tag_ids, created_at, updated_at, version)
		SELECT $1, gen_random_uuid(), 'F' || g, 'L' || g, 'F' || g || ' L' || g, '[]', '[]', $2,
			CASE WHEN g % 3 = 0 THEN ARRAY[$3::uuid, $4::uuid] WHEN g % 3 = 1 THEN ARRAY[$3::uuid] ELSE ARRAY[$4::uuid] END,
			now(), now(), 1
		FROM generate_series(1, $5) g`, u.tenant, u.id, gone, kept, n); err != nil {
		t.Fatal(err)
	}
	contact := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "tags": []string{"webinar 2025", "VIP"}})
	account := e.created(u, "/v1/accounts", map[string]any{"name": "Initech", "tags": []string{"Webinar 2025"}})

	e.want(e.do(u, "DELETE", "/v1/tags/"+gone, nil), http.StatusNoContent)
	if tags := contactOf(e.want(e.do(u, "GET", "/v1/contacts/"+contact, nil), http.StatusOK)).Tags; !slices.Equal(tags, []string{"VIP"}) {
		t.Errorf("the contact's tags after the delete: %v, want [VIP]", tags)
	}
	if tags := accountOf(e.want(e.do(u, "GET", "/v1/accounts/"+account, nil), http.StatusOK)).Tags; len(tags) != 0 {
		t.Errorf("the account's tags after the delete: %v, want none", tags)
	}
	if list := items[tags.Tag](e.want(e.do(u, "GET", "/v1/tags", nil), http.StatusOK)); len(list) != 1 || list[0].Name != "VIP" {
		t.Errorf("the catalogue after the delete: %v, want VIP alone", list)
	}
	if e.carrying("contacts", gone) == 0 {
		t.Fatal("the delete stripped the rows itself; this test wants them stripped afterwards")
	}

	if got, want := strip(t, store), 2*n/3+2; got != want {
		t.Errorf("StripDeletedTags changed %d records, want %d", got, want)
	}
	if c, a := e.carrying("contacts", gone), e.carrying("accounts", gone); c != 0 || a != 0 {
		t.Errorf("after the stripping %d contacts and %d accounts still carry the deleted tag", c, a)
	}
	if k := e.carrying("contacts", kept); k != 2*n/3+1 {
		t.Errorf("%d contacts carry VIP, want %d", k, 2*n/3+1)
	}
	var versions []int64
	if err := e.admin.Select(&versions, `SELECT DISTINCT version FROM contacts WHERE tenant_id = $1`, u.tenant); err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0] != 1 {
		t.Errorf("versions after the stripping: %v, want 1 throughout", versions)
	}
	var pending int
	if err := e.admin.Get(&pending, `SELECT count(*) FROM deleted_tags`); err != nil || pending != 0 {
		t.Errorf("%d deleted tags still listed (%v)", pending, err)
	}

	again := e.created(u, "/v1/tags", map[string]any{"name": "Webinar 2025"})
	if again == gone {
		t.Fatal("the tag created again has the deleted one's id")
	}
	if tags := accountOf(e.want(e.do(u, "GET", "/v1/accounts/"+account, nil), http.StatusOK)).Tags; len(tags) != 0 {
		t.Errorf("the account shows the new tag of the old name: %v", tags)
	}
	e.want(e.do(u, "DELETE", "/v1/tags/"+gone, nil), http.StatusNotFound)
}

// TestDeleteTagWaitsForWritesAssigningIt holds a create assigning a tag
// open (a trigger waits in its INSERT for the test) and deletes the tag meanwhile, with
// the stripping running: the delete waits for the create, so the contact is
// committed before its tag is stripped, and no row keeps the deleted tag.
// Had the delete not waited, the stripping would have been over before the
// contact was written.
func TestDeleteTagWaitsForWritesAssigningIt(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	store := catalog.NewStore(pgstore.New(e.app, ""))
	tag := e.created(u, "/v1/tags", map[string]any{"name": "Fair 2026"})
	release := e.hold("INSERT", "contacts", "job_title")
	created := make(chan reply, 1)
	go func() {
		created <- e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Grace", "jobTitle": "hold", "tags": []string{"Fair 2026"}})
	}()
	e.waitForHeld()
	deleted := make(chan reply, 1)
	go func() { deleted <- e.do(u, "DELETE", "/v1/tags/"+tag, nil) }()
	e.waitForLockWaiters(2, "the delete waits for the create", func() bool { return len(deleted) > 0 })
	strip(t, store)
	release()
	e.want(<-created, http.StatusCreated)
	e.want(<-deleted, http.StatusNoContent)
	strip(t, store)
	if n := e.carrying("contacts", tag); n != 0 {
		t.Errorf("%d contacts keep the deleted tag", n)
	}
}

// TestStrippingListsEveryTenantsTags migrates a database as a role that is
// not a superuser, as the operator's databases are, so row-level security
// binds the owner too: StripDeletedTags still finds each tenant's deleted
// tags (pending_tag_deletions runs as the owner) and strips them, while the
// application role sees only its tenant's.
func TestStrippingListsEveryTenantsTags(t *testing.T) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	owner := db.Name + "_owner"
	for _, q := range []string{
		"CREATE ROLE " + owner + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'owner'",
		"ALTER DATABASE " + db.Name + " OWNER TO " + owner,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{"REASSIGN OWNED BY " + owner + " TO CURRENT_USER", "DROP OWNED BY " + owner, "DROP ROLE " + owner} {
			if _, err := admin.Exec(q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	ownerURL, err := url.Parse(db.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	ownerURL.User = url.UserPassword(owner, "owner")
	migrator := testkit.Open(t, ownerURL.String())
	if err := pg.Migrate(ctx, migrator.DB, quiet, db.AppRole, outbox.Migrations(), events.InboxMigrations(), migrations.Source()); err != nil {
		t.Fatal(err)
	}
	if err := migrator.Close(); err != nil {
		t.Fatal(err)
	}
	tenants, tags := []string{uuid.NewString(), uuid.NewString()}, []string{uuid.NewString(), uuid.NewString()}
	for i, tenant := range tenants {
		if _, err := admin.Exec(`INSERT INTO contacts (tenant_id, id, first_name, last_name, display_name, emails, phones,
				owner_id, tag_ids, created_at, updated_at, version)
			VALUES ($1, gen_random_uuid(), 'A', 'B', 'A B', '[]', '[]', 'u', $2, now(), now(), 1)`, tenant, pq.StringArray{tags[i]}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(`INSERT INTO deleted_tags (tenant_id, id, deleted_at) VALUES ($1, $2, now())`, tenant, tags[i]); err != nil {
			t.Fatal(err)
		}
	}
	app := testkit.Open(t, db.AppURL)
	var seen int
	err = pg.WithTenantTx(ctx, app, tenants[0], func(tx *sqlx.Tx) error { return tx.Get(&seen, `SELECT count(*) FROM deleted_tags`) })
	if err != nil || seen != 1 {
		t.Errorf("a tenant's transaction sees %d deleted tags (%v), want its own one", seen, err)
	}
	if n := strip(t, catalog.NewStore(pgstore.New(app, ""))); n != len(tenants) {
		t.Errorf("StripDeletedTags changed %d records, want %d: one of each tenant", n, len(tenants))
	}
	var left int
	if err := admin.Get(&left, `SELECT count(*) FROM contacts WHERE cardinality(tag_ids) > 0`); err != nil || left != 0 {
		t.Errorf("%d contacts keep a deleted tag (%v)", left, err)
	}
}

// TestStrippingWaitsForAConcurrentUpdate strips a deleted tag while another
// transaction holds an update of a contact carrying it: the stripping waits,
// then strips the row as updated. An UPDATE that found its rows by TID
// skipped a row changed since its snapshot, and the tag stayed on it.
func TestStrippingWaitsForAConcurrentUpdate(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	store := catalog.NewStore(pgstore.New(e.app, ""))
	tag := e.created(u, "/v1/tags", map[string]any{"name": "Expo"})
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ken", "tags": []string{"Expo"}})
	e.want(e.do(u, "DELETE", "/v1/tags/"+tag, nil), http.StatusNoContent)
	writer, err := e.admin.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback() //nolint:errcheck // committed below
	if _, err := writer.Exec(`UPDATE contacts SET job_title = 'Speaker' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	stripped := make(chan int, 1)
	go func() {
		n, err := store.StripDeletedTags(context.Background())
		if err != nil {
			t.Error(err)
		}
		stripped <- n
	}()
	e.waitForLockWaiters(1, "the stripping waits for the update", nil)
	if err := writer.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := <-stripped; n != 1 {
		t.Errorf("StripDeletedTags changed %d records, want the 1 updated meanwhile", n)
	}
	if n := e.carrying("contacts", tag); n != 0 {
		t.Errorf("%d contacts keep the deleted tag", n)
	}
}
