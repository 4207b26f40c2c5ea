-- +goose Up
-- Opportunities' tags and custom fields (package deals), as leads' (0008):
-- tags are names normalised by libs/tags, tag_keys holds them in lower
-- case for the tag filter (GIN); custom field values are jsonb, checked
-- against the tenant's definitions of entity "opportunity" in
-- custom_fields (package customdefs).
ALTER TABLE opportunities
    ADD COLUMN tags          text[] NOT NULL DEFAULT '{}',
    ADD COLUMN tag_keys      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN custom_fields jsonb  NOT NULL DEFAULT '{}';
CREATE INDEX opportunities_tags ON opportunities USING gin (tag_keys);

-- +goose Down
DROP INDEX opportunities_tags;
ALTER TABLE opportunities DROP COLUMN custom_fields, DROP COLUMN tag_keys, DROP COLUMN tags;
