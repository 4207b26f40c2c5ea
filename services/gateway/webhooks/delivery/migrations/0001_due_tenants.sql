-- +goose Up
-- Every replica's Dispatcher finds the tenants with deliveries due
-- (due_webhook_tenants) and claims each one's deliveries in a transaction
-- of that tenant, as notify's Sender does with its emails. The owner (the
-- role migrating, not the application's) reads every tenant's pending
-- deliveries and the subscriptions' state for that one query.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY delivery_owner_lists ON webhook_deliveries FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY delivery_owner_lists ON webhook_subscriptions FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd
-- The due pending deliveries of every tenant: how due_webhook_tenants finds
-- the tenants with work.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, tenant_id) WHERE status = 'pending';
-- A subscription's pending deliveries per subject in seq order: the claim's
-- check that no earlier one is still pending.
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (tenant_id, subscription_id, subject, seq) WHERE status = 'pending';

-- due_webhook_tenants lists up to max tenants having pending deliveries due
-- by now (unleased, of an active subscription not throttled), the tenant
-- with the oldest due one first: only their ids.
-- +goose StatementBegin
CREATE FUNCTION due_webhook_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.tenant_id FROM public.webhook_deliveries d
    JOIN public.webhook_subscriptions s ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.locked_until IS NULL OR d.locked_until <= now())
      AND s.status = 'active' AND (s.throttled_until IS NULL OR s.throttled_until <= now())
    GROUP BY d.tenant_id ORDER BY min(d.next_attempt_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION due_webhook_tenants(int);
DROP INDEX webhook_deliveries_order;
DROP INDEX webhook_deliveries_due;
DROP POLICY delivery_owner_lists ON webhook_subscriptions;
DROP POLICY delivery_owner_lists ON webhook_deliveries;
