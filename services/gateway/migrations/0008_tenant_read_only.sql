-- +goose Up
-- A tenant's read-only window (PATCH /admin/v1/tenants/{id} {"readOnly":
-- true}): while it is set, the gateway answers every change the tenant's
-- users and keys ask for with 503 tenant-read-only, so an export taken then
-- (a move to a dedicated deployment) misses nothing.
ALTER TABLE tenants ADD COLUMN read_only boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE tenants DROP COLUMN read_only;
