-- +goose Up
-- The predictions of package predictions (issue 20, point 3): per tenant,
-- each model's last training (win, churn, demand) and what it scored. A
-- retraining replaces a tenant's rows of the kind in one transaction.

-- A tenant's last training of each kind of model: ready (it scored) or
-- notEnoughData (reason says what is missing); the metric on the held-out
-- period (AUC for win and churn, MAE for demand), the sizes of the
-- training and held-out sets and their periods.
CREATE TABLE pred_models (
    tenant_id     uuid             NOT NULL,
    kind          text             NOT NULL CHECK (kind IN ('win', 'churn', 'demand')),
    gen           integer          NOT NULL,
    status        text             NOT NULL CHECK (status IN ('ready', 'notEnoughData')),
    version       text             NOT NULL,
    trained_at    timestamptz      NOT NULL,
    metric_name   text             NOT NULL DEFAULT '',
    metric_value  double precision,
    train_size    integer          NOT NULL DEFAULT 0,
    test_size     integer          NOT NULL DEFAULT 0,
    train_from    timestamptz,
    train_to      timestamptz,
    test_from     timestamptz,
    test_to       timestamptz,
    reason        text             NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, kind)
);

ALTER TABLE pred_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE pred_models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pred_models
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The win model's probability of each open opportunity and the factors
-- that weighed most (jsonb: [{feature, value, effect, text}]).
CREATE TABLE pred_opportunities (
    tenant_id       uuid             NOT NULL,
    opportunity_id  uuid             NOT NULL,
    probability     double precision NOT NULL,
    factors         jsonb            NOT NULL,
    version         text             NOT NULL,
    scored_at       timestamptz      NOT NULL,
    PRIMARY KEY (tenant_id, opportunity_id)
);

ALTER TABLE pred_opportunities ENABLE ROW LEVEL SECURITY;
ALTER TABLE pred_opportunities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pred_opportunities
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

CREATE INDEX pred_opportunities_rank ON pred_opportunities (tenant_id, probability DESC, opportunity_id);

-- The churn model's risk of each customer account (merges resolved) and
-- its factors.
CREATE TABLE pred_accounts (
    tenant_id   uuid             NOT NULL,
    account_id  uuid             NOT NULL,
    risk        double precision NOT NULL,
    factors     jsonb            NOT NULL,
    version     text             NOT NULL,
    scored_at   timestamptz      NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);

ALTER TABLE pred_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE pred_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pred_accounts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

CREATE INDEX pred_accounts_rank ON pred_accounts (tenant_id, risk DESC, account_id);

-- The demand forecast of each queue with enough history: the method and
-- season, the error on the held-out weeks and the weeks ahead (jsonb:
-- [{week, cases}]).
CREATE TABLE pred_demand (
    tenant_id      uuid             NOT NULL,
    queue_id       text             NOT NULL,
    version        text             NOT NULL,
    method         text             NOT NULL,
    season         integer          NOT NULL,
    history_weeks  integer          NOT NULL,
    mae            double precision NOT NULL,
    mape           double precision,
    held_out_from  date             NOT NULL,
    held_out_to    date             NOT NULL,
    forecast       jsonb            NOT NULL,
    PRIMARY KEY (tenant_id, queue_id)
);

ALTER TABLE pred_demand ENABLE ROW LEVEL SECURITY;
ALTER TABLE pred_demand FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pred_demand
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE pred_demand;
DROP TABLE pred_accounts;
DROP TABLE pred_opportunities;
DROP TABLE pred_models;
