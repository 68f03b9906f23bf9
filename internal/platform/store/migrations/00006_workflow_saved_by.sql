-- Who last saved each workflow: a step may do only what its author may do (an emit step
-- publishes only where its author holds the editor role), so the author is recorded with the
-- workflow and checked again when it runs. Existing workflows take the last user the audit
-- log saw create or update them; one without such a record runs no emit step until saved.

-- +goose Up
ALTER TABLE workflows ADD COLUMN saved_by TEXT;
UPDATE workflows SET saved_by = (
    SELECT a.actor_id FROM audit_events a
    WHERE a.object_type = 'workflow' AND a.object_id = workflows.id AND a.action IN ('create', 'update')
    ORDER BY a.at DESC, a.id DESC LIMIT 1);

-- +goose Down
ALTER TABLE workflows DROP COLUMN saved_by;
