-- Access history: the role and scope of every role-assignment change, next to its audit event.
-- Audit events carry only the object's id, and a revoked assignment's row is gone, so
-- GET /users/{id}/access reads role and scope from here. One row per audit event that granted
-- or revoked a role assignment.

-- +goose Up
CREATE TABLE access_history (
    audit_id   TEXT PRIMARY KEY REFERENCES audit_events(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    role       TEXT NOT NULL,
    scope_type TEXT NOT NULL,
    scope_id   TEXT NOT NULL
);
CREATE INDEX access_history_user ON access_history(user_id, audit_id);

-- +goose Down
DROP TABLE access_history;
