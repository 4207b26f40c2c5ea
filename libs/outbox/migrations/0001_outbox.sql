-- +goose Up
-- Events written in the business transaction, waiting for the relay.
CREATE TABLE outbox (
    seq        bigserial   PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    topic      text        NOT NULL,
    event_id   uuid        NOT NULL,
    source     text        NOT NULL,
    type       text        NOT NULL,
    subject    text        NOT NULL,
    time       timestamptz NOT NULL,
    data       bytea       NOT NULL
);
-- Tenant transactions may only add rows of their own tenant and never read
-- the queue; the relay (app.outbox_relay = on) reads and deletes every row.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_adds ON outbox FOR INSERT
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY relay_reads ON outbox FOR SELECT
    USING (current_setting('app.outbox_relay', true) = 'on');
CREATE POLICY relay_deletes ON outbox FOR DELETE
    USING (current_setting('app.outbox_relay', true) = 'on');
-- SELECT ... FOR UPDATE also applies UPDATE policies.
CREATE POLICY relay_locks ON outbox FOR UPDATE
    USING (current_setting('app.outbox_relay', true) = 'on');

-- +goose Down
DROP TABLE outbox;
