-- The platform's schema, written in the SQL that SQLite and PostgreSQL share so that one set of
-- migrations and one set of queries serve both. Every managed object keeps its API
-- representation in `doc` (JSON text) next to the columns the server filters, joins and
-- constrains on. Times that queries compare are unix milliseconds.

-- +goose Up
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    active      BOOLEAN NOT NULL,
    etag        TEXT NOT NULL,
    doc         TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SHA-256 of the key: keys are random 32-byte secrets, so a fast hash is enough and lets
    -- every request look its key up by index.
    key_hash    TEXT NOT NULL UNIQUE,
    max_role    TEXT NOT NULL,
    description TEXT NOT NULL,
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX api_keys_user ON api_keys(user_id);

CREATE TABLE applications (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    environment TEXT NOT NULL,
    etag        TEXT NOT NULL,
    doc         TEXT NOT NULL,
    UNIQUE (environment, name)
);

CREATE TABLE workflows (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE RESTRICT,
    name           TEXT NOT NULL,
    enabled        BOOLEAN NOT NULL,
    trigger_type   TEXT NOT NULL,
    event_type     TEXT,
    cron           TEXT,
    etag           TEXT NOT NULL,
    doc            TEXT NOT NULL,
    UNIQUE (application_id, name)
);
CREATE INDEX workflows_event ON workflows(event_type) WHERE event_type IS NOT NULL;

CREATE TABLE monitoring_targets (
    id          TEXT PRIMARY KEY REFERENCES workflows(id) ON DELETE CASCADE,
    etag        TEXT NOT NULL,
    doc         TEXT NOT NULL
);

CREATE TABLE webhooks (
    id                     TEXT PRIMARY KEY,
    active                 BOOLEAN NOT NULL,
    application_id         TEXT REFERENCES applications(id) ON DELETE RESTRICT,
    etag                   TEXT NOT NULL,
    doc                    TEXT NOT NULL,
    -- Signing secrets are sealed with the server's secret key (AES-256-GCM): delivery needs the
    -- secret itself to compute the HMAC, so it cannot be hashed.
    secret_sealed          TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_expires_at    BIGINT
);

CREATE TABLE webhook_event_types (
    webhook_id  TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    PRIMARY KEY (webhook_id, event_type)
);
CREATE INDEX webhook_event_types_type ON webhook_event_types(event_type);

CREATE TABLE role_assignments (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    scope_type  TEXT NOT NULL,
    scope_id    TEXT NOT NULL,
    etag        TEXT NOT NULL,
    doc         TEXT NOT NULL,
    UNIQUE (user_id, role, scope_type, scope_id)
);
CREATE INDEX role_assignments_scope ON role_assignments(scope_type, scope_id);

CREATE TABLE classification_policies (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    level          TEXT NOT NULL,
    application_id TEXT REFERENCES applications(id) ON DELETE RESTRICT,
    etag           TEXT NOT NULL,
    doc            TEXT NOT NULL
);

CREATE TABLE integrations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    etag        TEXT NOT NULL,
    doc         TEXT NOT NULL
);

CREATE TABLE idempotency_keys (
    principal_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (principal_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    etag_before TEXT,
    etag_after  TEXT,
    doc         TEXT NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events(actor_id, id);
CREATE INDEX audit_events_object ON audit_events(object_id, id);

CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    application_id TEXT,
    published_at BIGINT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX events_type ON events(type);

-- The execution queue: a worker claims a row by setting lease_owner/lease_until in a
-- transaction (FOR UPDATE SKIP LOCKED on PostgreSQL), so replicas never run one twice.
CREATE TABLE executions (
    id           TEXT PRIMARY KEY,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    queued_at    BIGINT NOT NULL,
    finished_at  BIGINT,
    duration_ms  BIGINT,
    lease_owner  TEXT,
    lease_until  BIGINT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    doc          TEXT NOT NULL
);
CREATE INDEX executions_workflow ON executions(workflow_id, id);
CREATE INDEX executions_status ON executions(status, queued_at);
CREATE INDEX executions_finished ON executions(workflow_id, finished_at);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    status          TEXT NOT NULL,
    next_attempt_at BIGINT,
    lease_owner     TEXT,
    lease_until     BIGINT,
    payload         TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX deliveries_webhook ON deliveries(webhook_id, id);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE executions;
DROP TABLE events;
DROP TABLE audit_events;
DROP TABLE idempotency_keys;
DROP TABLE integrations;
DROP TABLE classification_policies;
DROP TABLE role_assignments;
DROP TABLE webhook_event_types;
DROP TABLE webhooks;
DROP TABLE monitoring_targets;
DROP TABLE workflows;
DROP TABLE applications;
DROP TABLE api_keys;
DROP TABLE users;
