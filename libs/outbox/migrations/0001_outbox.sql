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
    data       text        NOT NULL
);
-- Tenant transactions may only add rows of their own tenant and never read
-- the queue; the relay (app.outbox_relay = on) reads and deletes every
-- row. The relay test is a function the planner cannot inline: written inline,
-- current_setting(...) = 'on' is estimated to keep 0.5% of rows, and the
-- relay's ORDER BY seq LIMIT n then scans and sorts the whole table instead
-- of walking the primary key.
-- +goose StatementBegin
CREATE FUNCTION outbox_relay_on() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN current_setting('app.outbox_relay', true) = 'on';
END
$$;
-- +goose StatementEnd
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_adds ON outbox FOR INSERT
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY relay_reads ON outbox FOR SELECT USING (outbox_relay_on());
CREATE POLICY relay_deletes ON outbox FOR DELETE USING (outbox_relay_on());

-- +goose Down
DROP TABLE outbox;
DROP FUNCTION outbox_relay_on();
