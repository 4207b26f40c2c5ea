-- +goose Up
-- A case's clocks under a service contract (package sla): contract_id is
-- the contract the case was under when the clock started (the one it
-- links to, else its account's in force on the day it was opened), and
-- calendar_id the contract's coverage hours the clock runs on instead of
-- its policy's calendar (NULL: the policy's). Both are package contracts'
-- records, stored as given.
ALTER TABLE case_clocks ADD COLUMN calendar_id uuid, ADD COLUMN contract_id uuid;
-- The running clocks on a calendar of their own: the policies a calendar
-- edit recomputes besides those on it, and whether it may be deleted.
CREATE INDEX case_clocks_calendar ON case_clocks (tenant_id, calendar_id, policy_id)
    WHERE calendar_id IS NOT NULL AND met_at IS NULL AND stopped_at IS NULL;

-- +goose Down
DROP INDEX case_clocks_calendar;
ALTER TABLE case_clocks DROP COLUMN contract_id, DROP COLUMN calendar_id;
