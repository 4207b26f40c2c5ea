-- +goose Up
-- What the contacts and sales handlers of package ingest need beyond 0001.

-- A merge repoints the contacts and accounts merged into its loser
-- (merged_into) to the final winner (rm_merges' own: 0015).
CREATE INDEX rm_contacts_merged_into ON rm_contacts (tenant_id, gen, merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX rm_accounts_merged_into ON rm_accounts (tenant_id, gen, merged_into) WHERE merged_into IS NOT NULL;

-- Forecast overrides (forecast.overridden) are an owner's or, without an
-- owner, a team's: under 0001's key (owner_id, period, category) every
-- team's override of a period and category would be one row. An owner's
-- override is unique by owner, a team's (owner_id '') by team.
ALTER TABLE rm_forecasts DROP CONSTRAINT rm_forecasts_pkey;
CREATE UNIQUE INDEX rm_forecasts_owner ON rm_forecasts (tenant_id, gen, owner_id, period, category) WHERE owner_id <> '';
CREATE UNIQUE INDEX rm_forecasts_team ON rm_forecasts (tenant_id, gen, team_id, period, category) WHERE owner_id = '';

-- +goose Down
DROP INDEX rm_forecasts_team;
DROP INDEX rm_forecasts_owner;
ALTER TABLE rm_forecasts ADD PRIMARY KEY (tenant_id, gen, owner_id, period, category);
DROP INDEX rm_accounts_merged_into;
DROP INDEX rm_contacts_merged_into;
