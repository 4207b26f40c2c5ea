-- +goose Up
-- Web forms (package forms): a form's fields (key, label, type, required,
-- options, mapsTo: the lead's field or custom:<key>), its consent checkbox
-- (text, required, channel), what follows a submission (thank_you message
-- or redirect_url), double opt-in and status ('active' serves the hosted
-- page and takes submissions; 'inactive' is 404 to the public).
-- rejections counts the submissions refused without being stored, by
-- reason (honeypot, rate_limited, invalid): {"honeypot": 3, ...}.
CREATE TABLE forms (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    name          text        NOT NULL,
    campaign_id   uuid,
    language      text        NOT NULL DEFAULT 'en',
    fields        jsonb       NOT NULL,
    consent       jsonb,
    submit_label  text        NOT NULL DEFAULT '',
    thank_you     text        NOT NULL DEFAULT '',
    redirect_url  text        NOT NULL DEFAULT '',
    double_opt_in boolean     NOT NULL DEFAULT false,
    status        text        NOT NULL CHECK (status IN ('active', 'inactive')),
    rejections    jsonb       NOT NULL DEFAULT '{}',
    created_by    text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);

ALTER TABLE forms ENABLE ROW LEVEL SECURITY;
ALTER TABLE forms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON forms
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A form's stored submissions: status 'confirmed' (form.submitted was
-- published), 'pending_confirmation' (double opt-in: the mail with the
-- confirmation link went out) or 'rejected' with reason (suppressed: the
-- address may not be mailed; undeliverable: the relay refused the
-- confirmation mail). data is the event's payload as submitted; email the
-- submitted address (lower-cased, '' for none); client_ip the first hop
-- of X-Forwarded-For.
CREATE TABLE form_submissions (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    form_id      uuid        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('confirmed', 'pending_confirmation', 'rejected')),
    reason       text        NOT NULL DEFAULT '',
    email        text        NOT NULL DEFAULT '',
    data         jsonb       NOT NULL,
    client_ip    text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    confirmed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, form_id) REFERENCES forms (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX form_submissions_form ON form_submissions (tenant_id, form_id, id DESC);

ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON form_submissions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The public submissions' rate limit, in fixed windows shared by every
-- replica: hits is the number of submissions of a key ('ip:<address>' or
-- 'email:<address>') to a form in the window starting at window_start.
-- A submission deletes its form's windows that have ended.
CREATE TABLE form_rate_limits (
    tenant_id    uuid        NOT NULL,
    form_id      uuid        NOT NULL,
    window_start timestamptz NOT NULL,
    key          text        NOT NULL,
    hits         integer     NOT NULL,
    PRIMARY KEY (tenant_id, form_id, window_start, key),
    FOREIGN KEY (tenant_id, form_id) REFERENCES forms (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE form_rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON form_rate_limits
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE form_rate_limits;
DROP TABLE form_submissions;
DROP TABLE forms;
