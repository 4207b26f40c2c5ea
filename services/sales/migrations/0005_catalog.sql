-- +goose Up
-- The catalogue (package catalog): products, and price books with their
-- entries, a product's unit price in the book's currency in minor units.
-- A SKU is unique per tenant regardless of case; a tenant has at most one
-- standard price book per currency. An entry's foreign key to its product
-- keeps a priced product from being deleted (the service refuses first,
-- with a 409 saying how many books price it); a book's entries go with it.
CREATE TABLE products (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    sku         text        NOT NULL,
    name        text        NOT NULL,
    family      text        NOT NULL DEFAULT '',
    unit        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX products_sku ON products (tenant_id, lower(sku));
CREATE INDEX products_name ON products (tenant_id, lower(name) text_pattern_ops);
CREATE INDEX products_sku_prefix ON products (tenant_id, lower(sku) text_pattern_ops);

CREATE TABLE price_books (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    currency    text        NOT NULL,
    segment     text        NOT NULL DEFAULT '',
    valid_from  date,
    valid_to    date,
    active      boolean     NOT NULL DEFAULT true,
    is_standard boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE UNIQUE INDEX price_books_name ON price_books (tenant_id, lower(name));
CREATE UNIQUE INDEX price_books_standard ON price_books (tenant_id, currency) WHERE is_standard;

CREATE TABLE price_book_entries (
    tenant_id        uuid        NOT NULL,
    price_book_id    uuid        NOT NULL,
    product_id       uuid        NOT NULL,
    unit_price_minor bigint      NOT NULL CHECK (unit_price_minor >= 0),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, price_book_id, product_id),
    FOREIGN KEY (tenant_id, price_book_id) REFERENCES price_books (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX price_book_entries_product ON price_book_entries (tenant_id, product_id);

ALTER TABLE products ENABLE ROW LEVEL SECURITY;
ALTER TABLE products FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON products
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE price_books ENABLE ROW LEVEL SECURITY;
ALTER TABLE price_books FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON price_books
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE price_book_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE price_book_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON price_book_entries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE price_book_entries;
DROP TABLE price_books;
DROP TABLE products;
