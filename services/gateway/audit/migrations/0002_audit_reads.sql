-- +goose Up
-- Reads of personal data are audited too: a record or what hangs under it
-- and searches (read), large list pages (bulk_read) and exports (export).
-- An update records the names of the fields it changed, never their values.
--
-- The new kinds widen the check, so every stored row already satisfies it:
-- NOT VALID skips re-reading the whole log under an exclusive lock.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check
    CHECK (kind IN ('request', 'read', 'bulk_read', 'export', 'login_success', 'login_failure')) NOT VALID;
ALTER TABLE audit_log ADD COLUMN changed_fields text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN changed_fields;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check
    CHECK (kind IN ('request', 'login_success', 'login_failure')) NOT VALID;
