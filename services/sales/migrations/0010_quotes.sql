-- +goose Up
-- Quotes (package quotes). A quote is made from an opportunity and keeps
-- its revisions: each a snapshot of the opportunity's line items, price
-- book, currency, account and contact when it was made. The quote row
-- holds the current revision's number, the state and the approval in
-- progress (approvers: per level, the users who may decide it); its
-- history keeps every move, the approvers' decisions among them.
CREATE TABLE quotes (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    number          text        NOT NULL,
    opportunity_id  uuid        NOT NULL,
    revision        int         NOT NULL,
    state           text        NOT NULL CHECK (state IN ('draft', 'pendingApproval', 'approved', 'rejected', 'sent', 'accepted', 'declined')),
    owner_id        text        NOT NULL,
    team_id         text        NOT NULL DEFAULT '',
    approval_levels int         NOT NULL DEFAULT 0,
    approved_levels int         NOT NULL DEFAULT 0,
    approvers       jsonb       NOT NULL DEFAULT '[]',
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id)
);
CREATE UNIQUE INDEX quotes_number ON quotes (tenant_id, number);
CREATE INDEX quotes_opportunity ON quotes (tenant_id, opportunity_id, id DESC);
CREATE INDEX quotes_newest ON quotes (tenant_id, id DESC);

CREATE TABLE quote_revisions (
    tenant_id     uuid        NOT NULL,
    quote_id      uuid        NOT NULL,
    revision      int         NOT NULL,
    name          text        NOT NULL,
    account_id    uuid,
    contact_id    uuid,
    price_book_id uuid        NOT NULL,
    currency      text        NOT NULL,
    line_items    jsonb       NOT NULL,
    total_minor   bigint      NOT NULL,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, quote_id, revision),
    FOREIGN KEY (tenant_id, quote_id) REFERENCES quotes (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE quote_history (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    quote_id   uuid        NOT NULL,
    revision   int         NOT NULL,
    action     text        NOT NULL,
    from_state text        NOT NULL,
    to_state   text        NOT NULL,
    level      int         NOT NULL DEFAULT 0,
    by_user    text        NOT NULL,
    at         timestamptz NOT NULL,
    comment    text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, quote_id) REFERENCES quotes (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX quote_history_quote ON quote_history (tenant_id, quote_id, id);

ALTER TABLE quotes ENABLE ROW LEVEL SECURITY;
ALTER TABLE quotes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quotes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE quote_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE quote_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quote_revisions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE quote_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE quote_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quote_history
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE quote_history;
DROP TABLE quote_revisions;
DROP TABLE quotes;
