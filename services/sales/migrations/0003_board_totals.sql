-- +goose Up
-- The board's counts and totals, kept in the transaction of every write of
-- an opportunity: per pipeline, stage, owner, team and currency ('' for
-- opportunities without an amount), the live opportunities and the sum of
-- their amounts in minor units. A board sums a few rows per stage instead
-- of every opportunity; owner and team are kept so that the record scope
-- and the board's filters apply.
CREATE TABLE board_totals (
    tenant_id   uuid    NOT NULL,
    pipeline_id uuid    NOT NULL,
    stage_id    uuid    NOT NULL,
    owner_id    text    NOT NULL,
    team_id     text    NOT NULL,
    currency    text    NOT NULL,
    n           bigint  NOT NULL,
    total       numeric NOT NULL,
    PRIMARY KEY (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency)
);
INSERT INTO board_totals (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency, n, total)
    SELECT tenant_id, pipeline_id, stage_id, owner_id, team_id, coalesce(currency, ''), count(*), coalesce(sum(amount_minor), 0)
    FROM opportunities WHERE deleted_at IS NULL
    GROUP BY tenant_id, pipeline_id, stage_id, owner_id, team_id, coalesce(currency, '');

ALTER TABLE board_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE board_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON board_totals
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE board_totals;
