-- +goose Up
-- A tenant's webhook subscriptions: the URL events are POSTed to, the
-- event type patterns ("*", "dev.rapport.sales.*", exact types) and the
-- optional filter (a libs/filter AST over type, subject, source, time and
-- data.<prop>) choosing them, and the signing secret sealed with the
-- gateway's data key. A subscription the dispatcher gave up on is disabled
-- with a reason; throttled_until holds all its deliveries back after a 429.
CREATE TABLE webhook_subscriptions (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    url             text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    event_types     text[]      NOT NULL,
    filter          jsonb,
    secret_enc      bytea       NOT NULL,
    status          text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    disabled_reason text        NOT NULL DEFAULT '',
    disabled_at     timestamptz,
    failing_since   timestamptz,
    throttled_until timestamptz,
    created_by      uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         int         NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (tenant_id) WHERE status = 'active';

-- One event (or ping) to send to one subscription: payload is the
-- structured CloudEvent JSON POSTed; seq orders the deliveries of one
-- subscription and subject. A redelivered event finds its row by
-- (subscription, event id) and adds none.
CREATE TABLE webhook_deliveries (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    subscription_id uuid        NOT NULL,
    seq             bigserial   NOT NULL,
    event_id        text        NOT NULL,
    event_type      text        NOT NULL,
    subject         text        NOT NULL DEFAULT '',
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    locked_until    timestamptz,
    last_status     int,
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, subscription_id, event_id),
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (tenant_id, subscription_id, id);

-- Each HTTP attempt of a delivery, with excerpts (4 KiB at most) of what
-- was sent and answered, for the delivery log.
CREATE TABLE webhook_attempts (
    tenant_id        uuid        NOT NULL,
    delivery_id      uuid        NOT NULL,
    n                int         NOT NULL,
    at               timestamptz NOT NULL,
    duration_ms      int         NOT NULL,
    request_headers  jsonb       NOT NULL DEFAULT '{}',
    request_excerpt  text        NOT NULL DEFAULT '',
    status           int,
    response_headers jsonb       NOT NULL DEFAULT '{}',
    response_excerpt text        NOT NULL DEFAULT '',
    error            text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, delivery_id, n),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_subscriptions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_attempts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
