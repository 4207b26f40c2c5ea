-- +goose Up
-- The email channel (package email). support_mailboxes are a tenant's
-- addresses that receive mail: the SMTP listener accepts a recipient only
-- when it is one, and the address says whose mail it is. An address
-- belongs to one tenant, so its unique index spans tenants (the one index
-- here that tenant_id does not lead): a mail names no tenant before it is
-- routed by its address.
CREATE TABLE support_mailboxes (
    tenant_id        uuid        NOT NULL,
    id               uuid        NOT NULL,
    address          text        NOT NULL,
    queue_id         uuid,
    default_priority text        NOT NULL DEFAULT 'normal',
    auto_acknowledge boolean     NOT NULL DEFAULT true,
    from_name        text        NOT NULL DEFAULT '',
    is_default       boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX support_mailboxes_address ON support_mailboxes (address);
CREATE UNIQUE INDEX support_mailboxes_default ON support_mailboxes (tenant_id) WHERE is_default;

-- inbound_messages keeps every mail received, raw, before it is delivered
-- into a case: nothing received is lost, and a failed delivery can be
-- replayed. sender is the author's address (the rate of a looping sender).
CREATE TABLE inbound_messages (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    mailbox_id   uuid,
    entrance     text        NOT NULL,
    sender       text        NOT NULL,
    message_id   text        NOT NULL,
    raw          bytea       NOT NULL,
    status       text        NOT NULL,
    case_id      uuid,
    automatic    text        NOT NULL DEFAULT '',
    notes        text[]      NOT NULL DEFAULT '{}',
    error        text        NOT NULL DEFAULT '',
    received_at  timestamptz NOT NULL,
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX inbound_messages_sender ON inbound_messages (tenant_id, sender, received_at);
CREATE INDEX inbound_messages_undelivered ON inbound_messages (tenant_id, received_at) WHERE status <> 'delivered';

-- email_message_ids are the Message-IDs of the mails of a case, received
-- or sent: a reply's In-Reply-To or References find its case here.
CREATE TABLE email_message_ids (
    tenant_id  uuid        NOT NULL,
    message_id text        NOT NULL,
    case_id    uuid        NOT NULL,
    direction  text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX email_message_ids_case ON email_message_ids (tenant_id, case_id, created_at);

-- email_requesters are the cases opened by mail: whom the agents' public
-- replies go to, through which mailbox, under which subject and number;
-- automatic says the case was opened by an auto-reply or a loop, which is
-- never answered.
CREATE TABLE email_requesters (
    tenant_id  uuid        NOT NULL,
    case_id    uuid        NOT NULL,
    mailbox_id uuid,
    address    text        NOT NULL,
    name       text        NOT NULL DEFAULT '',
    number     bigint      NOT NULL,
    subject    text        NOT NULL,
    automatic  boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, case_id)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['support_mailboxes', 'inbound_messages', 'email_message_ids', 'email_requesters'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
    -- The owner (the role migrating) reads every tenant's mailboxes:
    -- support_mailbox_by_address runs as the owner.
    EXECUTE format('CREATE POLICY owner_routes ON support_mailboxes FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- support_mailbox_by_address is the tenant and mailbox of an address (lower
-- case), across tenants: how a mail is routed before any tenant is known.
-- It returns those two ids only.
-- +goose StatementBegin
CREATE FUNCTION support_mailbox_by_address(addr text) RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.tenant_id, m.id FROM public.support_mailboxes m WHERE m.address = lower(addr)
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION support_mailbox_by_address(text);
DROP TABLE email_requesters;
DROP TABLE email_message_ids;
DROP TABLE inbound_messages;
DROP TABLE support_mailboxes;
