-- +goose Up
-- Indexes of the reports' query round (bench part 14).

-- Every report in amounts picks its default currency (the most common one
-- of the live opportunities) and the currency's exponent (of the newest
-- opportunity version in it): both read this index alone.
CREATE INDEX rm_opportunities_currency ON rm_opportunities (tenant_id, gen, currency, version) INCLUDE (deleted, exponent);

-- Pipeline-stages' time in a stage: per move out of a stage, the latest
-- earlier move of the opportunity into it.
CREATE INDEX rm_stage_moves_into ON rm_stage_moves (tenant_id, gen, opportunity_id, to_stage_id, at);

-- +goose Down
DROP INDEX rm_stage_moves_into;
DROP INDEX rm_opportunities_currency;
