-- +goose Up
-- The line items of an opportunity (package deals): the products it would
-- sell, each with its quantity, unit price, discount and total, priced
-- from the opportunity's price book. They are a value of the opportunity,
-- written whole with it (as its contact roles are), so a jsonb column of
-- the row rather than a table: the row's version and If-Match cover them,
-- and events carry them with the opportunity's state. price_book_id is the
-- catalogue's book the lines were priced from (no foreign key: a book may
-- be deleted; the lines keep the prices they were given).
ALTER TABLE opportunities ADD COLUMN price_book_id uuid;
ALTER TABLE opportunities ADD COLUMN line_items jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE opportunities DROP COLUMN line_items;
ALTER TABLE opportunities DROP COLUMN price_book_id;
