-- +goose Up
-- Leads (package leads): people and companies not yet customers, worked
-- until converted into the contacts service's records or disqualified.
-- Ids are UUIDv7, so id order is creation order: lists read newest first
-- by id. email_key (the address in lower case) and phone_e164 are the keys
-- duplicates are found by, indexed per tenant among the live leads. The
-- converted, score and assignment columns are written by conversion,
-- scoring and assignment rules, never by a PATCH.
CREATE TABLE leads (
    tenant_id                uuid        NOT NULL,
    id                       uuid        NOT NULL,
    first_name               text        NOT NULL DEFAULT '',
    last_name                text        NOT NULL DEFAULT '',
    company                  text        NOT NULL DEFAULT '',
    title                    text        NOT NULL DEFAULT '',
    email                    text        NOT NULL DEFAULT '',
    email_key                text        GENERATED ALWAYS AS (lower(email)) STORED,
    phone                    text        NOT NULL DEFAULT '',
    phone_e164               text        NOT NULL DEFAULT '',
    source                   text        NOT NULL DEFAULT '',
    campaign_id              uuid,
    status                   text        NOT NULL CHECK (status IN ('new', 'working', 'nurturing', 'qualified', 'disqualified', 'converted')),
    disqualified_reason      text        NOT NULL DEFAULT '',
    rating                   text        NOT NULL DEFAULT '' CHECK (rating IN ('', 'hot', 'warm', 'cold')),
    score                    int         NOT NULL DEFAULT 0,
    score_reasons            jsonb       NOT NULL DEFAULT '[]',
    owner_id                 text        NOT NULL,
    team_id                  text        NOT NULL DEFAULT '',
    assigned_by_rule_id      uuid,
    assignment_reason        text        NOT NULL DEFAULT '',
    converted_contact_id     uuid,
    converted_account_id     uuid,
    converted_opportunity_id uuid,
    converted_at             timestamptz,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    version                  bigint      NOT NULL,
    deleted_at               timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK ((status = 'disqualified') = (disqualified_reason <> '')),
    CHECK ((status = 'converted') = (converted_at IS NOT NULL))
);
CREATE INDEX leads_live ON leads (tenant_id, id DESC) INCLUDE (owner_id, team_id, status) WHERE deleted_at IS NULL;
CREATE INDEX leads_owner ON leads (tenant_id, owner_id, id DESC);
CREATE INDEX leads_email ON leads (tenant_id, email_key) WHERE email_key <> '' AND deleted_at IS NULL;
CREATE INDEX leads_phone ON leads (tenant_id, phone_e164) WHERE phone_e164 <> '' AND deleted_at IS NULL;
-- q: a prefix of the last or first name, the company or the email.
CREATE INDEX leads_last_name_prefix ON leads (tenant_id, lower(last_name) text_pattern_ops);
CREATE INDEX leads_first_name_prefix ON leads (tenant_id, lower(first_name) text_pattern_ops);
CREATE INDEX leads_company_prefix ON leads (tenant_id, lower(company) text_pattern_ops);
CREATE INDEX leads_email_prefix ON leads (tenant_id, email_key text_pattern_ops);

ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON leads
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE leads;
