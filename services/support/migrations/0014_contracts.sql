-- +goose Up
-- Service contracts (package contracts): a tenant's contracts with its
-- accounts. number is gap-free per tenant (libs/numbering, "contract");
-- the dates are whole days (UTC), ends_on the contract's last day.
-- calendar_id (the coverage hours) and sla_policy_id (the SLA granted)
-- are package sla's records, stored as given. The entitlement is a number
-- of cases or of hours (entitlement_total); what is left of it is derived
-- from contract_usages. expiring_at is when contract.expiring was
-- published (once per contract).
CREATE TABLE service_contracts (
    tenant_id          uuid        NOT NULL,
    id                 uuid        NOT NULL,
    number             bigint      NOT NULL,
    account_id         uuid        NOT NULL,
    name               text        NOT NULL,
    starts_on          date        NOT NULL,
    ends_on            date        NOT NULL,
    calendar_id        uuid,
    sla_policy_id      uuid,
    entitlement_kind   text        NOT NULL,
    entitlement_total  int         NOT NULL,
    status             text        NOT NULL,
    reminder_days      int         NOT NULL,
    expiring_at        timestamptz,
    created_by         text        NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number)
);
CREATE INDEX service_contracts_account ON service_contracts (tenant_id, account_id, status, ends_on);
-- The expiry job's: active contracts by their last day.
CREATE INDEX service_contracts_active_end ON service_contracts (tenant_id, ends_on) WHERE status = 'active';

ALTER TABLE service_contracts ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_contracts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON service_contracts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- What a contract's entitlement was used for: one case (units 1) or one
-- completed work order's labour (units: minutes). A source is counted once
-- (the unique key), so a redelivered case.created counts nothing more.
CREATE TABLE contract_usages (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    contract_id  uuid        NOT NULL,
    source       text        NOT NULL,
    source_id    uuid        NOT NULL,
    units        int         NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, source, source_id),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES service_contracts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contract_usages_contract ON contract_usages (tenant_id, contract_id, created_at);

ALTER TABLE contract_usages ENABLE ROW LEVEL SECURITY;
ALTER TABLE contract_usages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contract_usages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The owner (the role migrating) reads every tenant's contracts:
-- contract_tenants_due runs as the owner to find the expiry job's work.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON service_contracts FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- contract_tenants_due lists up to max tenants having active contracts
-- that ended before today or whose renewal reminder is due and not yet
-- sent: only their ids, for the job to work each one's in a transaction
-- of that tenant.
-- +goose StatementBegin
CREATE FUNCTION contract_tenants_due(today date, max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.tenant_id FROM public.service_contracts c
    WHERE c.status = 'active'
        AND (c.ends_on < today OR (c.expiring_at IS NULL AND c.ends_on - c.reminder_days <= today))
    GROUP BY c.tenant_id ORDER BY min(c.ends_on) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION contract_tenants_due(date, int);
DROP POLICY owner_lists ON service_contracts;
DROP TABLE contract_usages;
DROP TABLE service_contracts;
