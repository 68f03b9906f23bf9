-- The monitoring figures that /metrics exports read every workflow's executions that finished
-- in a window at once: executions_finished (workflow_id, finished_at) serves one workflow's
-- window, this index the window of all of them.

-- +goose Up
CREATE INDEX executions_finished_at ON executions(finished_at);

-- +goose Down
DROP INDEX executions_finished_at;
