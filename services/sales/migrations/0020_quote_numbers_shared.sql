-- +goose Up
-- Quote numbers move to libs/numbering's number_sequences (sequence
-- "quote", scoped by the year), which support's case numbers share: the
-- numbering source applies before this one (sales.Starter). The migration
-- role owns both tables; FORCE is lifted for the copy so a non-superuser
-- owner sees every tenant's rows (the transaction restores it).
ALTER TABLE quote_numbers NO FORCE ROW LEVEL SECURITY;
ALTER TABLE number_sequences NO FORCE ROW LEVEL SECURITY;
INSERT INTO number_sequences (tenant_id, name, scope, last)
SELECT tenant_id, 'quote', year::text, last FROM quote_numbers
ON CONFLICT (tenant_id, name, scope) DO UPDATE SET last = GREATEST(number_sequences.last, EXCLUDED.last);
ALTER TABLE number_sequences FORCE ROW LEVEL SECURITY;
DROP TABLE quote_numbers;

-- +goose Down
CREATE TABLE quote_numbers (
    tenant_id uuid   NOT NULL,
    year      int    NOT NULL,
    last      bigint NOT NULL,
    PRIMARY KEY (tenant_id, year)
);
ALTER TABLE number_sequences NO FORCE ROW LEVEL SECURITY;
INSERT INTO quote_numbers (tenant_id, year, last)
SELECT tenant_id, scope::int, last FROM number_sequences WHERE name = 'quote';
DELETE FROM number_sequences WHERE name = 'quote';
ALTER TABLE number_sequences FORCE ROW LEVEL SECURITY;
ALTER TABLE quote_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE quote_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quote_numbers
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
