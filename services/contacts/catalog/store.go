package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/tags"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Store reads and writes the catalogue: tags here, custom fields in
// store_customfields.go, settings and write rules in store_settings.go, the
// stripping of deleted tags in store_tagstrip.go.
type Store struct {
	db *pgstore.DB
}

// NewStore returns the catalogue's Store on db.
func NewStore(db *pgstore.DB) *Store { return &Store{db: db} }

const tagColumns = "id, name, colour, description, created_at, updated_at, version"

// tagByNameSQL finds a tag by name, case-insensitively, through the stored
// key column (0006_tag_name_key.sql), for a write that assigns it: the key
// share lock makes deleting the tag wait for the write, so that every
// record given the tag is committed before the deleted tag is stripped
// (StripDeletedTags) and none keeps it.
const tagByNameSQL = "SELECT id FROM tags WHERE name_key = lower($1) FOR KEY SHARE"

// tagRows is how Update changes a tag; its delete lists it for
// StripDeletedTags.
var tagRows = pgstore.Rows[*tags.Tag]{
	Entity: customer.EventTag,
	Lock: func(ctx context.Context, tx *pgstore.Tx, id string) (*tags.Tag, error) {
		return getTag(ctx, tx, id, true)
	},
	Write: func(ctx context.Context, tx *pgstore.Tx, t *tags.Tag, verb string) error {
		if verb == customer.VerbDeleted {
			return deleteTag(ctx, tx, t.ID, pg.Now())
		}
		return saveTag(ctx, tx, t, false)
	},
}

// CreateTag stores a new tag and publishes it.
func (s *Store) CreateTag(ctx context.Context, tenant string, t *tags.Tag) error {
	return s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		if err := saveTag(ctx, tx, t, true); err != nil {
			return err
		}
		return tx.Emit(ctx, customer.EventTag, customer.VerbCreated, t.ID, t, nil)
	})
}

// Tag reads a tag.
func (s *Store) Tag(ctx context.Context, tenant, id string) (t *tags.Tag, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		t, err = getTag(ctx, tx, id, false)
		return err
	})
	return t, err
}

// UpdateTag changes, or deletes, the tag id as change says (pgstore.Update).
func (s *Store) UpdateTag(ctx context.Context, tenant, id string, change func(*pgstore.Tx, *tags.Tag) (*tags.Tag, pgstore.Change, error)) (*tags.Tag, error) {
	return pgstore.Update(ctx, s.db, tenant, id, tagRows, change)
}

// Tags returns the whole catalogue by name.
func (s *Store) Tags(ctx context.Context, tenant string) (out []tags.Tag, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *pgstore.Tx) error {
		out = []tags.Tag{}
		if err := tx.SQL().SelectContext(ctx, &out, "SELECT "+tagColumns+" FROM tags ORDER BY name_key, id"); err != nil {
			return fmt.Errorf("list tags: %w", pg.MapError(err))
		}
		for i := range out {
			out[i].UTC()
		}
		return nil
	})
	return out, err
}

// getTag reads one tag, locking it when lock.
func getTag(ctx context.Context, tx *pgstore.Tx, id string, lock bool) (*tags.Tag, error) {
	q := "SELECT " + tagColumns + " FROM tags WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var t tags.Tag
	if err := tx.SQL().GetContext(ctx, &t, q, id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrTagNotFound
		}
		return nil, fmt.Errorf("get tag: %w", pg.MapError(err))
	}
	t.UTC()
	return &t, nil
}

// saveTag inserts or updates t; a duplicate name is ErrTagExists.
func saveTag(ctx context.Context, tx *pgstore.Tx, t *tags.Tag, insert bool) error {
	q := `UPDATE tags SET name = :name, colour = :colour, description = :description, updated_at = :updated_at,
		version = :version WHERE tenant_id = ` + pgstore.CurrentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO tags (tenant_id, ` + tagColumns + `) VALUES (` + pgstore.CurrentTenant +
			`, :id, :name, :colour, :description, :created_at, :updated_at, :version)`
	}
	if _, err := tx.SQL().NamedExecContext(ctx, q, t); err != nil {
		if pg.IsUniqueViolation(err, "tags_name") {
			return ErrTagExists.WithDetail("a tag named %q already exists", t.Name)
		}
		return fmt.Errorf("save tag: %w", pg.MapError(err))
	}
	return nil
}

// deleteTag removes a tag from the catalogue and lists it for
// StripDeletedTags to remove from the records (migration 0013).
func deleteTag(ctx context.Context, tx *pgstore.Tx, id string, now time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM tags WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete tag: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, "INSERT INTO deleted_tags (tenant_id, id, deleted_at) VALUES ("+pgstore.CurrentTenant+", $1, $2)", id, now); err != nil {
		return fmt.Errorf("delete tag: %w", pg.MapError(err))
	}
	return nil
}

// tagNames maps the given tag ids to their names.
func tagNames(ctx context.Context, tx *pgstore.Tx, ids []string) (map[string]string, error) {
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	var rows []struct{ ID, Name string }
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT id, name FROM tags WHERE id = ANY($1::uuid[])", pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("tag names: %w", pg.MapError(err))
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// ResolveTags returns the ids of the named tags (matched
// case-insensitively) in the order of names, for a write that assigns them
// (tagByNameSQL). When create is set, missing names are created with
// tags.DefaultColour at now and published; else they are left out.
func ResolveTags(ctx context.Context, tx *pgstore.Tx, names []string, create bool, now time.Time) ([]string, error) {
	var out []string
	var created []tags.Tag
	for _, name := range names {
		var id string
		err := tx.SQL().GetContext(ctx, &id, tagByNameSQL, name)
		switch {
		case err == nil:
			out = append(out, id)
			continue
		case errs.KindOf(pg.MapError(err)) != errs.NotFound:
			return nil, fmt.Errorf("find tag: %w", pg.MapError(err))
		case !create:
			continue
		}
		t := tags.Tag{ID: ids.New(), Name: name, Colour: tags.DefaultColour, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := saveTag(ctx, tx, &t, true); err != nil {
			return nil, err
		}
		out, created = append(out, t.ID), append(created, t)
	}
	for _, t := range created {
		if err := tx.Emit(ctx, customer.EventTag, customer.VerbCreated, t.ID, t, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TagIDsByName maps the lower-cased names of the tags named (any case) to
// their ids; names not in the catalogue are left out.
func TagIDsByName(ctx context.Context, tx *pgstore.Tx, names []string) (map[string]string, error) {
	lower := make([]string, len(names))
	for i, n := range names {
		lower[i] = strings.ToLower(n)
	}
	var rows []struct{ ID, Name string }
	err := tx.SQL().SelectContext(ctx, &rows, `SELECT t.id, t.name_key AS name FROM unnest($1::text[]) q(k)
		CROSS JOIN LATERAL (SELECT id, name_key FROM tags WHERE name_key = q.k LIMIT 1) t`, pq.StringArray(lower))
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Name] = r.ID
	}
	return out, nil
}
