package contacts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
)

const tagColumns = "id, name, colour, description, created_at, updated_at, version"

// tagByNameSQL finds a tag by name, case-insensitively, through the stored
// key column (0006_tag_name_key.sql), for a write that assigns it: the key
// share lock makes deleting the tag wait for the write, so that every
// record given the tag is committed before the deleted tag is stripped
// (StripDeletedTags) and none keeps it.
const tagByNameSQL = "SELECT id FROM tags WHERE name_key = lower($1) FOR KEY SHARE"

// getTag reads one tag, locking it when forUpdate.
func getTag(ctx context.Context, tx *sqlx.Tx, id string, forUpdate bool) (*Tag, error) {
	q := "SELECT " + tagColumns + " FROM tags WHERE id = $1"
	if forUpdate {
		q += " FOR UPDATE"
	}
	var t Tag
	if err := tx.GetContext(ctx, &t, q, id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrTagNotFound
		}
		return nil, fmt.Errorf("get tag: %w", pg.MapError(err))
	}
	t.utc()
	return &t, nil
}

// listTags returns the whole catalogue by name.
func listTags(ctx context.Context, tx *sqlx.Tx) ([]Tag, error) {
	out := []Tag{}
	if err := tx.SelectContext(ctx, &out, "SELECT "+tagColumns+" FROM tags ORDER BY name_key, id"); err != nil {
		return nil, fmt.Errorf("list tags: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].utc()
	}
	return out, nil
}

// saveTag inserts or updates t; a duplicate name is ErrTagExists.
func saveTag(ctx context.Context, tx *sqlx.Tx, t *Tag, insert bool) error {
	q := `UPDATE tags SET name = :name, colour = :colour, description = :description, updated_at = :updated_at,
		version = :version WHERE tenant_id = ` + currentTenant + ` AND id = :id`
	if insert {
		q = `INSERT INTO tags (tenant_id, ` + tagColumns + `) VALUES (` + currentTenant +
			`, :id, :name, :colour, :description, :created_at, :updated_at, :version)`
	}
	if _, err := tx.NamedExecContext(ctx, q, t); err != nil {
		if pg.IsUniqueViolation(err, "tags_name") {
			return ErrTagExists.WithDetail("a tag named %q already exists", t.Name)
		}
		return fmt.Errorf("save tag: %w", pg.MapError(err))
	}
	return nil
}

// deleteTag removes a tag from the catalogue and lists it for
// StripDeletedTags to remove from the records (migration 0013).
func deleteTag(ctx context.Context, tx *sqlx.Tx, id string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM tags WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete tag: %w", pg.MapError(err))
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO deleted_tags (tenant_id, id, deleted_at) VALUES ("+currentTenant+", $1, $2)", id, now); err != nil {
		return fmt.Errorf("delete tag: %w", pg.MapError(err))
	}
	return nil
}

// tagNames maps the given tag ids to their names.
func tagNames(ctx context.Context, tx *sqlx.Tx, ids []string) (map[string]string, error) {
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	var rows []struct{ ID, Name string }
	if err := tx.SelectContext(ctx, &rows, "SELECT id, name FROM tags WHERE id = ANY($1::uuid[])", pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("tag names: %w", pg.MapError(err))
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// tagIDs returns the ids of the named tags (matched case-insensitively) in
// the order of names; when create is set, missing names are created with
// DefaultTagColour and returned in created, else they are left out.
func tagIDs(ctx context.Context, tx *sqlx.Tx, names []string, create bool, now time.Time) (ids []string, created []Tag, err error) {
	for _, name := range names {
		var id string
		err := tx.GetContext(ctx, &id, tagByNameSQL, name)
		switch {
		case err == nil:
			ids = append(ids, id)
			continue
		case errs.KindOf(pg.MapError(err)) != errs.NotFound:
			return nil, nil, fmt.Errorf("find tag: %w", pg.MapError(err))
		case !create:
			continue
		}
		t := Tag{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Colour: DefaultTagColour, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := saveTag(ctx, tx, &t, true); err != nil {
			return nil, nil, err
		}
		ids, created = append(ids, t.ID), append(created, t)
	}
	return ids, created, nil
}
