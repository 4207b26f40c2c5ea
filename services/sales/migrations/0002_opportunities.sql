-- +goose Up
-- Opportunities (package deals). An opportunity is in one stage of one
-- pipeline: the foreign key on (pipeline_id, stage_id) keeps the stage in
-- its pipeline and a stage in use from being removed (the service refuses
-- first, with a 409 naming how many). Ids are UUIDv7, so id order is
-- creation order: lists and the board read newest first by id. Account and
-- contact ids are the contacts service's, checked for shape only.
ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_pipeline UNIQUE (tenant_id, pipeline_id, id);

CREATE TABLE opportunities (
    tenant_id          uuid        NOT NULL,
    id                 uuid        NOT NULL,
    name               text        NOT NULL,
    account_id         uuid,
    primary_contact_id uuid,
    contact_roles      jsonb       NOT NULL DEFAULT '[]',
    amount_minor       bigint,
    currency           text,
    close_date         date,
    pipeline_id        uuid        NOT NULL,
    stage_id           uuid        NOT NULL,
    status             text        NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    probability        int         NOT NULL CHECK (probability BETWEEN 0 AND 100),
    owner_id           text        NOT NULL,
    team_id            text        NOT NULL DEFAULT '',
    next_step          text        NOT NULL DEFAULT '',
    lost_reason        text        NOT NULL DEFAULT '',
    competitors        text[]      NOT NULL DEFAULT '{}',
    closed_at          timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL,
    deleted_at         timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK ((amount_minor IS NULL) = (currency IS NULL)),
    FOREIGN KEY (tenant_id, pipeline_id, stage_id) REFERENCES pipeline_stages (tenant_id, pipeline_id, id)
);
-- The board: a pipeline's live opportunities by stage, newest first, with
-- what its counts and totals and the scope filters read (index-only).
CREATE INDEX opportunities_board ON opportunities (tenant_id, pipeline_id, stage_id, id DESC)
    INCLUDE (currency, amount_minor, owner_id, team_id) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner_id, id DESC);
CREATE INDEX opportunities_stage ON opportunities (tenant_id, stage_id);

-- The stages an opportunity was in: one row per entry, left_at set when it
-- moved on, written in the move's transaction.
CREATE TABLE opportunity_stage_history (
    tenant_id      uuid        NOT NULL,
    id             uuid        NOT NULL,
    opportunity_id uuid        NOT NULL,
    stage_id       uuid        NOT NULL,
    stage_name     text        NOT NULL,
    entered_at     timestamptz NOT NULL,
    left_at        timestamptz,
    entered_by     text        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (tenant_id, opportunity_id, entered_at);

ALTER TABLE opportunities ENABLE ROW LEVEL SECURITY;
ALTER TABLE opportunities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON opportunities
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE opportunity_stage_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE opportunity_stage_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON opportunity_stage_history
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE opportunity_stage_history;
DROP TABLE opportunities;
ALTER TABLE pipeline_stages DROP CONSTRAINT pipeline_stages_pipeline;
