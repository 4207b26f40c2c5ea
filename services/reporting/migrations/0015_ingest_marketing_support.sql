-- +goose Up
-- What the marketing and support handlers of package ingest, and the
-- reports over their read models, need beyond 0001.

-- A merge repoints the merges whose winner is its loser (ingest's
-- saveMerge, every kind).
CREATE INDEX rm_merges_winner ON rm_merges (tenant_id, gen, kind, winner_id);

-- The service report counts the cases solved in a period.
CREATE INDEX rm_cases_solved ON rm_cases (tenant_id, gen, solved_at) WHERE solved_at IS NOT NULL;

-- +goose Down
DROP INDEX rm_cases_solved;
DROP INDEX rm_merges_winner;
