-- +goose Up
-- messaging_tenants_due (0009) with journeys' sends: a journey step's send
-- stays sending as long as its journey lives, and its tenant is due only
-- while the send has messages queued or being sent (else every tenant
-- with a journey would be worked on at every turn, the oldest sends
-- first, ahead of the others').
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION messaging_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id FROM public.sends s
    WHERE (s.journey_id IS NULL AND (s.status IN ('queued', 'sending') OR (s.status = 'scheduled' AND s.scheduled_at <= now())))
        OR (s.journey_id IS NOT NULL AND s.status = 'sending' AND EXISTS (SELECT 1 FROM public.messages m
            WHERE m.tenant_id = s.tenant_id AND m.send_id = s.id AND m.status IN ('queued', 'sending')))
    GROUP BY s.tenant_id ORDER BY min(s.created_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION messaging_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id FROM public.sends s
    WHERE s.status IN ('queued', 'sending') OR (s.status = 'scheduled' AND s.scheduled_at <= now())
    GROUP BY s.tenant_id ORDER BY min(s.created_at) LIMIT max
$$;
-- +goose StatementEnd
