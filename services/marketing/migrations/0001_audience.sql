-- +goose Up
-- The audience (package audience): the marketing service's read model of
-- the tenant's contacts, built from rapport.contacts.v1 (never read from
-- contacts' database). A row per live contact; a deleted, erased or
-- merged-away contact has none. version is the contact's version of the
-- event last applied: an older event changes nothing. email is the
-- primary (else first) address, lower-cased; phone the primary (else
-- first) E.164 number. email_consent and sms_consent are the contact's
-- consent status on the channel ('granted', 'denied', 'unknown' or '' for
-- none), what every send checks.
CREATE TABLE audience_contacts (
    tenant_id        uuid        NOT NULL,
    id               uuid        NOT NULL,
    first_name       text        NOT NULL DEFAULT '',
    last_name        text        NOT NULL DEFAULT '',
    display_name     text        NOT NULL DEFAULT '',
    email            text        NOT NULL DEFAULT '',
    phone            text        NOT NULL DEFAULT '',
    job_title        text        NOT NULL DEFAULT '',
    account_id       uuid,
    owner_id         text        NOT NULL DEFAULT '',
    lifecycle_stage  text        NOT NULL DEFAULT '',
    source           text        NOT NULL DEFAULT '',
    country          text        NOT NULL DEFAULT '',
    city             text        NOT NULL DEFAULT '',
    tags             text[]      NOT NULL DEFAULT '{}',
    custom_fields    jsonb       NOT NULL DEFAULT '{}',
    email_consent    text        NOT NULL DEFAULT '',
    sms_consent      text        NOT NULL DEFAULT '',
    last_activity_at timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX audience_contacts_email ON audience_contacts (tenant_id, email) WHERE email <> '';
CREATE INDEX audience_contacts_phone ON audience_contacts (tenant_id, phone) WHERE phone <> '';

ALTER TABLE audience_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE audience_contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audience_contacts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE audience_contacts;
