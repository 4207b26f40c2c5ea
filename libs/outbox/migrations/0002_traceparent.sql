-- +goose Up
-- The W3C traceparent of the span an event was added in (events.TraceParent),
-- written by the relay as the CloudEvents traceparent extension; NULL when
-- the change was not traced.
ALTER TABLE outbox ADD COLUMN traceparent text;

-- +goose Down
ALTER TABLE outbox DROP COLUMN traceparent;
