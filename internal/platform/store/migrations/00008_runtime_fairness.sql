-- Fair claiming per application (internal/platform/runtime): executions and deliveries carry
-- the application they belong to, so that a claim finds each application's oldest queued work
-- and counts what each runs by index, without scanning the queue one application flooded.
--
-- executions.application_id is its workflow's application; deliveries.application_id its
-- webhook's, '' for platform-wide webhooks (one group of their own). The partial indexes hold
-- only leased rows (running executions, deliveries being attempted, executions canceled but
-- not yet released by their worker): the queries that count in-flight work, renew a server's
-- leases and find its canceled executions read them. The new queue indexes replace the old
-- (status, queued_at) and (status, next_attempt_at) ones, which no query needs any more: every
-- write to a queue row would otherwise keep both.

-- +goose Up
ALTER TABLE executions ADD COLUMN application_id TEXT;
UPDATE executions SET application_id = (SELECT w.application_id FROM workflows w WHERE w.id = executions.workflow_id);
CREATE INDEX executions_application_queue ON executions(status, application_id, queued_at);
DROP INDEX executions_status;
CREATE INDEX executions_leased ON executions(lease_owner) WHERE lease_owner IS NOT NULL;

ALTER TABLE deliveries ADD COLUMN application_id TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET application_id = COALESCE((SELECT h.application_id FROM webhooks h WHERE h.id = deliveries.webhook_id), '');
CREATE INDEX deliveries_application_due ON deliveries(status, application_id, next_attempt_at);
DROP INDEX deliveries_due;
CREATE INDEX deliveries_leased ON deliveries(application_id) WHERE lease_owner IS NOT NULL;

-- +goose Down
DROP INDEX deliveries_leased;
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
DROP INDEX deliveries_application_due;
ALTER TABLE deliveries DROP COLUMN application_id;
DROP INDEX executions_leased;
CREATE INDEX executions_status ON executions(status, queued_at);
DROP INDEX executions_application_queue;
ALTER TABLE executions DROP COLUMN application_id;
