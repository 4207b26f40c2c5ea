-- +goose Up
-- Sending (package messaging). marketing_settings: a tenant's sending
-- settings, one row per tenant (none: the defaults): the From and
-- Reply-To of its mail, the sender id of its SMS, its DKIM key (domain,
-- selector, the private key as PEM) and its throttle, the most messages
-- its sends hand to the relay or the SMS provider per minute.
CREATE TABLE marketing_settings (
    tenant_id           uuid        NOT NULL,
    from_address        text        NOT NULL DEFAULT '',
    from_name           text        NOT NULL DEFAULT '',
    reply_to            text        NOT NULL DEFAULT '',
    sms_from            text        NOT NULL DEFAULT '',
    dkim_domain         text        NOT NULL DEFAULT '',
    dkim_selector       text        NOT NULL DEFAULT '',
    dkim_private_key    text        NOT NULL DEFAULT '',
    throttle_per_minute integer     NOT NULL CHECK (throttle_per_minute > 0),
    updated_by          text        NOT NULL DEFAULT '',
    updated_at          timestamptz NOT NULL,
    version             bigint      NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- A send of a template to the members of a segment or list. status:
-- scheduled (until scheduled_at), queued (to start), sending (its
-- recipients being made into messages, materialized once all are, and
-- the messages going out), completed (none left to send), canceled.
-- materialized_after is the last contact made into a message so far.
CREATE TABLE sends (
    tenant_id          uuid        NOT NULL,
    id                 uuid        NOT NULL,
    campaign_id        uuid,
    template_id        uuid        NOT NULL,
    channel            text        NOT NULL CHECK (channel IN ('email', 'sms')),
    segment_id         uuid        NOT NULL,
    status             text        NOT NULL CHECK (status IN ('scheduled', 'queued', 'sending', 'completed', 'canceled')),
    scheduled_at       timestamptz,
    utm                jsonb       NOT NULL DEFAULT '{}',
    materialized_after uuid,
    materialized       boolean     NOT NULL DEFAULT false,
    created_by         text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    started_at         timestamptz,
    completed_at       timestamptz,
    canceled_at        timestamptz,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX sends_created ON sends (tenant_id, id DESC);
CREATE INDEX sends_active ON sends (tenant_id, scheduled_at) WHERE status IN ('scheduled', 'queued', 'sending');

-- The throttle's window per tenant: used messages claimed since
-- window_start (a fixed window of a minute), shared by every replica.
CREATE TABLE messaging_quota (
    tenant_id    uuid        NOT NULL,
    window_start timestamptz NOT NULL,
    used         integer     NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- messages (0002) as package messaging uses it: status also excluded (a
-- recipient not sent to, the reason in error: no_consent, suppressed,
-- hard_bounce, complaint, no_address, unresolved_field) and canceled (its
-- send was canceled before it went out); next_attempt_at is when a queued
-- message may be claimed (later after a relay's temporary refusal).
ALTER TABLE messages ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();

CREATE INDEX messages_due ON messages (tenant_id, next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_claimed ON messages (tenant_id, claimed_at) WHERE status = 'sending';

ALTER TABLE marketing_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketing_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketing_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE sends ENABLE ROW LEVEL SECURITY;
ALTER TABLE sends FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sends
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE messaging_quota ENABLE ROW LEVEL SECURITY;
ALTER TABLE messaging_quota FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messaging_quota
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- messaging_tenants_due lists up to max tenants with sends to work on: a
-- scheduled one due, a queued one or one sending. Only their ids, for the
-- sending jobs to work each one's in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION messaging_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id FROM public.sends s
    WHERE s.status IN ('queued', 'sending') OR (s.status = 'scheduled' AND s.scheduled_at <= now())
    GROUP BY s.tenant_id ORDER BY min(s.created_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION messaging_tenants_due(int);
DROP INDEX messages_claimed;
DROP INDEX messages_due;
ALTER TABLE messages DROP COLUMN next_attempt_at;
DROP TABLE messaging_quota;
DROP TABLE sends;
DROP TABLE marketing_settings;
