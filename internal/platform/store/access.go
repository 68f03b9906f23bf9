package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
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
// user's role assignments loaded.
type Principal struct {
	UserID  string
	KeyID   string
	MaxRole api.Role
	Grants  []api.RoleAssignment
}

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

// Authenticate finds the active, unexpired key with this hash and loads its principal.
// ErrNotFound means the key is unknown, expired or belongs to an inactive user.
func (q *Q) Authenticate(ctx context.Context, keyHash string, now time.Time) (*Principal, error) {
	var p Principal
	var role string
	err := q.queryRow(ctx, `SELECT k.id, k.user_id, k.max_role FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.key_hash = ? AND u.active = ? AND (k.expires_at IS NULL OR k.expires_at > ?)`,
		keyHash, true, now.UnixMilli()).Scan(&p.KeyID, &p.UserID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.MaxRole = api.Role(role)
	grants, _, err := RoleAssignments.List(ctx, q, []Filter{Eq("user_id", p.UserID)}, Page{Size: MaxPageSize})
	if err != nil {
		return nil, err
	}
	p.Grants = grants
	return &p, nil
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

// LookupIdempotency returns the stored response for (principal, key) newer than since, or nil.
func (q *Q) LookupIdempotency(ctx context.Context, principalID, key string, since time.Time) (*IdempotentResponse, error) {
	var r IdempotentResponse
	err := q.queryRow(ctx, `SELECT method, path, request_hash, status, body FROM idempotency_keys
		WHERE principal_id = ? AND key = ? AND created_at > ?`, principalID, key, since.UnixMilli()).
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
func (q *Q) SaveIdempotency(ctx context.Context, principalID, key string, r IdempotentResponse, now time.Time) error {
	// An expired record with the same key is replaced.
	if _, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE principal_id = ? AND key = ?`, principalID, key); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO idempotency_keys (principal_id, key, method, path, request_hash, status, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, principalID, key, r.Method, r.Path, r.RequestHash, r.Status, r.Body, now.UnixMilli())
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
