-- +goose Up
-- The knowledge base (package kb). Categories form a tree by parent_id,
-- with a name per locale. An article is one locale's text; the articles of
-- one translation_group translate each other (one per locale). Its title,
-- body and tags are those of its latest saved version (draft_version);
-- published_version is the version readers see. Every save of a draft is a
-- row of kb_article_versions.
CREATE TABLE kb_categories (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    parent_id   uuid,
    names       jsonb       NOT NULL,
    position    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES kb_categories (tenant_id, id)
);
CREATE INDEX kb_categories_parent ON kb_categories (tenant_id, parent_id);

CREATE TABLE kb_articles (
    tenant_id          uuid        NOT NULL,
    id                 uuid        NOT NULL,
    translation_group  uuid        NOT NULL,
    locale             text        NOT NULL,
    category_id        uuid,
    visibility         text        NOT NULL CHECK (visibility IN ('internal', 'public')),
    state              text        NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
    title              text        NOT NULL,
    body               text        NOT NULL,
    body_format        text        NOT NULL CHECK (body_format IN ('markdown', 'html')),
    tags               text[]      NOT NULL DEFAULT '{}',
    published_version  integer,
    draft_version      integer     NOT NULL,
    helpful_count      bigint      NOT NULL DEFAULT 0,
    not_helpful_count  bigint      NOT NULL DEFAULT 0,
    created_by         text        NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    published_at       timestamptz,
    version            bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT kb_articles_translation UNIQUE (tenant_id, translation_group, locale),
    FOREIGN KEY (tenant_id, category_id) REFERENCES kb_categories (tenant_id, id)
);
CREATE INDEX kb_articles_category ON kb_articles (tenant_id, category_id);

CREATE TABLE kb_article_versions (
    tenant_id    uuid        NOT NULL,
    article_id   uuid        NOT NULL,
    number       integer     NOT NULL,
    title        text        NOT NULL,
    body         text        NOT NULL,
    body_format  text        NOT NULL,
    tags         text[]      NOT NULL DEFAULT '{}',
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, article_id, number),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE
);

-- What search reads: per article its published text (kind published) and
-- its latest saved text (kind draft), as plain text for the highlights and
-- as a tsvector: the 'english' configuration's lexemes (stemmed) of the
-- text's non-CJK words, and the CJK characters' bigrams (the service
-- computes them: PostgreSQL's parser does not segment CJK), title weight
-- A, body B.
CREATE TABLE kb_search (
    tenant_id   uuid     NOT NULL,
    article_id  uuid     NOT NULL,
    kind        text     NOT NULL CHECK (kind IN ('published', 'draft')),
    title       text     NOT NULL,
    body_text   text     NOT NULL,
    doc         tsvector NOT NULL,
    PRIMARY KEY (tenant_id, article_id, kind),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE
);

-- The inverted index of the published articles' texts: a row per lexeme of a doc,
-- weighted as ts_rank weighs title (A, 1.0) and body (B, 0.4). Under FORCE
-- ROW LEVEL SECURITY PostgreSQL uses an index only for leakproof
-- operators, which tsvector @@ is not: a GIN index on the doc would never
-- serve the application role, and matching would read every doc of the
-- tenant. Text equality and ^@ are leakproof, so search reads the postings
-- of its terms through kb_terms_term (an index-only scan), and reads a doc
-- only to check a phrase or an or/not of the query on the candidates.
CREATE TABLE kb_terms (
    tenant_id   uuid              NOT NULL,
    article_id  uuid              NOT NULL,
    term        text COLLATE "C"  NOT NULL,
    weight      real              NOT NULL,
    PRIMARY KEY (tenant_id, article_id, term),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_terms_term ON kb_terms (tenant_id, term, article_id) INCLUDE (weight);

-- Drafts (and archived articles) are searched among the articles in their
-- state.
CREATE INDEX kb_articles_state ON kb_articles (tenant_id, state, id);

-- Readers' feedback on an article: helpful or not, with a comment.
CREATE TABLE kb_article_feedback (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    article_id  uuid        NOT NULL,
    helpful     boolean     NOT NULL,
    comment     text        NOT NULL DEFAULT '',
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_article_feedback_article ON kb_article_feedback (tenant_id, article_id, created_at);

ALTER TABLE kb_categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_categories FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_categories
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE kb_articles ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_articles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_articles
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE kb_article_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_article_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_article_versions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE kb_search ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_search FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_search
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE kb_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_terms
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE kb_article_feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE kb_article_feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kb_article_feedback
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE kb_article_feedback;
DROP TABLE kb_terms;
DROP TABLE kb_search;
DROP TABLE kb_article_versions;
DROP TABLE kb_articles;
DROP TABLE kb_categories;
