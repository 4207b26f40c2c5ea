-- +goose Up
-- The cases waiting in a queue for an assignee: what the retry job of
-- package queues assigns when agents come online or capacity frees.
CREATE INDEX cases_unassigned ON cases (tenant_id, queue_id, created_at, id)
    WHERE assignee_id IS NULL AND queue_id IS NOT NULL AND deleted_at IS NULL AND status NOT IN ('solved', 'closed');

-- The owner (the role migrating) reads every tenant's queues:
-- unassigned_case_tenants runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON support_queues FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- unassigned_case_tenants lists up to max tenants having cases waiting
-- unassigned in a queue that assigns (not manual), those with the oldest
-- first: only their ids, for the job to assign each one's in a
-- transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION unassigned_case_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.tenant_id FROM public.cases c
    JOIN public.support_queues q ON q.tenant_id = c.tenant_id AND q.id = c.queue_id
    WHERE c.assignee_id IS NULL AND c.queue_id IS NOT NULL AND c.deleted_at IS NULL
        AND c.status NOT IN ('solved', 'closed') AND q.assignment_mode <> 'manual'
    GROUP BY c.tenant_id ORDER BY min(c.created_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION unassigned_case_tenants(int);
DROP POLICY owner_lists ON support_queues;
DROP INDEX cases_unassigned;
