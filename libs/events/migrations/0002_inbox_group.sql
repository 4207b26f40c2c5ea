-- +goose Up
-- The inbox keeps an event once per consumer group, not once per service:
-- two groups of one service reading the same topic (support's SLA clocks,
-- routing, contracts and email replies all follow rapport.support.v1) each
-- apply every event. Rows from before have the group '' and stand for
-- every group, as the inbox meant then (events.Consumer.apply).
ALTER TABLE inbox ADD COLUMN consumer_group text NOT NULL DEFAULT '';
ALTER TABLE inbox DROP CONSTRAINT inbox_pkey;
ALTER TABLE inbox ADD PRIMARY KEY (tenant_id, source, id, consumer_group);

-- +goose Down
DELETE FROM inbox a USING inbox b
    WHERE a.tenant_id = b.tenant_id AND a.source = b.source AND a.id = b.id AND a.consumer_group > b.consumer_group;
ALTER TABLE inbox DROP CONSTRAINT inbox_pkey;
ALTER TABLE inbox ADD PRIMARY KEY (tenant_id, source, id);
ALTER TABLE inbox DROP COLUMN consumer_group;
