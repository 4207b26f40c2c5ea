-- +goose Up
-- A campaign's members (package campaigns): a contact of the audience in a
-- campaign, with its status, which only rises: added (by hand) < sent <
-- opened < clicked < responded < converted. rank is the status's place in
-- that order. campaign_member_history keeps every status a member took,
-- with what moved it (source: manual, message.sent, message.opened,
-- message.clicked, form.submitted, opportunity.won).
CREATE TABLE campaign_members (
    tenant_id   uuid        NOT NULL,
    campaign_id uuid        NOT NULL,
    contact_id  uuid        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('added', 'sent', 'opened', 'clicked', 'responded', 'converted')),
    rank        smallint    NOT NULL,
    added_at    timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, contact_id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX campaign_members_status ON campaign_members (tenant_id, campaign_id, status, contact_id);
CREATE INDEX campaign_members_contact ON campaign_members (tenant_id, contact_id);

ALTER TABLE campaign_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_members
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE campaign_member_history (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    campaign_id     uuid        NOT NULL,
    contact_id      uuid        NOT NULL,
    status          text        NOT NULL,
    previous_status text        NOT NULL DEFAULT '',
    source          text        NOT NULL,
    at              timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, campaign_id, contact_id) REFERENCES campaign_members (tenant_id, campaign_id, contact_id) ON DELETE CASCADE
);

CREATE INDEX campaign_member_history_member ON campaign_member_history (tenant_id, campaign_id, contact_id, at, id);

ALTER TABLE campaign_member_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_member_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_member_history
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE campaign_member_history;
DROP TABLE campaign_members;
