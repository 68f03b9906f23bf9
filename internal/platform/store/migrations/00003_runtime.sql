-- The integration runtime's bookkeeping beside the queue tables of 00001.
--
-- executions.depth counts how many workflow emits led to an execution (0 for one triggered
-- by a user, an event published through the API or a schedule), so that a workflow whose
-- emit step triggers itself cannot loop for ever.
--
-- schedule_fires holds the slots a schedule-triggered workflow fired for: the primary key
-- lets exactly one replica's insert win a slot, so several replicas never double-fire.

-- +goose Up
ALTER TABLE executions ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
-- Recovery looks for running executions whose lease has expired.
CREATE INDEX executions_lease ON executions(status, lease_until);

CREATE TABLE schedule_fires (
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    fire_at     BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, fire_at)
);

CREATE INDEX events_application ON events(application_id);

-- +goose Down
DROP INDEX events_application;
DROP TABLE schedule_fires;
DROP INDEX executions_lease;
ALTER TABLE executions DROP COLUMN depth;
