-- +goose Up
-- A journey's send step sends through package messaging's sends and
-- messages: a sends row per step and round of entry (journey_id,
-- journey_step, journey_round; no segment), made once, holding the
-- messages of the contacts reaching the step on that round (one per
-- contact: messages' UNIQUE (tenant_id, send_id, contact_id)). It stays
-- sending while the journey lives, the sender delivering each message as
-- it is queued.
ALTER TABLE sends ALTER COLUMN segment_id DROP NOT NULL;
ALTER TABLE sends ADD COLUMN journey_id uuid;
ALTER TABLE sends ADD COLUMN journey_step text;
ALTER TABLE sends ADD COLUMN journey_round integer;
ALTER TABLE sends ADD CONSTRAINT sends_kind CHECK ((segment_id IS NULL) = (journey_id IS NOT NULL)
    AND (journey_id IS NULL) = (journey_step IS NULL) AND (journey_id IS NULL) = (journey_round IS NULL));

CREATE UNIQUE INDEX sends_journey_step ON sends (tenant_id, journey_id, journey_step, journey_round) WHERE journey_id IS NOT NULL;

-- +goose Down
DROP INDEX sends_journey_step;
ALTER TABLE sends DROP CONSTRAINT sends_kind;
ALTER TABLE sends DROP COLUMN journey_round;
ALTER TABLE sends DROP COLUMN journey_step;
ALTER TABLE sends DROP COLUMN journey_id;
DELETE FROM messages m USING sends s WHERE s.tenant_id = m.tenant_id AND s.id = m.send_id AND s.segment_id IS NULL;
DELETE FROM sends WHERE segment_id IS NULL;
ALTER TABLE sends ALTER COLUMN segment_id SET NOT NULL;
