-- +goose Up
-- A new database's tables have no statistics until autovacuum's first
-- ANALYZE, which comes a minute or more after the first writes. Until then
-- PostgreSQL takes `tenant_id = $1` to match 0.5% of a table, so for a
-- lookup by primary key every index on tenant_id ties with the primary key,
-- and a plan a session keeps — a foreign key's check, a trigger's statement
-- — may read the tenant's whole table through one of them on every write,
-- until that ANALYZE invalidates it: an import into a new tenant's database
-- slows down with every row it adds (the contacts service's migration 0008
-- describes the case, and its 0010 made this function before it was
-- shared).
--
-- analyze_new_tables analyzes every table of this schema that its owner
-- owns, has never been analyzed and has had at least min_changes rows
-- written, and returns their names. Every service calls it every few
-- seconds (pg.AnalyzeNewTables, a job of libs/starter), so a new database has
-- statistics within seconds of its first writes; afterwards autovacuum keeps
-- them. It runs as
-- the owner (the application role may not ANALYZE), touches no rows, and
-- does nothing once every written table has been analyzed.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION analyze_new_tables(min_changes bigint) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE t text;
BEGIN
    FOR t IN SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = 'public' AND pg_has_role(c.relowner, 'USAGE')
            AND s.last_analyze IS NULL AND s.last_autoanalyze IS NULL AND s.n_mod_since_analyze >= min_changes
        ORDER BY s.relname
    LOOP
        EXECUTE format('ANALYZE public.%I', t);
        RETURN NEXT t;
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION analyze_new_tables(bigint);
