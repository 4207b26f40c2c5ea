-- +goose Up
-- A tenant's pipelines (package deals). Names are unique per tenant
-- regardless of case; one pipeline per tenant is its default, created on
-- the tenant's first use: the partial unique index makes two concurrent
-- first requests create one.
CREATE TABLE pipelines (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    name       text        NOT NULL,
    is_default boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX pipelines_name ON pipelines (tenant_id, lower(name));
CREATE UNIQUE INDEX pipelines_default ON pipelines (tenant_id) WHERE is_default;

-- The stages of a pipeline, in position order. A stage keeps its id for
-- life (opportunities will refer to it); positions are rewritten when the
-- stages are reordered, so their uniqueness is checked at commit.
CREATE TABLE pipeline_stages (
    tenant_id       uuid   NOT NULL,
    id              uuid   NOT NULL,
    pipeline_id     uuid   NOT NULL,
    position        int    NOT NULL,
    name            text   NOT NULL,
    kind            text   NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    probability     int    NOT NULL CHECK (probability BETWEEN 0 AND 100),
    required_fields text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT pipeline_stages_position UNIQUE (tenant_id, pipeline_id, position) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE pipelines ENABLE ROW LEVEL SECURITY;
ALTER TABLE pipelines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pipelines
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE pipeline_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE pipeline_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pipeline_stages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE pipeline_stages;
DROP TABLE pipelines;
