-- +goose Up
-- The board in close date order (?order=closeDate): a stage's live
-- opportunities, the soonest close date first (none last), then the
-- newest, with what the scope and the filters read (index-only).
CREATE INDEX opportunities_board_close ON opportunities (tenant_id, pipeline_id, stage_id, close_date, id DESC)
    INCLUDE (owner_id, team_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX opportunities_board_close;
