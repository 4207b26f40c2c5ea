package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// scaleStripDeadline bounds the wait for a deleted tag to leave the rows.
const scaleStripDeadline = 5 * time.Minute

// tagDelete is what part 5 measured of deleting a tag at scale.
type tagDelete struct {
	Carriers int           // contacts of the big tenant carrying the tag
	Answer   time.Duration // DELETE /v1/tags/{id}
	Strip    time.Duration // from the answer until no row carries the tag
}

// scaleDeleteTag deletes the big tenant's tag "webinar" (on a tenth of its
// contacts) through the service, times the request, and then times the
// service's housekeeping (StripDeletedTags, every 2 s) until it has
// forgotten the tag, and checks that no contact carries it then. It watches
// deleted_tags, a few rows, not the contacts: counting those every 100 ms
// would scan a million rows beside the stripping it times.
func scaleDeleteTag(ctx context.Context, c *http.Client, token func() (string, error), base string, admin *sqlx.DB, tenant string) (d tagDelete, err error) {
	var tag string
	carrying := func() (n int, err error) {
		err = pg.WithTenantTx(ctx, admin, tenant, func(tx *sqlx.Tx) error {
			return tx.GetContext(ctx, &n, `SELECT count(*) FROM contacts WHERE tag_ids @> ARRAY[$1::uuid]`, tag)
		})
		return n, err
	}
	if err := admin.GetContext(ctx, &tag, `SELECT md5($1::text || 'tag' || 'webinar')::uuid::text`, tenant); err != nil {
		return d, err
	}
	if d.Carriers, err = carrying(); err != nil {
		return d, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, base+"/v1/tags/"+tag, nil)
	if err != nil {
		return d, err
	}
	tok, err := token()
	if err != nil {
		return d, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return d, err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		return d, fmt.Errorf("DELETE /v1/tags/%s: %d %s", tag, res.StatusCode, b)
	}
	d.Answer = time.Since(start)
	for deadline := time.Now().Add(scaleStripDeadline); ; time.Sleep(100 * time.Millisecond) {
		var pending bool
		if err := admin.GetContext(ctx, &pending, `SELECT EXISTS (SELECT FROM deleted_tags WHERE id = $1)`, tag); err != nil {
			return d, err
		}
		if !pending {
			d.Strip = time.Since(start) - d.Answer
			break
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("the deleted tag is still being stripped after %s", scaleStripDeadline)
		}
	}
	n, err := carrying()
	if err == nil && n != 0 {
		err = fmt.Errorf("%d contacts still carry the deleted tag once it was stripped", n)
	}
	return d, err
}

// writeTagDelete renders the tag deletion of part 5.
func writeTagDelete(w io.Writer, d tagDelete) {
	fmt.Fprintf(w, "Deleting the big tenant's tag `webinar`, carried by %d of its contacts, after the requests above: `DELETE /v1/tags/{id}` answered in %s, the tag gone from every record's tags and filters at once; the service's housekeeping then stripped its id from the rows in %s more (transactions of 5,000 records read, every 2 s until done), timed until the service had forgotten the tag, after which no row held it.\n\n",
		d.Carriers, ms(d.Answer), d.Strip.Round(100*time.Millisecond))
}
