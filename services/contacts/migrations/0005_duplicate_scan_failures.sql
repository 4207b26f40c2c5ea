-- +goose Up
-- Why a duplicate scan failed (scan.go): 'interrupted' (the process running
-- it stopped), 'timedOut' or 'error'; '' for a scan that did not fail.
-- Scans that an older version left failed keep ''.
ALTER TABLE duplicate_scans ADD COLUMN failure_reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE duplicate_scans DROP COLUMN failure_reason;
