package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/authz"
)

// APIKey is a stored credential: only the hash of the key is kept.
type APIKey struct {
	ID          string
	UserID      string
	KeyHash     string
	MaxRole     api.Role
	Description string
	ExpiresAt   *time.Time
	CreatedAt   time.Time
}

// Principal is who a request acts as: the key's user, capped at the key's max role, with the
// user's role assignments loaded. It is the authorization package's, which decides what it may do.
type Principal = authz.Principal

// CreateAPIKey stores a key (by hash).
func (q *Q) CreateAPIKey(ctx context.Context, k APIKey) error {
	var expires any
	if k.ExpiresAt != nil {
		expires = k.ExpiresAt.UnixMilli()
	}
	_, err := q.exec(ctx, `INSERT INTO api_keys (id, user_id, key_hash, max_role, description, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, k.UserID, k.KeyHash, string(k.MaxRole), k.Description, expires, k.CreatedAt.UnixMilli())
	if isForeignKeyViolation(err) {
		return ErrNotFound
	}
	return err
}

// GetAPIKey loads a key's metadata by id.
func (q *Q) GetAPIKey(ctx context.Context, id string) (*APIKey, error) {
	var k APIKey
	var role string
	var expires sql.NullInt64
	var created int64
	err := q.queryRow(ctx, `SELECT id, user_id, key_hash, max_role, description, expires_at, created_at FROM api_keys WHERE id = ?`, id).
		Scan(&k.ID, &k.UserID, &k.KeyHash, &role, &k.Description, &expires, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	k.MaxRole = api.Role(role)
	k.CreatedAt = time.UnixMilli(created).UTC()
	if expires.Valid {
		t := time.UnixMilli(expires.Int64).UTC()
		k.ExpiresAt = &t
	}
	return &k, nil
}

// DeleteAPIKey revokes a key.
func (q *Q) DeleteAPIKey(ctx context.Context, id string) error {
	res, err := q.exec(ctx, `DELETE FROM api_keys WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Authenticate finds the active, unexpired key with this hash and loads its principal, with
// the user's role assignments, in one query: it runs before every request, and revoking a key
// or a grant must take effect on the next one, so nothing here is cached.
// ErrNotFound means the key is unknown, expired or belongs to an inactive user.
func (q *Q) Authenticate(ctx context.Context, keyHash string, now time.Time) (*Principal, error) {
	rows, err := q.query(ctx, `SELECT k.id, k.user_id, k.max_role, r.doc FROM api_keys k
		JOIN users u ON u.id = k.user_id
		LEFT JOIN role_assignments r ON r.user_id = k.user_id
		WHERE k.key_hash = ? AND u.active = ? AND (k.expires_at IS NULL OR k.expires_at > ?)
		ORDER BY r.id`, keyHash, true, now.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var p *Principal
	for rows.Next() {
		var keyID, userID, role string
		var doc sql.NullString
		if err := rows.Scan(&keyID, &userID, &role, &doc); err != nil {
			return nil, err
		}
		if p == nil {
			p = &Principal{KeyID: keyID, UserID: userID, MaxRole: api.Role(role)}
		}
		if doc.Valid {
			var g api.RoleAssignment
			if err := json.Unmarshal([]byte(doc.String), &g); err != nil {
				return nil, fmt.Errorf("decoding role assignment of user %s: %w", userID, err)
			}
			p.Grants = append(p.Grants, g)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrNotFound
	}
	return p, nil
}

// CountUsers tells whether the platform is empty, for bootstrap.
func (q *Q) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// IdempotentResponse is the first response to a request with an Idempotency-Key.
type IdempotentResponse struct {
	Method      string
	Path        string
	RequestHash string
	Status      int
	Body        string
}

// ErrIdempotencyRace means a concurrent request with the same key committed first; the caller
// retries and will find its response.
var ErrIdempotencyRace = errors.New("a request with the same Idempotency-Key is in flight")

// LookupIdempotency returns the stored response for (credential, key) newer than since, or
// nil. credentialID is the API key's or token's id (the principal_id column): records belong
// to the credential that made them, not to its user.
func (q *Q) LookupIdempotency(ctx context.Context, credentialID, key string, since time.Time) (*IdempotentResponse, error) {
	var r IdempotentResponse
	err := q.queryRow(ctx, `SELECT method, path, request_hash, status, body FROM idempotency_keys
		WHERE principal_id = ? AND key = ? AND created_at > ?`, credentialID, key, since.UnixMilli()).
		Scan(&r.Method, &r.Path, &r.RequestHash, &r.Status, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// SaveIdempotency records the response to a keyed request, in the same transaction as the
// change it made, so a replay after any crash finds either both or neither.
func (q *Q) SaveIdempotency(ctx context.Context, credentialID, key string, r IdempotentResponse, now time.Time) error {
	// An expired record with the same key is replaced.
	if _, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE principal_id = ? AND key = ?`, credentialID, key); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO idempotency_keys (principal_id, key, method, path, request_hash, status, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, credentialID, key, r.Method, r.Path, r.RequestHash, r.Status, r.Body, now.UnixMilli())
	if isUniqueViolation(err) {
		return ErrIdempotencyRace
	}
	return err
}

// PruneIdempotency forgets keys older than before.
func (q *Q) PruneIdempotency(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Audit appends an event to the audit log.
func (q *Q) Audit(ctx context.Context, e api.AuditEvent) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, `INSERT INTO audit_events (id, at, actor_id, action, object_type, object_id, etag_before, etag_after, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.At.UnixMilli(), e.ActorID, e.Action, e.ObjectType, e.ObjectID,
		nullable(strPtrValue(e.EtagBefore)), nullable(strPtrValue(e.EtagAfter)), string(doc))
	return err
}

// AccessChange is one grant or revocation of a role assignment: its audit event and the role
// and scope it concerned, which outlive the assignment itself.
type AccessChange struct {
	Event  api.AuditEvent
	UserID string
	Role   api.Role
	Scope  api.Scope
}

// AuditAccess appends the audit event of a role-assignment change together with its access
// history row, so a user's history can name the role and scope of assignments long gone.
func (q *Q) AuditAccess(ctx context.Context, c AccessChange) error {
	if err := q.Audit(ctx, c.Event); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO access_history (audit_id, user_id, role, scope_type, scope_id) VALUES (?, ?, ?, ?, ?)`,
		c.Event.ID, c.UserID, string(c.Role), string(c.Scope.Type), strPtrValue(c.Scope.ID))
	return err
}

// AccessHistory returns up to limit of the user's role-assignment changes, newest first.
func (q *Q) AccessHistory(ctx context.Context, userID string, limit int) ([]AccessChange, error) {
	rows, err := q.query(ctx, `SELECT a.doc, h.role, h.scope_type, h.scope_id FROM access_history h
		JOIN audit_events a ON a.id = h.audit_id WHERE h.user_id = ? ORDER BY h.audit_id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccessChange
	for rows.Next() {
		var doc, role, scopeType, scopeID string
		if err := rows.Scan(&doc, &role, &scopeType, &scopeID); err != nil {
			return nil, err
		}
		c := AccessChange{UserID: userID, Role: api.Role(role), Scope: api.Scope{Type: api.ScopeType(scopeType)}}
		if scopeID != "" {
			c.Scope.ID = &scopeID
		}
		if err := json.Unmarshal([]byte(doc), &c.Event); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LockPlatformOwners makes transactions that may remove a platform owner take turns: on
// PostgreSQL it locks the platform owner grants until commit, so two concurrent removals of
// different owners cannot both see the other one remaining. (SQLite transactions already
// hold the write lock.)
func (q *Q) LockPlatformOwners(ctx context.Context) error {
	if q.dialect != Postgres {
		return nil
	}
	rows, err := q.query(ctx, `SELECT id FROM role_assignments WHERE role = ? AND scope_type = ? FOR UPDATE`,
		string(api.Owner), string(api.ScopeTypePlatform))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() { // the rows are locked as they are read
	}
	return rows.Err()
}

// CountPlatformOwners counts the active users holding the owner role at the platform scope.
func (q *Q) CountPlatformOwners(ctx context.Context) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(DISTINCT ra.user_id) FROM role_assignments ra JOIN users u ON u.id = ra.user_id
		WHERE ra.role = ? AND ra.scope_type = ? AND u.active = ?`, string(api.Owner), string(api.ScopeTypePlatform), true).Scan(&n)
	return n, err
}

// WorkflowSavedBy returns the id of the user who last saved the workflow ("" when none is
// recorded: a workflow older than the record and absent from the audit log).
func (q *Q) WorkflowSavedBy(ctx context.Context, workflowID string) (string, error) {
	var by sql.NullString
	err := q.queryRow(ctx, `SELECT saved_by FROM workflows WHERE id = ?`, workflowID).Scan(&by)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return by.String, err
}

// WorkflowSecretHeaders returns a workflow's sealed secret headers ("" when it has none).
func (q *Q) WorkflowSecretHeaders(ctx context.Context, workflowID string) (string, error) {
	var sealed sql.NullString
	err := q.queryRow(ctx, `SELECT secret_headers_sealed FROM workflows WHERE id = ?`, workflowID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return sealed.String, err
}

// CountSealedSecrets counts the values sealed with the server's secret key that the server
// must open again: webhook signing secrets and workflows' secret headers.
func (q *Q) CountSealedSecrets(ctx context.Context) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM webhooks) + (SELECT COUNT(*) FROM workflows WHERE secret_headers_sealed IS NOT NULL)`).Scan(&n)
	return n, err
}
