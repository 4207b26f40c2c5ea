-- +goose Up
-- The contacts the support service matches customers' addresses to
-- (package customers): a copy of each contact's account and email
-- addresses, kept from contacts' events (their full state, ordered by
-- version), so a mail or a portal submission finds its contact in the
-- case's own transaction, whether or not contacts answers. A deleted
-- contact keeps its row (live false) without addresses; one merged away or
-- erased keeps only its id (retired), so no event delivered late brings
-- its addresses back.
CREATE TABLE customer_contacts (
    tenant_id  uuid    NOT NULL,
    contact_id uuid    NOT NULL,
    account_id uuid,
    version    bigint  NOT NULL,
    live       boolean NOT NULL,
    retired    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, contact_id)
);

CREATE INDEX customer_contacts_account ON customer_contacts (tenant_id, account_id);

-- The addresses of the live contacts, lower-cased: one row per address
-- and contact (an address several contacts share matches none of them).
CREATE TABLE customer_emails (
    tenant_id  uuid NOT NULL,
    address    text NOT NULL,
    contact_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, address, contact_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES customer_contacts (tenant_id, contact_id) ON DELETE CASCADE
);

CREATE INDEX customer_emails_contact ON customer_emails (tenant_id, contact_id);

ALTER TABLE customer_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_contacts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE customer_emails ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_emails FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_emails
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE customer_emails;
DROP TABLE customer_contacts;
