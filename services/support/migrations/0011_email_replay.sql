-- +goose Up
-- The replay of inbound mail kept but not delivered (package email): its
-- tries, and the tenants having such mail, found across tenants by the
-- owner's undelivered_inbound_tenants for the job to replay each one's in
-- a transaction of that tenant.
ALTER TABLE inbound_messages ADD COLUMN attempts int NOT NULL DEFAULT 0;
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_replays ON inbound_messages FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- undelivered_inbound_tenants lists up to max tenants having mail kept
-- for a minute without being delivered, with fewer than max_attempts
-- tries, the oldest first: only their ids.
-- +goose StatementBegin
CREATE FUNCTION undelivered_inbound_tenants(max_attempts int, max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT i.tenant_id FROM public.inbound_messages i
    WHERE i.status <> 'delivered' AND i.received_at < now() - interval '1 minute' AND i.attempts < max_attempts
    GROUP BY i.tenant_id ORDER BY min(i.received_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION undelivered_inbound_tenants(int, int);
DROP POLICY owner_replays ON inbound_messages;
ALTER TABLE inbound_messages DROP COLUMN attempts;
