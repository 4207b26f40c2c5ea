-- +goose Up
-- Lead scoring (package leads, issue 15 point 3). A rule is a field rule
-- (a libs/filter condition over the lead's fields), a behaviour rule (an
-- event the lead was part of: an activity of a type, an email opened, a
-- form submitted) or a threshold (a score moving a lead's status); its
-- definition is the API's JSON less the bookkeeping columns, validated by
-- the service. Rules are read in id order (UUIDv7: creation order).
CREATE TABLE lead_scoring_rules (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('field', 'behaviour', 'threshold')),
    definition jsonb       NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- What a lead did that behaviour rules count: one row per event and
-- source (the activity's id, the submission's or the open's), so that an
-- activity changed or delivered again counts once and one deleted stops
-- counting. detail is the activity's type, the form's or the campaign's
-- id.
CREATE TABLE lead_behaviours (
    tenant_id   uuid        NOT NULL,
    lead_id     uuid        NOT NULL,
    event       text        NOT NULL CHECK (event IN ('activity', 'emailOpened', 'formSubmitted')),
    source_id   text        NOT NULL,
    detail      text        NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, lead_id, event, source_id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE
);
-- An activity's rows, found again when it changes or is deleted.
CREATE INDEX lead_behaviours_source ON lead_behaviours (tenant_id, source_id);

-- Why a lead's status moved by a threshold: the rule, the move and the
-- score that crossed it. Deferred, for a lead's first move is recorded in
-- the transaction that inserts it, before its row.
CREATE TABLE lead_score_moves (
    tenant_id   uuid        NOT NULL,
    lead_id     uuid        NOT NULL,
    id          uuid        NOT NULL,
    rule_id     uuid        NOT NULL,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    score       int         NOT NULL,
    moved_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, lead_id, id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

ALTER TABLE lead_scoring_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_scoring_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_scoring_rules
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE lead_behaviours ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_behaviours FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_behaviours
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE lead_score_moves ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_score_moves FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_score_moves
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE lead_score_moves;
DROP TABLE lead_behaviours;
DROP TABLE lead_scoring_rules;
