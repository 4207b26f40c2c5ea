-- +goose Up
-- What the customer reports of package reports (lifecycle, customer
-- value, service, activity) need beyond 0001 and 0015.

-- Customer value reads the won opportunities of the report currency
-- closed before the period's end, account by account.
CREATE INDEX rm_opportunities_won ON rm_opportunities (tenant_id, gen, currency, closed_at, account_id)
    WHERE status = 'won' AND NOT deleted;

-- +goose Down
DROP INDEX rm_opportunities_won;
