-- Which thresholds of each workflow's monitoring target were breached when its last execution
-- finished, so that `monitoring.target_breached` is published once per breach (when a
-- threshold goes from met to breached), not after every execution. `breached` is a sorted,
-- comma-separated list of metric names, empty when every threshold is met.

-- +goose Up
CREATE TABLE monitoring_alerts (
    workflow_id TEXT PRIMARY KEY REFERENCES workflows(id) ON DELETE CASCADE,
    breached    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE monitoring_alerts;
