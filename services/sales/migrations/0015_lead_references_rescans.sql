-- +goose Up
-- The leads converted into a contact or an account of the contacts
-- service, found when contacts merges or erases one (package leads,
-- References), deleted leads too.
CREATE INDEX leads_converted_contact ON leads (tenant_id, converted_contact_id) WHERE converted_contact_id IS NOT NULL;
CREATE INDEX leads_converted_account ON leads (tenant_id, converted_account_id) WHERE converted_account_id IS NOT NULL;

-- Rescans of lead scores (package leads, Rescans): a change of a
-- tenant's scoring rules asks, in its transaction, for every live,
-- unconverted lead of the tenant to be scored again; the job works
-- through them in id order, after_id the last lead done (NULL: none yet),
-- one batch per transaction holding the row (FOR UPDATE SKIP LOCKED, so
-- one instance works on a tenant at a time), and deletes the row when it
-- is through. Another change meanwhile starts the rescan over.
CREATE TABLE lead_score_rescans (
    tenant_id    uuid        NOT NULL,
    requested_at timestamptz NOT NULL,
    after_id     uuid,
    PRIMARY KEY (tenant_id)
);
CREATE INDEX lead_score_rescans_requested ON lead_score_rescans (requested_at);

ALTER TABLE lead_score_rescans ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_score_rescans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_score_rescans
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating) reads every tenant's rows:
-- due_score_rescans runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON lead_score_rescans FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- due_score_rescans lists up to max tenants having a rescan of their
-- leads' scores to do, the oldest request first: only their ids, for the
-- job to work on each in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION due_score_rescans(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.tenant_id FROM public.lead_score_rescans r ORDER BY r.requested_at LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION due_score_rescans(int);
DROP TABLE lead_score_rescans;
DROP INDEX leads_converted_account;
DROP INDEX leads_converted_contact;
