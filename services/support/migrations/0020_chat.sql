-- +goose Up
-- The chat channel (package chat): a visitor's chat session with an agent,
-- the case it opened, and every message of it. Each message is numbered in
-- its session (seq, from chat_sessions.last_seq) so that every socket of
-- every replica reads what it has not sent yet; entry_id is the case
-- thread's entry the message became (NULL until it was appended).
CREATE TABLE chat_sessions (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    case_id       uuid        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('waiting', 'active', 'ended')),
    visitor_name  text        NOT NULL,
    visitor_email text        NOT NULL,
    agent_id      text,
    last_seq      bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    ended_at      timestamptz,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX chat_sessions_open ON chat_sessions (tenant_id, created_at) WHERE status <> 'ended';

CREATE TABLE chat_messages (
    tenant_id   uuid        NOT NULL,
    session_id  uuid        NOT NULL,
    seq         bigint      NOT NULL,
    id          uuid        NOT NULL,
    author_type text        NOT NULL CHECK (author_type IN ('visitor', 'agent', 'system')),
    author_id   text        NOT NULL DEFAULT '',
    author_name text        NOT NULL DEFAULT '',
    body        text        NOT NULL,
    entry_id    uuid,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id, seq),
    FOREIGN KEY (tenant_id, session_id) REFERENCES chat_sessions (tenant_id, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX chat_messages_id ON chat_messages (tenant_id, id);
CREATE INDEX chat_messages_unappended ON chat_messages (tenant_id, session_id) WHERE entry_id IS NULL AND author_type <> 'system';

ALTER TABLE chat_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON chat_sessions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE chat_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON chat_messages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE chat_messages;
DROP TABLE chat_sessions;
