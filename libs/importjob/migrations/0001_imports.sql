-- +goose Up
-- The CSV imports' tables (libs/importjob), in the database of each service
-- that imports. The contacts service made them in its own migration 0017
-- before they were shared; on its databases this migration finds them and
-- changes nothing (every statement is IF NOT EXISTS or guarded).
--
-- An import is a job: its file is stored (import_files) while it is
-- uploaded, then any instance of the service claims the job and imports
-- the file a chunk of rows per transaction, noting in the job how far it
-- came, so that another instance resumes a job whose instance stopped after
-- its last committed chunk. Rows that fail go to the job's error report
-- (import_errors); every record an import created or updated is noted with
-- the row it came from (import_records), its provenance.

-- The jobs. state: uploading (the file is being stored; lease_until is the
-- upload's, renewed by each stored part), queued, running (runner holds it
-- until lease_until, renewed by each chunk), completed, failed, cancelled.
-- principal is the importer's, as the gateway minted it: the rows are
-- validated for and written by them. next_offset and next_row are where the
-- next chunk starts in the stored text; idle_claims counts the claims since
-- the job last made progress, so that a job that fails every time it runs
-- ends failed instead of running for ever.
CREATE TABLE IF NOT EXISTS imports (
    tenant_id        uuid        NOT NULL,
    id               uuid        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('uploading', 'queued', 'running', 'completed', 'failed', 'cancelled')),
    failure_reason   text        NOT NULL DEFAULT '',
    file_name        text        NOT NULL,
    size_bytes       bigint      NOT NULL DEFAULT 0,
    text_bytes       bigint      NOT NULL DEFAULT 0,
    encoding         text        NOT NULL,
    delimiter        text        NOT NULL,
    line_break       text        NOT NULL,
    header           text[]      NOT NULL,
    mapping          jsonb       NOT NULL,
    duplicate_policy text        NOT NULL CHECK (duplicate_policy IN ('skip', 'update', 'create')),
    principal        jsonb       NOT NULL,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    rows_read        bigint      NOT NULL DEFAULT 0,
    created          bigint      NOT NULL DEFAULT 0,
    updated          bigint      NOT NULL DEFAULT 0,
    skipped          bigint      NOT NULL DEFAULT 0,
    failed           bigint      NOT NULL DEFAULT 0,
    next_offset      bigint      NOT NULL DEFAULT 0,
    next_row         bigint      NOT NULL DEFAULT 1,
    busy_ms          bigint      NOT NULL DEFAULT 0,
    runner           text        NOT NULL DEFAULT '',
    lease_until      timestamptz,
    idle_claims      int         NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
-- The jobs not ended, of every tenant: what pending_imports lists. This
-- index alone does not lead with tenant_id: it serves the one query that
-- crosses tenants, and holds only jobs still to run.
CREATE INDEX IF NOT EXISTS imports_pending ON imports (created_at, tenant_id) WHERE state IN ('uploading', 'queued', 'running');

-- The file's text, in UTF-8 (as uploaded when it was UTF-8, converted
-- otherwise), in parts of 1 MiB, kept until the job ends. Stored
-- uncompressed: compressing it costs more than it saves for a file read
-- once.
CREATE TABLE IF NOT EXISTS import_files (
    tenant_id uuid  NOT NULL,
    import_id uuid  NOT NULL,
    seq       int   NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (tenant_id, import_id, seq),
    FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE import_files ALTER COLUMN data SET STORAGE EXTERNAL;

-- The error report: per row not imported, each fault, with its column ('' for
-- the whole row) and value.
CREATE TABLE IF NOT EXISTS import_errors (
    tenant_id uuid   NOT NULL,
    import_id uuid   NOT NULL,
    row_no    bigint NOT NULL,
    n         int    NOT NULL,
    col       text   NOT NULL,
    value     text   NOT NULL,
    reason    text   NOT NULL,
    PRIMARY KEY (tenant_id, import_id, row_no, n),
    FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);

-- Provenance: which import created or updated a record, from which row.
-- Keyed by the record, for its personal-data export.
CREATE TABLE IF NOT EXISTS import_records (
    tenant_id  uuid        NOT NULL,
    record_id  uuid        NOT NULL,
    import_id  uuid        NOT NULL,
    row_no     bigint      NOT NULL,
    action     text        NOT NULL CHECK (action IN ('created', 'updated')),
    at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, record_id, import_id, row_no),
    FOREIGN KEY (tenant_id, import_id) REFERENCES imports (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['imports', 'import_files', 'import_errors', 'import_records'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        IF NOT EXISTS (SELECT FROM pg_policies WHERE tablename = t AND policyname = 'tenant_isolation') THEN
            EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
                USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
                WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        END IF;
    END LOOP;
    -- The owner (the role migrating, not the application's) reads every
    -- tenant's jobs: pending_imports runs as the owner to list the work of all.
    IF NOT EXISTS (SELECT FROM pg_policies WHERE tablename = 'imports' AND policyname = 'owner_lists') THEN
        EXECUTE format('CREATE POLICY owner_lists ON imports FOR SELECT TO %I USING (true)', current_user);
    END IF;
END $$;
-- +goose StatementEnd

-- pending_imports lists up to max jobs, of any tenant, oldest first, that
-- an instance may take: queued ones, and uploading or running ones whose
-- lease has run out (their instance stopped). Only their tenant and id: the
-- instance claims each in a transaction of its tenant.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pending_imports(max int) RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT i.tenant_id, i.id FROM public.imports i
    WHERE i.state IN ('uploading', 'queued', 'running')
      AND (i.state = 'queued' OR i.lease_until < now())
    ORDER BY i.created_at, i.tenant_id LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION pending_imports(int);
DROP TABLE import_records, import_errors, import_files, imports;
