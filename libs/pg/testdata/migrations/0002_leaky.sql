-- +goose Up
-- a tenant-owned table someone forgot to protect: TablesWithoutRLS must name it
CREATE TABLE leaky (tenant_id uuid NOT NULL, id int NOT NULL, PRIMARY KEY (tenant_id, id));

-- +goose Down
DROP TABLE leaky;
