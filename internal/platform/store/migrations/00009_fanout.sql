-- Bounded fan-out: every execution and event remembers the trigger or event that began its
-- chain (root_id: the id of the published event, or of the execution a user or a schedule
-- started), so that the executions one root leads to through emit steps can be counted and
-- capped; and an execution started by an emit remembers the workflows whose emits led to it
-- (chain: a JSON array of {id, name}, oldest first), so that a loop of workflows triggering
-- each other is stopped when it closes. A row without a root (NULL: written before this
-- migration, or started by a user or a schedule, or an event published through the API) is its
-- own root.

-- +goose Up
ALTER TABLE executions ADD COLUMN root_id TEXT;
ALTER TABLE executions ADD COLUMN chain TEXT;
CREATE INDEX executions_root ON executions(root_id);
ALTER TABLE events ADD COLUMN root_id TEXT;

-- +goose Down
ALTER TABLE events DROP COLUMN root_id;
DROP INDEX executions_root;
ALTER TABLE executions DROP COLUMN chain;
ALTER TABLE executions DROP COLUMN root_id;
