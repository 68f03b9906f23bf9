package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// WebhookSecrets are a webhook's signing secrets as stored: sealed by the server (the store
// never sees them in the clear). Previous is "" when there is none.
type WebhookSecrets struct {
	Current           string
	Previous          string
	PreviousExpiresAt *time.Time
}

// Columns returns the secret columns, for Webhooks.Create and Webhooks.Update.
func (ws WebhookSecrets) Columns() []Column {
	var expires any
	if ws.PreviousExpiresAt != nil {
		expires = ws.PreviousExpiresAt.UnixMilli()
	}
	return []Column{
		{"secret_sealed", ws.Current},
		{"previous_secret_sealed", nullable(ws.Previous)},
		{"previous_expires_at", expires},
	}
}

// GetWebhookSecrets loads a webhook's sealed secrets.
func (q *Q) GetWebhookSecrets(ctx context.Context, webhookID string) (WebhookSecrets, error) {
	var ws WebhookSecrets
	var prev sql.NullString
	var expires sql.NullInt64
	err := q.queryRow(ctx, `SELECT secret_sealed, previous_secret_sealed, previous_expires_at FROM webhooks WHERE id = ?`, webhookID).
		Scan(&ws.Current, &prev, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ws, ErrNotFound
	}
	if err != nil {
		return ws, err
	}
	ws.Previous = prev.String
	if expires.Valid {
		t := time.UnixMilli(expires.Int64).UTC()
		ws.PreviousExpiresAt = &t
	}
	return ws, nil
}

// SetWebhookEventTypes replaces the event types a webhook is listed under (the index behind
// the event_type list filter and event fan-out).
func (q *Q) SetWebhookEventTypes(ctx context.Context, webhookID string, eventTypes []string) error {
	if _, err := q.exec(ctx, `DELETE FROM webhook_event_types WHERE webhook_id = ?`, webhookID); err != nil {
		return err
	}
	for _, et := range eventTypes {
		if _, err := q.exec(ctx, `INSERT INTO webhook_event_types (webhook_id, event_type) VALUES (?, ?)`, webhookID, et); err != nil {
			return err
		}
	}
	return nil
}

// WebhookEventType is the list filter for webhooks subscribed to exactly eventType (the
// wildcard "*" is matched only by asking for "*").
func WebhookEventType(eventType string) Filter {
	return Filter{sql: func(*Q) (string, []any) {
		return "id IN (SELECT webhook_id FROM webhook_event_types WHERE event_type = ?)", []any{eventType}
	}}
}

// WebhooksForEvent returns the active webhooks an event of eventType reaches: those subscribed
// to the type or to "*", and, for an event of an application, only platform-wide webhooks and
// that application's ("" reaches every webhook). In id order.
func (q *Q) WebhooksForEvent(ctx context.Context, eventType, applicationID string) ([]api.Webhook, error) {
	query := `SELECT id, doc FROM webhooks WHERE active = ?
		AND id IN (SELECT webhook_id FROM webhook_event_types WHERE event_type = ? OR event_type = '*')`
	args := []any{true, eventType}
	if applicationID != "" {
		query += ` AND (application_id IS NULL OR application_id = ?)`
		args = append(args, applicationID)
	}
	rows, err := q.query(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hooks []api.Webhook
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		var wh api.Webhook
		if err := json.Unmarshal([]byte(doc), &wh); err != nil {
			return nil, fmt.Errorf("decoding webhooks %s: %w", id, err)
		}
		hooks = append(hooks, wh)
	}
	return hooks, rows.Err()
}

// Deliveries are written by the webhook runtime (InsertDelivery) and listed newest first. They
// have no etag: only the server changes them.
var Deliveries = &Kind[api.Delivery]{
	Table:  "deliveries",
	ID:     func(d *api.Delivery) string { return d.ID },
	ETag:   func(*api.Delivery) string { return "" },
	Newest: true,
}

// InsertDelivery stores a new delivery of payload (the exact body to send) to its webhook,
// due at nextAttempt (nil when nothing is due, such as a delivery already finished).
func (q *Q) InsertDelivery(ctx context.Context, d api.Delivery, payload string, nextAttempt *time.Time) error {
	if d.Attempts == nil {
		d.Attempts = []api.DeliveryAttempt{} // the contract requires the array
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	var due any
	if nextAttempt != nil {
		due = nextAttempt.UnixMilli()
	}
	_, err = q.exec(ctx, `INSERT INTO deliveries (id, webhook_id, event_id, status, next_attempt_at, payload, doc, application_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT application_id FROM webhooks WHERE id = ?), ''))`,
		d.ID, d.WebhookID, d.EventID, string(d.Status), due, payload, string(doc), d.WebhookID)
	if isForeignKeyViolation(err) {
		return ErrNotFound
	}
	return err
}

// SQLitePath returns the database file a SQLite URL names (see Open for the accepted forms),
// for files the server keeps beside it. In-memory databases have no file and are an error.
func SQLitePath(rawURL string) (string, error) {
	p, err := sqlitePath(rawURL)
	if err != nil {
		return "", err
	}
	if p == ":memory:" || strings.Contains(rawURL, "mode=memory") {
		return "", fmt.Errorf("the SQLite database %s is in memory and has no directory", redactURL(rawURL))
	}
	return p, nil
}
