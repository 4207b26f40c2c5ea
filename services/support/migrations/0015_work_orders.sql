-- +goose Up
-- Repair work orders (package contracts): on-site work for a case.
-- number is gap-free per tenant (libs/numbering, "work_order"); account_id
-- is the case's when the work order was created. parts and labour are the
-- lines as the API shows them (JSON arrays, their totals computed on
-- read); sign_off is the customer's, once the work order is completed.
CREATE TABLE work_orders (
    tenant_id        uuid        NOT NULL,
    id               uuid        NOT NULL,
    number           bigint      NOT NULL,
    case_id          uuid        NOT NULL,
    account_id       uuid,
    asset_id         uuid,
    product_id       uuid,
    serial_number    text        NOT NULL DEFAULT '',
    address          text        NOT NULL DEFAULT '',
    technician_id    text        NOT NULL DEFAULT '',
    scheduled_start  timestamptz,
    scheduled_end    timestamptz,
    parts            jsonb       NOT NULL DEFAULT '[]',
    labour           jsonb       NOT NULL DEFAULT '[]',
    status           text        NOT NULL,
    sign_off         jsonb,
    completed_at     timestamptz,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number)
);
CREATE INDEX work_orders_case ON work_orders (tenant_id, case_id, number);
CREATE INDEX work_orders_technician ON work_orders (tenant_id, technician_id, scheduled_start);

ALTER TABLE work_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON work_orders
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE work_orders;
