-- +goose Up
-- A service's exchange of its caller's internal token for one addressed to
-- another service is audited (token_exchange): the call it makes with the
-- new token goes to that service directly, not through the gateway.
-- Widening the check: NOT VALID, as in 0002.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check
    CHECK (kind IN ('request', 'read', 'bulk_read', 'export', 'login_success', 'login_failure', 'token_exchange')) NOT VALID;

-- +goose Down
ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check
    CHECK (kind IN ('request', 'read', 'bulk_read', 'export', 'login_success', 'login_failure')) NOT VALID;
