package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
)

// Shape of the audience the marketing part loads: contact g (1…N) lives
// in audienceCountries[g mod 5] at lifecycle stage audienceStages[g mod
// 4]; its email consent is denied when g mod 10 = 9, else granted; the
// first S (the send's size) carry the tag "newsletter".
var (
	audienceCountries = []string{"FR", "DE", "US", "CN", "GB"}
	audienceStages    = []string{"subscriber", "lead", "customer", "other"}
	audienceFirst     = []string{"Ann", "Bo", "Chen", "Dana", "Émile", "Fang", "Gus", "Hana"}
)

// audienceLoadChunk is how many contacts one INSERT … SELECT loads.
const audienceLoadChunk = 100_000

// segmentFilter is the dynamic segment timed from scratch: the contacts
// in France at stage lead or customer (one in ten), and segmentSQL the
// same condition written by hand for the raw baseline.
const (
	segmentFilter = `{"and": [{"field": "country", "op": "eq", "value": "FR"},
		{"field": "lifecycleStage", "op": "in", "value": ["lead", "customer"]}]}`
	segmentSQL = `c.country = 'FR' AND c.lifecycle_stage IN ('lead', 'customer')`
)

// inSegment says whether contact g meets segmentFilter as loaded.
func inSegment(g int) bool {
	return audienceCountries[g%5] == "FR" && (audienceStages[g%4] == "lead" || audienceStages[g%4] == "customer")
}

// audienceID is contact g's id: md5(tenant-g) as a UUID, as the load
// computes it in SQL.
func audienceID(tenant string, g int) string {
	h := md5.Sum([]byte(tenant + "-" + strconv.Itoa(g)))
	x := hex.EncodeToString(h[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// audienceEmail is contact g's address.
func audienceEmail(g int) string { return "c" + strconv.Itoa(g) + "@bench-mkt.test" }

// loadAudience writes n projected contacts of tenant into
// audience_contacts as the database owner, in chunks, the first
// newsletter of them tagged "newsletter".
func loadAudience(ctx context.Context, admin *sqlx.DB, tenant string, n, newsletter int) error {
	for from := 1; from <= n; from += audienceLoadChunk {
		to := min(n, from+audienceLoadChunk-1)
		if _, err := admin.ExecContext(ctx, `INSERT INTO audience_contacts (tenant_id, id, first_name, last_name, display_name, email,
				owner_id, lifecycle_stage, source, country, tags, email_consent, created_at, updated_at, version)
			SELECT $1::uuid, md5($1::text || '-' || g)::uuid, f.first, 'Lee-' || g, f.first || ' Lee-' || g, 'c' || g || '@bench-mkt.test',
				'user-1', ($2::text[])[1 + g % 4], 'bench', ($3::text[])[1 + g % 5],
				CASE WHEN g <= $4 THEN '{newsletter}'::text[] ELSE '{}' END,
				CASE WHEN g % 10 = 9 THEN 'denied' ELSE 'granted' END, now() - g * interval '1 second', now() - g * interval '1 second', 1
			FROM generate_series($5::int, $6::int) g
			CROSS JOIN LATERAL (SELECT ($7::text[])[1 + g % 8] AS first) f`,
			tenant, audienceStages, audienceCountries, newsletter, from, to, audienceFirst); err != nil {
			return fmt.Errorf("load audience %d–%d: %w", from, to, err)
		}
		fmt.Fprintf(os.Stderr, "bench: marketing: %d contacts loaded\n", to)
	}
	return nil
}

// contactUpdated is contacts' contact.updated of contact g of tenant at
// version, its state as loaded but its country: what contacts publishes
// when the contact moves.
func contactUpdated(tenant string, g int, version int64, country string, newsletter int) (events.Event, error) {
	first := audienceFirst[g%8]
	last := "Lee-" + strconv.Itoa(g)
	consent := "granted"
	if g%10 == 9 {
		consent = "denied"
	}
	tags := []string{}
	if g <= newsletter {
		tags = []string{"newsletter"}
	}
	at := time.Now().UTC().Format(time.RFC3339Nano)
	id := audienceID(tenant, g)
	state := map[string]any{"id": id, "version": version, "firstName": first, "lastName": last, "displayName": first + " " + last,
		"ownerId": "user-1", "lifecycleStage": audienceStages[g%4], "source": "bench",
		"emails": []map[string]any{{"address": audienceEmail(g), "primary": true}}, "phones": []any{},
		"address": map[string]any{"country": country, "city": ""},
		"consent": map[string]any{"email": map[string]any{"status": consent}},
		"tags":    tags, "customFields": map[string]any{}, "createdAt": at, "updatedAt": at, "changed": []string{"address"}}
	return events.New("/rapport/contacts", "dev.rapport.contacts.contact.updated.v1", id, tenant, state)
}
